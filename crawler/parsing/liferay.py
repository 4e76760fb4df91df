"""Liferay portals (6.2 and 7.x): asset publisher and web content display pages.

Everything here keys on Liferay core markup (asset-full-content, taglib-header, journal-content-article,
asset-abstract, taglib-page-iterator, breadcrumb, portlet-msg-error), never on one theme's classes;
themes that render differently get per-portal CSS overrides (see base.SELECTOR_FIELDS).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from urllib.parse import parse_qsl, urlsplit

from crawler.core.errors import ExtractionError
from crawler.core.normalize import canonicalize_url, clean_text, fold
from crawler.core.records import ArticleRecord, Attachment, Image, ListingEntry, ListingPage, NotFoundPage
from crawler.parsing.base import (
    ArticlePage,
    CmsParser,
    DateHit,
    HtmlElement,
    PageContext,
    PageKind,
    canonical_link,
    date_hits,
    line_dates,
    text_of,
)
from crawler.parsing.content import Block, Content, blocks_of, classify, flatten

TITLE = [".taglib-header .header-title", ".header-title", ".asset-title", ".component-title"]
ARTICLE_ROOT = ".asset-full-content"
WEB_CONTENT = ".journal-content-article"
BODY = [WEB_CONTENT, ".asset-content"]
PORTLET = ".portlet-boundary"
BREADCRUMB = ".breadcrumb li, .breadcrumbs li, .breadcrumb-item"
SECTION_TITLE = [".portlet-title-text", ".portlet-title", "#navigation li.selected > a"]
LISTING_ITEM = ".asset-abstract, li.title-list, .title-list > li"
PAGER = ".taglib-page-iterator, .lfr-pagination, .pagination, .pager"
ERROR_MESSAGE = ".portlet-msg-error, .alert-error, .alert-danger, .portlet-msg-alert, .alert-warning"
# Core widgets around the content that are never the article: counters, sharing, ratings, comments.
NOISE = ("asset-metadata", "taglib-social-bookmarks", "taglib-ratings", "asset-ratings", "asset-links",
         "asset-related-assets", "taglib-discussion", "lfr-discussion", "asset-actions", "lfr-meta-actions",
         "taglib-asset-tags-summary", "taglib-asset-categories-summary", "lfr-icon-menu", "asset-flag",
         "print-action", "export-actions", "asset-more")
_NOISE_CLASS = re.compile(r"(?:^|\s)(" + "|".join(NOISE) + r")(?:\s|$)")
# Comments and related assets carry other dates than the article's.
_NOT_DATES = re.compile(r"(?:^|\s)(taglib-social-bookmarks|asset-links|asset-related-assets|"
                        r"taglib-discussion|lfr-discussion)(?:\s|$)")
_NOT_FOUND = re.compile(r"khong tim thay|khong ton tai|could not be found|was not found|not found|"
                        r"khong co quyen truy cap|no longer exists")
_HOME = {"trang chu", "home", "trang chinh"}


def _is_noise(el: HtmlElement) -> bool:
    return bool(_NOISE_CLASS.search(el.get("class") or ""))


def _not_dates(el: HtmlElement) -> bool:
    return bool(_NOT_DATES.search(el.get("class") or ""))


class LiferayArticlePage(ArticlePage):
    """An article page in the web-poet sense: page in, one record out, one method per field."""

    # -- structure ---------------------------------------------------------------------------
    @cached_property
    def _body_el(self) -> HtmlElement | None:
        ctx = self.ctx
        if ctx.override("body"):
            return ctx.first(ctx.selectors["body"])
        root = ctx.first(ARTICLE_ROOT)
        if root is not None:
            return ctx.first(BODY, root)
        return next((el for el in ctx.css(WEB_CONTENT) if not _inside_abstract(el)), None)

    @cached_property
    def _root(self) -> HtmlElement | None:
        """The asset (header, date, body, byline); for web content display, its portlet."""
        root = self.ctx.first(ARTICLE_ROOT)
        if root is not None and (self._body_el is None or _contains(root, self._body_el)):
            return root
        if self._body_el is None:
            return None
        portlet = _closest(self._body_el, "portlet-boundary")
        return portlet if portlet is not None else self._body_el.getparent()

    @cached_property
    def _title_el(self) -> HtmlElement | None:
        ctx = self.ctx
        if ctx.override("title"):
            return ctx.first(ctx.selectors["title"])
        if self._root is None:
            return None
        return ctx.first(TITLE + SECTION_TITLE[:2], self._root)

    @cached_property
    def _content(self) -> Content:
        body = self._body_el
        if body is None:
            return Content()
        inside = flatten(body, self.ctx.absolute, _is_noise)
        return classify(inside, self._blocks_after(body))

    def _blocks_after(self, body: HtmlElement) -> list[Block]:
        """Blocks after the body up to the end of the asset: where themes print source and author."""
        blocks: list[Block] = []
        node, stop = body, self._root
        while node is not None and node is not stop:
            for sibling in node.itersiblings():
                blocks.extend(blocks_of(sibling, self.ctx.absolute, _is_noise))
            node = node.getparent()
        return blocks

    @cached_property
    def _dates(self) -> list[DateHit]:
        ctx = self.ctx
        hits: list[DateHit] = []
        if ctx.override("date"):
            for el in ctx.css(ctx.selectors["date"]):
                hits.extend(date_hits(el, ctx.zone))
        else:
            hits.extend(self._dates_near_title())
        if ctx.override("updated"):
            hits = [h for h in hits if not h.updated]
            for el in ctx.css(ctx.selectors["updated"]):
                hits.extend(DateHit(h.value, h.printed, True, h.error) for h in date_hits(el, ctx.zone))
        return hits

    def _dates_near_title(self) -> list[DateHit]:
        """The asset's own date lines (header, metadata), outside the body and the title."""
        skip = frozenset(el for el in (self._body_el, self._title_el) if el is not None)
        hits = list(date_hits(self._root, self.ctx.zone, skip, _not_dates)) if self._root is not None else []
        if not any(not h.updated for h in hits):
            for line in self._content.date_lines:  # a date printed as the first line of the body
                hits.extend(line_dates(line, self.ctx.zone))
        return hits

    def _date(self, updated: bool) -> DateHit | None:
        hit = next((h for h in self._dates if h.updated == updated), None)
        if hit is not None and hit.error:
            raise ExtractionError(f"{self.ctx.url}: the page prints an impossible date "
                                  f"{hit.printed!r} ({hit.error})")
        return hit

    # -- fields ------------------------------------------------------------------------------
    def url(self) -> str:
        return self.ctx.url

    def portal(self) -> str:
        return self.ctx.portal

    def title(self) -> str:
        title = text_of(self._title_el) if self._title_el is not None else ""
        if not title:
            where = f"selector {self.ctx.selectors['title']!r}" if self.ctx.override("title") else \
                ", ".join(TITLE)
            raise ExtractionError(f"{self.ctx.url}: no article title found (looked for {where})")
        return title

    def published_at(self) -> datetime | None:
        hit = self._date(updated=False)
        return hit.value if hit else None

    def published_text(self) -> str | None:
        hit = self._date(updated=False)
        return hit.printed if hit else None

    def updated_at(self) -> datetime | None:
        hit = self._date(updated=True)
        return hit.value if hit else None

    def body(self) -> list[str]:
        if self._body_el is None:
            where = f"selector {self.ctx.selectors['body']!r}" if self.ctx.override("body") else \
                ", ".join(BODY)
            raise ExtractionError(f"{self.ctx.url}: no article body found (looked for {where})")
        content = self._content
        if not (content.body or content.images or content.attachments):
            raise ExtractionError(f"{self.ctx.url}: the article body is empty "
                                  "(no text, images or attachments)")
        lead = self._lead_override()
        if lead and (not content.body or content.body[0] != lead):
            return [lead, *[p for p in content.body if p != lead]]
        return list(content.body)

    def lead(self) -> str | None:
        body = self.body()
        return body[0] if body else None

    def _lead_override(self) -> str | None:
        if not self.ctx.override("lead"):
            return None
        el = self.ctx.first(self.ctx.selectors["lead"])
        return (text_of(el) or None) if el is not None else None

    def images(self) -> list[Image]:
        return list(self._content.images)

    def attachments(self) -> list[Attachment]:
        return list(self._content.attachments)

    def author(self) -> str | None:
        return self._field_override("author") or (", ".join(dict.fromkeys(self._content.authors)) or None)

    def source(self) -> str | None:
        return self._field_override("source") or (", ".join(dict.fromkeys(self._content.sources)) or None)

    def _field_override(self, name: str) -> str | None:
        if not self.ctx.override(name):
            return None
        el = self.ctx.first(self.ctx.selectors[name])
        return (text_of(el) or None) if el is not None else None

    def category(self) -> str | None:
        ctx = self.ctx
        if ctx.override("category"):
            return self._field_override("category")
        crumbs = [t for t in (text_of(el) for el in ctx.css(BREADCRUMB)) if t]
        crumbs = list(dict.fromkeys(crumbs))  # .breadcrumb li and .breadcrumb-item can both match
        # Liferay 6.2 appends the asset's own title to the breadcrumb of its page
        if crumbs and self._title_el is not None and fold(crumbs[-1]) == fold(text_of(self._title_el)):
            crumbs.pop()
        if crumbs and fold(crumbs[-1]) not in _HOME:
            return crumbs[-1]
        portlet = _closest(self._root, "portlet-boundary") if self._root is not None else None
        for scope in (portlet, None):
            el = ctx.first(SECTION_TITLE, scope)
            if el is not None and el is not self._title_el and text_of(el) and fold(text_of(el)) not in _HOME:
                return text_of(el)
        return None

    def canonical_url(self) -> str:
        link = canonical_link(self.ctx.root, self.ctx.base_url)
        page = self.ctx.url
        # Some Liferay 6.2 themes point every asset's canonical at the page that hosts the publisher;
        # taking it would merge all articles of a section into one.
        if link and "/-/" in urlsplit(page).path and "/-/" not in urlsplit(link).path:
            link = None
        return canonicalize_url(link or page)

    def language(self) -> str:
        lang = (self.ctx.root.get("lang") or "").strip().lower()
        return re.split(r"[-_]", lang)[0] if lang else "vi"



