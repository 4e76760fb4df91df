"""Liferay portals (6.2 and 7.x): asset publisher and web content display pages.

Everything here keys on Liferay core markup (asset-full-content, taglib-header, journal-content-article,
asset-abstract, taglib-page-iterator, breadcrumb, portlet-msg-error), never on one theme's classes;
themes that render differently get per-portal CSS overrides (see base.SELECTOR_FIELDS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    first_date,
    in_chrome,
    line_dates,
    listing_entries,
    text_of,
)
from crawler.parsing.content import Block, Content, blocks_of, classify, flatten
from crawler.parsing.generic import related_boxes

TITLE = [".taglib-header .header-title", ".header-title", ".asset-title", ".component-title"]
ARTICLE_ROOT = ".asset-full-content"
WEB_CONTENT = ".journal-content-article"
# 7.3+ display pages: the fragment a rich-text field is mapped to
DISPLAY_PAGE_BODY = "[data-lfr-editable-type='rich-text'], .component-html, .component-paragraph"
BODY = [WEB_CONTENT, ".asset-content"]
PORTLET = ".portlet-boundary"
BREADCRUMB = ".breadcrumb li, .breadcrumbs li, .breadcrumb-item"
SECTION_TITLE = [".portlet-title-text", ".portlet-title", "#navigation li.selected > a"]
# Listing entries: 6.2 abstracts and title lists, 7.x list groups, tables and the cards of display
# templates. Themes that print none of these are read by their asset links (ASSET_LINK).
LISTING_ITEM = (".asset-abstract, li.title-list, .title-list > li, .list-group-item, "
                "td.table-title, .card")
PAGER = (".taglib-page-iterator, .lfr-pagination, .pagination-bar, .pagination, .pager, "
         "nav[aria-label] ul, .paging, .paginator")
# How Liferay links to an asset shown in full: the asset publisher's view URL (6.2 and 7.x), the
# friendly URL of web content (/-/slug, /web/site/-/slug) and 7.3+ display pages (/w/slug).
ASSET_LINK = re.compile(r"/-/asset_publisher/[^/]+/content/|"
                        r"/-/(?!asset_publisher/|journal_content/|categories/|tags?/|document_library|search|"
                        r"login|rss)[^/?#]+|/w/[^/?#]+")
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



# --- layout: the page's main portlet -----------------------------------------------------------
# A Liferay page is columns of portlets: the article or listing the URL asks for sits beside
# "Tin khác" boxes, banners, menus and counters. The page is read as its main portlet: the one the
# URL names (p_p_id, a namespaced parameter, /-/asset_publisher/<instance>/), else the one showing
# an asset in full, else the fullest portlet of the widest column.

_COLUMN_WIDTH = re.compile(r"(?:^|\s)(?:span|col-(?:xs-|sm-|md-|lg-|xl-)?)(\d{1,2})(?=\s|$)|"
                           r"(?:^|\s)(?:aui-)?w(\d{2,3})(?=\s|$)")
_FRIENDLY_INSTANCE = re.compile(r"/-/(?:asset_publisher|journal_content)/([^/?#]+)")


def portlet_id(portlet: HtmlElement) -> str | None:
    """`101_INSTANCE_abc` of `<div id="p_p_id_101_INSTANCE_abc_" class="portlet-boundary ...">`."""
    pid = portlet.get("id") or ""
    return pid[len("p_p_id_"):].rstrip("_") or None if pid.startswith("p_p_id_") else None


def url_portlet_hints(url: str) -> list[str]:
    """Portlet ids or instance ids the URL addresses: what the user asked the page for."""
    parts = urlsplit(url)
    hints: list[str] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "p_p_id" and value:
            hints.append(value)
        elif key.startswith("_") and key.count("_") >= 2 and not key.startswith("_p_"):
            hints.append(key[1:key.rindex("_")])  # _<portlet namespace>_cur=2
    hints += _FRIENDLY_INSTANCE.findall(parts.path)
    return hints


def _matches_hint(pid: str, hint: str) -> bool:
    return pid == hint or pid.endswith("_INSTANCE_" + hint)


def _column_width(el: HtmlElement) -> float | None:
    """Width (twelfths) of the innermost layout column holding `el`, when its classes say it."""
    for node in el.iterancestors():
        found = _COLUMN_WIDTH.search(node.get("class") or "")
        if found:
            return float(found.group(1)) if found.group(1) else int(found.group(2)) * 12 / 100
    return None


def main_portlet(ctx: PageContext) -> HtmlElement | None:
    if "liferay:main" not in ctx.memo:
        ctx.memo["liferay:main"] = _find_main_portlet(ctx)
    main: HtmlElement | None = ctx.memo["liferay:main"]
    return main


def _find_main_portlet(ctx: PageContext) -> HtmlElement | None:
    portlets = ctx.css(PORTLET)
    if not portlets:
        return None
    hints = url_portlet_hints(ctx.url)
    if hints:
        for portlet in portlets:
            pid = portlet_id(portlet)
            if pid and any(_matches_hint(pid, hint) for hint in hints):
                return portlet
    # innermost portlets only: a nested-portlets portlet holding the whole layout is no candidate
    candidates = [p for p in portlets if not in_chrome(p)
                  and next(p.iterdescendants(), None) is not None
                  and not any("portlet-boundary" in (d.get("class") or "").split()
                              for d in p.iterdescendants())]
    full = ctx.first(ARTICLE_ROOT)
    if full is not None:
        # An asset shown in full is the page when the URL asks for an asset, or when it sits in the
        # widest column; a "Thư ngỏ" shown in full in a sidebar does not make a listing an article.
        holder = _closest(full, "portlet-boundary")
        widths = [w for w in map(_column_width, candidates) if w is not None]
        own = _column_width(full)
        if ASSET_LINK.search(urlsplit(ctx.url).path) or not widths or own is None or own >= max(widths):
            return holder
    if not candidates:
        return None
    # What a reader came for, weighed by the width of its column: the wide column's listing or
    # article beats a sidebar's "Tin đọc nhiều" list, and a full-width banner of pictures loses to both.
    return max(candidates, key=lambda p: _weight(p) * (_column_width(p) or 8.0))


def _weight(portlet: HtmlElement) -> int:
    """How much of what a reader came for a portlet holds: its asset links and its text."""
    links = sum(1 for a in portlet.iter("a") if ASSET_LINK.search(a.get("href") or ""))
    return links * 200 + len(portlet.text_content())


def scope(ctx: PageContext) -> HtmlElement:
    """Where the page's own content is looked for: the main portlet, else the whole page."""
    main = main_portlet(ctx)
    return main if main is not None else ctx.root



