"""The scheduler as a user meets it: portals crawled on their interval, never twice at once, a
schedule that survives restarts, failing portals that back off and recover, crashes and hangs that
are recorded without stopping anything, a clean exit on SIGTERM, and `--once` for cron.

Scheduling mechanics run a fake crawl (tests/fake_crawl.py). It writes CrawlRuns the way
`portalwatch crawl` does, and can be made to fail, crash, block or hang. The end-to-end test runs
the real `portalwatch crawl` against the simulated portal. Nothing sleeps to wait: every wait
polls for what it waits for, with a deadline. A time limit or a backoff is reached by moving a
test clock (Clock), never by waiting it out: how long a loaded machine takes cannot change what
the tests see.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from sqlalchemy import select

from crawler import scheduling
from crawler.portals import read_registry_file
from crawler.scheduling import CrawlReport, PortalScheduler, ScheduleSettings, backoff_delay, job_id
from crawler.scheduling.launch import DEFAULT_CRAWL_COMMAND
from storage.db import open_database
from storage.models import CrawlRun, Portal, utcnow

REPO = Path(__file__).resolve().parents[1]
FAKE_CRAWL = (sys.executable, str(REPO / "tests" / "fake_crawl.py"))


def wait_for(condition: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    # Generous: only a failure waits this long, and a loaded CI machine starts processes slowly.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


class Clock:
    """Time as the test moves it. now(): the scheduler's time of day, standing still until moved;
    monotonic(): its launcher's seconds (time limits, grace), real time plus the moves."""

    def __init__(self) -> None:
        self.start = utcnow()
        self.moved = 0.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.moved)

    def monotonic(self) -> float:
        return time.monotonic() + self.moved

    def advance(self, seconds: float) -> None:
        self.moved += seconds


class Fake:
    """The fake crawl's control folder: how each portal behaves, and what it did."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def mode(self, portal: str, mode: str) -> None:
        (self.folder / f"{portal}.mode").write_text(mode)

    def release(self, portal: str) -> None:
        (self.folder / f"{portal}.release").write_text("go")

    def lines(self, portal: str) -> list[str]:
        log = self.folder / f"{portal}.log"
        return log.read_text().splitlines() if log.exists() else []

    def starts(self, portal: str) -> int:
        return sum(line.startswith("start") for line in self.lines(portal))


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    folder = tmp_path / "fake"
    folder.mkdir()
    monkeypatch.setenv("FAKE_CRAWL_DIR", str(folder))  # inherited by every crawl process
    return Fake(folder)


def portals_file(tmp_path: Path, every: dict[str, str], *, url: str = "http://127.0.0.1:9/tin-tuc") -> Path:
    # The whole registry (no built-in portal), so that nothing here ever reaches a live portal; the
    # built-in thainguyen's id is kept, pointing at the test's URL.
    every = {"thainguyen": "1h", **every}
    path = tmp_path / "portals.toml"
    path.write_text("builtin_portals = false\n" + "".join(
        f'[portals.{pid}]\nname = "{pid}"\nstart_urls = ["{url}"]\nevery = "{interval}"\n'
        for pid, interval in every.items()
    ), encoding="utf-8")
    return path


class Harness:
    """PortalSchedulers over one database and one registry file, as successive processes would be."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url, self.tmp_path = url, tmp_path
        self.reports: list[CrawlReport] = []
        self.open: list[PortalScheduler] = []

    def scheduler(self, every: dict[str, str], clock: Clock | None = None,
                  **settings: Any) -> PortalScheduler:
        path = portals_file(self.tmp_path, every)
        registry = {pid: p for pid, p in read_registry_file(path).items() if pid in every}
        # A time limit no test reaches unless it moves a Clock: a crawl is never cut short by load.
        options: dict[str, Any] = dict(time_limit=600.0, kill_grace=5.0, jitter=0.0, crawl_command=FAKE_CRAWL)
        options.update(settings)
        settings_ = ScheduleSettings(db_url=self.url, portals_file=str(path), **options)
        if clock is None:
            service = PortalScheduler(settings_, registry=registry)
        else:
            service = PortalScheduler(settings_, registry=registry, clock=clock.now)
            service.launcher.clock = clock.monotonic
        service.on_report = self.reports.append
        self.open.append(service)
        return service

    def reports_of(self, portal: str) -> list[CrawlReport]:
        return [report for report in list(self.reports) if report.portal_id == portal]

    def health(self, portal: str) -> Portal:
        database = open_database(self.url)
        try:
            with database.session() as session:
                row = session.get(Portal, portal)
                assert row is not None
                return row
        finally:
            database.dispose()

    def runs(self, portal: str) -> list[CrawlRun]:
        database = open_database(self.url)
        try:
            with database.session() as session:
                return list(session.scalars(select(CrawlRun).where(CrawlRun.portal_id == portal)
                                            .order_by(CrawlRun.id)))
        finally:
            database.dispose()


