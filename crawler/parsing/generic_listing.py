"""Listing discovery for portals of no known family: a news listing's article links in page order and
its next page, from the page alone.

    feed_links(root, base_url)       the RSS/Atom feeds a page advertises
    is_feed(text) / parse_feed(...)  a feed's entries and (Atom) next page
    next_page_url(root, url, ...)    rel="next", "Tiếp / Sau / » / Next" links, the numbered pager
    main_link_group(ctx)             the largest group of same-shaped links with titles

These are pure functions of the page so that portal discovery (from a home page) and the generic
family share them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from crawler.core.normalize import canonicalize_url, clean_text, fold
from crawler.core.records import ListingEntry, ListingPage
from crawler.parsing.base import DateHit, HtmlElement, PageContext, date_hits, listing_entries, text_of
from crawler.parsing.content import is_attachment_url
from crawler.parsing.generic_meta import parse_iso

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
              "application/xml", "text/xml")
_FEED_HREF = re.compile(r"(\.rss|/rss|/feeds?|\.atom|rss\.xml|atom\.xml|/rss\.aspx)(/|$|\?)", re.I)
_FEED_START = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<\?xml-stylesheet[^>]*\?>\s*)*"
                         r"<(?:rss|feed|rdf:RDF)\b", re.S | re.I)
# Pager labels for "the next page", folded. "»" and ">>" also mean "last page" on some pagers: they
# only count when no link to page current+1 exists.
NEXT_LABELS = frozenset({"tiep", "tiep theo", "trang tiep", "trang tiep theo", "sau", "trang sau", "next",
                         "next page", "older", "older posts", "older entries", "xem tiep", "›", ">", "→"})
WEAK_NEXT_LABELS = frozenset({"»", ">>", "tiep »", "sau »", "next »", "tiep >>", "sau >>", "next >>",
                              "tiep >", "sau >", "next >", "»»"})
_PAGE_PARAM = re.compile(r"^(?:.*_)?(page|pageindex|pagenum|pageno|paged|pg|p|trang|cur|page_no|"
                         r"currentpage)$", re.I)
_PAGE_PATH = re.compile(r"(?:/|-|_)(?:page|trang|p)[-/_]?(\d{1,4})(?=/|\.\w+$|$)", re.I)
_STATE_CLASSES = frozenset({"odd", "even", "first", "last", "active", "current", "clearfix", "selected",
                            "hover", "new", "hot", "item"})


# --- feeds -------------------------------------------------------------------------------------

def feed_links(root: HtmlElement, base_url: str) -> list[str]:
    """Feeds the page advertises: <link rel="alternate"> of a feed type first, then links that look
    like feeds ("/rss/", ".rss", "/feed"), absolute, in page order, each once."""
    found: list[str] = []
    for link in root.iterfind(".//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and ("rss" in kind or "atom" in kind or "rdf" in kind or "feed" in kind):
            found.append(urljoin(base_url, link.get("href", "").strip()))
    for anchor in root.iterfind(".//a[@href]"):
        href = anchor.get("href", "").strip()
        if href and not href.startswith(("javascript:", "#", "mailto:")) and _FEED_HREF.search(href):
            found.append(urljoin(base_url, href))
    return list(dict.fromkeys(found))


def is_feed(text: str) -> bool:
    return bool(_FEED_START.match(text[:2000].lstrip("\ufeff")))


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _feed_date(raw: str | None, zone: ZoneInfo) -> datetime | None:
    if not raw:
        return None
    declared = parse_iso(raw, zone)
    if declared is not None:
        return declared.value
    try:
        value = parsedate_to_datetime(raw.strip())  # RSS: RFC 822 "Wed, 11 May 2022 12:15:00 +0700"
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def parse_feed(text: str, url: str, zone: ZoneInfo) -> tuple[list[ListingEntry], str | None]:
    """The entries of an RSS 2.0 / RSS 1.0 / Atom feed in feed order, and the Atom next page if any."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    data = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"), count=1).strip().encode("utf-8")
    root = etree.fromstring(data, parser)
    if root is None:
        return [], None
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    next_page = None
    for link in root:
        if _local(link.tag) == "link" and link.get("rel") == "next" and link.get("href"):
            next_page = urljoin(url, link.get("href", "").strip())
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        href = None
        for link in (c for c in item if _local(c.tag) == "link"):
            if link.get("href") and link.get("rel", "alternate") == "alternate":
                href = link.get("href")
                break
            if (link.text or "").strip():
                href = link.text
                break
        if not href:
            guid = _child(item, "guid")
            if guid is not None and (guid.text or "").strip().startswith("http"):
                href = guid.text
        if not href:
            continue
        absolute = canonicalize_url(urljoin(url, href.strip()))
        if absolute in seen:
            continue
        seen.add(absolute)
        title_el = _child(item, "title")
        title = clean_text("".join(title_el.itertext())) if title_el is not None else None
        raw = None
        for name in ("pubdate", "published", "date", "issued", "updated", "modified"):
            el = _child(item, name)
            if el is not None and (el.text or "").strip():
                raw = clean_text(el.text)
                break
        entries.append(ListingEntry(url=absolute, title=title or None, published_text=raw,
                                    published_at=_feed_date(raw, zone)))
    return entries, next_page


