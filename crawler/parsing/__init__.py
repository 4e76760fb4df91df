"""Page parsing: HTML + URL in, one record out (article, listing page or "not found" page).

    from crawler.parsing import parse_page, PageKind
    result = parse_page(html, url, portal="thainguyen")  # ArticleRecord | ListingPage | NotFoundPage

One parser per CMS family (`get_parser("liferay")`); each turns a page into page objects with one
method per field. Problems with the page raise ExtractionError naming the URL and what is missing;
bad arguments (unknown CMS, time zone or selector field, invalid CSS) raise UserError.

Dates: a page with no date at all still gives a record (published_at None); a printed date that is
impossible (31/02/2019) raises ExtractionError naming the text, rather than storing a wrong or empty
date. In listings an impossible date only leaves that entry's published_at None: the article page
itself will say more.
"""

from __future__ import annotations

from collections.abc import Mapping

from crawler.core.errors import ExtractionError, UserError
from crawler.core.normalize import DEFAULT_TIMEZONE
from crawler.core.records import ArticleRecord, ListingPage, NotFoundPage
from crawler.parsing.baochinhphu import BaochinhphuParser
from crawler.parsing.base import SELECTOR_FIELDS, CmsParser, PageContext, PageKind
from crawler.parsing.dnn import DnnParser
from crawler.parsing.generic import GenericParser
from crawler.parsing.liferay import LiferayParser
from crawler.parsing.nukeviet import NukevietParser
from crawler.parsing.sharepoint import SharePointParser

__all__ = [
    "AUTO", "FAMILIES", "GENERIC", "SELECTOR_FIELDS", "PageKind", "detect_family", "detect_kind",
    "family_names", "get_parser", "parse_article", "parse_listing",
    "parse_page", "parse_page_with_family",
]

# The one registry of CMS families: a family is one module with one CmsParser subclass, listed here
# once; the spider, the portals file (`cms = ...`) and `portalwatch parse --cms` all look it up here.
FAMILIES: dict[str, CmsParser] = {parser.name: parser for parser in (
    LiferayParser(), SharePointParser(), DnnParser(), BaochinhphuParser(), NukevietParser(), GenericParser(),
)}
AUTO = "auto"  # detect the family from the page's own markers
GENERIC = "generic"  # the family-less extractor, used by `auto` when no family claims the page


def family_names() -> list[str]:
    return sorted(FAMILIES)


def get_parser(cms: str) -> CmsParser:
    try:
        return FAMILIES[cms.strip().lower()]
    except KeyError:
        known = ", ".join([AUTO, *family_names()])
        raise UserError(f"unknown CMS {cms!r} (known: {known})") from None


def detect_family(ctx: PageContext) -> CmsParser:
    """The family whose markers the page carries most strongly; the generic extractor when none."""
    candidates = _candidates(ctx)
    if candidates:
        return candidates[0]
    known = ", ".join(family_names())
    raise ExtractionError(f"{ctx.url}: no CMS family recognises this page (known: {known})")


def _candidates(ctx: PageContext) -> list[CmsParser]:
    """Families whose markers the page carries, strongest first (registry order on ties), then the
    generic extractor."""
    scored = [(parser.markers(ctx), i, parser) for i, parser in enumerate(FAMILIES.values())
              if parser.name != GENERIC]
    ranked = [parser for score, _, parser in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]
    if GENERIC in FAMILIES:
        ranked.append(FAMILIES[GENERIC])
    return ranked


def _prepare(html: str | bytes, url: str, portal: str, cms: str, selectors: Mapping[str, str] | None,
             timezone: str) -> tuple[CmsParser, PageContext, PageKind]:
    ctx = PageContext.build(html, url, portal=portal, selectors=selectors, timezone=timezone)
    if cms.strip().lower() != AUTO:
        parser = get_parser(cms)
        return parser, ctx, parser.detect_kind(ctx)
    candidates = _candidates(ctx)
    if not candidates:
        detect_family(ctx)  # raises, naming the known families
    # A page that carries a family's markers but none of its page shapes (a theme the family's
    # parser does not know) goes on to the next candidate, down to the generic extractor.
    for parser in candidates:
        kind = parser.detect_kind(ctx)
        if kind is not PageKind.UNKNOWN:
            return parser, ctx, kind
    return candidates[0], ctx, PageKind.UNKNOWN


def detect_kind(html: str | bytes, url: str, cms: str = AUTO, *,
                selectors: Mapping[str, str] | None = None) -> PageKind:
    return _prepare(html, url, "unknown", cms, selectors, DEFAULT_TIMEZONE)[2]


def parse_page_with_family(html: str | bytes, url: str, *, portal: str = "unknown", cms: str = AUTO,
                           selectors: Mapping[str, str] | None = None, timezone: str = DEFAULT_TIMEZONE,
                           ) -> tuple[str, ArticleRecord | ListingPage | NotFoundPage]:
    """parse_page, and the name of the family that read the page (what `auto` chose)."""
    parser, ctx, kind = _prepare(html, url, portal, cms, selectors, timezone)
    if kind is PageKind.ARTICLE:
        return parser.name, parser.article(ctx)
    if kind is PageKind.LISTING:
        return parser.name, parser.listing(ctx)
    if kind is PageKind.NOT_FOUND:
        return parser.name, parser.not_found(ctx)
    raise ExtractionError(f"{url}: {parser.unknown_reason(ctx)}")


def parse_page(html: str | bytes, url: str, *, portal: str = "unknown", cms: str = AUTO,
               selectors: Mapping[str, str] | None = None,
               timezone: str = DEFAULT_TIMEZONE) -> ArticleRecord | ListingPage | NotFoundPage:
    return parse_page_with_family(html, url, portal=portal, cms=cms, selectors=selectors,
                                  timezone=timezone)[1]


def parse_article(html: str | bytes, url: str, *, portal: str = "unknown", cms: str = AUTO,
                  selectors: Mapping[str, str] | None = None,
                  timezone: str = DEFAULT_TIMEZONE) -> ArticleRecord:
    result = parse_page(html, url, portal=portal, cms=cms, selectors=selectors, timezone=timezone)
    if not isinstance(result, ArticleRecord):
        raise ExtractionError(f"{url}: not an article page ({_kind_name(result)})")
    return result


def parse_listing(html: str | bytes, url: str, *, portal: str = "unknown", cms: str = AUTO,
                  selectors: Mapping[str, str] | None = None,
                  timezone: str = DEFAULT_TIMEZONE) -> ListingPage:
    result = parse_page(html, url, portal=portal, cms=cms, selectors=selectors, timezone=timezone)
    if not isinstance(result, ListingPage):
        raise ExtractionError(f"{url}: not a listing page ({_kind_name(result)})")
    return result


def _kind_name(result: object) -> str:
    if isinstance(result, NotFoundPage):
        return f"the portal says it does not exist: {result.message}"
    return "it is an article" if isinstance(result, ArticleRecord) else "it is a listing"
