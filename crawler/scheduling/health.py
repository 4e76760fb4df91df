"""What a scheduled crawl did, and what that means for the portal's health and its next visit.

When the crawl process has ended, the scheduler reads the CrawlRun that process wrote: portal,
duration, and the new/changed/removed/error counts for the log. The process may have crashed or
been killed before it wrote a run, or it may have left its run 'running'. Then the run is written,
or closed, here as failed, with the reason.

Health lives on the Portal row, where `portalwatch portals` shows it. A failed crawl, manual or
scheduled, counts one more consecutive failure and records the error (storage/health.py, as the
run ends); the scheduler then sets `backoff_until` to `every x 2^failures` from now, capped (6 h
by default). A portal that keeps failing is therefore visited less and less
often, and recovers by itself: the first successful run resets all three fields. A crawl that the
scheduler stopped because it was shutting down counts neither way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.core.durations import format_duration
from crawler.portals import PortalConfig
from crawler.scheduling.launch import LaunchResult
from storage.db import Database
from storage.health import count_failure, describe_errors
from storage.models import CrawlRun, Portal, utcnow
from storage.store import crawl_in_progress, ensure_portal, finish_run

log = logging.getLogger("portalwatch.schedule")

DEFAULT_BACKOFF_CAP = timedelta(hours=6)
_MAX_ERROR_CHARS = 1000


def backoff_delay(every: timedelta, failures: int, cap: timedelta = DEFAULT_BACKOFF_CAP) -> timedelta:
    """The wait before the next try after `failures` failed crawls in a row: every x 2^failures, capped.

    The cap never makes a portal wait less than its own interval.
    """
    if failures <= 0:
        return timedelta(0)
    return min(every * 2 ** min(failures, 30), max(cap, every))


@dataclass(frozen=True)
class CrawlReport:
    """One scheduled crawl as the log and the tests see it."""

    portal_id: str
    run_id: int
    status: str  # the CrawlRun's: ok | failed | interrupted
    outcome: str  # for the portal's health: ok | failed | stopped (shutdown: counts neither way)
    summary: str  # CrawlRun.summary(): duration, new/changed/removed/unchanged/failed, errors
    reason: str | None  # why it failed, or why the scheduler had to step in
    consecutive_failures: int
    backoff_until: datetime | None

    def log_line(self) -> str:
        line = self.summary + (f"; {self.reason}" if self.reason else "")
        if self.outcome == "failed" and self.backoff_until is not None:
            wait = (self.backoff_until - utcnow()).total_seconds()
            line += (f"; {self.consecutive_failures} failure(s) in a row, next try in "
                     f"{format_duration(max(0.0, wait))}")
        return line


@dataclass(frozen=True)
class CrawlClearance:
    """Whether a portal may be crawled now; if so, the last run id before this crawl."""

    after_run_id: int
    skip_reason: str | None = None


def clear_to_crawl(database: Database, portal: PortalConfig, *, stale_after: timedelta,
                   now: datetime | None = None) -> CrawlClearance:
    """Refuse a crawl while the portal backs off, or while another process is crawling it.

    Within one scheduler, `max_instances=1` already prevents overlap. This check also covers a
    `--once` from cron, or a `portalwatch crawl` by hand, while another process crawls the same
    portal (`storage.store.crawl_in_progress`). A run left 'running' by a process of this machine
    that has ended is closed as failed and the crawl goes ahead; so is one of another machine
    older than `stale_after` (the time limit plus the kill grace), which cannot be alive any more.
    """
    now = now or utcnow()
    with database.session() as session:
        row = _ensure_portal_row(session, portal)
        if row.backoff_until is not None and row.backoff_until > now:
            wait = format_duration((row.backoff_until - now).total_seconds())
            return CrawlClearance(0, f"backing off after {row.consecutive_failures} failure(s) in a row; "
                                     f"next try in {wait}")
        run = crawl_in_progress(session, portal.id, stale_after=stale_after, now=now)
        if run is not None:
            age = format_duration((now - run.started_at).total_seconds())
            return CrawlClearance(0, f"already being crawled by another process "
                                     f"(run #{run.id} started {age} ago)")
        last_id = session.scalar(select(func.max(CrawlRun.id)).where(CrawlRun.portal_id == portal.id))
        return CrawlClearance(after_run_id=last_id or 0)


def record_crawl(database: Database, portal: PortalConfig, launch: LaunchResult, *, after_run_id: int,
                 kill_grace: float, time_limit: float, backoff_cap: timedelta = DEFAULT_BACKOFF_CAP,
                 now: datetime | None = None) -> CrawlReport:
    """Read (or write) the run of a crawl that has ended, and update the portal's health."""
    now = now or utcnow()
    with database.session() as session:
        row = _ensure_portal_row(session, portal)
        run = session.scalars(
            select(CrawlRun).where(CrawlRun.portal_id == portal.id, CrawlRun.id > after_run_id)
            .order_by(CrawlRun.id.desc())
        ).first()
        abnormal = _abnormal_end(launch, kill_grace=kill_grace, time_limit=time_limit)
        stopped_status = "interrupted" if launch.stopped_for_shutdown else "failed"
        reason: str | None
        if run is None:
            reason = abnormal or f"the crawl exited with code {launch.returncode} without recording a run"
            reason = _with_output(reason, launch)
            run = CrawlRun(portal_id=portal.id, started_at=launch.started_at, status="running",
                           errors=[])
            session.add(run)
            session.flush()
            run = _close(session, run, stopped_status, reason, now)
        elif run.status == "running":
            reason = abnormal or f"the crawl exited with code {launch.returncode} leaving its run open"
            reason = _with_output(reason, launch)
            run = _close(session, run, stopped_status, reason, now)
        elif run.status == "ok":
            reason = None
        elif launch.stopped_for_shutdown:
            reason = abnormal
        elif run.status == "interrupted" and (launch.timed_out or launch.duration >= 0.95 * time_limit):
            # Our SIGTERM at the limit, or the crawl stopping itself at the --time-limit it is given.
            reason = f"stopped at the time limit ({format_duration(time_limit)}) before it finished"
        else:
            reason = describe_errors(run.errors) or abnormal or f"crawl {run.status}"

        # The run's end counted it for the portal's reachability already (storage.store.finish_run,
        # for manual and scheduled crawls alike); here the scheduler's own view is added: its
        # better reason, a time-limit stop counted as a failure, and the backoff.
        if run.status == "ok":
            outcome = "ok"
        elif launch.stopped_for_shutdown:
            outcome = "stopped"  # our doing, not the portal's: health stays as it was
        else:
            outcome = "failed"
            if run.status != "failed":  # stopped at the time limit: not counted by the run's end
                count_failure(row, reason or f"crawl {run.status}")
            row.last_error = (reason or f"crawl {run.status}")[:_MAX_ERROR_CHARS]
            row.backoff_until = now + backoff_delay(portal.every, row.consecutive_failures, backoff_cap)
        return CrawlReport(
            portal_id=portal.id, run_id=run.id, status=run.status, outcome=outcome,
            summary=run.summary(), reason=reason, consecutive_failures=row.consecutive_failures or 0,
            backoff_until=row.backoff_until,
        )