@dataclass(frozen=True)
class Layout:
    """What the page is (article, listing, not found, unknown) and the element to read it in."""

    kind: PageKind
    where: HtmlElement


def read_layout(ctx: PageContext) -> Layout:
    """The main portlet read for what it is; the whole page when the main portlet is none of
    article, listing or not-found message (or the page has no portlets)."""
    if "liferay:layout" not in ctx.memo:
        ctx.memo["liferay:layout"] = _read_layout(ctx)
    found: Layout = ctx.memo["liferay:layout"]
    return found


def _read_layout(ctx: PageContext) -> Layout:
    # A display page (/w/slug, 7.3+) is fragments, not portlets: its portlets are the boxes beside it.
    display_page_url = re.search(r"(?:^|/)w/[^/]+/?$", urlsplit(ctx.url).path)
    if display_page_url and display_page_body(ctx, ctx.root) is not None:
        return Layout(PageKind.ARTICLE, ctx.root)
    main = main_portlet(ctx)
    if main is not None:
        kind = _kind_in(ctx, main)
        if kind is not PageKind.UNKNOWN:
            return Layout(kind, main)
        if not_found_message(ctx, main):
            return Layout(PageKind.NOT_FOUND, main)
    return Layout(_kind_in(ctx, ctx.root), ctx.root)


def _kind_in(ctx: PageContext, where: HtmlElement) -> PageKind:
    if ctx.first(ARTICLE_ROOT, where) is not None:
        return PageKind.ARTICLE
    web = web_content(ctx, where)
    if web is not None and _prose(web):
        return PageKind.ARTICLE
    if listing_pairs(ctx, where):
        return PageKind.LISTING
    if web is not None or display_page_body(ctx, where) is not None:
        return PageKind.ARTICLE
    return PageKind.UNKNOWN


def web_content(ctx: PageContext, where: HtmlElement) -> HtmlElement | None:
    """Web content shown in full (journal content / web content display), not an abstract's."""
    return next((el for el in ctx.css(WEB_CONTENT, where)
                 if not _inside_abstract(el) and not in_chrome(el)), None)


