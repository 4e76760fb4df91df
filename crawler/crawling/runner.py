"""Run crawls in this process with Scrapy's CrawlerProcess (the reactor runs once per process).

`portalwatch crawl` and `portalwatch demo` use it; the scheduler runs it in a subprocess per crawl.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.portals import PortalConfig, load_registry
from spiders.portal import PortalSpider
from storage.db import open_database
from storage.store import crawl_in_progress


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


def run_crawls(portals: list[PortalConfig], settings: Settings) -> list[CrawlOutcome]:
    """Crawl `portals` in parallel; a portal another process is crawling is left to it ("busy")."""
    busy = _crawls_in_progress(portals, settings["PORTALWATCH_DB"])
    _install_log_handler(settings)
    process = CrawlerProcess(settings)
    crawlers = []
    for portal in portals:
        if portal.id in busy:
            continue
        crawler = process.create_crawler(PortalSpider)
        process.crawl(crawler, portal=portal.id)
        crawlers.append((portal, crawler))
    if crawlers:
        process.start()
    outcomes = [CrawlOutcome(portal_id, "busy", summary, True, None) for portal_id, summary in busy.items()]
    for portal, crawler in crawlers:
        stats = crawler.stats
        spider = crawler.spider
        reached = bool(getattr(spider, "listing_pages_ok", 0))
        status = stats.get_value("portalwatch/status", "failed")
        outcomes.append(CrawlOutcome(portal.id, status,
                                     stats.get_value("portalwatch/summary", f"{portal.id}: did not run"),
                                     reached, stats.get_value("portalwatch/first_error")))
    return outcomes


def _crawls_in_progress(portals: list[PortalConfig], db_url: str) -> dict[str, str]:
    """Portals that a live process is crawling, each with a line saying so. Opening the database
    here also fails on a bad URL before any request goes out."""
    database = open_database(db_url)
    busy = {}
    try:
        with database.session() as session:
            for portal in portals:
                run = crawl_in_progress(session, portal.id)
                if run is not None:
                    busy[portal.id] = (f"{portal.id}: not crawled: run {run.id} (process {run.pid} on "
                                       f"{run.host}, started {run.started_at:%Y-%m-%d %H:%M} UTC) is "
                                       "crawling it")
    finally:
        database.dispose()
    return busy


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
