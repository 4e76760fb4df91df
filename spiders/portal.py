"""The portal spider: walks a portal's news listings and fetches the articles that need it.

One spider for every CMS family: each page is read by the family the portal's `cms` names, or,
with `cms = "auto"`, by the family whose markers the page carries (`crawler.parsing.FAMILIES`).
It only crawls and routes. Parsing is `crawler.parsing`; storage is the pipeline. What it knows
of the store (`crawl_state`) decides what to fetch:

- a listing page is walked while it shows something new or changed, up to `pages` pages;
- an article is fetched when it is new, when its listing entry (title, printed date) changed,
  when its recheck is due (recent articles, once a `recheck_every`), or when it vanished from the
  part of the listing that was walked (portals delete quietly);
- known articles are fetched with `If-None-Match` / `If-Modified-Since` when the portal gave
  validators, so an unchanged page costs a 304.

A portal given by its home page only (no `start_urls`), or an unverified entry whose guessed
listing fails, has its news listing looked for on the home page first (crawler.crawling.discovery:
links named "Tin tức…", feeds, the family's news paths); the first candidate that is a listing of
articles is walked as the start URL would have been.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.core.errors import ExtractionError, UserError
from crawler.core.records import ArticleRecord, ListingEntry, ListingPage, NextRequest, NotFoundPage
from crawler.crawling.discovery import (
    MAX_CANDIDATES,
    Candidate,
    home_family,
    listing_candidates,
    listing_quality,
    looks_like_feed,
    read_listing,
)
from crawler.crawling.outcomes import (
    ArticleGone,
    ArticleUnchanged,
    CrawlProblem,
    FetchedArticle,
    ListingFound,
    ListingRead,
)
from crawler.parsing import parse_page
from crawler.portals import PortalConfig, get_portal
from storage.models import utcnow
from storage.store import CrawlState, KnownArticle

GONE_STATUSES = (404, 410)


def listing_signature(entry: ListingEntry) -> str:
    """What the listing says of an article; when it differs from last time, the article is refetched."""
    return hashlib.sha1(f"{entry.title}|{entry.published_text}".encode()).hexdigest()[:16]


def recheck_is_due(known: KnownArticle, now: datetime, every: timedelta) -> bool:
    """Whether a recent article is due for its recheck: once in every `every`, at a moment of the
    period that is its own (from its URL), and at once when it was never checked.

    Articles stored by one crawl (a portal's first, hundreds of them) would otherwise all fall
    due in the same crawl a day later, and again every day: a burst of requests at one portal.
    With a moment each they are spread evenly over the period, and each still comes once in it.
    """
    if known.last_checked_at is None:
        return True
    digest = hashlib.sha1(known.canonical_url.encode()).digest()
    moment = every * (int.from_bytes(digest[:4], "big") / 2**32)
    latest_moment = now - (now - _EPOCH - moment) % every
    return known.last_checked_at < latest_moment


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def check_is_due(known: KnownArticle, now: datetime, portal: PortalConfig) -> bool:
    """Whether a stored article is fetched again, off the listing: a recent one once a
    `recheck_every`, any older one (or one without a date) once in `sweep_days`, each at its own
    moment, so that a portal sees its archive / sweep_days sweeps a day, not all on one day.
    Without the sweep an announcement edited or deleted a year on would never be noticed."""
    if known.removed:
        return False
    recent = now - timedelta(days=portal.recheck_days)
    if known.published_at is not None and known.published_at >= recent:
        return recheck_is_due(known, now, portal.recheck_every)
    return portal.sweep_days > 0 and recheck_is_due(known, now, timedelta(days=portal.sweep_days))


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, portal: str = "", pages: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not portal:
            raise ValueError(f"give the portal: scrapy crawl {self.name} -a portal=ID")
        self.portal_id = portal
        self.pages_arg = int(pages) if pages not in (None, "") else None
        self.portal: PortalConfig
        self.known: dict[str, KnownArticle] = {}
        self.seen_on_listing: set[str] = set()
        self.oldest_listed: datetime | None = None
        self.walks_open = 0
        self.listing_pages_ok = 0
        self.full_walk = True
        self.state_received = False
        self.allowed_domains: list[str] = []
        self.max_pages = 1
        self.discovery_started = False  # the home page is probed at most once a crawl
        self.candidates: list[Candidate] = []
        self.discovery_notes: list[str] = []  # why the guessed listing and each candidate were refused
        self.best_found: tuple[tuple[int, int, int], ListingPage, str] | None = None  # no paged one yet
        self.found_listing: str | None = None  # where an earlier crawl found the listing (CrawlState)

    @classmethod
    def check_arguments(cls, settings: Any, portal: str = "", **_: Any) -> None:
        """Refuse a missing or unknown portal before Scrapy starts (`scrapy crawl` asks, see
        crawler/crawling/commands/crawl.py): a UserError that says what to give."""
        if not portal:
            raise UserError(f"give the portal: scrapy crawl {cls.name} -a portal=ID")
        get_portal(portal, settings.get("PORTALWATCH_PORTALS_FILE"))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider: PortalSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.portal = get_portal(spider.portal_id, settings.get("PORTALWATCH_PORTALS_FILE"))
        spider.allowed_domains = list(spider.portal.domains)
        pages = spider.pages_arg or settings.getint("PORTALWATCH_PAGES") or spider.portal.pages
        spider.max_pages = max(1, pages)
        return spider

    # -- start -------------------------------------------------------------------------------

    def receive_crawl_state(self, state: CrawlState) -> None:
        """What the store knows of the portal; the storage pipeline hands it over as the spider
        opens, before the first request (the spider itself never reads the database)."""
        self.known = state.known
        self.full_walk = state.full_walk
        self.found_listing = state.found_listing
        self.state_received = True

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.state_received:
            raise RuntimeError("the spider was given no crawl state: enable "
                               "crawler.crawling.pipelines.StoragePipeline in ITEM_PIPELINES")
        if self.portal.discovers_listing and self.found_listing:
            # Found on the home page by an earlier crawl: start there, not from the home page or
            # the guess that failed; should it fail too, the home page is looked at again.
            self.walks_open += 1
            yield self._listing_request(self.found_listing, page=1)
        else:
            for url in self.portal.start_urls:
                self.walks_open += 1
                yield self._listing_request(url, page=1)
            if not self.portal.start_urls:  # a home page only: its news listing is found there first
                self.walks_open += 1
                yield self._home_request()
        for known in self._rechecks_due():
            yield self._article_request(known.canonical_url, known=known, reason="recheck")

    def _rechecks_due(self) -> Iterator[KnownArticle]:
        now = utcnow()
        for known in self.known.values():
            if check_is_due(known, now, self.portal):
                yield known

    # -- listings ----------------------------------------------------------------------------

    def _listing_request(self, url: str, *, page: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.listing_failed,
                              meta={"page": page}, dont_filter=page == 1)

    def _next_listing_request(self, follow: NextRequest, *, page: int) -> scrapy.Request:
        """The next listing page as the family asks for it: a GET of its link, or the form or JSON
        a "see more" button POSTs (its response, a fragment, is read as a listing again)."""
        if follow.method.upper() == "GET" and not follow.form and follow.json is None:
            request = self._listing_request(follow.url, page=page)
            request.meta["next_request"] = follow
            return request
        meta = {"page": page, "next_request": follow}
        headers = dict(follow.headers)
        # POSTs to one URL differ only by their bodies: Scrapy's fingerprint includes the body
        if follow.json is not None:
            return scrapy.Request(follow.url, method=follow.method.upper(), body=follow.json.encode("utf-8"),
                                  headers={"Content-Type": "application/json", **headers},
                                  callback=self.parse_listing, errback=self.listing_failed, meta=meta)
        return scrapy.FormRequest(follow.url, method=follow.method.upper(), formdata=list(follow.form),
                                  headers=headers or None, callback=self.parse_listing,
                                  errback=self.listing_failed, meta=meta)

    def _parse_page(self, response: Response) -> ArticleRecord | ListingPage | NotFoundPage:
        return parse_page(response.body, response.url, portal=self.portal_id, cms=self.portal.cms,
                          selectors=self.portal.selectors or None, timezone=self.portal.timezone)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        page_number: int = response.meta["page"]
        came_by: NextRequest | None = response.meta.get("next_request")
        if came_by is not None and not response.body.strip():
            yield from self._walk_ended()  # a "see more" past the last entries answers nothing
            return
        problem = None
        try:
            listing = self._parse_page(response)
        except ExtractionError as exc:
            problem = str(exc)
        else:
            if not isinstance(listing, ListingPage):
                kind = "a not-found page" if isinstance(listing, NotFoundPage) else "an article"
                problem = f"expected a news listing, got {kind}"
            elif page_number == 1 and not listing.entries and self._may_discover():
                problem = "a listing without article links"
        if problem is not None and page_number == 1 and self._may_discover():
            yield from self._discover_instead(response.url, problem)
            return
        if problem is not None:  # the page came back but gave no links: parser health counts it
            yield ListingRead(response.url, links=0)
            yield CrawlProblem(response.url, problem, is_listing=True, unparsed=True)
            yield from self._walk_ended()
            return
        assert isinstance(listing, ListingPage)
        yield from self._walk_listing(listing, page_number, came_by)

    def _walk_listing(self, listing: ListingPage, page_number: int,
                      came_by: NextRequest | None = None) -> Iterator[Any]:
        """Fetch what the listing shows that is new, then its next page; `came_by`, the request a
        "see more" fragment answered, when the fragment itself cannot say which page follows."""
        yield ListingRead(listing.url, links=len(listing.entries))
        self.listing_pages_ok += 1
        anything_new = False
        for entry in listing.entries:
            self.seen_on_listing.add(entry.url)
            if entry.published_at and (self.oldest_listed is None or entry.published_at < self.oldest_listed):
                self.oldest_listed = entry.published_at
            known = self.known.get(entry.url)
            signature = listing_signature(entry)
            if known is not None and not known.removed and known.listing_signature == signature:
                continue
            anything_new = True
            yield self._article_request(entry.url, known=known, signature=signature, reason="listing")
        follow = listing.follow()
        if follow is None and came_by is not None and listing.entries:
            follow = came_by.advanced()  # a fragment of a paging API: the page after it
        if follow is not None and (anything_new or self.full_walk) and page_number < self.max_pages:
            yield self._next_listing_request(follow, page=page_number + 1)
        else:
            yield from self._walk_ended()

    def listing_failed(self, failure: Failure) -> Iterator[Any]:
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get("page") == 1 and self._may_discover():
            yield from self._discover_instead(_failed_url(failure), _reason(failure))
            return
        yield CrawlProblem(_failed_url(failure), _reason(failure), is_listing=True)
        yield from self._walk_ended()

    # -- finding the listing on the home page ------------------------------------------------

    def _may_discover(self) -> bool:
        return self.portal.discovers_listing and not self.discovery_started

    def _home_request(self) -> scrapy.Request:
        self.discovery_started = True
        assert self.portal.home_url is not None
        return scrapy.Request(self.portal.home_url, callback=self.parse_home, errback=self.home_failed,
                              dont_filter=True)

    def _discover_instead(self, url: str, problem: str) -> Iterator[scrapy.Request]:
        """An unverified entry's guessed listing failed: look on the home page instead (the walk
        stays open until a candidate is walked or none is left)."""
        self.logger.info("%s: %s; looking for the news listing on the home page", url, problem)
        self.discovery_notes.append(f"{url}: {problem}")
        yield self._home_request()

    def parse_home(self, response: Response) -> Iterator[Any]:
        family = home_family(response.body, response.url)
        refused = {*self.portal.start_urls, *([self.found_listing] if self.found_listing else [])}
        found = listing_candidates(response.body, response.url, family)
        self.candidates = [c for c in found if c.url not in refused][:MAX_CANDIDATES]
        yield from self._next_candidate()

    def home_failed(self, failure: Failure) -> Iterator[Any]:
        self.discovery_notes.append(f"{_failed_url(failure)}: {_reason(failure)}")
        yield from self._next_candidate()

    def _next_candidate(self) -> Iterator[Any]:
        if not self.candidates and self.best_found is not None:  # no paged listing: the best one read
            _, listing, why = self.best_found
            yield from self._walk_found(listing, why)
            return
        if not self.candidates:
            tried = "; ".join(self.discovery_notes) or "the home page names no news section"
            reason = f"no news listing found from the home page ({tried})"
            yield CrawlProblem(self.portal.home_url or "", reason, is_listing=True)
            yield from self._walk_ended()
            return
        candidate = self.candidates.pop(0)
        yield scrapy.Request(candidate.url, callback=self.parse_candidate, errback=self.candidate_failed,
                             dont_filter=True, meta={"page": 1, "why": candidate.why})

    def parse_candidate(self, response: Response) -> Iterator[Any]:
        read = read_listing(response.body, response.url, self.portal.cms, self.portal.timezone,
                            portal=self.portal_id, selectors=self.portal.selectors or None)
        if isinstance(read, str):
            self.discovery_notes.append(f"{response.url}: {read}")
            yield from self._next_candidate()
            return
        listing, why = read[1], response.meta["why"]
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        quality = listing_quality(listing, looks_like_feed(content_type, response.body))
        if quality[1]:  # a paged HTML listing: the one to walk, as `portals probe` would choose it
            yield from self._walk_found(listing, why)
            return
        if self.best_found is None or quality > self.best_found[0]:
            self.best_found = (quality, listing, why)
        yield from self._next_candidate()

    def _walk_found(self, listing: ListingPage, why: str) -> Iterator[Any]:
        self.logger.info("news listing found from the home page: %s (%s)", listing.url, why)
        yield ListingFound(listing.url)
        yield from self._walk_listing(listing, 1)

    def candidate_failed(self, failure: Failure) -> Iterator[Any]:
        self.discovery_notes.append(f"{_failed_url(failure)}: {_reason(failure)}")
        yield from self._next_candidate()

    def _walk_ended(self) -> Iterator[scrapy.Request]:
        """When every listing walk is done, recheck known articles that vanished from what was walked."""
        self.walks_open -= 1
        if self.walks_open or self.oldest_listed is None:
            return
        for known in self.known.values():
            if known.removed or known.canonical_url in self.seen_on_listing or known.published_at is None:
                continue
            if known.published_at >= self.oldest_listed:
                yield self._article_request(known.canonical_url, known=known, reason="vanished")

    # -- articles ----------------------------------------------------------------------------

    def _article_request(self, url: str, *, known: KnownArticle | None, reason: str,
                         signature: str | None = None) -> scrapy.Request:
        headers = {}
        if known is not None and not known.removed:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return scrapy.Request(
            url, headers=headers, callback=self.parse_article, errback=self.article_failed,
            meta={"handle_httpstatus_list": [304, *GONE_STATUSES], "listing_signature": signature,
                  "canonical_url": url, "reason": reason},
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        canonical_url: str = response.meta["canonical_url"]
        signature: str | None = response.meta.get("listing_signature")
        etag = _header(response, "ETag")
        last_modified = _header(response, "Last-Modified")
        if response.status == 304:
            yield ArticleUnchanged(canonical_url, etag, last_modified, signature)
            return
        try:
            page = self._parse_page(response)
        except ExtractionError as exc:
            if response.status in GONE_STATUSES:
                yield ArticleGone(canonical_url, f"HTTP {response.status}")
            else:
                yield CrawlProblem(response.url, str(exc), is_article=True, unparsed=True)
            return
        if isinstance(page, NotFoundPage) or response.status in GONE_STATUSES:
            yield ArticleGone(canonical_url, f"HTTP {response.status}: not found page")
        elif isinstance(page, ArticleRecord):
            if page.canonical_url != canonical_url and canonical_url in self.known:
                page.canonical_url = canonical_url  # keep the key the store knows it by
            yield FetchedArticle(page, etag, last_modified, signature)
        else:
            yield CrawlProblem(response.url, "expected an article, got a listing page", is_article=True,
                               unparsed=True)

    def article_failed(self, failure: Failure) -> Iterator[CrawlProblem]:
        yield CrawlProblem(_failed_url(failure), _reason(failure), is_article=True)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _reason(failure: Failure) -> str:
    """One line a user understands: the HTTP status, or the network error's name and message."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status} after retries"
    kind = type(failure.value).__name__
    if kind == "DownloadCancelledError" or (kind == "CancelledError" and not str(failure.value)):
        cap = f"not fetched: the page is larger than the download cap (DOWNLOAD_MAXSIZE): {failure.value}"
        return cap[:300]
    name = failure.type.__name__ if failure.type is not None else "Error"
    text = str(failure.value).strip() or name
    return f"{name}: {text}"[:300]


def _failed_url(failure: Failure) -> str:
    """The URL of the request an errback is told about (Scrapy sets `request` on its failures)."""
    request = getattr(failure, "request", None)
    return request.url if request is not None else ""