def display_page_body(ctx: PageContext, where: HtmlElement) -> HtmlElement | None:
    """7.3+ display pages (/w/ URLs): fragments, the rich-text one holding the body, under an h1."""
    headlines = [h1 for h1 in ctx.css("h1", where) if _closest(h1, "portlet-boundary") is None]
    if not any(not in_chrome(h1) for h1 in headlines):
        return None
    rich = [el for el in ctx.css(DISPLAY_PAGE_BODY, where)
            if not in_chrome(el) and _closest(el, "portlet-boundary") is None]
    return max(rich, key=lambda el: len(el.text_content()), default=None)


def listing_pairs(ctx: PageContext, where: HtmlElement) -> list[tuple[HtmlElement, HtmlElement]]:
    """(item, link) of each listing entry under `where` in page order: Liferay's listing markup,
    else a theme's own, found by its links to assets; none when they are fewer than two (one
    Bootstrap card is no listing)."""
    key = f"liferay:pairs:{id(where)}"
    if key not in ctx.memo:
        items = [el for el in ctx.css(LISTING_ITEM, where)
                 if not _inside_full_content(el) and not in_chrome(el)]
        pairs = _linked(ctx, items)
        if not (len(pairs) >= 2 or any(_strong_item(item) for item, _ in pairs)):
            pairs = _asset_links(where)
            if len(pairs) < 2:
                pairs = []
        ctx.memo[key] = pairs
    found: list[tuple[HtmlElement, HtmlElement]] = ctx.memo[key]
    return found


def _linked(ctx: PageContext, items: list[HtmlElement]) -> list[tuple[HtmlElement, HtmlElement]]:
    chosen = ctx.selectors.get("listing_link", [".asset-title a[href]", "h3 a[href]", "h2 a[href]",
                                                "h4 a[href]", ".title a[href]", "a[href]"])
    pairs = []
    for item in items:
        link = ctx.first(chosen, item)
        if link is None:
            continue
        if not text_of(link):  # an image link before the title: take the titled one to the same page
            link = next((a for a in item.iter("a") if a.get("href") == link.get("href") and text_of(a)), link)
        pairs.append((item, link))
    return pairs


def _asset_links(where: HtmlElement) -> list[tuple[HtmlElement, HtmlElement]]:
    """A theme's own listing markup: its links to assets in page order, each with the element
    around it that holds no other asset (where its date is printed)."""
    by_url: dict[str, list[HtmlElement]] = {}
    for link in where.iter("a"):
        href = (link.get("href") or "").strip()
        if ASSET_LINK.search(href) and not in_chrome(link) and not _inside_full_content(link):
            by_url.setdefault(href, []).append(link)
    pairs = []
    for href, same in by_url.items():
        link = next((a for a in same if text_of(a)), same[0])
        item = link
        while (parent := item.getparent()) is not None and parent is not where:
            if any((a.get("href") or "").strip() != href for a in parent.iter("a")
                   if ASSET_LINK.search(a.get("href") or "")):
                break
            item = parent
        pairs.append((item, link))
    return pairs


def not_found_message(ctx: PageContext, where: HtmlElement | None = None) -> str | None:
    for el in ctx.css(ERROR_MESSAGE, where) + ctx.css(".portlet-body", where):
        text = text_of(el)
        if text and len(text) <= 300 and _NOT_FOUND.search(fold(text)):
            return text
    return None