class LiferayListingPage:
    """An asset publisher list of abstracts and its pager."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def items(self) -> list[HtmlElement]:
        return self.ctx.css(self.ctx.selectors.get("listing_item", LISTING_ITEM))

    def entries(self) -> list[ListingEntry]:
        ctx = self.ctx
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for item in self.items():
            link = ctx.first(ctx.selectors.get("listing_link", [".asset-title a[href]", "a[href]"]), item)
            href = ctx.absolute(link.get("href")) if link is not None else None
            if not href:
                continue
            url = canonicalize_url(href)
            if url in seen:
                continue
            seen.add(url)
            title = text_of(link) or clean_text(link.get("title")) or None
            hit = self._entry_date(item)
            entries.append(ListingEntry(url=url, title=title, published_text=hit.printed if hit else None,
                                        published_at=hit.value if hit else None))
        return entries

    def _entry_date(self, item: HtmlElement) -> DateHit | None:
        """A listing's date is for discovery only: an impossible one keeps its text and no value."""
        ctx = self.ctx
        if ctx.override("listing_date"):
            scopes = ctx.css(ctx.selectors["listing_date"], item)
        else:
            scopes = ctx.css(".metadata-publish-date", item) or [item]
        for scope in scopes:
            for hit in date_hits(scope, ctx.zone, exclude=_not_dates):
                if not hit.updated:
                    return hit
        return None

    def next_page(self) -> str | None:
        """The pager link to page current+1, by its `_cur` parameter, whatever its label says."""
        ctx = self.ctx
        pagers = ctx.css(ctx.selectors.get("next_page", PAGER))
        if not pagers:
            return None
        current = _cur(ctx.url) or _pager_position(pagers) or 1
        for pager in pagers:
            for link in pager.iter("a"):
                li = link.getparent()
                if li is not None and "disabled" in (li.get("class") or "").split():
                    continue
                href = ctx.absolute(link.get("href"))
                if href and _cur(href) == current + 1:
                    return href
        return None

    def to_item(self) -> ListingPage:
        return ListingPage(url=self.ctx.url, portal=self.ctx.portal, entries=self.entries(),
                           next_page=self.next_page())