# --- next page ---------------------------------------------------------------------------------

def page_number(url: str) -> int | None:
    """The page number a listing URL asks for: ?page=2, ?PageIndex=2, ..._cur=2, /page-2, /trang/2."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if value.isdigit() and _PAGE_PARAM.match(key):
            return int(value)
    numbers = _PAGE_PATH.findall(parts.path)
    return int(numbers[-1]) if numbers else None


def _label(anchor: HtmlElement) -> str:
    text = text_of(anchor) or clean_text(anchor.get("title")) or clean_text(anchor.get("aria-label"))
    return fold(text).strip(" .:")


def _is_disabled(anchor: HtmlElement) -> bool:
    for el in (anchor, anchor.getparent()):
        if el is None:
            continue
        classes = set((el.get("class") or "").lower().split())
        if {"disabled", "active", "current"} & classes or el.get("aria-disabled") == "true":
            return True
    return False


def _current_from_pager(anchors: list[HtmlElement]) -> int | None:
    """The page the pager marks as the current one (an active item, or a number that is no link)."""
    for anchor in anchors:
        parent = anchor.getparent()
        pager = parent.getparent() if parent is not None else None
        if pager is None:
            continue
        for item in pager:
            classes = set((item.get("class") or "").lower().split())
            text = text_of(item)
            if text.isdigit() and ({"active", "current", "selected"} & classes or
                                   (item.tag in ("span", "strong", "b", "li") and item.find(".//a") is None)):
                return int(text)
    return None


def next_page_url(root: HtmlElement, url: str, absolute: Callable[[str | None], str | None],
                  skip: Callable[[HtmlElement], bool] | None = None,
                  number: Callable[[str], int | None] = page_number) -> str | None:
    """The listing's next page: rel="next", else the pager link to page current+1, else a "Tiếp",
    "Sau", "Next", "›" link; "»" only when nothing better says where page current+1 is. `number`
    reads the page number a URL asks for (a family whose URLs say it otherwise passes its own)."""
    for el in root.iter("link", "a"):
        if "next" in (el.get("rel") or "").lower().split():
            href = absolute(el.get("href"))
            if href and canonicalize_url(href) != canonicalize_url(url):
                return href
    anchors = [a for a in root.iter("a") if a.get("href") and not (skip is not None and skip(a))]
    numbered = [a for a in anchors if _label(a).isdigit() and len(_label(a)) <= 4]
    current = number(url) or _current_from_pager(numbered) or 1
    here = canonicalize_url(url)
    labelled, weak = None, None
    for anchor in anchors:
        href = absolute(anchor.get("href"))
        if not href or canonicalize_url(href) == here or _is_disabled(anchor):
            continue
        label = _label(anchor)
        if label == str(current + 1) and _in_pager(anchor, numbered):
            return href
        if label in NEXT_LABELS and labelled is None:
            labelled = href
        elif label in WEAK_NEXT_LABELS and weak is None:
            weak = href
    if labelled:
        return labelled
    if weak and (number(weak) in (None, current + 1)):
        return weak
    return None


def has_pager(root: HtmlElement, url: str) -> bool:
    """The page is one of several: its URL asks for page 2 or later, or it shows a numbered pager."""
    if (page_number(url) or 1) > 1:
        return True
    numbered = [a for a in root.iter("a") if a.get("href") and _label(a).isdigit() and len(_label(a)) <= 4]
    return any(_in_pager(a, numbered) for a in numbered)


def _in_pager(anchor: HtmlElement, numbered: list[HtmlElement]) -> bool:
    """A number link among other number links (a pager), not a lone "2" in the text."""
    scope: HtmlElement | None = anchor
    for _ in range(3):
        scope = scope.getparent() if scope is not None else None
        if scope is None:
            return False
        if sum(1 for a in numbered if any(p is scope for p in a.iterancestors())) >= 2:
            return True
    return False


# --- link groups -------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def url_shape(url: str) -> tuple[str, ...]:
    """What the URLs of one listing's articles share: host, the kind of each path segment, the query keys."""
    parts = urlsplit(url)
    shape = [parts.netloc.lower()]
    for segment in (s for s in parts.path.split("/") if s):
        stem, dot, ext = segment.rpartition(".")
        if not dot:
            stem, ext = segment, ""
        if stem.isdigit():
            kind = "9"
        elif "-" in stem or "_" in stem or "+" in stem:
            kind = "slug"
        elif re.search(r"\d", stem):
            kind = "id"
        else:
            kind = "w"
        shape.append(f"{kind}.{ext.lower()}" if ext else kind)
    shape.append("?" + "&".join(sorted(k for k, _ in parse_qsl(parts.query))))
    return tuple(shape)


