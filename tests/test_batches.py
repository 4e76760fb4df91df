"""Many portals in one crawl process: `crawl ID ID ...` and the scheduler's batches."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from crawler.scheduling.launch import DEFAULT_CRAWL_COMMAND
from crawler.sim.fleet import SimulatedFleet
from storage.db import open_database
from storage.models import Article, CrawlRun

REPO = Path(__file__).resolve().parents[1]


def fleet_registry(tmp_path: Path, fleet: SimulatedFleet) -> Path:
    # the fleet's file is the whole registry: no built-in portal is crawled, none reaches the internet
    return fleet.write_registry(tmp_path / "fleet.toml", every="1h")


def runs_by_portal(db_url: str) -> dict[str, list[CrawlRun]]:
    database = open_database(db_url)
    with database.session() as session:
        runs: dict[str, list[CrawlRun]] = {}
        for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id)):
            runs.setdefault(run.portal_id, []).append(run)
    database.dispose()
    return runs


def test_a_hanging_portal_in_a_batch_holds_back_no_other_and_each_run_is_its_own(
        tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedFleet(3, articles=5) as fleet:
        hung = fleet.portals[1]
        hung.set_delay(hung.listing_url(), 600)  # its listing never answers within the time limit
        registry = fleet_registry(tmp_path, fleet)
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "sim0000", "sim0001", "sim0002",
             "--db", sqlite_url, "--portals", str(registry), "--no-throttle", "--time-limit", "4",
             # the hung request is dropped after 10 s (not the default 30) once its time limit has closed it
             "--download-timeout", "10"],
            capture_output=True, text=True, timeout=120, cwd=REPO)
        expected = {fleet.portal_id(n): {a["canonical_url"] for a in p.expected_articles()}
                    for n, p in enumerate(fleet.portals)}
    assert result.returncode == 1, result.stderr  # one portal could not be reached
    assert "sim0001 could not be reached" in result.stderr
    runs = runs_by_portal(sqlite_url)
    assert [run.status for run in runs["sim0000"]] == ["ok"]
    assert [run.status for run in runs["sim0002"]] == ["ok"]
    assert [run.status for run in runs["sim0001"]] == ["interrupted"]  # its own time limit
    assert "time limit reached" in runs["sim0001"][0].errors[-1]["reason"]
    assert len({run.pid for portal in runs.values() for run in portal}) == 1  # one process
    database = open_database(sqlite_url)
    with database.session() as session:
        stored = {row.portal_id: set() for row in session.scalars(select(Article))}
        for row in session.scalars(select(Article)):
            stored[row.portal_id].add(row.canonical_url)
    database.dispose()
    assert stored == {"sim0000": expected["sim0000"], "sim0002": expected["sim0002"]}


def test_schedule_once_crawls_the_due_portals_in_batches_of_batch_size(
        tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedFleet(5, articles=3) as fleet:
        registry = fleet_registry(tmp_path, fleet)
        result = subprocess.run(
            [sys.executable, str(REPO / "scheduler.py"), "--once", "--db", sqlite_url, "--portals",
             str(registry), "--batch-size", "3", "--parallel", "1",
             "--crawl-command", shlex.join([*DEFAULT_CRAWL_COMMAND, "--no-throttle"])],
            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "5 crawl(s) run, 0 failed" in result.stdout
    runs = runs_by_portal(sqlite_url)
    assert sorted(runs) == [fleet.portal_id(n) for n in range(5)]
    assert all([run.status for run in portal] == ["ok"] for portal in runs.values())
    processes = sorted(len([r for p in runs.values() for r in p if r.pid == pid])
                       for pid in {run.pid for portal in runs.values() for run in portal})
    assert processes == [2, 3]  # two crawl processes: a batch of 3, then the other 2