# What Liferay itself puts in every page, whatever the theme: its JavaScript globals and paths
# (6.2 /html/js/liferay, 7.x /o/... bundles and /combo), portlet wrappers and messages, its taglibs,
# the `lfr-` classes, document-library and friendly URLs. `markers()` counts the distinct ones.
_MARKERS = re.compile(
    r"Liferay\.(?:ThemeDisplay|Portlet|authToken|Loader|Util)|portlet-boundary|portlet-msg-(?:error|info|alert)|"
    r"/-/asset_publisher/|/-/journal_content/|[?&](?:amp;)?p_p_id=|/documents/\d+/|/document_library/|"
    r"taglib-page-iterator|lfr-pagination|journal-content-article|asset-full-content|asset-abstract|"
    r"/html/js/liferay|/o/frontend-js|/combo\?browserId=|data-analytics-asset|lfr-layout-structure|"
    r"id=\"p_p_id_|class=\"lfr-|themeDisplay|/web/guest/"
)


class LiferayParser(CmsParser):
    name = "liferay"

    def markers(self, ctx: PageContext) -> int:
        found = {marker.replace("&amp;", "&") for marker in _MARKERS.findall(ctx.source)}
        # friendly asset URLs (/-/ of 6.2 and 7.x, /w/ of 7.x) only count beside markup markers
        if found and re.search(r"/-/|/w/", urlsplit(ctx.url).path):
            found.add("url")
        return len(found)

    def detect_kind(self, ctx: PageContext) -> PageKind:
        page = LiferayArticlePage(ctx)
        # An asset shown in full is the article even when a second publisher lists abstracts beside it
        # ("Tin khác"); a theme's own markup counts when the portal's overrides find it.
        full = ctx.first(ARTICLE_ROOT) is not None or (
            bool(ctx.override("body") or ctx.override("title"))
            and page._body_el is not None and page._title_el is not None)
        listing = bool(LiferayListingPage(ctx).items())
        if not full and not listing and page._body_el is None and self._not_found_message(ctx):
            return PageKind.NOT_FOUND
        if full:
            return PageKind.ARTICLE
        if listing:
            return PageKind.LISTING
        return PageKind.ARTICLE if page._body_el is not None else PageKind.UNKNOWN

    def _not_found_message(self, ctx: PageContext) -> str | None:
        for el in ctx.css(ERROR_MESSAGE) + ctx.css(".portlet-body"):
            text = text_of(el)
            if text and len(text) <= 300 and _NOT_FOUND.search(fold(text)):
                return text
        return None

    def article(self, ctx: PageContext) -> ArticleRecord:
        return LiferayArticlePage(ctx).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        return LiferayListingPage(ctx).to_item()

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        return NotFoundPage(url=ctx.url, message=self._not_found_message(ctx) or "not found")

    def unknown_reason(self, ctx: PageContext) -> str:
        if ctx.selectors:
            return ("none of the selector overrides matched an article or listing "
                    f"({', '.join(f'{k}={v!r}' for k, v in sorted(ctx.selectors.items()))})")
        if not re.search(r"portlet-boundary|p_p_id|Liferay\.|/html/js/liferay", ctx.source):
            return "does not look like a Liferay page (no portlet markup): nothing to parse"
        return ("Liferay page with no article (asset-full-content, journal-content-article), "
                "no listing (asset-abstract) and no not-found message")


def _closest(el: HtmlElement | None, css_class: str) -> HtmlElement | None:
    while el is not None:
        if css_class in (el.get("class") or "").split():
            return el
        el = el.getparent()
    return None


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    return any(node is outer for node in inner.iterancestors()) or inner is outer


def _inside_abstract(el: HtmlElement) -> bool:
    return _closest(el, "asset-abstract") is not None


def _cur(url: str) -> int | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if (key == "cur" or key.endswith("_cur")) and value.isdigit():
            return int(value)
    return None


def _pager_position(pagers: list[HtmlElement]) -> int | None:
    """'Trang 2 / 3', 'Page 2 of 3', or the active item, for a page saved without its URL."""
    for pager in pagers:
        found = re.search(r"(?:trang|page)\s*(\d+)\s*(?:/|of|trên)\s*\d+", fold(text_of(pager)))
        if found:
            return int(found.group(1))
        for li in pager.iter("li"):
            if {"active", "current", "selected"} & set((li.get("class") or "").split()):
                digits = text_of(li)
                if digits.isdigit():
                    return int(digits)
    return None
