"""Page objects for CMS families that hold an article in one region of the page and print its parts
in their own markup: SharePoint's rich-text field under a page title, a DotNetNuke news module.

The family finds the region and its parts (`Region`); these page objects read the record's fields
from them with the rules every family shares (crawler.parsing.content for body, captions, bylines and
attachments; base.date_hits for dates) and fall back on what the page declares about itself
(crawler.parsing.generic_meta, the generic extractor's headline) when the family's markup lacks a
part. Listings: `entry_date` dates their entries, `pager_next` finds the next page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import urlsplit

from crawler.core.errors import ExtractionError
from crawler.core.normalize import canonicalize_url, clean_text, fold
from crawler.core.records import Attachment, Image
from crawler.parsing.base import (
    ArticlePage,
    DateHit,
    HtmlElement,
    PageContext,
    canonical_link,
    date_hits,
    first_date,
    in_chrome,
    line_dates,
    text_of,
)
from crawler.parsing.content import Block, Content, blocks_of, classify, flatten
from crawler.parsing.generic import GenericArticlePage, related_boxes, says_not_found
from crawler.parsing.generic_listing import next_page_url, page_number
from crawler.parsing.generic_meta import PageMeta

_HOME = {"trang chu", "home", "trang chinh", "homepage"}
_LABEL = re.compile(r"^(?:tác giả|người viết|tin,? ảnh|bài,? ảnh|bài|tin|nguồn(?: tin)?|by)\s*[:\-]\s*", re.I)


@dataclass
class Region:
    """Where a family's article sits and what its markup names: the family fills what it finds."""

    where: HtmlElement  # the article's container: dates and bylines are looked for in it
    title: HtmlElement | None
    bodies: list[HtmlElement]  # the rich text, in reading order
    lead: HtmlElement | None = None  # a sapo printed outside the rich text
    dates: list[HtmlElement] = field(default_factory=list)  # where the family prints the date
    figures: list[Block] = field(default_factory=list)  # pictures shown above the text (page image)
    author: HtmlElement | None = None
    noise: Callable[[HtmlElement], bool] = lambda el: False  # the family's boxes that are no article
    url_date: DateHit | None = None  # the date the URL carries, when the page prints none
    breadcrumb: list[HtmlElement] = field(default_factory=list)


