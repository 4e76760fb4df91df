"""Finding a portal's news listing from its home page, and probing what a crawl would get there.

A portal given by its home URL alone (`portalwatch portals add ID URL`, `portals probe URL`, a
registry entry without `start_urls`, the first crawl of an unverified entry) is read this way:

1. the home page's candidates for the news listing, best first (`listing_candidates`): links
   named like "Tin tức", "Tin tức - Sự kiện", "Tin hoạt động" (diacritic-insensitive), the feeds
   it advertises (RSS/Atom autodiscovery), then the news paths the detected family is known to use;
2. each candidate is fetched and parsed (`cms = auto` unless told) until one is a paged HTML
   listing of articles; failing that, the best one read is taken (`listing_quality`: a listing
   with articles, paged HTML over a feed, more entries over fewer); the spider chooses the same way;
3. one article of it is fetched and parsed, to show what the records will look like.

The pure steps (candidates from HTML, judging a parsed page) are shared with the spider, which
fetches with Scrapy; `probe()` fetches with a plain HTTP client under the crawl's own identity
(User-Agent), with timeouts and robots.txt obeyed.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

from crawler.core.errors import ExtractionError, Unreachable, UserError
from crawler.core.identity import USER_AGENT
from crawler.core.normalize import DEFAULT_TIMEZONE, canonicalize_url, clean_text, fold, is_http_url
from crawler.core.records import ArticleRecord, ListingPage
from crawler.parsing import AUTO, GENERIC, detect_family, parse_page_with_family
from crawler.parsing.base import HtmlElement, PageContext, text_of
from crawler.parsing.generic_listing import feed_links
from crawler.portals import PortalEntry

# Menu labels of a portal's news section, folded; exact names first (their order is the preference).
NEWS_LINK_NAMES = ("tin tuc - su kien", "tin tuc su kien", "tin tuc va su kien", "tin tuc", "tin hoat dong",
                   "tin tuc chung", "tin moi", "tin tuc - hoat dong", "tin hoat dong chung", "news")
_NEWS_PREFIXES = ("tin tuc", "tin hoat dong")
# Paths where each family keeps its news, tried when the home page names none.
FAMILY_NEWS_PATHS: dict[str, tuple[str, ...]] = {
    "liferay": ("/tin-tuc-su-kien", "/tin-tuc", "/web/guest/tin-tuc-su-kien", "/web/guest/tin-tuc"),
    "nukeviet": ("/vi/news/", "/news/", "/index.php?language=vi&nv=news"),
    "sharepoint": ("/Pages/tin-tuc.aspx", "/Trang/TinTuc.aspx", "/portal/KenhTin/Tin-tuc.aspx"),
    "dnn": ("/vi-vn/tin-tuc", "/tin-tuc"),
    "baochinhphu": ("/tin-tuc-su-kien.htm", "/tin-tuc.htm"),
    GENERIC: ("/tin-tuc", "/tin-tuc-su-kien", "/tin-tuc.html", "/tin-tuc-su-kien.html", "/news"),
}
# What a home page's <meta name="generator"> says, folded, and the family it names.
GENERATOR_FAMILIES = (("nukeviet", "nukeviet"), ("liferay", "liferay"), ("sharepoint", "sharepoint"),
                      ("dotnetnuke", "dnn"), ("dnn", "dnn"), ("joomla", "joomla"), ("wordpress", "wordpress"))
MAX_CANDIDATES = 6  # listings fetched at most before giving up
DEFAULT_TIMEOUT = 20.0
MAX_BYTES = 8 * 1024 * 1024
REQUEST_HEADERS = {"User-Agent": USER_AGENT, "Accept-Language": "vi,en;q=0.5",
                   "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@dataclass(frozen=True)
class Candidate:
    url: str
    why: str  # how it was found: 'link "Tin tức"', "feed", "liferay news path"


@dataclass
class Tried:
    url: str
    outcome: str  # "listing of 20 articles", "HTTP 404", "not a listing: ..."


@dataclass
class ProbeResult:
    """What a crawl of the portal would get: the listing it would walk and one of its articles."""

    home_url: str
    site_name: str | None  # as the home page names the portal
    generator: str | None  # the software the home page names in <meta name="generator">
    family: str  # the family whose parser read the listing and article ("generic": none claimed them)
    listing_url: str
    listing_why: str
    listing: ListingPage
    feeds: list[str] = field(default_factory=list)
    article: ArticleRecord | None = None
    article_problem: str | None = None  # why no article could be shown
    tried: list[Tried] = field(default_factory=list)

    @property
    def listing_size(self) -> int:
        return len(self.listing.entries)

    @property
    def known_family(self) -> str:
        """The family to note in a portals entry: the parser's that read the pages, else the one
        the site's generator names (whose parser may come later), else "generic"."""
        if self.family != GENERIC:
            return self.family
        return generator_family(self.generator) or GENERIC