class LiferayArticlePage(ArticlePage):
    """An article page in the web-poet sense: page in, one record out, one method per field."""

    # -- structure ---------------------------------------------------------------------------
    @cached_property
    def _where(self) -> HtmlElement:
        return read_layout(self.ctx).where

    @cached_property
    def _body_el(self) -> HtmlElement | None:
        ctx = self.ctx
        if ctx.override("body"):
            return ctx.first(ctx.selectors["body"])
        root = ctx.first(ARTICLE_ROOT, self._where)
        if root is not None:
            return ctx.first(BODY, root)
        web = web_content(ctx, self._where)
        return web if web is not None else display_page_body(ctx, self._where)

    @cached_property
    def _root(self) -> HtmlElement | None:
        """The asset (header, date, body, byline); for web content display, its portlet; for a
        display page, the fragments from its headline down."""
        root = self.ctx.first(ARTICLE_ROOT, self._where)
        if root is not None and (self._body_el is None or _contains(root, self._body_el)):
            return root
        if self._body_el is None:
            return None
        portlet = _closest(self._body_el, "portlet-boundary")
        if portlet is not None:
            return portlet
        for node in self._body_el.iterancestors():
            if node.find(".//h1") is not None or node is self._where:
                return node
        return self._body_el.getparent()

    @cached_property
    def _title_el(self) -> HtmlElement | None:
        ctx = self.ctx
        if ctx.override("title"):
            return ctx.first(ctx.selectors["title"])
        if self._root is None:
            return None
        found = ctx.first(TITLE, self._root)
        if found is None and not self._analytics_title:
            # a template that prints the headline itself (the asset title hidden)
            found = ctx.first(["h1", *SECTION_TITLE[:2], "h2"], self._root)
        return found

    @cached_property
    def _analytics_title(self) -> str | None:
        """7.x web content carries its title in `data-analytics-asset-title`, whatever the template."""
        body = self._body_el
        if body is None or self.ctx.override("title"):
            return None
        for node in (body, *body.iterancestors()):
            if node.get("data-analytics-asset-title"):
                return clean_text(node.get("data-analytics-asset-title")) or None
            if node is self._root:
                break
        return None

    @cached_property
    def _content(self) -> Content:
        body = self._body_el
        if body is None:
            return Content()
        inside = flatten(body, self.ctx.absolute, self._is_noise)
        return classify(inside, self._blocks_after(body))

    @cached_property
    def _related(self) -> set[HtmlElement]:
        """"Tin liên quan" / "Tin khác" boxes a template prints inside the article (the generic
        extractor's reading of them: a link-dense element under such a label)."""
        return related_boxes(self.ctx.root)

    def _is_noise(self, el: HtmlElement) -> bool:
        return _is_noise(el) or el in self._related

    def _blocks_after(self, body: HtmlElement) -> list[Block]:
        """Blocks after the body up to the end of the asset: where themes print source and author."""
        blocks: list[Block] = []
        node: HtmlElement | None = body
        stop = self._root
        while node is not None and node is not stop:
            for sibling in node.itersiblings():
                blocks.extend(blocks_of(sibling, self.ctx.absolute, self._is_noise))
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
        return first_date(self._dates, updated, self.ctx.url)

    # -- fields ------------------------------------------------------------------------------
    def title(self) -> str:
        title = text_of(self._title_el) if self._title_el is not None else (self._analytics_title or "")
        if not title:
            where = f"selector {self.ctx.selectors['title']!r}" if self.ctx.override("title") else \
                ", ".join(TITLE)
            raise ExtractionError(f"{self.ctx.url}: no article title found (looked for {where})")
        return title

    def _published(self) -> DateHit | None:
        """The publication date; on a page that prints only "Cập nhật lúc ..." (many themes label
        their one date so), that date: the best the page says of when the article came out."""
        return self._date(updated=False) or self._date(updated=True)

    def published_at(self) -> datetime | None:
        hit = self._published()
        return hit.value if hit else None

    def published_text(self) -> str | None:
        hit = self._published()
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
        paragraphs = list(content.body)
        if paragraphs and fold(paragraphs[0]) == fold(self.title()):
            paragraphs.pop(0)  # a template that prints the headline again at the top of the body
        lead = self._lead_override()
        if lead and (not paragraphs or paragraphs[0] != lead):
            return [lead, *[p for p in paragraphs if p != lead]]
        return paragraphs

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
    """A news listing (asset publisher abstracts, title list, table, a theme's cards) and its pager,
    read in the page's main portlet."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def items(self) -> list[tuple[HtmlElement, HtmlElement]]:
        """(item, link) pairs in page order, in the main portlet when it is the listing."""
        ctx = self.ctx
        if ctx.override("listing_item"):
            return _linked(ctx, ctx.css(ctx.selectors["listing_item"]))
        return listing_pairs(ctx, read_layout(ctx).where)

    def entries(self) -> list[ListingEntry]:
        return listing_entries(self.ctx, self.items(), self._entry_date)

    def _entry_date(self, item: HtmlElement) -> DateHit | None:
        """A listing's date is for discovery only: an impossible one keeps its text and no value."""
        ctx = self.ctx
        if ctx.override("listing_date"):
            scopes = ctx.css(ctx.selectors["listing_date"], item)
        else:
            scopes = ctx.css(".metadata-publish-date", item) or [item]
            if item.tag == "td":  # a table row: the date sits in another cell of the row
                row = item.getparent()
                scopes = [row] if row is not None else scopes
        for where in scopes:
            for hit in date_hits(where, ctx.zone, exclude=_not_dates):
                if not hit.updated:
                    return hit
        return None

    def _pagers(self) -> list[HtmlElement]:
        ctx = self.ctx
        if ctx.override("next_page"):
            return ctx.css(ctx.selectors["next_page"])
        main = main_portlet(ctx)
        pagers = ctx.css(PAGER, main) if main is not None else []
        return pagers or [el for el in ctx.css(PAGER) if not in_chrome(el)]

    def next_page(self) -> str | None:
        """The pager link to page current+1 by its `_cur` / `cur` parameter, whatever its label
        says; else the link a pager labels as the next page ("Tiếp theo", "Sau", "»", "Next")."""
        ctx = self.ctx
        pagers = self._pagers()
        if not pagers:
            return None
        current = _cur(ctx.url) or _pager_position(pagers) or 1
        labelled = numbered = None
        for pager in pagers:
            for link in pager.iter("a"):
                href = ctx.absolute(link.get("href"))
                if not href or _disabled(link):
                    continue
                number = _cur(href)
                if number == current + 1:
                    return href
                if number is not None or canonicalize_url(href) == canonicalize_url(ctx.url):
                    continue
                if labelled is None and _says_next(link):
                    labelled = href
                elif numbered is None and text_of(link) == str(current + 1):
                    numbered = href  # a theme's own pager: "1 2 3" links with no cur parameter
        return labelled or numbered

    def to_item(self) -> ListingPage:
        return ListingPage(url=self.ctx.url, portal=self.ctx.portal, entries=self.entries(),
                           next_page=self.next_page())


