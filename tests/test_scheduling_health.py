"""Whether a portal may be crawled now: runs left 'running' by processes that ended, and live ones."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest

from crawler.portals import PortalConfig
from crawler.scheduling.health import clear_to_crawl
from storage.db import Database
from storage.models import CrawlRun, utcnow
from storage.store import ensure_portal, start_run

PORTAL = PortalConfig("tn", "Thái Nguyên", "liferay", ("https://thainguyen.gov.vn/tin-tuc-su-kien",))
STALE_AFTER = timedelta(hours=1)


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The pid of a process that stays alive until the test ends."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    yield process.pid
    process.communicate(timeout=30)


def ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


def left_running(db: Database, *, pid: int, host: str | None = None, age: timedelta = timedelta(0)) -> int:
    with db.session() as s:
        ensure_portal(s, PORTAL.id, name=PORTAL.name, cms=PORTAL.cms, timezone=PORTAL.timezone)
        run = start_run(s, PORTAL.id, baseline=False)
        run.pid, run.started_at = pid, utcnow() - age
        if host is not None:
            run.host = host
        return run.id


def run_of(db: Database, run_id: int) -> CrawlRun:
    with db.session() as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None
        s.expunge(run)
        return run


def test_a_run_left_running_by_a_process_of_this_machine_that_ended_is_closed_at_once(db: Database) -> None:
    run_id = left_running(db, pid=ended_pid())  # killed a minute ago, long before any time limit
    clearance = clear_to_crawl(db, PORTAL, stale_after=STALE_AFTER)
    assert clearance.skip_reason is None
    run = run_of(db, run_id)
    assert run.status == "failed" and run.finished_at is not None
    assert "ended without finishing the run" in run.errors[-1]["reason"]


def test_a_live_crawl_of_this_machine_is_never_taken_for_stale(db: Database, live_pid: int) -> None:
    run_id = left_running(db, pid=live_pid, age=STALE_AFTER * 3)  # a long backfill by hand
    clearance = clear_to_crawl(db, PORTAL, stale_after=STALE_AFTER)
    assert clearance.skip_reason is not None and f"run #{run_id}" in clearance.skip_reason
    assert run_of(db, run_id).status == "running"


@pytest.mark.parametrize(("age", "cleared"), [(timedelta(minutes=5), False), (timedelta(hours=2), True)])
def test_another_machines_run_is_judged_by_its_age(db: Database, age: timedelta, cleared: bool) -> None:
    run_id = left_running(db, pid=ended_pid(), host="another-crawler", age=age)
    clearance = clear_to_crawl(db, PORTAL, stale_after=STALE_AFTER)
    assert (clearance.skip_reason is None) is cleared
    assert run_of(db, run_id).status == ("failed" if cleared else "running")
