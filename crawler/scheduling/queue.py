"""Past one machine: due crawls on a Celery queue, crawled by workers on as many machines as run one.

`portalwatch schedule --broker URL` decides what is due, exactly as without a broker, and puts
each batch of due portals on the queue as one task. `portalwatch worker --broker URL` takes
tasks and crawls each batch in one Scrapy process (`crawler.crawling.runner.run_crawls`), all
workers writing to one PostgreSQL database. Redis and RabbitMQ brokers both work.

What makes it safe:
- a portal is never crawled by two workers at once: each crawl claims the portal's lock in the
  database (storage.store.claim_portal); a second worker given the same portal stands aside;
- every task runs in a fresh pool process (`max_tasks_per_child=1`): Twisted's reactor runs
  once per process, and a wedged crawl takes down only its own process;
- late acknowledgement (`acks_late`, `reject_on_worker_lost`): a task is acknowledged when its
  crawl has ended, so a worker killed mid-crawl (SIGKILL, a lost machine) leaves it on the
  queue, redelivered to the next worker; the next crawl of the portal closes the dead run as
  failed and completes the work (articles are keyed by URL: nothing lost, nothing twice). On
  Redis an unacknowledged task comes back after the visibility timeout, sized to the time limit
  so that a crawl still running is never handed out twice (and if it were, the lock holds);
- a hard time limit per task: the crawls stop themselves at `time_limit` (their runs are
  written), and a pool process still alive `kill_grace` later is killed;
- alerts are delivered after each batch by whichever process holds the "alerts" lock
  (storage.db.exclusive): one place at a time, however many workers finish together.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Celery

log = logging.getLogger("portalwatch.worker")

TASK_NAME = "portalwatch.crawl_batch"
DEFAULT_QUEUE = "portalwatch"


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker crawls with: its own database URL and registry (the same on every machine)."""

    db_url: str
    portals_file: str | None = None
    time_limit: float = 20 * 60.0  # seconds a crawl may run before it stops itself
    kill_grace: float = 60.0  # seconds more before the pool process is killed
    batch_size: int = 50  # portals crawling at once in one process
    throttle: bool = True


# Set by `portalwatch worker` before the pool forks: every pool process inherits it.
_worker: WorkerSettings | None = None