_NEXT_WORDS = frozenset({"tiep", "tiep theo", "sau", "trang sau", "trang tiep", "trang tiep theo", "next",
                         "next page", "xem tiep"})
_NEXT_ARROW = re.compile(r"^\s*(?:»|›|>|→)\s*$")  # ">>" and "»»" are the last page on many pagers


def _says_next(link: HtmlElement) -> bool:
    """A pager link that labels itself as the next page, in words, by an arrow or by its class."""
    classes = set((link.get("class") or "").split())
    parent = link.getparent()
    if parent is not None:
        classes |= set((parent.get("class") or "").split())
    if {"next", "lfr-pagination-next", "pagination-next"} & classes:
        return True
    for label in (text_of(link), link.get("title"), link.get("aria-label")):
        if not label:
            continue
        if _NEXT_ARROW.match(label) or " ".join(re.sub(r"[^\w\s]", " ", fold(label)).split()) in _NEXT_WORDS:
            return True
    return False


def _disabled(link: HtmlElement) -> bool:
    li = link.getparent()
    classes = set((link.get("class") or "").split())
    if li is not None:
        classes |= set((li.get("class") or "").split())
    return "disabled" in classes or link.get("aria-disabled") == "true"


def _strong_item(el: HtmlElement) -> bool:
    """Liferay's own listing markup, as opposed to Bootstrap classes any box may carry."""
    classes = set((el.get("class") or "").split())
    parent = el.getparent()
    return bool({"asset-abstract", "title-list", "table-title"} & classes) or \
        (parent is not None and "title-list" in (parent.get("class") or "").split())


def _inside_full_content(el: HtmlElement) -> bool:
    return _closest(el, "asset-full-content") is not None


def _prose(el: HtmlElement) -> bool:
    """Holds article text rather than a list of links: 400 characters or more outside links."""
    text = len(" ".join(el.text_content().split()))
    links = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return text - links >= 400


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
        # A theme's own markup counts when the portal's overrides find it.
        if ctx.override("body") or ctx.override("title"):
            page = LiferayArticlePage(ctx)
            if page._body_el is not None and page._title_el is not None:
                return PageKind.ARTICLE
        if ctx.override("listing_item") and LiferayListingPage(ctx).items():
            return PageKind.LISTING
        # The main portlet decides: an asset shown in full is the article even when a second
        # publisher lists abstracts beside it ("Tin khác"), and a listing stays a listing beside a
        # web content box.
        layout = read_layout(ctx)
        if layout.kind is PageKind.UNKNOWN and not_found_message(ctx):
            return PageKind.NOT_FOUND
        return layout.kind

    def article(self, ctx: PageContext) -> ArticleRecord:
        return LiferayArticlePage(ctx).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        return LiferayListingPage(ctx).to_item()

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        where = read_layout(ctx).where
        return NotFoundPage(url=ctx.url, message=not_found_message(ctx, where) or not_found_message(ctx)
                            or "not found")

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