class RegionArticlePage(ArticlePage):
    """An article read from its region: one method per field of the record."""

    def __init__(self, ctx: PageContext, region: Region) -> None:
        super().__init__(ctx)
        self.region = region

    # -- structure ---------------------------------------------------------------------------
    @cached_property
    def meta(self) -> PageMeta:
        return PageMeta(self.ctx.root, self.ctx.zone)

    @cached_property
    def _related(self) -> set[HtmlElement]:
        return related_boxes(self.ctx.root)

    def _is_noise(self, el: HtmlElement) -> bool:
        return el in self._related or self.region.noise(el)

    def _not_dates(self, el: HtmlElement) -> bool:
        return self._is_noise(el) or el.tag in ("nav", "header", "footer")

    @cached_property
    def _content(self) -> Content:
        blocks = list(self.region.figures)
        for body in self.region.bodies:
            blocks += flatten(body, self.ctx.absolute, self._is_noise)
        return classify(blocks, self._blocks_after())

    def _blocks_after(self) -> list[Block]:
        """Blocks after the last body up to the end of the region: where themes sign the article."""
        if not self.region.bodies:
            return []
        blocks: list[Block] = []
        node: HtmlElement | None = self.region.bodies[-1]
        stop = self.region.where
        while node is not None and node is not stop:
            for sibling in node.itersiblings():
                if len(blocks) >= 6:
                    return blocks
                blocks.extend(b for b in blocks_of(sibling, self.ctx.absolute, self._is_noise)
                              if len(b.text) <= 200)
            node = node.getparent()
        return blocks

    @cached_property
    def _title_text(self) -> str | None:
        ctx = self.ctx
        if ctx.override("title"):
            el = ctx.first(ctx.selectors["title"])
            return text_of(el) or None if el is not None else None
        if self.region.title is not None and text_of(self.region.title):
            return text_of(self.region.title)
        # the family's headline markup is missing: the generic extractor's reading of the headline
        return GenericArticlePage(ctx).title_text

    @cached_property
    def _dates(self) -> list[DateHit]:
        ctx = self.ctx
        if ctx.override("date"):
            hits = [h for el in ctx.css(ctx.selectors["date"]) for h in date_hits(el, ctx.zone)]
        else:
            hits = [h for el in self.region.dates for h in date_hits(el, ctx.zone, exclude=self._not_dates)]
            if not hits:
                skip = frozenset(el for el in (*self.region.bodies, self.region.title) if el is not None)
                hits = list(date_hits(self.region.where, ctx.zone, skip, self._not_dates))
            if not any(not h.updated for h in hits):
                for line in self._content.date_lines:  # a date printed as the body's first line
                    hits.extend(line_dates(line, ctx.zone))
        if ctx.override("updated"):
            hits = [h for h in hits if not h.updated]
            for el in ctx.css(ctx.selectors["updated"]):
                hits.extend(DateHit(h.value, h.printed, True, h.error) for h in date_hits(el, ctx.zone))
        return hits

    def _date(self, updated: bool) -> DateHit | None:
        return first_date(self._dates, updated, self.ctx.url)

    def _published(self) -> DateHit | None:
        hit = self._date(updated=False) or self._date(updated=True)
        if hit is not None:
            return hit
        declared = self.meta.published()
        if declared is not None:
            return DateHit(declared.value.astimezone(self.ctx.zone), declared.raw, False)
        return self.region.url_date

    # -- fields ------------------------------------------------------------------------------
    def title(self) -> str:
        if not self._title_text:
            raise ExtractionError(f"{self.ctx.url}: no article title found (no headline in the "
                                  "article's region, no og:title or <title>)")
        return self._title_text

    def published_at(self) -> datetime | None:
        hit = self._published()
        return hit.value if hit else None

    def published_text(self) -> str | None:
        hit = self._published()
        return hit.printed if hit else None

    def updated_at(self) -> datetime | None:
        hit = self._date(updated=True)
        return hit.value if hit else None

    def _lead_text(self) -> str | None:
        ctx = self.ctx
        el = ctx.first(ctx.selectors["lead"]) if ctx.override("lead") else self.region.lead
        return (text_of(el) or None) if el is not None else None

    def body(self) -> list[str]:
        content = self._content
        lead = self._lead_text()
        if not (content.body or content.images or content.attachments or lead):
            if not self.region.bodies:
                raise ExtractionError(f"{self.ctx.url}: no article body found (no rich-text field "
                                      "or news text in the article's region)")
            raise ExtractionError(f"{self.ctx.url}: the article body is empty (no text, images or "
                                  "attachments)")
        paragraphs = list(content.body)
        title = self._title_text
        if paragraphs and title and fold(paragraphs[0]) == fold(title):
            paragraphs.pop(0)  # a template that prints the headline again at the top of the body
        if lead:
            return [lead, *[p for p in paragraphs if p != lead]]
        return paragraphs

    def lead(self) -> str | None:
        body = self.body()
        return body[0] if body else None

    def images(self) -> list[Image]:
        return list(self._content.images)

    def attachments(self) -> list[Attachment]:
        return list(self._content.attachments)

    def _field_override(self, name: str) -> str | None:
        el = self.ctx.first(self.ctx.selectors[name])
        return (text_of(el) or None) if el is not None else None

    def author(self) -> str | None:
        if self.ctx.override("author"):
            return self._field_override("author")
        authors = list(dict.fromkeys(self._content.authors))
        if authors:
            return ", ".join(authors)
        if self.region.author is not None:
            text = _LABEL.sub("", text_of(self.region.author)).strip(" :-–|")
            if text and len(text) <= 80:
                return text
        return self.meta.author()

    def source(self) -> str | None:
        if self.ctx.override("source"):
            return self._field_override("source")
        return ", ".join(dict.fromkeys(self._content.sources)) or None

    def category(self) -> str | None:
        if self.ctx.override("category"):
            return self._field_override("category")
        crumbs = [t for t in (text_of(el) for el in self.region.breadcrumb) if t and len(t) <= 80]
        crumbs = [c for c in dict.fromkeys(crumbs) if fold(c) not in _HOME and c not in (">", "»", "/")]
        title = self._title_text
        if crumbs and title and fold(crumbs[-1]) == fold(title):
            crumbs.pop()
        return crumbs[-1] if crumbs else self.meta.section()

    def canonical_url(self) -> str:
        return canonicalize_url(canonical_link(self.ctx.root, self.ctx.base_url) or self.ctx.url)

    def language(self) -> str:
        lang = (self.ctx.root.get("lang") or self.ctx.root.get("xml:lang") or "vi").strip().lower()
        return re.split(r"[-_]", lang)[0] or "vi"


def contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    return outer is inner or any(a is outer for a in inner.iterancestors())


def prose_size(el: HtmlElement) -> int:
    """Characters of text outside links: what tells an article's text from a list of titles."""
    text = len(clean_text(el.text_content()))
    return text - sum(len(clean_text(a.text_content())) for a in el.iter("a"))


def prose_besides(body: HtmlElement | None, pairs: list[tuple[HtmlElement, HtmlElement]]) -> int:
    """The body's text outside links, less that of the listing entries it holds: a listing's
    summaries are no article."""
    if body is None:
        return 0
    return prose_size(body) - sum(prose_size(item) for item, _ in pairs if contains(body, item))


def outside(el: HtmlElement, noise: Callable[[HtmlElement], bool]) -> bool:
    """In the theme's header, footer or menus, or in one of the family's boxes that are no article."""
    return in_chrome(el) or any(noise(a) for a in (el, *el.iterancestors()))


def prose_container(where: HtmlElement, skip: Callable[[HtmlElement], bool]) -> HtmlElement | None:
    """The element whose own paragraphs hold the most text outside links under `where`: an
    article's text when the family's markup names no body."""
    totals: dict[HtmlElement, int] = {}
    for p in where.iter("p", "div"):
        if p.tag == "div" and next(p.iterdescendants("p", "div", "table", "ul", "ol"), None) is not None \
                or skip(p):
            continue
        parent = p.getparent()
        if parent is None:
            continue
        size = len(clean_text(p.text_content())) - sum(len(clean_text(a.text_content())) for a in p.iter("a"))
        if size > 0:
            totals[parent] = totals.get(parent, 0) + size
    best = max(totals, key=totals.__getitem__, default=None)
    return best if best is not None and totals[best] >= 200 else None


def says_not_found_in(places: Iterable[HtmlElement], entries: Iterable[HtmlElement]) -> str | None:
    """The message of the first place that says the page does not exist: its shortest element
    saying so (without the crumbs and links around it); listing entries never count (a summary
    may say "đã bị xóa")."""
    seen = {node for entry in entries for node in entry.iter()}
    for place in places:
        said = []
        for el in place.iter():
            if el in seen or not isinstance(el.tag, str) or el.tag == "a":
                continue
            seen.add(el)
            if len(el.text_content()) <= 400 and (text := text_of(el)) and says_not_found(text):
                said.append(text)
        if said:
            return min(said, key=len)
    return None


# --- listings ----------------------------------------------------------------------------------

def item_of(link: HtmlElement, stop: HtmlElement, others: Callable[[HtmlElement], bool]) -> HtmlElement:
    """The element around a listing link that holds no other entry's link: where its date is."""
    item = link
    while (parent := item.getparent()) is not None and parent is not stop:
        if any(others(a) and a.get("href") != link.get("href") for a in parent.iter("a")):
            break
        item = parent
    return item


def entry_date(ctx: PageContext, date_scope: str | None = None) -> Callable[[HtmlElement], DateHit | None]:
    """How a listing entry's date is read (for base.listing_entries): the first publication date
    in its date element (`date_scope`, or the portal's `listing_date` override), else in the whole
    entry. A listing's date is for discovery only: an impossible one keeps its text and no value."""
    if ctx.override("listing_date"):
        date_scope = ctx.selectors["listing_date"]

    def read(item: HtmlElement) -> DateHit | None:
        scopes = (ctx.css(date_scope, item) if date_scope else []) or [item]
        return next((h for where in scopes for h in date_hits(where, ctx.zone) if not h.updated), None)

    return read


def pager_next(ctx: PageContext, pagers: list[HtmlElement],
               number: Callable[[str], int | None] = page_number) -> str | None:
    """The next page by the pagers (the generic reading of a pager: rel=next, page current+1,
    "Tiếp" / "Next" links); None on the last page or when the pager only posts back."""
    if ctx.override("next_page"):
        pagers = ctx.css(ctx.selectors["next_page"])
    for pager in pagers:
        found = next_page_url(pager, ctx.url, ctx.absolute, number=number)
        if found and urlsplit(found).scheme in ("http", "https", "file"):
            return found
    # a pager of two pages ("1" current, "2" linked) or of arrows only: the link whose URL asks
    # for page current+1, whatever it says
    current = number(ctx.url) or 1
    for pager in pagers:
        for link in pager.iter("a"):
            href = ctx.absolute(link.get("href"))
            if href and number(href) == current + 1:
                return href
    return None