def _harness(url: str, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(url, tmp_path)
    yield h
    for service in h.open:
        service.close()


@pytest.fixture
def harness(sqlite_url: str, tmp_path: Path) -> Iterator[Harness]:
    yield from _harness(sqlite_url, tmp_path)


@pytest.fixture
def any_db(db_url: str, tmp_path: Path) -> Iterator[Harness]:
    """The same, on SQLite and on PostgreSQL: the job store is whichever database portalwatch uses."""
    yield from _harness(db_url, tmp_path)


def next_run(service: PortalScheduler, portal: str) -> datetime | None:
    return {row.portal_id: row for row in service.scheduled_portals()}[portal].next_run_time


def run_cli(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "scheduler.py"), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


# -- runs happen, logged, never overlapping ----------------------------------------------------


def test_each_portal_is_crawled_on_its_interval_and_each_run_is_logged(
    harness: Harness, fake: Fake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="portalwatch.schedule")
    service = harness.scheduler({"alpha": "1s", "beta": "1s"})
    service.start()
    wait_for(lambda: len(harness.reports_of("alpha")) >= 2 and len(harness.reports_of("beta")) >= 2,
             "two crawls of each portal")
    service.close()
    assert [r.status for r in harness.runs("alpha")][:2] == ["ok", "ok"]
    logged = [r.getMessage() for r in caplog.records if r.name == "portalwatch.schedule"]
    line = next(m for m in logged if m.startswith("alpha: ok in"))
    assert "2 new, 1 changed, 0 removed" in line and "0 errors" in line


def test_a_portal_is_never_crawled_twice_at_once_even_when_a_crawl_outlasts_its_interval(
    harness: Harness, fake: Fake
) -> None:
    fake.mode("alpha", "block")  # the first crawl runs until released, well past the 1 s interval
    service = harness.scheduler({"alpha": "1s"})
    skipped: list[object] = []
    service.scheduler.add_listener(skipped.append, EVENT_JOB_MAX_INSTANCES)
    service.start()
    # The crawl process takes a while to start (and longer on a busy machine): wait until it has,
    # then for two more turns, all skipped while it runs.
    wait_for(lambda: fake.starts("alpha") >= 1, "the first crawl to start")
    wait_for(lambda: len(skipped) >= 2, "two turns to come while the first crawl still runs")
    assert fake.starts("alpha") == 1
    fake.release("alpha")
    wait_for(lambda: fake.starts("alpha") >= 2, "the next turn after the first crawl ended")
    fake.release("alpha")
    wait_for(lambda: len(harness.reports_of("alpha")) >= 2, "the second crawl to be recorded")
    service.close()
    lines = fake.lines("alpha")
    assert "OVERLAP" not in lines
    first_end = next(float(line.split()[1]) for line in lines if line.startswith("end"))
    second_start = [float(line.split()[1]) for line in lines if line.startswith("start")][1]
    assert second_start >= first_end


# -- a schedule that survives restarts ----------------------------------------------------------


def test_restart_keeps_each_portals_next_run_and_does_not_recrawl(any_db: Harness, fake: Fake) -> None:
    first = any_db.scheduler({"alpha": "1h"})
    first.start()  # a first start: alpha is due at once
    wait_for(lambda: any_db.reports_of("alpha"), "the first crawl")
    planned = next_run(first, "alpha")
    first.close()
    assert planned is not None and timedelta(minutes=59) < planned - utcnow() <= timedelta(hours=1)

    again = any_db.scheduler({"alpha": "1h"})
    assert again.start().kept == ["alpha"]
    assert abs((next_run(again, "alpha") - planned).total_seconds()) < 0.01
    again.close()
    cron = any_db.scheduler({"alpha": "1h"})
    assert cron.run_due_once() == []  # nothing is due after a restart within the hour
    assert fake.starts("alpha") == 1


def test_registry_changes_add_and_remove_jobs_at_the_next_start(harness: Harness) -> None:
    first = harness.scheduler({"alpha": "1h", "beta": "1h", "gamma": "1h"})
    first.open()
    first.reconcile(spread_first_runs=False, now=utcnow() + timedelta(minutes=5))
    alpha_next = next_run(first, "alpha")
    first.close()

    # beta leaves the registry, delta joins, gamma's interval shrinks to 10 minutes.
    second = harness.scheduler({"alpha": "1h", "gamma": "10m", "delta": "1h"})
    second.open()
    report = second.reconcile(spread_first_runs=False)
    assert (report.added, report.removed, report.rescheduled, report.kept) == (
        ["delta"], ["beta"], ["gamma"], ["alpha"])
    rows = {row.portal_id: row for row in second.scheduled_portals()}
    assert "beta" not in rows
    assert rows["alpha"].next_run_time == alpha_next
    assert rows["gamma"].every == timedelta(minutes=10)
    assert rows["gamma"].next_run_time <= utcnow() + timedelta(minutes=10)


def test_missed_turns_while_the_scheduler_was_down_become_one_crawl(harness: Harness, fake: Fake) -> None:
    service = harness.scheduler({"alpha": "1h"})
    service.open()
    service.reconcile(spread_first_runs=False)
    # As if the process had been down for five and a half hours: five turns missed.
    service.scheduler.modify_job(job_id("alpha"), "default", next_run_time=utcnow() - timedelta(hours=5.5))
    service.start()
    wait_for(lambda: harness.reports_of("alpha"), "the catch-up crawl")
    upcoming = next_run(service, "alpha")
    service.close()
    assert fake.starts("alpha") == 1  # one crawl, not five, and not none
    assert upcoming is not None and utcnow() < upcoming <= utcnow() + timedelta(hours=1)


# -- failures: back off, recover, crashes and hangs recorded ------------------------------------


def test_backoff_doubles_with_each_failure_up_to_the_cap() -> None:
    every = timedelta(minutes=30)
    waits = [backoff_delay(every, failures, cap=timedelta(hours=6)) for failures in range(1, 6)]
    assert waits == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4), timedelta(hours=6),
                     timedelta(hours=6)]
    assert backoff_delay(every, 0) == timedelta(0)


