"""What the pages and the API both do: read portals, runs, rules and deliveries; change rules;
start a crawl. The article and event reads are storage.query / storage.events themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from crawler.alerts.channels import mask_url
from crawler.alerts.messages import delivery_subject
from crawler.alerts.rules import RuleSpec, build_spec, create_rule, describe
from crawler.core.errors import UserError
from crawler.parsing import AUTO
from crawler.portals import PortalConfig, PortalEntry, load_registry
from crawler.scheduling import next_run_times
from crawler.scheduling.health import clear_to_crawl, record_crawl
from crawler.scheduling.launch import (
    DEFAULT_CRAWL_COMMAND,
    DEFAULT_KILL_GRACE,
    DEFAULT_TIME_LIMIT,
    CrawlLauncher,
)
from storage.db import Database
from storage.health import read_portal_health
from storage.models import AlertDelivery, AlertRule, ArticleEvent, CrawlRun, Portal

if TYPE_CHECKING:
    from crawler.crawling.discovery import ProbeResult

log = logging.getLogger("portalwatch.web")


class NotFound(UserError):
    exit_code = 1


class Busy(UserError):
    """What was asked cannot be done now (the portal is being crawled, or backs off): HTTP 409."""


@dataclass(frozen=True)
class PortalView:
    id: str
    name: str
    family: str
    verified: bool | None  # None: the registry does not say
    enabled: bool
    in_registry: bool
    last_crawl_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    backoff_until: datetime | None
    next_run_at: datetime | None
    last_run: dict[str, Any] | None
    running: bool
    # Parser health (storage/health.py): healthy, incident_since, problems, last_run's parse figures.
    parser: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        data["healthy"] = self.consecutive_failures == 0 and (self.parser or {}).get("healthy", True)
        return data


def probe_dict(result: ProbeResult) -> dict[str, Any]:
    """What a probe found, as the API gives it and the Portals page shows it."""
    article = result.article
    return {
        "home_url": result.home_url, "site_name": result.site_name, "generator": result.generator,
        "family": result.family, "listing_url": result.listing_url, "listing_found_by": result.listing_why,
        "listing_size": result.listing_size, "next_page": result.listing.next_page, "feeds": result.feeds,
        "tried": [{"url": tried.url, "outcome": tried.outcome} for tried in result.tried],
        "article": None if article is None else {
            "url": article.canonical_url, "title": article.title,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "published_text": article.published_text, "paragraphs": len(article.body),
            "images": len(article.images), "attachments": len(article.attachments),
            "author": article.author, "category": article.category,
        },
        "article_problem": result.article_problem,
    }


def suggested_id(home_url: str) -> str:
    """An id for the portal at `home_url`: its host's first name ("www.hanoi.gov.vn" -> "hanoi")."""
    import re
    from urllib.parse import urlsplit

    host = (urlsplit(home_url).hostname or "").removeprefix("www.")
    name = host if re.fullmatch(r"[\d.]+", host) else host.split(".")[0]
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")[:64] or "portal"


def http_status(exc: UserError) -> int:
    """The HTTP status of a refusal: 404 not found, 409 busy, 502 the portal could not be reached,
    422 the portal's pages could not be read as news, 400 anything else the user gave."""
    from crawler.core.errors import ExtractionError, Unreachable

    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Busy):
        return 409
    if isinstance(exc, Unreachable):
        return 502
    if isinstance(exc, ExtractionError):
        return 422
    return 400


def entry_dict(entry: PortalEntry) -> dict[str, Any]:
    return {"id": entry.id, "name": entry.name, "home_url": entry.home_url, "family": entry.family,
            "cms": entry.cms, "start_urls": list(entry.start_urls), "every": entry.every}


def run_dict(run: CrawlRun) -> dict[str, Any]:
    return {
        "id": run.id, "portal": run.portal_id, "status": run.status, "baseline": run.baseline,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "requests_sent": run.requests_sent, "pages_fetched": run.pages_fetched,
        "articles_new": run.articles_new, "articles_changed": run.articles_changed,
        "articles_removed": run.articles_removed, "articles_unchanged": run.articles_unchanged,
        "articles_failed": run.articles_failed, "errors": len(run.errors or []),
        "pages_parsed": run.pages_parsed, "parse_failures": run.parse_failures,
        "listings_fetched": run.listings_fetched, "listings_without_links": run.listings_without_links,
        "missing_date": run.missing_date, "missing_author": run.missing_author,
        "missing_body": run.missing_body, "parser_health": run.health, "summary": run.summary(),
    }