def _signature(anchor: HtmlElement) -> tuple[str, ...]:
    """The markup path of a link (tags and classes, three levels up), state classes left out."""
    out = []
    node: HtmlElement | None = anchor
    for _ in range(4):
        if node is None:
            break
        classes = sorted(c for c in re.sub(r"\d+", "", node.get("class") or "").lower().split()
                         if c not in _STATE_CLASSES)
        out.append(f"{node.tag!s}.{'.'.join(classes)}")
        node = node.getparent()
    return tuple(out)


def _title_like(text: str) -> bool:
    return len(text) >= 16 and len(text.split()) >= 4


@dataclass
class LinkGroup:
    """Links of one shape: the entries of a listing (or of a box of other news)."""

    anchors: list[HtmlElement] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    items: list[HtmlElement] = field(default_factory=list)  # each entry's own container
    size: int = 0
    text_size: int = 0


def _lowest_common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    if not elements:
        return None
    chain = [elements[0], *elements[0].iterancestors()]
    for el in elements[1:]:
        ancestors = {id(a) for a in (el, *el.iterancestors())}
        chain = [a for a in chain if id(a) in ancestors]
    return chain[0] if chain else None


def _in_furniture(anchor: HtmlElement) -> bool:
    return any(a.tag in ("nav", "header", "footer") for a in anchor.iterancestors())


def title_links(ctx: PageContext, skip: Callable[[HtmlElement], bool] | None = None,
                ) -> Iterator[tuple[HtmlElement, str, str]]:
    """(anchor, absolute URL, text) of the links that could be an entry's title: a few words long,
    to a page (not a file) of the same site, outside the header, menus and footer."""
    host = urlsplit(ctx.base_url).netloc.lower()
    for anchor in ctx.root.iter("a"):
        raw = anchor.text_content()
        if len(raw) < 16 and len(anchor.get("title") or "") < 16:
            continue
        text = clean_text(raw) or clean_text(anchor.get("title"))
        if not _title_like(text):
            continue
        href = ctx.absolute(anchor.get("href"))
        if not href or is_attachment_url(href) or not href.startswith("http") or _in_furniture(anchor):
            continue
        if skip is not None and skip(anchor):
            continue
        if host and urlsplit(href).netloc.lower() not in (host, f"www.{host}", host.removeprefix("www.")):
            continue
        yield anchor, href, text


def link_groups(ctx: PageContext, skip: Callable[[HtmlElement], bool] | None = None) -> list[LinkGroup]:
    """Groups of title links of the same markup path and URL shape, the largest (by title text) first."""
    keyed: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[HtmlElement, str, str]]] = {}
    for anchor, href, text in title_links(ctx, skip):
        keyed.setdefault((_signature(anchor), url_shape(href)), []).append((anchor, href, text))
    groups = []
    for links in keyed.values():
        urls = list(dict.fromkeys(h for _, h, _ in links))
        if len(urls) < 2:
            continue
        group = LinkGroup(anchors=[a for a, _, _ in links], urls=urls, size=len(urls))
        group.text_size = sum(len(t) for _, _, t in links)
        groups.append(group)
    groups.sort(key=lambda g: -g.text_size)
    return groups


_TEASER_TEXT = 800  # an entry's summary, date, "Xem tiếp" and picture text beside its title


