"""Page objects for CMS families whose templates name each part of an article (title, sapo, body,
date, byline) and each entry of a listing: the family gives the selectors of its templates, these
classes read the fields the one way every family does.

The body's blocks are sorted by crawler.parsing.content (captions, bylines, "Nguồn:" lines,
attachments), as for Liferay; related-news boxes are the generic extractor's (`related_boxes`) plus
the family's own (`NOISE`); dates are read from the family's date elements by base.date_hits, and
fall back on what the page declares (article:published_time, JSON-LD) when it prints none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import cached_property
from typing import ClassVar

from crawler.core.errors import ExtractionError
from crawler.core.normalize import canonicalize_url, clean_text, fold, language_code
from crawler.core.records import Attachment, Image, ListingEntry, ListingPage
from crawler.parsing.base import (
    ArticlePage,
    DateHit,
    HtmlElement,
    PageContext,
    canonical_link,
    date_hits,
    first_date,
    line_dates,
    listing_entries,
    text_of,
)
from crawler.parsing.content import Block, Content, blocks_of, classify, flatten
from crawler.parsing.generic import _noise_words, related_boxes
from crawler.parsing.generic_meta import PageMeta

_LABEL = re.compile(r"^\s*(tác giả|người viết|bài|tin|bài và ảnh|tin và ảnh|nguồn tin|nguồn|theo|by)"
                    r"\s*[:\-]\s*", re.I)
_HOME = {"trang chu", "home", "trang chinh", "trang nhat"}


def strip_label(text: str) -> str:
    """"Tác giả: Hồng Nhung" -> "Hồng Nhung"; "Nguồn tin: Báo Đồng Nai" -> "Báo Đồng Nai"."""
    return clean_text(_LABEL.sub("", clean_text(text))).strip(" :-–|()")


class MarkupArticlePage(ArticlePage):
    """An article read by the selectors of its family's templates (lists: the first that matches)."""

    TITLE: ClassVar[list[str]] = ["h1"]
    LEAD: ClassVar[list[str]] = []
    BODY: ClassVar[list[str]] = []
    DATE: ClassVar[list[str]] = []
    AUTHOR: ClassVar[list[str]] = []
    SOURCE: ClassVar[list[str]] = []
    CATEGORY: ClassVar[list[str]] = []
    # Elements of the body that are never the article: related boxes, tags, sharing, players' chrome.
    NOISE: ClassVar[str] = ""
    # Texts the templates mark as captions, whatever their styling (classify pairs them with the
    # image above them).
    CAPTION: ClassVar[str] = "figcaption"
    # Pictures the template puts outside the body (a lead picture beside the sapo).
    LEAD_IMAGES: ClassVar[str] = ""

    # -- structure ---------------------------------------------------------------------------
    @cached_property
    def meta(self) -> PageMeta:
        return PageMeta(self.ctx.root, self.ctx.zone)

    def _pick(self, field: str, defaults: list[str]) -> HtmlElement | None:
        chosen = self.ctx.override(field)
        return self.ctx.first(chosen if chosen else defaults) if (chosen or defaults) else None

    @cached_property
    def _title_el(self) -> HtmlElement | None:
        return self._pick("title", self.TITLE)

    @cached_property
    def _lead_el(self) -> HtmlElement | None:
        return self._pick("lead", self.LEAD)

    @cached_property
    def _body_el(self) -> HtmlElement | None:
        return self._pick("body", self.BODY)

    @cached_property
    def _noise(self) -> set[HtmlElement]:
        found = set(related_boxes(self.ctx.root))
        if self.NOISE:
            found.update(self.ctx.css(self.NOISE))
        return found

    def _is_noise(self, el: HtmlElement) -> bool:
        return el in self._noise

    @cached_property
    def _caption_texts(self) -> set[str]:
        return {text for el in self.ctx.css(self.CAPTION) if (text := text_of(el)) and len(text) <= 400}

    def _mark_captions(self, blocks: list[Block]) -> list[Block]:
        captions = self._caption_texts
        for block in blocks:
            if block.text in captions and not block.images:
                block.italic = True  # a caption by its class: classify pairs it with its image
        return blocks

    @cached_property
    def _content(self) -> Content:
        body = self._body_el
        if body is None:
            return Content()
        inside = self._mark_captions(flatten(body, self.ctx.absolute, self._is_noise))
        return classify(inside, self._blocks_after(body))

    def _blocks_after(self, body: HtmlElement) -> list[Block]:
        """Up to five blocks after the body, in its parent and the parent's parent: where templates
        print the author and source lines."""
        blocks: list[Block] = []
        node: HtmlElement | None = body
        for _ in range(2):
            if node is None:
                break
            for sibling in node.itersiblings():
                if isinstance(sibling.tag, str) and not self._is_noise(sibling):
                    blocks.extend(blocks_of(sibling, self.ctx.absolute, self._is_noise))
            node = node.getparent()
            if blocks:
                break
        return [b for b in blocks[:5] if len(b.text) <= 200]

    @cached_property
    def _lead_images(self) -> list[Image]:
        if not self.LEAD_IMAGES:
            return []
        blocks: list[Block] = []
        for el in self.ctx.css(self.LEAD_IMAGES):
            if self._body_el is not None and any(a is self._body_el for a in el.iterancestors()):
                continue
            blocks.extend(blocks_of(el, self.ctx.absolute, self._is_noise))
        return classify(self._mark_captions(blocks), []).images if blocks else []

    # -- dates -------------------------------------------------------------------------------
    @cached_property
    def _dates(self) -> list[DateHit]:
        ctx = self.ctx
        places = ctx.css(ctx.selectors["date"]) if ctx.override("date") else \
            [el for css in self.DATE for el in ctx.css(css)][:3]
        hits = [hit for el in places for hit in date_hits(el, ctx.zone)]
        if ctx.override("updated"):
            hits = [h for h in hits if not h.updated]
            for el in ctx.css(ctx.selectors["updated"]):
                hits.extend(DateHit(h.value, h.printed, True, h.error) for h in date_hits(el, ctx.zone))
        if not any(not h.updated for h in hits):
            for line in self._content.date_lines:  # a date printed as the body's first line
                hits.extend(line_dates(line, ctx.zone))
        return hits

    def _date(self, updated: bool) -> DateHit | None:
        return first_date(self._dates, updated, self.ctx.url)

    def _published(self) -> tuple[datetime | None, str | None]:
        hit = self._date(updated=False) or self._date(updated=True)
        if hit is not None:
            return hit.value, hit.printed
        declared = self.meta.published()
        if declared is not None:
            return declared.value.astimezone(self.ctx.zone), declared.raw
        return None, None

    # -- fields ------------------------------------------------------------------------------
    def title(self) -> str:
        title = text_of(self._title_el) if self._title_el is not None else ""
        title = title or clean_text(self.meta.title() or "")
        if not title:
            raise ExtractionError(f"{self.ctx.url}: no article title found (looked for "
                                  f"{self.ctx.override('title') or ', '.join(self.TITLE)})")
        return title

    def published_at(self) -> datetime | None:
        return self._published()[0]

    def published_text(self) -> str | None:
        return self._published()[1]

    def updated_at(self) -> datetime | None:
        if self._dates:  # the page prints its dates: an update only when it says so beside them
            hit = self._date(updated=True)
            return hit.value if hit and self._date(updated=False) else None
        declared = self.meta.modified()
        return declared.value.astimezone(self.ctx.zone) if declared else None

    def _lead_text(self) -> str | None:
        return (text_of(self._lead_el) or None) if self._lead_el is not None else None

    def body(self) -> list[str]:
        return list(self._paragraphs)

    @cached_property
    def _paragraphs(self) -> list[str]:
        if self._body_el is None and self._lead_el is None:
            raise ExtractionError(f"{self.ctx.url}: no article body found (looked for "
                                  f"{self.ctx.override('body') or ', '.join(self.BODY)})")
        content = self._content
        title = fold(self.title())
        paragraphs = [p for p in content.body if fold(p) != title]
        lead = self._lead_text()
        if lead:
            paragraphs = [lead, *[p for p in paragraphs if p != lead]]
        if not (paragraphs or content.images or content.attachments or self._lead_images):
            raise ExtractionError(f"{self.ctx.url}: the article body is empty (no text, images or "
                                  "attachments)")
        return paragraphs

    def lead(self) -> str | None:
        body = self.body()
        return body[0] if body else None

    def images(self) -> list[Image]:
        seen: set[str] = set()
        out = []
        for image in [*self._lead_images, *self._content.images]:
            if image.url not in seen:
                seen.add(image.url)
                out.append(image)
        return out

    def extra_attachments(self) -> Iterator[Attachment]:
        """Files or media the template shows outside the body (a family's download list)."""
        return iter(())

    def attachments(self) -> list[Attachment]:
        found = {a.url: a for a in self._content.attachments}
        for extra in self.extra_attachments():
            found.setdefault(extra.url, extra)
        return list(found.values())

    def _labelled(self, field: str, defaults: list[str]) -> str | None:
        el = self._pick(field, defaults)
        if el is None:
            return None
        text = strip_label(text_of(el))
        return text if text and len(text) <= 120 else None

    def author(self) -> str | None:
        if self.ctx.override("author"):
            return self._labelled("author", [])
        signed = ", ".join(dict.fromkeys(self._content.authors)) or None
        return self._labelled("author", self.AUTHOR) or signed

    def source(self) -> str | None:
        if self.ctx.override("source"):
            return self._labelled("source", [])
        printed = ", ".join(dict.fromkeys(self._content.sources)) or None
        return printed or self._labelled("source", self.SOURCE)

    def category(self) -> str | None:
        ctx = self.ctx
        places = ctx.css(ctx.selectors["category"]) if ctx.override("category") else \
            next((found for css in self.CATEGORY if (found := ctx.css(css))), [])
        crumbs = [t for t in dict.fromkeys(text_of(el) for el in places) if t and len(t) <= 80]
        if crumbs and self._title_el is not None and fold(crumbs[-1]) == fold(text_of(self._title_el)):
            crumbs.pop()
        crumbs = [c for c in crumbs if fold(c) not in _HOME]
        return crumbs[-1] if crumbs else self.meta.section()

    def canonical_url(self) -> str:
        return canonicalize_url(canonical_link(self.ctx.root, self.ctx.base_url) or self.ctx.url)

    def language(self) -> str:
        return language_code(self.ctx.root.get("lang") or self.meta.locale())