def test_a_failing_portal_backs_off_is_shown_failing_and_recovers_by_itself(
    harness: Harness, fake: Fake
) -> None:
    from crawler.cli.schedule import format_schedule

    fake.mode("alpha", "fail")
    clock = Clock()
    service = harness.scheduler({"alpha": "1s"}, clock=clock)
    [failed] = service.run_due_once()
    assert failed.outcome == "failed" and "connection refused" in (failed.reason or "")
    health = harness.health("alpha")
    assert health.consecutive_failures == 1 and "connection refused" in (health.last_error or "")
    assert health.backoff_until is not None
    backoff = health.backoff_until - clock.now()
    assert abs(backoff - timedelta(seconds=2)) < timedelta(milliseconds=1)  # 2 x 1 s
    # The job itself waits for the backoff: its next turn is not the next second.
    assert next_run(service, "alpha") == health.backoff_until
    listing = format_schedule(service.scheduled_portals(), clock.now())
    assert re.search(r"alpha .*FAILING: 1 failed crawl\(s\) in a row.*connection refused",
                     " ".join(listing.split()))  # the HEALTH cell wraps

    clock.advance(1.5)  # its next turn by the interval has come, but not the end of the backoff
    assert service.run_due_once() == []  # still backing off: the portal is left alone
    assert fake.starts("alpha") == 1

    fake.mode("alpha", "ok")  # the portal answers again
    clock.advance(1.0)  # past the backoff
    recovered = service.run_due_once()
    assert [report.outcome for report in recovered] == ["ok"]
    health = harness.health("alpha")
    assert (health.consecutive_failures, health.last_error, health.backoff_until) == (0, None, None)


