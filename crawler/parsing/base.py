"""CMS-independent pieces of the parsers: loading a page, reading text and URLs, finding dates.

Parsing uses lxml directly with compiled CSS selectors rather than BeautifulSoup: on the Thái Nguyên
article fixture, parse + three selects took 0.14 ms with lxml against 2.5 ms with BeautifulSoup's
lxml builder (17x), and a crawl parses every listing and article page it fetches.
"""

from __future__ import annotations

import enum
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeAlias
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.html
from bs4 import UnicodeDammit
from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError

from crawler.core.errors import ExtractionError, UserError
from crawler.core.normalize import (
    DateParseError,
    canonicalize_url,
    clean_text,
    find_datetime,
    fold,
    is_http_url,
)
from crawler.core.records import ArticleRecord, ListingEntry

HtmlElement: TypeAlias = lxml.html.HtmlElement


class PageKind(enum.Enum):
    ARTICLE = "article"
    LISTING = "listing"
    NOT_FOUND = "not_found"
    UNKNOWN = "unknown"


# Per-portal CSS overrides, by field. The listing keys are the ones crawler/portals.toml documents.
SELECTOR_FIELDS = frozenset({
    "title", "date", "updated", "lead", "body", "author", "source", "category",
    "listing_item", "listing_link", "listing_date", "next_page",
})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def decode_html(html: str | bytes, url: str) -> str:
    """Bytes or text in, text out; refuses what is not text rather than parsing garbage."""
    if isinstance(html, bytes):
        if b"\x00" in html[:65536]:
            raise ExtractionError(f"{url}: not an HTML page (binary content: NUL bytes)")
        # UnicodeDammit weighs the BOM, the declared charset and a guess, UTF-8 first; portals that
        # still serve windows-1258 or mislabel their charset come out as text, not mojibake.
        dammit = UnicodeDammit(html, known_definite_encodings=["utf-8"], is_html=True)
        if dammit.unicode_markup is None:
            raise ExtractionError(f"{url}: not an HTML page (no text encoding fits its bytes)")
        text = dammit.unicode_markup
    else:
        text = html
    if "\x00" in text[:65536]:
        raise ExtractionError(f"{url}: not an HTML page (binary content: NUL bytes)")
    if not text.strip():
        raise ExtractionError(f"{url}: the page is empty")
    return text


@lru_cache(maxsize=512)
def compile_css(selector: str) -> CSSSelector:
    try:
        return CSSSelector(selector, translator="html")
    except SelectorError as exc:
        raise UserError(f"invalid CSS selector {selector!r}: {exc}") from exc


def check_selectors(selectors: Mapping[str, str] | None) -> dict[str, str]:
    selectors = dict(selectors or {})
    unknown = sorted(set(selectors) - SELECTOR_FIELDS)
    if unknown:
        raise UserError(f"unknown selector field(s) {', '.join(unknown)}; "
                        f"known: {', '.join(sorted(SELECTOR_FIELDS))}")
    for name, value in selectors.items():
        if not isinstance(value, str) or not value.strip():
            raise UserError(f"selector {name!r} must be a non-empty CSS selector string")
        compile_css(value)
    return selectors


def load_zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(f"unknown time zone {timezone!r}") from exc