class CrawlStarter:
    """Starts a crawl now, the way the scheduler does: the same clearance (no crawl while another
    runs or while the portal backs off), the same child process (`python -m crawler.cli crawl ID`
    under a time limit), the same recording of the run and the portal's health; in a thread, so
    the request returns at once."""

    def __init__(self, db: Database, portals_file: str | None, *,
                 command: Sequence[str] = DEFAULT_CRAWL_COMMAND,
                 time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        self.db, self.portals_file = db, portals_file
        self.launcher = CrawlLauncher(command, time_limit=time_limit, kill_grace=DEFAULT_KILL_GRACE)
        self._threads: list[threading.Thread] = []
        # From the click until the run is recorded, not only while the process lives: the page
        # shown right after the click (before the thread has started the process) must already
        # say "running" and refresh itself, or it would never show the crawl's result.
        self._started: set[str] = set()
        self._started_lock = threading.Lock()

    def running(self) -> set[str]:
        with self._started_lock:
            return set(self._started) | set(self.launcher.running_portals())

    def start(self, portal: PortalConfig, *, on_done: Callable[[], None] | None = None) -> None:
        stale_after = timedelta(seconds=self.launcher.time_limit + self.launcher.kill_grace + 60)
        clearance = clear_to_crawl(self.db, portal, stale_after=stale_after)
        with self._started_lock:
            if clearance.skip_reason or portal.id in self._started:
                raise Busy(f"{portal.id}: not crawled: {clearance.skip_reason or 'already being crawled'}")
            self._started.add(portal.id)

        def crawl() -> None:
            try:
                launch = self.launcher.run(portal.id, db_url=self.db.url, portals_file=self.portals_file)
                if launch is not None:
                    report = record_crawl(self.db, portal, launch, after_run_id=clearance.after_run_id,
                                          kill_grace=self.launcher.kill_grace,
                                          time_limit=self.launcher.time_limit)
                    log.info("%s", report.log_line())
            except Exception:
                log.exception("%s: the crawl started from the web could not run or be recorded", portal.id)
            finally:
                with self._started_lock:
                    self._started.discard(portal.id)
                if on_done:
                    on_done()

        thread = threading.Thread(target=crawl, name=f"crawl-{portal.id}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def stop(self) -> None:
        self.launcher.stop_all()
        for thread in self._threads:
            thread.join(timeout=DEFAULT_KILL_GRACE)


class Portals:
    probe_timeout = 20.0  # seconds a probe waits for one page

    def __init__(self, db: Database, portals_file: str | None, starter: CrawlStarter) -> None:
        self.db, self.portals_file, self.starter = db, portals_file, starter

    def registry(self) -> dict[str, PortalConfig]:
        return load_registry(self.portals_file)

    def get(self, portal_id: str) -> PortalConfig:
        portal = self.registry().get(portal_id)
        if portal is None:
            raise NotFound(f"no portal {portal_id!r} in the registry")
        return portal

    def ids(self) -> list[str]:
        with self.db.session() as session:
            stored = set(session.scalars(select(Portal.id)))
        return sorted(set(self.registry()) | stored)

    def overview(self) -> list[PortalView]:
        registry = self.registry()
        next_runs = next_run_times(self.db.engine)
        running = self.starter.running()
        with self.db.session() as session:
            rows = {row.id: row for row in session.scalars(select(Portal))}
            latest = session.scalars(select(CrawlRun).where(CrawlRun.id.in_(
                select(func.max(CrawlRun.id)).group_by(CrawlRun.portal_id)))).all()
            last_runs = {run.portal_id: run_dict(run) for run in latest}
            health = read_portal_health(session)
        views = []
        for portal_id in sorted(set(registry) | set(rows)):
            config, row = registry.get(portal_id), rows.get(portal_id)
            views.append(PortalView(
                id=portal_id, name=config.name if config else row.name if row else portal_id,
                family=(config.cms if config.family == "auto" else config.family) if config
                else row.cms if row else "?",
                verified=getattr(config, "verified", None), enabled=config.enabled if config else False,
                in_registry=config is not None,
                last_crawl_at=row.last_crawl_at if row else None,
                consecutive_failures=(row.consecutive_failures or 0) if row else 0,
                last_error=row.last_error if row else None, backoff_until=row.backoff_until if row else None,
                next_run_at=next_runs.get(portal_id), last_run=last_runs.get(portal_id),
                running=portal_id in running or (last_runs.get(portal_id) or {}).get("status") == "running",
                parser=health[portal_id].to_dict()["parser"] if portal_id in health else None,
            ))
        return views

    # -- a portal by its home URL (crawler/crawling/discovery.py, as `portalwatch portals add`) --

    def probe(self, url: str, cms: str = AUTO) -> ProbeResult:
        """What a crawl of the portal whose home page is `url` would get; nothing saved."""
        from crawler.crawling.discovery import HttpClient, probe
        from crawler.parsing import get_parser

        cms = cms.strip().lower() or AUTO
        if cms != AUTO:
            get_parser(cms)  # an unknown family is refused before any request
        return probe(url.strip(), cms=cms, client=HttpClient(timeout=self.probe_timeout))

    def add(self, portal_id: str, url: str, *, name: str | None = None, every: str | None = None,
            cms: str = AUTO) -> tuple[PortalEntry, ProbeResult, bool]:
        """Probe the portal at `url` and save it as `portal_id` to the user's portals file (an id
        already there is refused); also whether it replaces a built-in portal of that id."""
        from crawler.core.durations import parse_duration
        from crawler.crawling.discovery import portal_entry
        from crawler.portals import save_portal, user_registry_path, validate_id

        portal_id = portal_id.strip()
        validate_id(portal_id)
        if every:
            parse_duration(every, what="every")
        result = self.probe(url, cms)
        entry = portal_entry(result, portal_id, name=name or None, cms=cms.strip().lower() or AUTO,
                             every=every or None)
        path = user_registry_path(self.portals_file, for_writing=True)
        assert path is not None  # for writing, there always is one
        replaces_builtin = save_portal(path, entry)
        log.info("portal %r added from the web: %s, listing %s (%s)", portal_id, entry.home_url,
                 result.listing_url, path)
        return entry, result, replaces_builtin

    def runs(self, portal_id: str | None = None, *, before: int | None = None,
             limit: int = 50) -> list[dict[str, Any]]:
        with self.db.session() as session:
            stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
            if portal_id:
                stmt = stmt.where(CrawlRun.portal_id == portal_id)
            if before is not None:
                stmt = stmt.where(CrawlRun.id < before)
            return [run_dict(run) for run in session.scalars(stmt)]


# --- alert rules ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleForm:
    """A rule as a form or a JSON body gives it. Channels: `keep` (indexes of the rule's current
    URLs, which never leave the server) plus `notify` (new URLs)."""

    name: str
    notify: tuple[str, ...] = ()
    keep: tuple[int, ...] | None = None  # None: keep them all
    on: str | None = None
    portals: tuple[str, ...] = ()
    match: str | None = None
    regex: str | None = None
    category: str | None = None
    digest: str | None = None


def rule_dict(rule: AlertRule, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {
        "id": rule.id, "name": rule.name, "paused": bool(rule.paused), "events": list(rule.event_kinds),
        "portals": list(rule.portal_ids), "match": rule.match_text, "regex": rule.match_regex,
        "category": rule.category, "digest_seconds": rule.digest_seconds,
        "notify": [mask_url(url) for url in rule.notify_urls],  # masked: secrets never leave the server
        "description": describe(rule), "created_at": rule.created_at.isoformat(),
        "deliveries": counts or {},
    }


class Rules:
    def __init__(self, db: Database, portals: Portals) -> None:
        self.db, self.portals = db, portals

    def all(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            counts: dict[int, dict[str, int]] = {}
            for rule_id, status, n in session.execute(
                    select(AlertDelivery.rule_id, AlertDelivery.status, func.count())
                    .group_by(AlertDelivery.rule_id, AlertDelivery.status)):
                counts.setdefault(rule_id, {})[status] = n
            rules = session.scalars(select(AlertRule).order_by(AlertRule.name)).all()
            return [rule_dict(rule, counts.get(rule.id, {})) for rule in rules]

    def get(self, rule_id: int) -> dict[str, Any]:
        with self.db.session() as session:
            return rule_dict(self._rule(session, rule_id))

    @staticmethod
    def _rule(session: Session, rule_id: int) -> AlertRule:
        rule = session.get(AlertRule, rule_id)
        if rule is None:
            raise NotFound(f"no alert rule #{rule_id}")
        return rule

    def _spec(self, form: RuleForm, current: Sequence[str] = ()) -> RuleSpec:
        keep = range(len(current)) if form.keep is None else form.keep
        kept = [current[i] for i in keep if 0 <= i < len(current)]
        notify = [url.strip() for url in (*kept, *form.notify) if url.strip()]
        return build_spec(name=form.name.strip(), notify=notify, on=form.on or None, portals=form.portals,
                          known_portals=self.portals.ids(), match=form.match or None,
                          regex=form.regex or None, category=form.category or None,
                          digest=form.digest or None)

    def create(self, form: RuleForm) -> dict[str, Any]:
        spec = self._spec(form)
        with self.db.session() as session:
            return rule_dict(create_rule(session, spec))

    def update(self, rule_id: int, form: RuleForm) -> dict[str, Any]:
        with self.db.session() as session:
            rule = self._rule(session, rule_id)
            spec = self._spec(form, rule.notify_urls)
            other = session.scalar(select(AlertRule.id).where(AlertRule.name == spec.name,
                                                              AlertRule.id != rule_id))
            if other is not None:
                raise UserError(f"an alert rule named {spec.name!r} already exists")
            rule.name, rule.notify_urls = spec.name, list(spec.notify_urls)
            rule.event_kinds, rule.portal_ids = list(spec.event_kinds), list(spec.portal_ids)
            rule.match_text, rule.match_regex = spec.match_text, spec.match_regex
            rule.category = spec.category
            rule.digest_seconds = int(spec.digest.total_seconds()) if spec.digest else None
            session.flush()
            return rule_dict(rule)

    def set_paused(self, rule_id: int, paused: bool) -> dict[str, Any]:
        with self.db.session() as session:
            rule = self._rule(session, rule_id)
            rule.paused = paused
            session.flush()
            return rule_dict(rule)

    def delete(self, rule_id: int) -> str:
        with self.db.session() as session:
            rule = self._rule(session, rule_id)
            session.execute(delete(AlertDelivery).where(AlertDelivery.rule_id == rule.id))
            session.delete(rule)
            return rule.name

    def test(self, rule_id: int) -> list[dict[str, Any]]:
        """A sample alert through each channel now, as `alerts test` sends it; channels masked."""
        from crawler.alerts.dispatch import send_test
        from crawler.alerts.messages import sample_item

        with self.db.session() as session:
            rule = self._rule(session, rule_id)
            session.expunge(rule)
        # send_test names each channel by its masked URL, and redacts its errors.
        return [{"channel": channel, "ok": error is None, "error": error}
                for channel, error in send_test(rule, sample_item())]

    def deliveries(self, status: str, limit: int = 50) -> list[dict[str, Any]]:
        statuses = ("failed",) if status == "failed" else ("pending", "sending")
        with self.db.session() as session:
            rows = session.scalars(
                select(AlertDelivery).where(AlertDelivery.status.in_(statuses))
                .options(selectinload(AlertDelivery.rule), selectinload(AlertDelivery.health_event),
                         selectinload(AlertDelivery.event).selectinload(ArticleEvent.article))
                .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id).limit(limit)).all()
            return [{
                "id": row.id, "rule": row.rule.name, "status": row.status, "event": kind,
                "article_id": article_id, "title": title,
                "attempts": row.attempts, "next_attempt_at": row.next_attempt_at.isoformat(),
                "last_error": row.last_error,  # stored redacted by the dispatcher
            } for row, (kind, title, article_id) in ((row, delivery_subject(row)) for row in rows)]