def portal_entry(result: ProbeResult, portal_id: str, *, name: str | None = None, cms: str = AUTO,
                 every: str | None = None) -> PortalEntry:
    """The registry entry of a probed portal (`portals add`, the web's "add a portal by URL"): its
    home page, the family that read it and the listing found; named as the home page names it."""
    return PortalEntry(id=portal_id, name=name or result.site_name or portal_id, home_url=result.home_url,
                       family=result.known_family, cms=cms, start_urls=(result.listing_url,), every=every)


# --- the pure steps -------------------------------------------------------------------------------

def _context(html: str | bytes, url: str) -> PageContext:
    return PageContext.build(html, url, portal="unknown", selectors=None, timezone=DEFAULT_TIMEZONE)


def _folded_label(anchor: HtmlElement) -> str:
    return fold(text_of(anchor) or anchor.get("title") or "").strip(" :»›>-")


def site_name(html: str | bytes, url: str) -> str | None:
    """The portal's name as its home page gives it: og:site_name, else the <title>."""
    root = _context(html, url).root
    for value in root.xpath("//meta[@property='og:site_name']/@content | //title/text()"):
        name = clean_text(str(value)).split(" | ")[-1] if "|" in str(value) else clean_text(str(value))
        name = name.removeprefix("Trang chủ - ").removeprefix("Trang nhất - ").removesuffix(" - Trang chủ")
        if name:
            return name
    return None


def generator(html: str | bytes, url: str) -> str | None:
    """What the page's <meta name="generator"> says ("NukeViet v4.5"), if anything."""
    names = _context(html, url).root.xpath("//meta[@content][translate(@name, 'GENERATOR', 'generator')="
                                           "'generator']/@content")
    return (clean_text(str(names[0])) or None) if names else None


def generator_family(name: str | None) -> str | None:
    """The family a generator name stands for: "NukeViet v4.5" -> "nukeviet"."""
    folded = fold(name)
    return next((family for word, family in GENERATOR_FAMILIES if word in folded), None)


def home_family(html: str | bytes, url: str) -> str:
    """The family whose markers the home page carries ("generic" when none does)."""
    try:
        return detect_family(_context(html, url)).name
    except ExtractionError:
        return GENERIC


def listing_candidates(html: str | bytes, url: str, family: str | None = None) -> list[Candidate]:
    """Where the home page at `url` says its news are, best first, each URL once."""
    ctx = _context(html, url)
    same_site = urlsplit(url).hostname
    named: list[tuple[int, int, Candidate]] = []
    for position, anchor in enumerate(ctx.root.iterfind(".//a[@href]")):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        label = _folded_label(anchor)
        if label in NEWS_LINK_NAMES:
            rank = NEWS_LINK_NAMES.index(label)
        elif label.startswith(_NEWS_PREFIXES) and len(label) <= 40:
            rank = len(NEWS_LINK_NAMES)  # "Tin tức tổng hợp", "Tin hoạt động của tỉnh": after exact names
        else:
            continue
        target = urljoin(ctx.base_url, href)
        if is_http_url(target) and urlsplit(target).hostname == same_site:
            named.append((rank, position, Candidate(target, f'link "{anchor.text_content().strip()}"')))
    found = [c for _, _, c in sorted(named, key=lambda n: (n[0], n[1]))]
    found += [Candidate(feed, "feed") for feed in feed_links(ctx.root, ctx.base_url)]
    family = family or home_family(html, url)
    root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    for name in dict.fromkeys([family, GENERIC]):
        found += [Candidate(root + path, f"{name} news path") for path in FAMILY_NEWS_PATHS.get(name, ())]
    unique: dict[str, Candidate] = {}
    for candidate in found:
        unique.setdefault(canonicalize_url(candidate.url), candidate)
    return list(unique.values())


def listing_quality(listing: ListingPage, is_feed: bool) -> tuple[int, int, int]:
    """How good a listing is to crawl: one with articles, then a paged HTML listing (a first crawl
    can backfill it) over a feed (only its newest items), then more entries."""
    return (1 if listing.entries else 0, 1 if listing.next_page and not is_feed else 0, len(listing.entries))


def read_listing(html: str | bytes, url: str, cms: str = AUTO, timezone: str = DEFAULT_TIMEZONE, *,
                 portal: str = "unknown", selectors: Mapping[str, str] | None = None,
                 ) -> tuple[str, ListingPage] | str:
    """(family, listing) when the page is a listing with articles; else why not."""
    try:
        family, page = parse_page_with_family(html, url, portal=portal, cms=cms, selectors=selectors,
                                              timezone=timezone)
    except UserError as exc:
        return f"not a listing: {exc}"
    if not isinstance(page, ListingPage):
        kind = "an article" if isinstance(page, ArticleRecord) else "a not-found page"
        return f"not a listing: it is {kind}"
    if not page.entries:
        return "a listing without article links"
    return family, page


# --- probing over HTTP ------------------------------------------------------------------------------

@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str