def _ensure_portal_row(session: Session, portal: PortalConfig) -> Portal:
    row = session.get(Portal, portal.id)
    if row is None:
        row = ensure_portal(session, portal.id, name=portal.name, cms=portal.cms, timezone=portal.timezone)
    return row


def _close(session: Session, run: CrawlRun, status: str, reason: str, now: datetime) -> CrawlRun:
    # The shape the crawl writes its own errors in (url, reason), marked as the scheduler's.
    run.errors = [*(run.errors or []), {"url": "", "reason": reason, "source": "scheduler"}]
    return finish_run(session, run, status=status, now=now)


def _abnormal_end(launch: LaunchResult, *, kill_grace: float, time_limit: float) -> str | None:
    if launch.stopped_for_shutdown:
        how = "killed" if launch.killed else "stopped"
        return f"{how} because the scheduler was shutting down"
    if launch.killed:
        return (f"hung: still running at the time limit ({format_duration(time_limit)}) and "
                f"{format_duration(kill_grace)} after SIGTERM, so it was killed")
    if launch.timed_out:
        return f"stopped at the time limit ({format_duration(time_limit)})"
    if launch.returncode < 0:
        return f"the crawl process died of signal {_signal_name(-launch.returncode)}"
    return None


def _with_output(reason: str, launch: LaunchResult) -> str:
    last = launch.output_tail.splitlines()[-1:] if launch.output_tail else []
    return f"{reason}; its last output: {last[0][:300]}" if last else reason


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
