"""Crawl every portal on its own interval, from a job store that survives restarts.

How it works (`portalwatch schedule`, same as `python scheduler.py`):

- One APScheduler BackgroundScheduler. The jobs live in an SQLAlchemyJobStore in the portalwatch
  database itself (table `apscheduler_jobs`), so a restart keeps each portal's next_run_time.
- One interval job per portal (`crawl:<id>`), every `every` (portal setting, default 30 min)
  plus a random jitter (default a tenth of the interval, at most 60 s), so the portals spread out
  instead of all starting at once.
  `max_instances=1`: a portal is never crawled twice at once. A turn that comes while the last
  crawl is still running is skipped.
  `coalesce=True` with `misfire_grace_time` = one interval: after downtime, all the missed turns
  become exactly one crawl at start. That is never a burst, and never none, because the latest
  missed turn is always less than one interval old.
- At every start the jobs are reconciled with the registry. A new portal gets a job whose first
  run falls within the jitter. A portal gone from the registry loses its job. A job whose interval
  is unchanged keeps its next_run_time. A changed interval moves the next run to no later than
  now + the new interval.
- Each crawl is a child process with a hard time limit (why, and what that costs:
  crawler/scheduling/launch.py). A thread pool waits on them (`parallel` crawls at once).
- Each crawl's run is logged: portal, duration, new/changed/removed/errors. A crash or hang is
  recorded as a failed run. A portal that keeps failing backs off (crawler/scheduling/health.py):
  after a failure its job's next run moves to the portal's `backoff_until`.
- Stopping (SIGTERM, Ctrl-C): no new crawls start. The running ones get SIGTERM, finish their
  current articles and write their runs (or are killed after the grace period). Then the process
  exits 0.
- `--once` (cron): reconcile, crawl every portal whose next_run_time has come (on a first start,
  all of them), move those jobs on as the scheduler would, and exit.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor as CrawlPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, func, select

from crawler.alerts.dispatch import deliver_pending
from crawler.core.durations import format_duration
from crawler.core.errors import EXIT_BUSY, EXIT_UNREACHABLE
from crawler.portals import PortalConfig, load_registry
from crawler.scheduling.health import (
    DEFAULT_BACKOFF_CAP,
    CrawlReport,
    backoff_delay,
    clear_to_crawl,
    record_crawl,
)
from crawler.scheduling.launch import (
    DEFAULT_CRAWL_COMMAND,
    DEFAULT_KILL_GRACE,
    DEFAULT_TIME_LIMIT,
    CrawlLauncher,
    LaunchResult,
)
from storage.db import exclusive
from storage.health import PortalHealth, read_portal_health
from storage.models import CrawlRun, utcnow

__all__ = ["PortalScheduler", "ScheduleSettings", "ScheduledPortal", "CrawlReport", "backoff_delay"]

log = logging.getLogger("portalwatch.schedule")

JOB_PREFIX = "crawl:"
JOB_TABLE = "apscheduler_jobs"
MAX_DEFAULT_JITTER = 60.0


@dataclass(frozen=True)
class ScheduleSettings:
    db_url: str
    portals_file: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds a crawl may take before SIGTERM
    kill_grace: float = DEFAULT_KILL_GRACE  # seconds after SIGTERM before SIGKILL
    jitter: float | None = None  # seconds; None: a tenth of each portal's interval, at most 60 s
    parallel: int = 4  # crawl processes at once
    batch_size: int = 1  # portals crawled together in one process (`schedule --batch-size`)
    batch_window: float = 5.0  # seconds a due portal waits for others to share its process
    backoff_cap: timedelta = DEFAULT_BACKOFF_CAP
    crawl_command: tuple[str, ...] = DEFAULT_CRAWL_COMMAND  # the portal id and options are appended
    alerts_every: float = 60.0  # seconds between deliveries of pending alerts
    broker_url: str | None = None  # Celery broker: due batches are queued for workers, not run here
    queue: str | None = None  # the broker's queue name (None: crawler.scheduling.queue's default)

    def jitter_for(self, portal: PortalConfig) -> float:
        if self.jitter is not None:
            return self.jitter
        return min(MAX_DEFAULT_JITTER, portal.every.total_seconds() / 10)


@dataclass(frozen=True)
class ScheduledPortal:
    """One line of `portalwatch schedule --list`."""

    portal_id: str
    in_registry: bool
    every: timedelta | None  # as the job store has it (None: no job yet)
    next_run_time: datetime | None
    health: PortalHealth | None = None  # None: never crawled


@dataclass
class ReconcileReport:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)  # interval changed
    kept: list[str] = field(default_factory=list)


def job_id(portal_id: str) -> str:
    return JOB_PREFIX + portal_id


def next_run_times(engine: Engine) -> dict[str, datetime]:
    """Each portal's next scheduled crawl as the job store holds it, read without starting a
    scheduler (for pages that show it); empty until `portalwatch schedule` first ran on the database."""
    if not sa.inspect(engine).has_table(JOB_TABLE):
        return {}
    with engine.connect() as conn:
        # APScheduler's SQLAlchemyJobStore keeps next_run_time as a UTC timestamp (NULL: paused).
        rows = conn.execute(sa.text(f"SELECT id, next_run_time FROM {JOB_TABLE} WHERE id LIKE :prefix"),
                            {"prefix": JOB_PREFIX + "%"}).all()
    return {job.removeprefix(JOB_PREFIX): datetime.fromtimestamp(float(when), UTC)
            for job, when in rows if when is not None}


# The job store keeps a reference to a module-level function and the portal id, never objects:
# a job must unpickle in the next process. The function finds the running scheduler here.
_active: PortalScheduler | None = None


def run_scheduled_crawl(portal_id: str) -> None:
    """What every portal's job runs."""
    if _active is None:
        log.error("%s: no scheduler is running in this process; crawl skipped", portal_id)
        return
    _active.crawl(portal_id)


