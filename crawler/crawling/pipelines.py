"""The storage pipeline: where a crawled record is stored.

Items are written in batches, each batch one transaction, so a crawl killed half-way leaves whole
articles or none, and never more than PORTALWATCH_BATCH_SIZE articles unwritten. The pipeline
also keeps the crawl run (counts, errors, status) and delivers pending alerts when the crawl ends.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.misc import load_object

from crawler.core.records import ArticleRecord
from crawler.crawling.outcomes import (
    ArticleGone,
    ArticleUnchanged,
    CrawlProblem,
    FetchedArticle,
    ListingFound,
    ListingRead,
)
from crawler.portals import get_portal
from storage.db import Database, database_url, shared_database
from storage.health import judge_run
from storage.models import CrawlRun
from storage.store import (
    CrawlState,
    EventHook,
    busy_message,
    claim_portal,
    ensure_portal,
    finish_run,
    is_baseline,
    load_crawl_state,
    mark_removed,
    remember_listing,
    start_run,
    store_record,
    touch_unchanged,
)

log = logging.getLogger("portalwatch.crawl")
# Progress goes to stderr on its own handler so that it shows while Scrapy's log is quiet.
progress = logging.getLogger("portalwatch.progress")
if not progress.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    progress.addHandler(_handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False

CLOSE_STATUS = {"finished": "ok", "shutdown": "interrupted", "closespider_timeout": "interrupted"}
BUSY = "busy"  # the close reason of a crawl that stood aside: another process is crawling the portal
PROGRESS_EVERY_SECONDS = 5.0


@runtime_checkable
class PortalCrawl(Protocol):
    """What the pipeline needs of a spider: the portal it crawls, and a way to hand it the state."""

    portal_id: str

    def receive_crawl_state(self, state: CrawlState) -> None: ...


class StoragePipeline:
    def __init__(self, crawler: Crawler, db_url: str, portals_file: str | None, batch_size: int,
                 on_event: EventHook | None, deliver_alerts: Callable[[Database], object] | None) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.portals_file = portals_file
        self.batch_size = max(1, batch_size)
        self.on_event = on_event
        self.deliver_alerts = deliver_alerts
        self.buffer: list[Any] = []
        self.errors: list[dict[str, Any]] = []
        self.listings: list[ListingRead] = []  # written with the next batch, as the errors are
        # Parser health: the first page of the run that shows each problem (storage.health.judge_run)
        self.health_examples: dict[str, str] = {}
        self.found_listing: str | None = None  # the listing found on the home page, not yet stored
        self.database: Database
        self.run: CrawlRun | None = None  # None: the crawl stood aside (busy) or never opened
        self.baseline = False
        self.last_progress = time.monotonic()
        self.stale_after: timedelta | None = None  # see storage.store.crawl_in_progress

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        settings = crawler.settings
        db_url = database_url(settings.get("PORTALWATCH_DB"))
        pipeline = cls(crawler, db_url, settings.get("PORTALWATCH_PORTALS_FILE"),
                       settings.getint("PORTALWATCH_BATCH_SIZE", 20),
                       _component(settings.get("PORTALWATCH_EVENT_HOOK")),
                       _component(settings.get("PORTALWATCH_DELIVER_ALERTS")))
        stale = settings.getfloat("PORTALWATCH_RUN_STALE_AFTER", 0)
        pipeline.stale_after = timedelta(seconds=stale) if stale > 0 else None
        # The run is finished on spider_closed, the first point where the close reason is known
        # (shutdown, time limit, finished); every item has been through process_item by then.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # `spider` is optional: Scrapy 2.13+ no longer passes it, older releases still do.
    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        if not isinstance(spider, PortalCrawl):
            raise TypeError(f"StoragePipeline stores crawls of a portal: spider {spider!r} has no "
                            "portal_id and receive_crawl_state")
        portal = get_portal(spider.portal_id, self.portals_file)
        self.database = shared_database(self.db_url)  # one for all the crawls of the process
        with self.database.session() as session:
            ensure_portal(session, portal.id, name=portal.name, cms=portal.cms, timezone=portal.timezone)
        with self.database.session() as session:  # the claim must open its transaction
            busy = claim_portal(session, portal.id, stale_after=self.stale_after)
            if busy is None:
                self.baseline = is_baseline(session, portal.id)
                state = load_crawl_state(session, portal.id)
                self.run = start_run(session, portal.id, baseline=self.baseline)
        if busy is not None:
            self.crawler.stats.set_value("portalwatch/status", BUSY)
            self.crawler.stats.set_value("portalwatch/summary", busy_message(portal.id, busy))
            raise CloseSpider(BUSY)  # no request goes out; the spider closes with this reason
        spider.receive_crawl_state(state)
        self.crawler.stats.set_value("portalwatch/run_id", self.run.id)
        first = " (baseline: no crawl of it completed yet)" if self.baseline else ""
        progress.info("%s: crawling%s, run %d", portal.id, first, self.run.id)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, CrawlProblem):
            error = {"url": item.url, "reason": item.reason, "listing": item.is_listing}
            self.errors.append({**error, "unparsed": True} if item.unparsed else error)
            if item.unparsed and not item.is_listing:
                self.health_examples.setdefault("articles", item.url)
            log.warning("%s: %s", item.url, item.reason)
            return item
        if isinstance(item, ListingFound):  # kept with the next batch, for the next crawls
            self.found_listing = item.url
            return item
        if isinstance(item, ListingRead):  # not an article: it does not count toward a batch
            self.listings.append(item)
            if item.links == 0:
                self.health_examples.setdefault("listing", item.url)
            return item
        if isinstance(item, FetchedArticle):
            record = item.record
            for aspect, missing in (("body", not record.body), ("date", record.published_at is None)):
                if missing:
                    self.health_examples.setdefault(aspect, record.url)
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item.record if isinstance(item, FetchedArticle) else item

    def flush(self, *, report: bool = True) -> None:
        if not self.buffer and not self.errors and not self.listings and self.found_listing is None:
            return
        try:
            self._write(self.buffer)
        except Exception:
            # One bad item must not poison the crawl: the batch was rolled back; store its items
            # one by one, record the ones that fail as problems of the run, and go on.
            log.warning("a batch of %d could not be stored; storing its items one by one", len(self.buffer),
                        exc_info=True)
            for item in self.buffer:
                try:
                    self._write([item], with_errors=False)
                except Exception as exc:
                    log.warning("%s: not stored", _item_url(item), exc_info=True)
                    self.errors.append({"url": _item_url(item), "reason": f"not stored: {_one_line(exc)}",
                                        "listing": False})
            self._write([])
        self.buffer, self.errors, self.listings, self.found_listing = [], [], [], None
        run = self._open_run()
        if report and time.monotonic() - self.last_progress >= PROGRESS_EVERY_SECONDS:
            self.last_progress = time.monotonic()
            progress.info("%s: %d requests, %d new, %d changed, %d removed, %d unchanged so far",
                          run.portal_id, run.requests_sent, run.articles_new, run.articles_changed,
                          run.articles_removed, run.articles_unchanged)

    def _write(self, items: list[Any], *, with_errors: bool = True) -> None:
        """Store `items` (and the problems seen since the last write) in one transaction."""
        with self.database.session() as session:
            run = session.merge(self._open_run())
            for item in items:
                self._store(session, run, item)
            if self.found_listing is not None:
                remember_listing(session, run.portal_id, self.found_listing)
            if with_errors:
                run.errors = [*run.errors, *self.errors]
                run.parse_failures = (run.parse_failures or 0) + sum(
                    1 for error in self.errors if error.get("unparsed") and not error.get("listing"))
                run.listings_fetched = (run.listings_fetched or 0) + len(self.listings)
                run.listings_without_links = (run.listings_without_links or 0) + sum(
                    1 for listing in self.listings if listing.links == 0)
            self._count_requests(run)
        self.run = run

    def _open_run(self) -> CrawlRun:
        if self.run is None:  # items only reach the pipeline of a crawl that opened its run
            raise RuntimeError("the crawl has no open run")
        return self.run

    def _store(self, session: Any, run: CrawlRun, item: Any) -> None:
        if isinstance(item, FetchedArticle):
            _count_fields(run, item.record)
            store_record(session, item.record, run=run, baseline=self.baseline, etag=item.etag,
                         last_modified=item.last_modified, listing_signature=item.listing_signature,
                         on_event=self.on_event)
        elif isinstance(item, ArticleUnchanged):
            touch_unchanged(session, item.canonical_url, run=run, etag=item.etag,
                            last_modified=item.last_modified, listing_signature=item.listing_signature)
        elif isinstance(item, ArticleGone):
            mark_removed(session, item.canonical_url, run=run, baseline=self.baseline, on_event=self.on_event)

    def _count_requests(self, run: CrawlRun) -> None:
        stats = self.crawler.stats
        run.requests_sent = stats.get_value("downloader/request_count", 0)
        run.pages_fetched = stats.get_value("response_received_count", 0)

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush(report=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run is None:  # stood aside: there is no run of ours to finish
            return
        listing_ok = getattr(spider, "listing_pages_ok", 0)
        self.flush(report=False)
        status = CLOSE_STATUS.get(reason, "failed")
        with self.database.session() as session:
            run = session.merge(self.run)
            self._count_requests(run)
            run.articles_failed = sum(1 for e in run.errors if not e.get("listing"))
            if status == "ok" and listing_ok == 0:
                status = "failed"  # not one listing page came back: the portal was not reached
            if reason == "closespider_timeout":
                run.errors = [*run.errors, {"url": "", "reason": "time limit reached"}]
            self.run = finish_run(session, run, status=status)
            # In the transaction that ends the run: an incident opened or closed here has its
            # alerts queued with it, so they are sent once, whatever happens to this process.
            judge_run(session, self.run, on_event=self.on_event, examples=self.health_examples)
        self.crawler.stats.set_value("portalwatch/status", status)
        self.crawler.stats.set_value("portalwatch/summary", self.run.summary())
        if self.run.errors:
            first = self.run.errors[0]
            self.crawler.stats.set_value("portalwatch/first_error", f"{first['url']}: {first['reason']}")
        log.info("%s", self.run.summary())  # the CLI prints it itself; `scrapy crawl` users see it here
        if self.deliver_alerts is not None:
            self._deliver_alerts(self.deliver_alerts)

    def _deliver_alerts(self, deliver: Callable[[Database], object]) -> None:
        try:
            report = deliver(self.database)
            if getattr(report, "sent", 0) or getattr(report, "retrying", 0) or getattr(report, "failed", 0):
                progress.info("%s: alerts: %s", self._open_run().portal_id, report)
        except Exception:  # delivery must not fail the crawl; the scheduler and `alerts send` retry
            log.exception("alert delivery failed")


def _count_fields(run: CrawlRun, record: ArticleRecord) -> None:
    """Parser health: one more article page read, and which fields it lacked."""
    run.pages_parsed = (run.pages_parsed or 0) + 1
    run.missing_date = (run.missing_date or 0) + (record.published_at is None)
    run.missing_author = (run.missing_author or 0) + (not record.author)
    run.missing_body = (run.missing_body or 0) + (not record.body)


def _item_url(item: Any) -> str:
    return str(item.record.url if isinstance(item, FetchedArticle) else getattr(item, "canonical_url", ""))


def _one_line(exc: BaseException) -> str:
    """Why a write failed, without the statement and its parameters (SQLAlchemy appends both)."""
    reason = getattr(exc, "orig", None) or exc
    return f"{type(reason).__name__}: {(str(reason).strip().splitlines() or [''])[0]}"[:300]


def _component(path: str | None) -> Any:
    """The object a setting names by dotted path; None (or an empty setting) for "none"."""
    return load_object(path) if path else None