@dataclass
class PageContext:
    """One page to parse: the tree plus everything a page object needs besides it."""

    root: HtmlElement
    source: str  # decoded HTML, for cheap "is this a Liferay page at all" checks
    url: str
    base_url: str  # what relative links resolve against
    portal: str
    zone: ZoneInfo
    selectors: dict[str, str]
    # Whole-page selections, shared by kind detection and extraction, which both ask for them.
    _selected: dict[str, list[HtmlElement]] = field(default_factory=dict, repr=False)
    # What a family works out once per page (Liferay: its main portlet), shared by kind detection
    # and the page objects.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, html: str | bytes, url: str, *, portal: str, selectors: Mapping[str, str] | None,
              timezone: str) -> PageContext:
        checked = check_selectors(selectors)
        zone = load_zone(timezone)
        text = decode_html(html, url)
        # huge_tree: past 255 nesting levels libxml2 otherwise stops building the tree and the rest
        # of the page is silently lost (a theme's unclosed <div>s are enough).
        parser = lxml.html.HTMLParser(huge_tree=True)
        try:
            # lxml refuses str input that carries an XML encoding declaration
            root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=parser)
        except (ParserError, ValueError) as exc:
            raise ExtractionError(f"{url}: not parseable as HTML ({exc})") from exc
        gave_up = [e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
        if gave_up:  # even huge_tree has a limit (2,048 levels): say so rather than store a part
            raise ExtractionError(f"{url}: the HTML parser gave up part-way, so the page cannot be read "
                                  f"whole (line {gave_up[0].line}: {gave_up[0].message.strip()})")
        base = url
        base_tag = root.find(".//base[@href]")
        if base_tag is not None:
            base = join_url(url, base_tag.get("href", "")) or url
        elif not is_http_url(url):
            # a saved file: its own canonical link is a better base than file:///...
            canonical = canonical_link(root, url)
            if canonical:
                base = canonical
        return cls(root, text, url, base, portal, zone, checked)

    def css(self, selector: str, scope: HtmlElement | None = None) -> list[HtmlElement]:
        if scope is not None:
            return compile_css(selector)(scope)
        if selector not in self._selected:
            self._selected[selector] = compile_css(selector)(self.root)
        return self._selected[selector]

    def first(self, selectors: str | list[str], scope: HtmlElement | None = None) -> HtmlElement | None:
        for selector in [selectors] if isinstance(selectors, str) else selectors:
            found = self.css(selector, scope)
            if found:
                return found[0]
        return None

    def override(self, field: str) -> str | None:
        return self.selectors.get(field)

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        # Schemes are case-insensitive and browsers ignore tabs and line breaks in them (JaVaScRiPt:).
        scheme = re.sub(r"[\t\n\r]", "", href[:16]).lower()
        if not href or scheme.startswith(("#", "javascript:", "mailto:", "tel:", "data:", "vbscript:")):
            return None
        joined = join_url(self.base_url, href)
        return joined.replace(" ", "%20") if joined else None


def join_url(base: str, href: str) -> str | None:
    """`href` made absolute against `base`; None for what is no URL ("http://[::1", a port past
    65535): one bad link must not cost the whole page."""
    href = href.strip()
    if not href:
        return None
    try:
        joined = urljoin(base, href)
        urlsplit(joined).port  # noqa: B018 - raises ValueError for a port that is no port
    except ValueError:
        return None
    return joined


def canonical_link(root: HtmlElement, url: str) -> str | None:
    for link in root.iterfind(".//link[@rel][@href]"):
        if "canonical" in link.get("rel", "").lower().split():
            joined = join_url(url, link.get("href", ""))
            if joined:
                return joined
    return None


def is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


def text_of(el: HtmlElement, skip: frozenset[HtmlElement] = frozenset(),
            drop: Callable[[HtmlElement], bool] | None = None) -> str:
    """Visible text of an element, whitespace collapsed, <br> as a space, scripts left out."""
    parts: list[str] = []
    _collect(el, parts, skip, drop)
    return clean_text("".join(parts))


def _collect(el: HtmlElement, parts: list[str], skip: frozenset[HtmlElement],
             drop: Callable[[HtmlElement], bool] | None) -> None:
    if not is_element(el) or el.tag in ("script", "style", "noscript", "template"):
        return
    if el.tag == "br":
        parts.append(" ")
        return
    parts.append(el.text or "")
    for child in el:
        if child not in skip and not (drop is not None and is_element(child) and drop(child)):
            _collect(child, parts, skip, drop)
        parts.append(child.tail or "")


# Class / id tokens of a theme's header, footer and menus.
_CHROME = re.compile(r"^(header|footer|banner|navbar|navigation|nav|menu|top-menu|main-menu|breadcrumbs?)"
                     r"(?:[-_]\S*)?$")


def in_chrome(el: HtmlElement) -> bool:
    """Inside the theme's header, footer or menus: never the main content."""
    for node in el.iterancestors():
        if node.tag in ("body", "html"):
            return False
        if node.tag in ("header", "footer", "nav"):
            return True
        tokens = f"{node.get('id') or ''} {node.get('class') or ''}".lower().split()
        if any(_CHROME.match(token) for token in tokens):
            return True
    return False


# --- dates -----------------------------------------------------------------------------------

_UPDATE_LABEL = re.compile(r"(cap nhat|sua doi|chinh sua|updated|modified|last edit)")
# What a date line may say besides its dates: "Ngày đăng:", "Thứ hai,", "Cập nhật lúc", folded.
_DATE_WORDS = frozenset({"ngay", "dang", "cap", "nhat", "thu", "hai", "ba", "tu", "nam", "sau", "bay", "chu",
                         "luc", "gio", "vao", "xuat", "ban", "sua", "doi", "chinh", "posted", "published",
                         "updated", "modified", "date", "on", "at"})
_DATE_SHAPE = re.compile(r"\d{1,2}[:h]\d{2}(?::\d{2})?|\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}")


def only_date_words(text: str) -> bool:
    """True when, dates and times left out, the text holds only date labels and weekday names."""
    rest = _DATE_SHAPE.sub(" ", fold(text))
    return set(re.findall(r"\w+", rest)) <= _DATE_WORDS


@dataclass
class DateHit:
    """A date printed on the page, or an impossible one (error set) that must not pass silently."""

    value: datetime | None
    printed: str
    updated: bool  # labelled as an update ("Cập nhật: ...") rather than the publication
    error: str | None = None


def dates_in_text(text: str, zone: ZoneInfo) -> Iterator[DateHit]:
    """Every date in a short text, each told apart as publication or update by the label before it."""
    text = clean_text(text)
    pos = 0
    while pos < len(text):
        rest = text[pos:]
        try:
            found = find_datetime(rest, zone)
        except DateParseError as exc:
            shaped = re.search(r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}(?:\s*(?:[-|,]|lúc)?\s*\d{1,2}[:h]\d{2})?",
                               rest)
            printed = shaped.group(0) if shaped else rest[:40]
            start = rest.find(printed)
            yield DateHit(None, printed, bool(_UPDATE_LABEL.search(fold(rest[:start]))), str(exc))
            pos += start + len(printed) if start >= 0 else len(rest)
            continue
        if found is None:
            return
        value, printed = found
        start = rest.find(printed)
        yield DateHit(value, printed, bool(_UPDATE_LABEL.search(fold(rest[:start]))))
        pos += start + len(printed)


