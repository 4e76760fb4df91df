"""A portal's health as the store keeps it, for every crawl, manual or scheduled.

Two notions, both written in the transaction that ends a run:

- reachability (`count_outcome`, called by `finish_run`): a failed crawl counts one more
  consecutive failure and keeps its error, a completed one clears them. The scheduler adds its
  backoff on top (crawler/scheduling/health.py).
- parser health (`judge_run`, called by the crawl pipeline as it ends its run): the run's parse
  figures judged by crawler/core/health.py; a run that shows a problem opens an incident unless one
  is open, a run that shows every broken aspect working again closes it. Each opening and closing
  is a HealthEvent handed to the event hook in the same transaction (the alerts it raises are
  queued there: one alert per incident and one per recovery, whatever happens to the process).

A run killed before its end is never judged: the next whole run judges what it sees, so a crawl
cut short raises the same alerts as a whole one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.core.health import HISTORY_RUNS, RunFigures, Verdict, judge
from storage.models import CrawlRun, HealthEvent, HealthIncident, Portal, utcnow

_MAX_ERROR_CHARS = 1000
UNHEALTHY, RECOVERED = "unhealthy", "recovered"

HealthHook = Callable[[Session, HealthEvent], object]


def count_outcome(portal: Portal, run: CrawlRun) -> None:
    """A finished run's part in the portal's reachability: failed +1, ok clears, others neither."""
    if run.status == "ok":
        portal.consecutive_failures, portal.last_error, portal.backoff_until = 0, None, None
    elif run.status == "failed":
        count_failure(portal, describe_errors(run.errors) or "crawl failed")


def count_failure(portal: Portal, reason: str) -> None:
    portal.consecutive_failures = (portal.consecutive_failures or 0) + 1
    portal.last_error = reason[:_MAX_ERROR_CHARS]


def describe_errors(errors: list[Any] | None) -> str | None:
    """The error that says most about a failed run: a listing page's if any (that is what makes a
    portal unreachable), else the first."""
    if not errors:
        return None
    listing = [entry for entry in errors if isinstance(entry, dict) and entry.get("listing")]
    return _describe_error((listing or errors)[0])


def _describe_error(entry: Any) -> str:
    """A CrawlRun error entry as one line: the crawl writes {url, reason, listing} dicts."""
    if isinstance(entry, dict):
        message = entry.get("reason") or entry.get("error") or entry.get("message") or entry
        url = entry.get("url")
        return f"{url}: {message}" if url else str(message)
    return str(entry)


def figures_of(run: CrawlRun) -> RunFigures:
    return RunFigures(
        listings_fetched=run.listings_fetched or 0, listings_without_links=run.listings_without_links or 0,
        pages_parsed=run.pages_parsed or 0, parse_failures=run.parse_failures or 0,
        missing_date=run.missing_date or 0, missing_author=run.missing_author or 0,
        missing_body=run.missing_body or 0,
    )


def open_incident(session: Session, portal_id: str) -> HealthIncident | None:
    return session.scalar(select(HealthIncident).where(
        HealthIncident.portal_id == portal_id, HealthIncident.closed_at.is_(None))
        .order_by(HealthIncident.id.desc()).limit(1))


def _history(session: Session, run: CrawlRun) -> list[RunFigures]:
    runs = session.scalars(
        select(CrawlRun).where(CrawlRun.portal_id == run.portal_id, CrawlRun.id != run.id,
                               CrawlRun.health == "ok")
        .order_by(CrawlRun.id.desc()).limit(HISTORY_RUNS))
    return [figures_of(earlier) for earlier in runs]


def judge_run(session: Session, run: CrawlRun, *, on_event: HealthHook | None = None,
              now: datetime | None = None, examples: Mapping[str, str] | None = None) -> HealthEvent | None:
    """Judge the run's parse figures; open or close the portal's incident. Returns the event, if any.

    `examples`: per aspect (crawler.core.health.ASPECTS), a page of the run that shows the problem
    (a listing without links, an unreadable article page, a record without a body or date): kept
    with the problem, so that whoever is alerted can open it and try `portalwatch parse` on it.
    """
    verdict = judge(figures_of(run), _history(session, run))
    examples = examples or {}
    run.health = "broken" if verdict.problems else "ok" if verdict.judged else None
    incident = open_incident(session, run.portal_id)
    now = now or utcnow()
    if incident is None and verdict.problems:
        incident = HealthIncident(portal_id=run.portal_id, opened_at=now, opened_run_id=run.id,
                                  problems=_problem_dicts(verdict, examples))
        session.add(incident)
        session.flush()
        return _event(session, incident, UNHEALTHY, run, _problem_dicts(verdict, examples), now, on_event)
    if incident is not None and verdict.recovers([p["aspect"] for p in incident.problems]):
        incident.closed_at, incident.closed_run_id = now, run.id
        return _event(session, incident, RECOVERED, run, [], now, on_event)
    if incident is not None and verdict.problems:
        # Still broken; a part that broke since is added, so recovery waits for it too.
        known = {p["aspect"] for p in incident.problems}
        added = [problem for problem in _problem_dicts(verdict, examples) if problem["aspect"] not in known]
        if added:
            incident.problems = [*incident.problems, *added]
    return None


def _problem_dicts(verdict: Verdict, examples: Mapping[str, str]) -> list[dict[str, str]]:
    return [{**problem.to_dict(), "example": examples[problem.aspect]} if problem.aspect in examples
            else problem.to_dict() for problem in verdict.problems]


def problem_line(problem: Mapping[str, str]) -> str:
    """A stored problem as every face prints it: what broke, and a page that shows it."""
    example = problem.get("example")
    return f"{problem['text']} (e.g. {example})" if example else problem["text"]


def _event(session: Session, incident: HealthIncident, kind: str, run: CrawlRun,
           problems: list[dict[str, str]], now: datetime, on_event: HealthHook | None) -> HealthEvent:
    details = {"figures": figures_of(run).__dict__, "run_id": run.id,
               "problems": problems or incident.problems,
               "opened_at": incident.opened_at.isoformat()}
    event = HealthEvent(incident_id=incident.id, portal_id=run.portal_id, kind=kind, occurred_at=now,
                        crawl_run_id=run.id, details=details)
    session.add(event)
    session.flush()
    if on_event is not None:
        on_event(session, event)
    return event


@dataclass(frozen=True)
class PortalHealth:
    """A portal's health in one piece, for every face (`portals`, `schedule --list`, the web, the API):
    whether it answers (manual and scheduled crawls alike) and whether its pages parse."""

    portal_id: str
    last_crawl_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    backoff_until: datetime | None = None
    last_run: RunFigures | None = None  # the parse figures of the latest finished run
    last_run_health: str | None = None  # ok | broken | None (too little to judge)
    incident_since: datetime | None = None  # an open parser-health incident
    incident_problems: tuple[str, ...] = ()
    found_listing: str | None = None  # the news listing a crawl found on the home page (crawls start there)

    @property
    def parser_broken(self) -> bool:
        return self.incident_since is not None

    def to_dict(self) -> dict[str, Any]:
        """For the JSON API."""
        return {
            "consecutive_failures": self.consecutive_failures, "last_error": self.last_error,
            "backoff_until": _iso(self.backoff_until), "last_crawl_at": _iso(self.last_crawl_at),
            "found_listing": self.found_listing,
            "parser": {
                "healthy": not self.parser_broken,
                "incident_since": _iso(self.incident_since),
                "problems": list(self.incident_problems),
                "last_run": asdict(self.last_run) if self.last_run else None,
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def read_portal_health(session: Session) -> dict[str, PortalHealth]:
    """Every stored portal's health: its row, its latest finished run, its open incident."""
    last_ids = (select(func.max(CrawlRun.id)).where(CrawlRun.status != "running")
                .group_by(CrawlRun.portal_id).scalar_subquery())
    latest = {run.portal_id: run
              for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(last_ids)))}
    incidents = {incident.portal_id: incident for incident in session.scalars(
        select(HealthIncident).where(HealthIncident.closed_at.is_(None)))}
    health = {}
    for portal in session.scalars(select(Portal)):
        run, incident = latest.get(portal.id), incidents.get(portal.id)
        health[portal.id] = PortalHealth(
            portal_id=portal.id, last_crawl_at=portal.last_crawl_at,
            consecutive_failures=portal.consecutive_failures or 0, last_error=portal.last_error,
            backoff_until=portal.backoff_until,
            last_run=figures_of(run) if run is not None else None,
            last_run_health=run.health if run is not None else None,
            incident_since=incident.opened_at if incident else None,
            incident_problems=tuple(problem_line(p) for p in incident.problems) if incident else (),
            found_listing=portal.listing_url,
        )
    return health