class HttpClient:
    """GETs under the crawl's User-Agent, with a timeout, obeying each host's robots.txt."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def _open(self, url: str) -> Fetched:
        request = urllib.request.Request(url, headers=REQUEST_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                return Fetched(response.geturl(), response.status, response.read(MAX_BYTES),
                               _content_type(response.headers))
        except urllib.error.HTTPError as exc:
            return Fetched(url, exc.code, exc.read(MAX_BYTES) if exc.fp else b"", _content_type(exc.headers))
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(f"{url}: cannot be reached ({reason})") from None

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            rules = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            try:
                answer = self._open(root + "/robots.txt")
            except Unreachable:
                answer = Fetched(root + "/robots.txt", 404, b"", "")
            if answer.status in (401, 403):  # as robotparser reads them: the site is closed to robots
                rules.parse(["User-agent: *", "Disallow: /"])
            elif answer.status >= 400:  # no robots.txt: everything is allowed
                rules.parse([])
            else:
                rules.parse(answer.body.decode("utf-8", "replace").splitlines())
            self._robots[root] = rules
        return self._robots[root].can_fetch(USER_AGENT, url)

    def get(self, url: str) -> Fetched:
        if not is_http_url(url):
            raise UserError(f"{url!r} is not an http(s) URL")
        if not self.allowed(url):
            raise RobotsDisallowed(f"{url}: robots.txt forbids crawlers to fetch it")
        return self._open(url)


class RobotsDisallowed(UserError):
    """robots.txt forbids the page: a crawl would not fetch it either."""


def _content_type(headers: Message | None) -> str:
    return (headers.get("Content-Type") or "") if headers is not None else ""


def looks_like_feed(content_type: str, body: bytes) -> bool:
    from crawler.parsing.generic_listing import is_feed

    return "xml" in content_type.lower() or is_feed(body[:2000].decode("utf-8", "replace"))


def probe(home_url: str, *, cms: str = AUTO, timezone: str = DEFAULT_TIMEZONE,
          client: HttpClient | None = None, start_urls: tuple[str, ...] = (),
          progress: Callable[[str], None] | None = None) -> ProbeResult:
    """What a crawl of the portal at `home_url` would get. `start_urls`, when given, are tried
    before the home page's candidates (an entry's guessed listings).

    Raises Unreachable (exit 1) when the home page cannot be fetched, ExtractionError (exit 3)
    when no candidate is a listing of articles, UserError (exit 2) for a bad URL.
    """
    if not is_http_url(home_url):
        raise UserError(f"{home_url!r} is not an http(s) URL")
    client = client or HttpClient()
    say = progress or (lambda _text: None)
    home = client.get(home_url)
    if home.status >= 400:
        raise Unreachable(f"{home_url}: the home page answers HTTP {home.status}")
    family = home_family(home.body, home.url)
    candidates = [Candidate(url, "given start URL") for url in start_urls]
    candidates += listing_candidates(home.body, home.url, family)
    feeds = [c.url for c in candidates if c.why == "feed"]
    tried: list[Tried] = []
    best: tuple[tuple[int, int, int], Candidate, str, ListingPage] | None = None
    for candidate in candidates:
        if len(tried) >= MAX_CANDIDATES:
            break
        say(f"trying {candidate.url} ({candidate.why})")
        try:
            page = client.get(candidate.url)
        except (Unreachable, RobotsDisallowed) as exc:
            tried.append(Tried(candidate.url, str(exc).split(": ", 1)[-1]))
            continue
        if page.status >= 400:
            tried.append(Tried(candidate.url, f"HTTP {page.status}"))
            continue
        read = read_listing(page.body, page.url, cms, timezone)
        if isinstance(read, str):
            tried.append(Tried(candidate.url, read))
            continue
        read_family, listing = read
        quality = listing_quality(listing, looks_like_feed(page.content_type, page.body))
        tried.append(Tried(candidate.url, f"listing of {len(listing.entries)} articles ({read_family})"))
        if best is None or quality > best[0]:
            best = (quality, candidate, read_family, listing)
        if quality[1]:  # a paged HTML listing: what a crawl wants; no need to look further
            break
    if best is None:
        detail = "; ".join(f"{t.url}: {t.outcome}" for t in tried) or "the home page names no news section"
        raise ExtractionError(f"{home_url}: no news listing found ({detail})")
    _, chosen, read_family, listing = best
    result = ProbeResult(home_url=home.url, site_name=site_name(home.body, home.url),
                         generator=generator(home.body, home.url), family=read_family,
                         listing_url=chosen.url, listing_why=chosen.why, listing=listing, feeds=feeds,
                         tried=tried)
    _read_one_article(result, client, cms, timezone, say)
    return result


def _read_one_article(result: ProbeResult, client: HttpClient, cms: str, timezone: str,
                      say: Callable[[str], None]) -> None:
    entry = result.listing.entries[0]
    say(f"reading one article: {entry.url}")
    try:
        page = client.get(entry.url)
    except (Unreachable, RobotsDisallowed) as exc:
        result.article_problem = str(exc)
        return
    if page.status >= 400:
        result.article_problem = f"{entry.url}: HTTP {page.status}"
        return
    try:
        family, record = parse_page_with_family(page.body, page.url, cms=cms, timezone=timezone)
    except UserError as exc:
        result.article_problem = str(exc)
        return
    if not isinstance(record, ArticleRecord):
        result.article_problem = f"{entry.url}: not an article page"
        return
    result.article = record
    if family != GENERIC or result.family == GENERIC:
        result.family = family