def date_hits(el: HtmlElement, zone: ZoneInfo, skip: frozenset[HtmlElement] = frozenset(),
              exclude: Callable[[HtmlElement], bool] | None = None) -> Iterator[DateHit]:
    """Dates under `el` in document order, each read from the first element short enough to be a
    date line (so "<span>11/03/2019</span> <span>21:31</span>" keeps its time), never from prose.

    Links are left out: a date inside a link belongs to the page it links to.
    """
    def drop(node: HtmlElement) -> bool:
        return node.tag == "a" or (exclude is not None and exclude(node))

    text = text_of(el, skip, drop)
    if not re.search(r"\d{4}", text):
        return
    short = len(text) <= 80
    if short and (only_date_words(text) or not len(el)):
        yield from line_dates(text, zone)
        return
    found = False
    for child in el:
        if is_element(child) and child not in skip and not drop(child):
            for hit in date_hits(child, zone, skip, exclude):
                found = True
                yield hit
    if not found and short:
        yield from line_dates(text, zone)


def impossible_date(url: str, hit: DateHit) -> ExtractionError:
    """The error for a printed date no calendar has (31/02/2019): stored neither wrong nor empty."""
    return ExtractionError(f"{url}: the page prints an impossible date {hit.printed!r} ({hit.error})")