def test_a_hung_crawl_is_killed_at_its_time_limit_and_recorded_failed_while_others_go_on(
    harness: Harness, fake: Fake
) -> None:
    fake.mode("alpha", "hang")  # ignores SIGTERM
    clock = Clock()
    service = harness.scheduler({"alpha": "1h", "beta": "1h"}, clock=clock, kill_grace=0.5, parallel=2)

    def beta_crawled(times: int) -> None:
        service.scheduler.modify_job(job_id("beta"), "default", next_run_time=utcnow())  # its turn now
        wait_for(lambda: len(harness.reports_of("beta")) >= times, f"beta's crawl number {times}")

    service.start()  # a first start: both are due at once
    wait_for(lambda: "ready" in fake.lines("alpha"), "alpha's crawl to hang")
    wait_for(lambda: harness.reports_of("beta"), "beta's first crawl")
    beta_crawled(2)  # while alpha hangs
    assert not harness.reports_of("alpha")
    # The time limit passes; no crawl of beta runs now (its next turn is an hour away), so only
    # alpha's is stopped, and it is killed half a second after ignoring its SIGTERM.
    clock.advance(service.settings.time_limit)
    wait_for(lambda: harness.reports_of("alpha"), "the hung crawl to be killed and recorded")
    beta_crawled(3)  # after the kill
    service.close()
    [report] = harness.reports_of("alpha")
    assert report.status == "failed" and "hung" in (report.reason or "") and "killed" in (report.reason or "")
    [run] = harness.runs("alpha")
    assert run.status == "failed" and run.finished_at is not None
    assert any("hung" in str(error) for error in run.errors)
    assert harness.health("alpha").consecutive_failures == 1
    assert [r.status for r in harness.reports_of("beta")] == ["ok", "ok", "ok"]


def test_a_crawl_still_running_at_its_time_limit_stops_keeps_its_run_and_counts_as_a_failure(
    harness: Harness, fake: Fake
) -> None:
    fake.mode("alpha", "block")  # a slow portal: the crawl would go on past its limit
    clock = Clock()
    service = harness.scheduler({"alpha": "1h"}, clock=clock, time_limit=60.0)
    with ThreadPoolExecutor(1) as pool:
        crawling = pool.submit(service.run_due_once)
        wait_for(lambda: "ready" in fake.lines("alpha"), "the crawl to be under way")
        clock.advance(60.0)  # its time limit
        [report] = crawling.result(timeout=120)
    assert report.status == "interrupted"  # the crawl stopped on SIGTERM and wrote its own run
    assert report.outcome == "failed" and "time limit (1m)" in (report.reason or "")
    assert fake.lines("alpha")[-1].endswith("interrupted")
    assert harness.health("alpha").backoff_until is not None