def make_app(broker_url: str, *, queue: str = DEFAULT_QUEUE, time_limit: float = 20 * 60.0,
             kill_grace: float = 60.0, visibility_timeout: float | None = None) -> Celery:
    """The Celery app of one broker, for the scheduler (to send) and the worker (to run)."""
    app = Celery("portalwatch", broker=broker_url, set_as_current=False)
    # Redis hands an unacknowledged task out again this long after it was taken: longer than a
    # crawl may run, or a live crawl's batch would be given to a second worker.
    visibility = visibility_timeout or time_limit + kill_grace + 60
    app.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,  # a batch that failed or hit the limit is not retried
        worker_prefetch_multiplier=1,  # take one batch at a time: the others stay for other workers
        worker_max_tasks_per_child=1,  # a fresh process (and reactor) for every batch
        task_time_limit=time_limit + kill_grace,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,  # a batch prints its portals' summaries, as `crawl` does
        broker_transport_options={
            "visibility_timeout": visibility,
            # Look for abandoned tasks every few seconds (kombu's default scan is every 100 s).
            "unacked_restore_interval": max(1, min(10, int(visibility // 4))),
            "unacked_restore_throttle": 1,
        },
    )
    app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True)(crawl_batch)
    return app


def enqueue(app: Celery, portal_ids: list[str]) -> None:
    """Put one batch of due portals on the queue."""
    app.send_task(TASK_NAME, args=[list(portal_ids)])


def crawl_batch(portal_ids: list[str]) -> dict[str, str]:
    """The task: crawl a batch of portals in this (fresh) pool process; each portal's status."""
    from crawler.crawling.runner import crawl_settings, run_crawls
    from crawler.portals import load_registry
    from crawler.scheduling.health import record_crawl
    from crawler.scheduling.launch import LaunchResult
    from storage.db import open_database

    settings = _worker
    if settings is None:
        raise RuntimeError("no worker settings: run tasks with `portalwatch worker`")
    registry = load_registry(settings.portals_file)
    unknown = [portal_id for portal_id in portal_ids if portal_id not in registry]
    if unknown:
        log.warning("not in this worker's registry, not crawled: %s", ", ".join(unknown))
    portals = [registry[portal_id] for portal_id in portal_ids if portal_id in registry]
    database = open_database(settings.db_url)
    try:
        before = _last_run_ids(database, [portal.id for portal in portals])
    finally:
        database.dispose()
    stale_after = settings.time_limit + settings.kill_grace + 60
    crawl = crawl_settings(settings.db_url, settings.portals_file, time_limit=settings.time_limit,
                           throttle=settings.throttle, log_level="WARNING",
                           extra={"PORTALWATCH_RUN_STALE_AFTER": str(stale_after),
                                  "PORTALWATCH_DELIVER_ALERTS": ""})  # once per batch, below
    started, clock = datetime.now(UTC), time.monotonic()
    outcomes = run_crawls(portals, crawl, batch_size=settings.batch_size,
                          batch_time_limit=settings.time_limit + settings.kill_grace / 2)
    duration = time.monotonic() - clock
    database = open_database(settings.db_url)
    try:
        for portal, outcome in zip(portals, outcomes, strict=True):
            print(outcome.summary, flush=True)  # the worker's log, as `crawl` prints them
            if outcome.status in ("busy", "not-started"):
                continue
            # The portal's health, as the scheduler keeps it for crawls it runs itself.
            launch = LaunchResult(portal.id, 0, started, duration, timed_out=False, killed=False,
                                  stopped_for_shutdown=False, output_tail="")
            report = record_crawl(database, portal, launch, after_run_id=before.get(portal.id, 0),
                                  kill_grace=settings.kill_grace, time_limit=settings.time_limit)
            if report.outcome == "failed":
                log.warning("%s", report.log_line())
        deliver_alerts_once(database)
    finally:
        database.dispose()
    return {outcome.portal_id: outcome.status for outcome in outcomes}


def deliver_alerts_once(database: Any) -> None:
    """Deliver pending alerts unless another process is delivering now (it takes them all)."""
    from crawler.alerts.dispatch import deliver_pending
    from storage.db import exclusive

    with exclusive(database, "alerts") as held:
        if not held:
            log.debug("another process is delivering alerts")
            return
        try:
            report = deliver_pending(database)
        except Exception:  # delivery must not fail the batch; the next turn retries
            log.exception("alert delivery failed; retrying at the next turn")
            return
        if getattr(report, "sent", 0) or getattr(report, "retrying", 0) or getattr(report, "failed", 0):
            log.info("alerts: %s", report)


def _last_run_ids(database: Any, portal_ids: list[str]) -> dict[str, int]:
    from sqlalchemy import func, select

    from storage.models import CrawlRun

    with database.session() as session:
        rows = session.execute(select(CrawlRun.portal_id, func.max(CrawlRun.id))
                               .where(CrawlRun.portal_id.in_(portal_ids)).group_by(CrawlRun.portal_id))
        return {portal_id: run_id for portal_id, run_id in rows}


def run_worker(app: Celery, settings: WorkerSettings, *, concurrency: int, loglevel: str = "INFO") -> int:
    """Run a worker until SIGTERM/Ctrl-C (Celery's warm shutdown: running batches finish first)."""
    global _worker
    _worker = settings
    # Imported here, before the pool forks, so that every batch process starts without paying
    # for Scrapy's and SQLAlchemy's imports again (nothing here installs a reactor).
    import crawler.crawling.runner  # noqa: F401

    # A node name of its own: Celery names a worker after its host, and on RabbitMQ a second
    # worker of the same machine could not open its (exclusive) remote-control queue and died.
    app.worker_main(["worker", f"--concurrency={max(1, concurrency)}", "--pool=prefork",
                     f"--loglevel={loglevel}", "--without-gossip", "--without-mingle",
                     f"--hostname=portalwatch-{os.getpid()}@%h",
                     f"--queues={app.conf.task_default_queue}"])
    return 0