class _Scheduler(BackgroundScheduler):
    def _process_jobs(self) -> float | None:
        # shutdown() sets STOPPED, closes the executors, then wakes the scheduler's thread, which
        # would look for due jobs once more: a portal falling due just then ended `schedule --once`
        # with "cannot schedule new futures after shutdown".
        if self.state == STATE_STOPPED:
            return None
        wait: float | None = super()._process_jobs()
        return wait


class PortalScheduler:
    """The scheduler of one database: start()/close() for the long-lived process, or run_due_once()."""

    def __init__(self, settings: ScheduleSettings, *, registry: dict[str, PortalConfig] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        from storage.db import open_database

        self.settings = settings
        # The time of day turns fall due and backoffs end by (tests pass a clock they move).
        self.clock = clock
        self.registry = registry if registry is not None else load_registry(settings.portals_file)
        self.database = open_database(settings.db_url)
        self.launcher = CrawlLauncher(settings.crawl_command, time_limit=settings.time_limit,
                                      kill_grace=settings.kill_grace)
        self.scheduler = _Scheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.database.engine, tablename=JOB_TABLE),
                       "memory": MemoryJobStore()},  # the alert delivery job: nothing to persist
            # A thread per portal in a batch: each job waits for its batch's process.
            executors={"default": ThreadPoolExecutor(max(1, settings.parallel) * max(1, settings.batch_size)),
                       "alerts": ThreadPoolExecutor(1)},  # never waits behind a long crawl
            timezone=UTC,
        )
        self.scheduler.add_listener(self._on_skipped_turn, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        self.on_report: Callable[[CrawlReport], None] | None = None  # called after every crawl
        self._stopping = False
        self._in_flight = 0
        self._idle = threading.Condition()
        self._opened = False
        self.queue_app: Any = None
        if settings.broker_url:
            from crawler.scheduling.queue import DEFAULT_QUEUE, make_app

            self.queue_app = make_app(settings.broker_url, queue=settings.queue or DEFAULT_QUEUE,
                                      time_limit=settings.time_limit, kill_grace=settings.kill_grace)
        self.queued = 0  # portals put on the broker's queue
        self._batches = _Batches(settings.batch_size, settings.batch_window, settings.parallel,
                                 self._crawl_batch)

    # -- life cycle --------------------------------------------------------------------------

    def open(self) -> None:
        """Start the scheduler paused: jobs can be read and changed, none runs yet."""
        global _active
        if not self._opened:
            self.scheduler.start(paused=True)
            self._opened = True
            _active = self

    def start(self) -> ReconcileReport:
        """Reconcile the jobs with the registry and start crawling on schedule (returns at once)."""
        self.open()
        report = self.reconcile(spread_first_runs=True)
        self._start_alert_delivery()
        self.scheduler.resume()
        log.info("scheduling %d portal(s): %s", len(self.registry), self._next_runs_text())
        return report

    def begin_stop(self) -> None:
        """Start no more crawls; ask running ones to stop. Safe in a signal handler (no logging)."""
        self._stopping = True
        self.launcher.stop_all()

    def close(self) -> None:
        """Stop gracefully: running crawls stop and their runs are recorded before this returns."""
        global _active
        self.begin_stop()
        if not self._opened:
            self.database.dispose()
            return
        if self.scheduler.state == STATE_RUNNING:  # take no new turns while the crawls wind down
            self.scheduler.pause()
        running = self.launcher.running_portals()
        if running:
            log.info("stopping: waiting for the crawl(s) of %s to stop and record their runs",
                     ", ".join(sorted(running)))
        # Wait here, not in shutdown(wait=True): that holds the job store lock, which a finishing
        # crawl needs to postpone its job after a failure.
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0)
        self.scheduler.shutdown(wait=True)
        self._opened = False
        if _active is self:
            _active = None
        self.database.dispose()
        log.debug("scheduler stopped")

    def __enter__(self) -> PortalScheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the jobs ----------------------------------------------------------------------------

    def reconcile(self, *, spread_first_runs: bool, now: datetime | None = None) -> ReconcileReport:
        """Make the stored jobs match the registry, keeping next_run_time wherever the interval holds."""
        self.open()
        now = now or utcnow()
        report = ReconcileReport()
        existing = {job.id: job for job in self._crawl_jobs()}
        for portal in self.registry.values():
            self._ensure_portal_row(portal)
            trigger = IntervalTrigger(seconds=portal.every.total_seconds(),
                                      jitter=self.settings.jitter_for(portal) or None, timezone=UTC)
            options: dict[str, Any] = dict(
                func=run_scheduled_crawl, args=(portal.id,), name=portal.id, executor="default",
                max_instances=1, coalesce=True,
                misfire_grace_time=max(1, int(portal.every.total_seconds())),
            )
            job = existing.pop(job_id(portal.id), None)
            if job is None:
                spread = self.settings.jitter_for(portal) if spread_first_runs else 0.0
                first = now + timedelta(seconds=random.uniform(0, spread))
                self.scheduler.add_job(id=job_id(portal.id), jobstore="default", trigger=trigger,
                                       next_run_time=first, **options)
                report.added.append(portal.id)
                continue
            next_run = job.next_run_time or now
            if getattr(job.trigger, "interval", None) == portal.every:
                report.kept.append(portal.id)
            else:
                next_run = min(next_run, now + portal.every)
                report.rescheduled.append(portal.id)
            self.scheduler.modify_job(job.id, "default", trigger=trigger, next_run_time=next_run, **options)
        for stale in existing:
            self.scheduler.remove_job(stale, "default")
            report.removed.append(stale.removeprefix(JOB_PREFIX))
        for what in ("added", "removed", "rescheduled"):
            if getattr(report, what):
                log.info("jobs %s: %s", what, ", ".join(sorted(getattr(report, what))))
        return report

    def scheduled_portals(self) -> list[ScheduledPortal]:
        """Every portal of the registry or the job store, with its next run and health."""
        self.open()
        jobs = {job.id.removeprefix(JOB_PREFIX): job for job in self._crawl_jobs()}
        with self.database.session() as session:
            health = read_portal_health(session)
        rows = []
        for portal_id in sorted(set(self.registry) | set(jobs)):
            job = jobs.get(portal_id)
            rows.append(ScheduledPortal(
                portal_id=portal_id, in_registry=portal_id in self.registry,
                every=getattr(job.trigger, "interval", None) if job else None,
                next_run_time=job.next_run_time if job else None, health=health.get(portal_id),
            ))
        return rows

    def run_due_once(self, now: datetime | None = None) -> list[CrawlReport]:
        """`--once`: crawl every portal whose turn has come, in parallel; move their jobs on."""
        now = now or self.clock()
        self.reconcile(spread_first_runs=False, now=now)
        due = [job for job in self._crawl_jobs()
               if job.next_run_time is not None and job.next_run_time <= now]
        if not due:
            log.info("nothing is due; %s", self._next_runs_text())
        for job in due:  # before crawling, as the scheduler does: a killed --once does not repeat
            self.scheduler.modify_job(job.id, "default", next_run_time=_next_turn(job, now))
        portals = [self.registry[job.id.removeprefix(JOB_PREFIX)] for job in due
                   if job.id.removeprefix(JOB_PREFIX) in self.registry]
        size = max(1, self.settings.batch_size)
        batches = [portals[start:start + size] for start in range(0, len(portals), size)]
        with CrawlPool(max_workers=max(1, self.settings.parallel)) as pool:
            reports = [report for batch in pool.map(self._crawl_batch, batches)
                       for report in batch.values()]
        if not self._stopping:
            self._deliver_alerts()
        return [report for report in reports if report is not None]

    # -- one crawl ---------------------------------------------------------------------------

    def crawl(self, portal_id: str) -> CrawlReport | None:
        """Run one portal's crawl now and record it. Never raises: one portal cannot stop the rest."""
        portal = self.registry.get(portal_id)
        if portal is None:
            log.warning("%s: not in the registry any more; its job goes at the next start", portal_id)
            return None
        with self._idle:
            if self._stopping:
                return None
            self._in_flight += 1
        try:
            return self._batches.submit(portal)
        except Exception:
            log.exception("%s: the scheduler could not run or record this crawl", portal_id)
            return None
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _crawl_batch(self, portals: list[PortalConfig]) -> dict[str, CrawlReport | None]:
        """Crawl `portals` together in one process and record each one's crawl as its own."""
        settings = self.settings
        stale_after = timedelta(seconds=settings.time_limit + settings.kill_grace + 60)
        cleared: list[tuple[PortalConfig, int]] = []
        for portal in portals:
            with self._idle:
                if self._stopping:
                    return {}
            try:
                clearance = clear_to_crawl(self.database, portal, stale_after=stale_after,
                                           now=self.clock())
            except Exception:
                log.exception("%s: the scheduler could not check this portal; not crawled", portal.id)
                continue
            if clearance.skip_reason:
                log.info("%s: not crawled: %s", portal.id, clearance.skip_reason)
            else:
                cleared.append((portal, clearance.after_run_id))
        if not cleared:
            return {}
        ids = [portal.id for portal, _ in cleared]
        if self.queue_app is not None:
            from crawler.scheduling.queue import enqueue

            enqueue(self.queue_app, ids)  # a worker crawls them and records their health
            self.queued += len(ids)
            log.info("%s: queued for a worker", ", ".join(ids))
            return {}
        log.info("%s: crawl started", ", ".join(ids))
        launch = self.launcher.run(ids, db_url=settings.db_url, portals_file=settings.portals_file)
        if launch is None:
            return {}  # the scheduler began stopping before the crawl started
        reports: dict[str, CrawlReport | None] = {}
        for portal, after_run_id in cleared:
            try:
                reports[portal.id] = self._record(portal, launch, after_run_id)
            except Exception:
                log.exception("%s: the scheduler could not record this crawl", portal.id)
                reports[portal.id] = None
        return reports

    def _record(self, portal: PortalConfig, launch: LaunchResult, after_run_id: int) -> CrawlReport | None:
        settings = self.settings
        ended_normally = launch.returncode in (0, EXIT_UNREACHABLE, EXIT_BUSY) and not launch.timed_out
        if ended_normally and not self._wrote_run(portal.id, after_run_id):
            # It stood aside: a crawl by hand (or another scheduler) began between the check and
            # the launch and holds the portal's lock (storage.store.claim_portal).
            log.info("%s: not crawled: another process is crawling it", portal.id)
            return None
        report = record_crawl(self.database, portal, launch, after_run_id=after_run_id,
                              kill_grace=settings.kill_grace, time_limit=settings.time_limit,
                              backoff_cap=settings.backoff_cap, now=self.clock())
        log.log(logging.WARNING if report.outcome == "failed" else logging.INFO, "%s", report.log_line())
        if launch.output_tail and (launch.returncode != 0 and report.outcome == "failed"
                                   or log.isEnabledFor(logging.DEBUG)):
            # The crawl's own words on what went wrong (its output is not kept otherwise).
            log.log(logging.WARNING if report.outcome == "failed" else logging.DEBUG,
                    "%s: the crawl's last output:\n%s", portal.id, launch.output_tail)
        if report.outcome == "failed" and report.backoff_until is not None:
            self._postpone(portal.id, report.backoff_until)
        if self.on_report is not None:
            self.on_report(report)
        return report

    def _wrote_run(self, portal_id: str, after_run_id: int) -> bool:
        with self.database.session() as session:
            return (session.scalar(select(func.count(CrawlRun.id)).where(
                CrawlRun.portal_id == portal_id, CrawlRun.id > after_run_id)) or 0) > 0

    def _postpone(self, portal_id: str, until: datetime) -> None:
        try:
            job = self.scheduler.get_job(job_id(portal_id), "default")
            if job is not None and (job.next_run_time is None or job.next_run_time < until):
                self.scheduler.modify_job(job.id, "default", next_run_time=until)
        except JobLookupError:
            pass  # removed meanwhile: nothing to postpone

    # -- helpers -----------------------------------------------------------------------------

    def _crawl_jobs(self) -> list[Job]:
        return [job for job in self.scheduler.get_jobs("default") if job.id.startswith(JOB_PREFIX)]

    def _ensure_portal_row(self, portal: PortalConfig) -> None:
        # So that `portalwatch portals` lists a portal from the moment it is scheduled.
        from storage.store import ensure_portal

        with self.database.session() as session:
            ensure_portal(session, portal.id, name=portal.name, cms=portal.cms, timezone=portal.timezone)

    def _next_runs_text(self) -> str:
        now = utcnow()
        jobs = sorted((job for job in self._crawl_jobs() if job.next_run_time),
                      key=lambda job: job.next_run_time)
        if not jobs:
            return "no portal is scheduled"
        first = jobs[0]
        wait = (first.next_run_time - now).total_seconds()
        when = f"in {format_duration(wait)}" if wait > 0 else "now"
        return f"next: {first.name} {when}"

    def _on_skipped_turn(self, event: JobExecutionEvent) -> None:
        portal_id = event.job_id.removeprefix(JOB_PREFIX)
        if event.code == EVENT_JOB_MAX_INSTANCES:
            log.info("%s: previous crawl still running; this turn is skipped", portal_id)
        else:
            log.warning("%s: a turn was missed by more than its grace time; waiting for the next one",
                        portal_id)

    # -- alerts ------------------------------------------------------------------------------

    def _start_alert_delivery(self) -> None:
        self.scheduler.add_job(self._deliver_alerts, "interval", seconds=self.settings.alerts_every,
                               id="deliver-alerts", jobstore="memory", executor="alerts",
                               max_instances=1, coalesce=True, replace_existing=True,
                               next_run_time=utcnow())

    def _deliver_alerts(self) -> None:
        # One place at a time: with workers on other machines (--broker), whoever holds the lock
        # delivers everything that is due; the others skip this turn.
        with exclusive(self.database, "alerts") as held:
            if not held:
                log.debug("alert delivery: another process is delivering")
                return
            try:
                result = deliver_pending(self.database)
            except Exception:
                log.exception("alert delivery failed; retrying at the next turn")
                return
        log.debug("alert delivery: %s", result)