def test_crashed_crawls_are_recorded_as_failed_runs_with_the_reason(harness: Harness, fake: Fake) -> None:
    fake.mode("alpha", "crash")  # dies before writing a run
    fake.mode("beta", "crash-running")  # dies leaving its run 'running'
    service = harness.scheduler({"alpha": "1h", "beta": "1h", "gamma": "1h"})
    reports = {report.portal_id: report for report in service.run_due_once()}
    assert {pid: r.outcome for pid, r in reports.items()} == {"alpha": "failed", "beta": "failed",
                                                              "gamma": "ok"}
    [alpha] = harness.runs("alpha")
    assert alpha.status == "failed" and alpha.finished_at is not None
    assert "exited with code 70 without recording a run" in str(alpha.errors)
    assert "RuntimeError: fake crawl crashed" in str(alpha.errors)
    [beta] = harness.runs("beta")
    assert beta.status == "failed" and "leaving its run open" in str(beta.errors)
    assert "crawl exited with code 70" in (harness.health("beta").last_error or "")


def test_pending_alerts_are_delivered_while_the_scheduler_runs_and_after_once(
    harness: Harness, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliveries: list[object] = []
    monkeypatch.setattr(scheduling, "deliver_pending", lambda database, **_: deliveries.append(database))
    service = harness.scheduler({"alpha": "1h"})
    service.start()
    wait_for(lambda: deliveries, "the alert delivery job")
    service.close()
    deliveries.clear()
    harness.scheduler({"alpha": "1h"}).run_due_once()
    assert len(deliveries) == 1


# -- the command: --once, --list, SIGTERM --------------------------------------------------------


def test_once_crawls_what_is_due_then_exits_and_a_second_once_finds_nothing_due(
    sqlite_url: str, tmp_path: Path, fake: Fake
) -> None:
    fake.mode("alpha", "fail")
    path = portals_file(tmp_path, {"alpha": "1h"})
    common = ["--db", sqlite_url, "--portals", str(path), "--crawl-command", " ".join(FAKE_CRAWL)]
    first = run_cli(*common, "--once")
    assert first.returncode == 1, first.stderr  # a cron job that had a failure says so
    assert "2 crawl(s) run, 1 failed" in first.stdout  # alpha and thainguyen: a first start
    second = run_cli(*common, "--once")
    assert second.returncode == 0 and "0 crawl(s) run" in second.stdout
    assert (fake.starts("alpha"), fake.starts("thainguyen")) == (1, 1)
    listing = run_cli(*common, "--list").stdout
    assert re.search(r"thainguyen\s+1h\s+\S+ \S+ \(in (59m\d*s?|1h)\)\s+ok, last crawl", listing)
    backing_off = r"alpha\s+1h\s+\S+ \S+ \(in (1h59m|2h)\)\s+FAILING: 1 failed crawl\(s\) in a row.*refused"
    assert re.search(backing_off, " ".join(listing.split()))  # the HEALTH cell wraps


@pytest.mark.parametrize("mode", ["block", "hang"])
def test_sigterm_lets_the_running_crawl_stop_records_its_run_and_exits_0(
    sqlite_url: str, tmp_path: Path, fake: Fake, mode: str
) -> None:
    fake.mode("alpha", mode)
    path = portals_file(tmp_path, {"alpha": "1s"})
    process = subprocess.Popen(
        [sys.executable, str(REPO / "scheduler.py"), "--db", sqlite_url, "--portals", str(path),
         "--crawl-command", " ".join(FAKE_CRAWL), "--jitter", "0", "--kill-grace", "0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        wait_for(lambda: "ready" in fake.lines("alpha"), "the crawl to be under way")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    harness = Harness(sqlite_url, tmp_path)
    [run] = harness.runs("alpha")
    assert run.status == "interrupted" and run.finished_at is not None, stderr
    assert "alpha: interrupted" in stderr
    if mode == "block":  # the crawl stopped by itself and wrote its own run
        assert fake.lines("alpha")[-1].endswith("interrupted")
    else:  # it would not stop: killed after the grace, and the scheduler closed its run
        assert "killed because the scheduler was shutting down" in str(run.errors)
    assert harness.health("alpha").consecutive_failures == 0  # our stop is not the portal's failure


# -- end to end ---------------------------------------------------------------------------------


CRAWL_MISSING = pytest.mark.skipif(importlib.util.find_spec("crawler.cli.crawl") is None,
                                   reason="`portalwatch crawl` (crawler/cli/crawl.py) has not landed yet")
# The default command, unthrottled: the simulated portal needs no politeness delay.
UNTHROTTLED = shlex.join([*DEFAULT_CRAWL_COMMAND, "--no-throttle"])


@CRAWL_MISSING
def test_once_runs_the_real_crawl_against_the_simulated_portal(sqlite_url: str, tmp_path: Path) -> None:
    from crawler.sim.portal import SimulatedPortal

    with SimulatedPortal(articles=6, per_page=3) as portal:
        path = portals_file(tmp_path, {"thainguyen": "1h"}, url=portal.start_url)
        common = ["--db", sqlite_url, "--portals", str(path), "--crawl-command", UNTHROTTLED]
        done = run_cli(*common, "--once")
        assert done.returncode == 0, done.stderr
        assert "thainguyen: ok in" in done.stderr and "6 new" in done.stderr
        assert "1 crawl(s) run, 0 failed" in done.stdout
        again = run_cli(*common, "--once")
        assert "0 crawl(s) run" in again.stdout
    harness = Harness(sqlite_url, tmp_path)
    [run] = harness.runs("thainguyen")
    assert run.status == "ok" and run.articles_new == 6
    assert harness.health("thainguyen").consecutive_failures == 0


@CRAWL_MISSING
def test_a_real_crawl_of_a_portal_that_answers_500_is_shown_failing_with_its_error(
    sqlite_url: str, tmp_path: Path
) -> None:
    from crawler.sim.portal import SimulatedPortal

    with SimulatedPortal(articles=3) as portal:
        portal.set_failure("*", status=503)
        path = portals_file(tmp_path, {"thainguyen": "1h"}, url=portal.start_url)
        common = ["--db", sqlite_url, "--portals", str(path), "--crawl-command", UNTHROTTLED]
        done = run_cli(*common, "--once")
    assert done.returncode == 1 and "1 crawl(s) run, 1 failed" in done.stdout, done.stderr
    health = Harness(sqlite_url, tmp_path).health("thainguyen")
    assert health.consecutive_failures == 1 and "503" in (health.last_error or "")
    assert health.backoff_until is not None and health.backoff_until - utcnow() > timedelta(hours=1.9)
    # env: pytest's terminal width (COLUMNS=80, set below os.environ) must not reach the child.
    portals = subprocess.run([sys.executable, "-m", "crawler.cli", "portals", "--db", sqlite_url,
                              "--portals", str(path)], capture_output=True, text=True, timeout=120,
                             env=dict(os.environ))
    assert "FAILING: 1 failed crawl(s) in a row" in portals.stdout and "503" in portals.stdout


@CRAWL_MISSING
def test_sigterm_stops_a_real_crawl_midway_and_its_run_is_recorded(sqlite_url: str, tmp_path: Path) -> None:
    from crawler.sim.portal import SimulatedPortal

    with SimulatedPortal(articles=30, per_page=5) as portal:
        portal.set_delay("*", 0.3)  # a slow portal: the crawl is still going when we stop
        path = portals_file(tmp_path, {"thainguyen": "1h"}, url=portal.start_url)
        process = subprocess.Popen(
            [sys.executable, str(REPO / "scheduler.py"), "--db", sqlite_url, "--portals", str(path),
             "--crawl-command", UNTHROTTLED, "--jitter", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
        try:
            wait_for(lambda: portal.request_count() >= 4, "the crawl to be under way")
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
        requests = portal.request_count()
    assert process.returncode == 0, stderr
    [run] = Harness(sqlite_url, tmp_path).runs("thainguyen")
    assert run.status == "interrupted" and run.finished_at is not None
    assert run.articles_new > 0 and requests < 1 + 5 + 25  # stopped midway, what it had was kept
    assert "thainguyen: interrupted in" in stderr  # the run's line in the scheduler's log
    assert Harness(sqlite_url, tmp_path).health("thainguyen").consecutive_failures == 0  # not a failure