def lone_entry(ctx: PageContext, text: list[str], skip: Callable[[HtmlElement], bool] | None = None,
               headline: HtmlElement | None = None) -> LinkGroup | None:
    """The one entry of a listing's last page: a title link to another page of the site followed by
    most of `text` (what reads as the page's main text: the entry's summary) in the entry's own
    element, which holds little else (a date, a picture) and not the page's `headline` (an article's
    author link above its text). Only on a page that is one of several (a pager): a "Xem thêm"
    link above a short article's text is the only other reading of that shape."""
    total = sum(len(p) for p in text)
    if not total or not has_pager(ctx.root, ctx.url):
        return None
    here = canonicalize_url(ctx.url)
    best: tuple[int, HtmlElement, HtmlElement, str] | None = None
    for anchor, href, title in title_links(ctx, skip):
        href = canonicalize_url(href)
        if href == here:
            continue
        for item in anchor.iterancestors():
            said = clean_text(item.text_content())
            if item.tag in ("body", "html") or len(said) > len(title) + _TEASER_TEXT:
                break
            if headline is not None and headline not in anchor.iterancestors() \
                    and any(el is item for el in headline.iterancestors()):
                break
            at = said.find(title)
            before, after = said[:max(at, 0)], said[at + len(title):] if at >= 0 else said
            listed = sum(len(p) for p in text if p in after)
            if listed * 2 < total:
                continue
            prose_before = any(len(p) >= 60 and p in before for p in text)
            if not prose_before and (best is None or listed > best[0]):
                best = (listed, anchor, item, href)  # the title first, then its summary
            break
    if best is None:
        return None
    _, anchor, item, href = best
    return LinkGroup(anchors=[anchor], urls=[href], items=[item], size=1, text_size=len(text_of(item)))


def main_link_group(ctx: PageContext, skip: Callable[[HtmlElement], bool] | None = None) -> LinkGroup | None:
    """The listing's entries: the largest link group, widened to the same-shaped title links of its
    container (a first entry drawn bigger than the rest), each with the container of its own entry."""
    groups = link_groups(ctx, skip)
    if not groups:
        return None
    best = groups[0]
    container = _lowest_common_ancestor(best.anchors)
    shapes = {url_shape(u) for u in best.urls}
    anchors = best.anchors
    if container is not None:
        widened = [a for a in container.iter("a")
                   if (h := ctx.absolute(a.get("href"))) and url_shape(h) in shapes
                   and _title_like(text_of(a) or clean_text(a.get("title")))]
        if len(widened) >= len(anchors):
            anchors = widened
    urls = list(dict.fromkeys(canonicalize_url(ctx.absolute(a.get("href")) or "") for a in anchors))
    members = {id(a) for a in anchors}
    items = []
    for anchor in anchors:
        node = anchor
        while (parent := node.getparent()) is not None and parent is not container \
                and sum(1 for a in parent.iter("a") if id(a) in members) <= 1:
            node = parent
        items.append(node)
    text_size = sum(len(clean_text(i.text_content())) for i in dict.fromkeys(items))
    return LinkGroup(anchors=anchors, urls=urls, items=items, size=len(urls), text_size=text_size)


class GenericListingPage:
    """A news listing of a portal of no known family (or its RSS/Atom feed)."""

    def __init__(self, ctx: PageContext, skip: Callable[[HtmlElement], bool] | None = None,
                 lone: LinkGroup | None = None) -> None:
        self.ctx = ctx
        self.skip = skip  # links not to take for entries when others exist ("Tin đọc nhiều" boxes)
        self.lone = lone  # the one entry of a last page (lone_entry), found by the caller

    def _feed(self) -> tuple[list[ListingEntry], str | None]:
        return parse_feed(self.ctx.source, self.ctx.url, self.ctx.zone)

    def feeds(self) -> list[str]:
        return feed_links(self.ctx.root, self.ctx.base_url)

    def entries(self) -> list[ListingEntry]:
        if is_feed(self.ctx.source):
            return self._feed()[0]
        group = self.lone or (main_link_group(self.ctx, self.skip) if self.skip is not None else None) \
            or main_link_group(self.ctx)
        if group is None:
            return []
        return listing_entries(self.ctx, zip(group.items, group.anchors, strict=True), self._entry_date)

    def _entry_date(self, item: HtmlElement) -> DateHit | None:
        """A listing's date is for discovery only: an impossible one keeps its text and no value."""
        return next((h for h in date_hits(item, self.ctx.zone) if not h.updated), None)

    def next_page(self) -> str | None:
        if is_feed(self.ctx.source):
            return self._feed()[1]
        return next_page_url(self.ctx.root, self.ctx.url, self.ctx.absolute)

    def to_item(self) -> ListingPage:
        return ListingPage(url=self.ctx.url, portal=self.ctx.portal, entries=self.entries(),
                           next_page=self.next_page())