def first_date(hits: list[DateHit], updated: bool, url: str) -> DateHit | None:
    """The first publication (or update) date of an article's date lines; an impossible one raises."""
    hit = next((h for h in hits if h.updated == updated), None)
    if hit is not None and hit.error:
        raise impossible_date(url, hit)
    return hit


def line_dates(text: str, zone: ZoneInfo) -> Iterator[DateHit]:
    """The dates of one date line, each keeping the line as printed when it holds nothing else."""
    for hit in dates_in_text(text, zone):
        yield DateHit(hit.value, printed_date_text(text, hit), hit.updated, hit.error)


def printed_date_text(element_text: str, hit: DateHit) -> str:
    """The date as printed: the whole line ("Thứ hai, 11/03/2019 - 21:31") unless it holds other figures."""
    text = clean_text(element_text)
    residual = text.replace(hit.printed, "", 1)
    if len(text) <= 60 and only_date_words(residual) and not re.search(r"\d", residual) \
            and not _UPDATE_LABEL.search(fold(residual)):
        return text
    return hit.printed


# --- listings --------------------------------------------------------------------------------

def listing_entries(ctx: PageContext, pairs: Iterable[tuple[HtmlElement, HtmlElement]],
                    entry_date: Callable[[HtmlElement], DateHit | None],
                    not_title: frozenset[HtmlElement] = frozenset()) -> list[ListingEntry]:
    """A listing's entries from its (item, link) pairs in page order: each article once, under its
    canonical URL, titled by its link (but for `not_title`: a running number, a "new" badge),
    dated by `entry_date(item)`."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    for item, link in pairs:
        href = ctx.absolute(link.get("href"))
        if not href:
            continue
        url = canonicalize_url(href)
        if url in seen:
            continue
        seen.add(url)
        title = text_of(link, not_title) or clean_text(link.get("title")) or None
        hit = entry_date(item)
        entries.append(ListingEntry(url=url, title=title, published_text=hit.printed if hit else None,
                                    published_at=hit.value if hit else None))
    return entries


# --- page objects ----------------------------------------------------------------------------

class ArticlePage:
    """Base of every family's article page object: one method per field of the record, named
    after it; `to_item` asks each, so a field added to ArticleRecord is never silently missed (a
    page object without its method fails loudly)."""

    # Asked first: when a page is no article, their errors name what is missing.
    FIRST = ("title", "body")

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def url(self) -> str:
        return self.ctx.url

    def portal(self) -> str:
        return self.ctx.portal

    def to_item(self) -> ArticleRecord:
        names = [f.name for f in fields(ArticleRecord) if f.name != "content_hash"]  # the record's own
        values: dict[str, Any] = {}
        for name in sorted(names, key=lambda n: n not in self.FIRST):
            method = getattr(self, name, None)
            if not callable(method):
                raise TypeError(f"{type(self).__name__} has no method for the record's field {name!r}")
            values[name] = method()
        return ArticleRecord(**values)


class CmsParser(ABC):
    """One CMS family: tells page kinds apart and builds the page objects that read them.

    A family is one module with one subclass, listed once in `crawler.parsing.FAMILIES`.
    """

    name: str = ""

    def markers(self, ctx: PageContext) -> int:
        """How strongly the page's own markers (generator meta, portlet markup, URL shapes) say it
        is of this family: 0 not at all; `--cms auto` picks the family with the highest score and
        falls back to the generic extractor when every family says 0."""
        return 0

    @abstractmethod
    def detect_kind(self, ctx: PageContext) -> PageKind: ...

    @abstractmethod
    def article(self, ctx: PageContext) -> Any: ...

    @abstractmethod
    def listing(self, ctx: PageContext) -> Any: ...

    @abstractmethod
    def not_found(self, ctx: PageContext) -> Any: ...

    @abstractmethod
    def unknown_reason(self, ctx: PageContext) -> str: ...