def _next_turn(job: Job, now: datetime) -> datetime:
    """The job's first turn after `now`: all the turns it missed count as this one (coalesced)."""
    turn = job.next_run_time
    while turn is not None and turn <= now:
        turn = job.trigger.get_next_fire_time(turn, now)
    return turn or now + timedelta(days=365)


class _Batch:
    def __init__(self) -> None:
        self.portals: list[PortalConfig] = []
        self.closed = False
        self.done = False
        self.reports: dict[str, CrawlReport | None] = {}


class _Batches:
    """Due portals gathered into one crawl process each `size` of them.

    The first portal of a batch waits up to `window` seconds for others to fall due (or for the
    batch to fill), and for one of the `parallel` process slots; then it closes the batch and
    runs it, and every portal's job thread gets its own portal's report. With `size` 1 a portal
    runs at once, alone, as before batches.
    """

    def __init__(self, size: int, window: float, parallel: int,
                 run: Callable[[list[PortalConfig]], dict[str, CrawlReport | None]]) -> None:
        self.size = max(1, size)
        self.window = max(0.0, window)
        self._run = run
        self._slots = threading.BoundedSemaphore(max(1, parallel))
        self._changed = threading.Condition()
        self._open: _Batch | None = None

    def submit(self, portal: PortalConfig) -> CrawlReport | None:
        with self._changed:
            batch = self._open
            leader = batch is None or batch.closed or len(batch.portals) >= self.size
            if leader:
                batch = self._open = _Batch()
            assert batch is not None
            batch.portals.append(portal)
            self._changed.notify_all()
            if leader:
                self._changed.wait_for(lambda: len(batch.portals) >= self.size, timeout=self.window)
        if not leader:
            with self._changed:
                self._changed.wait_for(lambda: batch.done)
            return batch.reports.get(portal.id)
        with self._slots:
            with self._changed:
                batch.closed = True
                if self._open is batch:
                    self._open = None
            try:
                batch.reports = self._run(list(batch.portals))
            finally:
                with self._changed:
                    batch.done = True
                    self._changed.notify_all()
        return batch.reports.get(portal.id)