class MarkupListingPage:
    """A listing read by its family's entry markup: each item, its title link, its printed date."""

    ITEM: ClassVar[str] = ""
    LINK: ClassVar[list[str]] = ["a[href]"]
    DATE: ClassVar[str] = ""
    # What an article URL of the family looks like: links to anything else are not entries.
    ARTICLE_URL: ClassVar[re.Pattern[str]] = re.compile(r".")
    # Parts of a title link that are not the title (a running number, a "new" badge).
    NOT_TITLE: ClassVar[str] = ""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    @staticmethod
    def in_chrome(el: HtmlElement) -> bool:
        """In the page's header, footer, menus or asides: never the listing or its pager."""
        return any(node.tag in ("header", "footer", "nav", "aside") for node in el.iterancestors())

    def skip(self, item: HtmlElement) -> bool:
        """Entries of the page's chrome and of boxes beside the listing ("Đọc nhiều", "Tin liên
        quan", a sidebar), by the generic extractor's names for such boxes."""
        return self.in_chrome(item) or any(_noise_words(node) for node in item.iterancestors())

    def items(self) -> list[tuple[HtmlElement, HtmlElement]]:
        """(item, title link) of each entry in page order; asked by kind detection, the entries and
        the pager, worked out once a page."""
        key = f"markup:items:{type(self).__name__}"
        if key not in self.ctx.memo:
            self.ctx.memo[key] = self._items()
        found: list[tuple[HtmlElement, HtmlElement]] = self.ctx.memo[key]
        return found

    def _items(self) -> list[tuple[HtmlElement, HtmlElement]]:
        ctx = self.ctx
        chosen = ctx.override("listing_item") or self.ITEM
        link_css = [ctx.selectors["listing_link"]] if ctx.override("listing_link") else self.LINK
        pairs = []
        for item in ctx.css(chosen):
            links = [a for a in item.iter("a") if self.ARTICLE_URL.search(a.get("href") or "")]
            if not links or self.skip(item):
                continue
            if len({a.get("href") for a in links}) > 1:  # several articles: the title link's
                links = [a for css in link_css for a in ctx.css(css, item) if a in links] or links
            same = [a for a in links if a.get("href") == links[0].get("href")]
            # a picture link before the titled one
            pairs.append((item, next((a for a in same if text_of(a)), same[0])))
        return pairs

    def _entry_date(self, item: HtmlElement) -> DateHit | None:
        ctx = self.ctx
        css = ctx.override("listing_date") or self.DATE
        places = ctx.css(css, item) if css else []
        for where in [*places, item]:  # the date element, else anywhere in the entry
            for hit in date_hits(where, ctx.zone):
                if not hit.updated:
                    return hit
            for name in ("title", "data-time", "datetime"):  # a date kept in an attribute
                for hit in line_dates(where.get(name) or "", ctx.zone):
                    return hit
        return None

    def entries(self) -> list[ListingEntry]:
        pairs = self.items()
        not_title = frozenset(el for _, link in pairs for el in self.ctx.css(self.NOT_TITLE, link)) \
            if self.NOT_TITLE else frozenset()
        return listing_entries(self.ctx, pairs, self._entry_date, not_title)

    def next_page(self) -> str | None:
        return None

    def to_item(self) -> ListingPage:
        return ListingPage(url=self.ctx.url, portal=self.ctx.portal, entries=self.entries(),
                           next_page=self.next_page())

