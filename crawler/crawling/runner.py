"""Run crawls in this process with Scrapy's CrawlerProcess (the reactor runs once per process).

`portalwatch crawl` (one portal, several, or --all), `portalwatch demo`, the scheduler's crawl
processes (one per batch of due portals) and Celery workers (one per batch task) all run this.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
from twisted.python.failure import Failure

from crawler.crawling.pipelines import BUSY
from crawler.portals import PortalConfig, load_registry
from spiders.portal import PortalSpider
from storage.db import dispose_shared, open_database

log = logging.getLogger("portalwatch.crawl")


@dataclass(frozen=True)
class CrawlOutcome:
    portal_id: str
    status: str  # ok | failed | interrupted | busy (another process is crawling it)
    summary: str
    reached: bool  # at least one listing page came back
    first_error: str | None


def crawl_settings(db_url: str, portals_file: str | None, *, pages: int | None = None,
                   time_limit: float | None = None, throttle: bool = True,
                   download_timeout: float | None = None, extra: dict[str, str] | None = None,
                   log_level: str = "WARNING") -> Settings:
    settings = Settings()
    settings.setmodule("crawler.crawling.settings", priority="project")
    overrides: dict[str, object] = {
        "PORTALWATCH_DB": db_url, "PORTALWATCH_PORTALS_FILE": portals_file, "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,
    }
    if pages:
        overrides["PORTALWATCH_PAGES"] = pages
    if download_timeout:
        overrides["DOWNLOAD_TIMEOUT"] = download_timeout
    if time_limit:
        overrides["CLOSESPIDER_TIMEOUT"] = time_limit
    if not throttle:
        overrides.update({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 8})
    overrides.update(extra or {})
    settings.setdict(overrides, priority="cmdline")
    return settings


def _one_line_errors(record: logging.LogRecord) -> bool:
    """A network failure (DNS, refused, timeout) is one line for the user, not a traceback."""
    record.exc_info, record.exc_text = None, None
    return True


def _install_log_handler(settings: Settings) -> None:
    """One root handler at LOG_LEVEL (Scrapy's own is off: it would come back with each crawler
    and the CLI's INFO handler would repeat every Scrapy line); tracebacks only with -v."""
    level = settings.get("LOG_LEVEL", "WARNING")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s",
                                           "%Y-%m-%d %H:%M:%S"))
    handler.setLevel(level)
    if level not in ("DEBUG", "INFO"):
        handler.addFilter(_one_line_errors)
    logging.root.handlers[:] = [handler]
    logging.root.setLevel(level)


DEFAULT_BATCH_SIZE = 50  # portals crawled at once in one process; each keeps its own politeness


def run_crawls(portals: list[PortalConfig], settings: Settings, *, batch_size: int = DEFAULT_BATCH_SIZE,
               batch_time_limit: float | None = None) -> list[CrawlOutcome]:
    """Crawl `portals` in this one process, `batch_size` at a time, each as its own crawl.

    Every portal is its own Scrapy crawler: its own downloader (concurrency, AutoThrottle,
    robots.txt), time limit (CLOSESPIDER_TIMEOUT) and run. One that fails or hangs holds back
    only its own place in the batch; the next portal starts as soon as any crawl ends. A portal
    another process is crawling stands aside ("busy"). At `batch_time_limit` seconds every crawl
    still running is stopped as at SIGTERM (its run is written, 'interrupted') and the portals
    not started yet are reported as such.
    """
    open_database(settings["PORTALWATCH_DB"]).dispose()  # a bad URL fails before any request goes out
    _install_log_handler(settings)
    process = CrawlerProcess(settings)
    # Scrapy's reactor, installed before anything imports Twisted's default one (the first
    # crawler would install it only as it starts, after the feeding below has imported it).
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    crawlers: dict[str, Crawler] = {portal.id: process.create_crawler(PortalSpider)
                                    for portal in portals}
    waiting = list(reversed(portals))
    started: set[str] = set()
    problems: dict[str, str] = {}
    running = [0]
    stopping = [False]

    def start_next(_: object = None) -> None:
        while waiting and running[0] < max(1, batch_size) and not stopping[0]:
            portal = waiting.pop()
            started.add(portal.id)
            running[0] += 1
            done = process.crawl(crawlers[portal.id], portal=portal.id)
            done.addErrback(_crawl_failed, portal.id)
            done.addBoth(crawl_ended)
        if not running[0]:
            _stop_reactor()

    def _crawl_failed(failure: Failure, portal_id: str) -> None:
        kind = failure.type.__name__ if failure.type is not None else "error"
        problems[portal_id] = f"{kind}: {failure.getErrorMessage()}"[:300]
        log.error("%s: the crawl failed: %s", portal_id, problems[portal_id])

    def crawl_ended(_: object) -> None:
        running[0] -= 1
        reactor.callLater(0, start_next)

    def time_is_up() -> None:
        log.warning("batch time limit (%.0f s) reached: stopping %d crawl(s), %d not started",
                    batch_time_limit or 0, running[0], len(waiting))
        stopping[0] = True
        process.stop()

    from twisted.internet import reactor as installed_reactor

    # Twisted types the installed reactor by zope interfaces, whose methods have no `self`: typed
    # as Any rather than silencing each call
    reactor: Any = installed_reactor

    if portals:
        reactor.callWhenRunning(start_next)
        if batch_time_limit:
            reactor.callLater(batch_time_limit, time_is_up)
        try:
            process.start(stop_after_crawl=False)
        finally:
            dispose_shared()
    outcomes = []
    for portal in portals:
        crawler = crawlers[portal.id]
        if portal.id not in started:
            outcomes.append(CrawlOutcome(portal.id, "not-started",
                                         f"{portal.id}: not started: the batch's time limit came first",
                                         False, None))
            continue
        stats = crawler.stats
        status = stats.get_value("portalwatch/status", "failed")
        # A portal that stood aside was reached by the crawl that holds it.
        reached = status == BUSY or bool(getattr(crawler.spider, "listing_pages_ok", 0))
        summary = stats.get_value("portalwatch/summary") or f"{portal.id}: did not run"
        outcomes.append(CrawlOutcome(portal.id, status, summary, reached,
                                     stats.get_value("portalwatch/first_error") or problems.get(portal.id)))
    return outcomes


def _stop_reactor() -> None:
    from twisted.internet import reactor as installed_reactor

    reactor: Any = installed_reactor  # typed by zope interfaces (see run_crawls)
    with contextlib.suppress(RuntimeError):  # already stopping (a signal, the time limit)
        reactor.stop()


def select_portals(ids: list[str], everything: bool, portals_file: str | None) -> list[PortalConfig]:
    from crawler.core.errors import UserError

    registry = load_registry(portals_file)
    if everything:
        return list(registry.values())
    if not ids:
        raise UserError("name the portal(s) to crawl, or --all (see: portalwatch portals)")
    unknown = [i for i in ids if i not in registry]
    if unknown:
        raise UserError(f"unknown portal(s) {', '.join(unknown)} (known: {', '.join(sorted(registry))})")
    return [registry[i] for i in ids]
