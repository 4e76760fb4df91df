"""`portalwatch crawl`, `portals` and `demo` as a user meets them: exit codes, messages, interruptions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.sim.portal import SimulatedPortal
from storage.db import open_database
from storage.models import Article, ArticleVersion, CrawlRun
from tests.crawling import crawl_command, run_crawl, write_registry


def count_articles(db_url: str) -> int:
    database = open_database(db_url)
    with database.session() as session:
        count = session.scalar(select(func.count(Article.id))) or 0
    database.dispose()
    return count


def wait_for_articles(db_url: str, at_least: int, process: subprocess.Popen[str],
                      deadline: float = 60) -> None:
    """Poll the store until the crawl has committed `at_least` articles (no fixed sleep)."""
    end = time.monotonic() + deadline
    while count_articles(db_url) < at_least:
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < end, f"fewer than {at_least} articles stored after {deadline}s"
        time.sleep(0.05)  # polling interval, not a wait for an outcome


def start_crawl(registry: Path, db_url: str, batch_size: int) -> subprocess.Popen[str]:
    """A crawl in its own process, committing every `batch_size` articles, to interrupt or race."""
    return subprocess.Popen(crawl_command(registry, db_url, "-s", f"PORTALWATCH_BATCH_SIZE={batch_size}"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_bad_portals_file_exits_2_naming_file_and_problem(tmp_path: Path, sqlite_url: str) -> None:
    bad = tmp_path / "portals.toml"
    bad.write_text('[portals.sim]\ncms = "joomla"\nstart_urls = ["http://127.0.0.1:9/"]\n', encoding="utf-8")
    result = run_crawl(bad, sqlite_url)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "'sim'" in result.stderr and "unknown cms 'joomla'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "nowhere"], "unknown portal(s) nowhere"),
        (["crawl"], "name the portal(s) to crawl, or --all"),
        (["crawl", "thainguyen", "--db", "nonsense://x"], "unsupported database URL"),
        (["crawl", "thainguyen", "--db", "sqlite:////no/such/folder/x.db"], "folder does not exist"),
        (["crawl", "thainguyen", "-s", "NOEQUALS"], "-s takes NAME=VALUE"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def slow_portal(delay: float = 0.3, *, hold_oldest: bool = False) -> SimulatedPortal:
    """`hold_oldest`: the oldest article answers only when the portal stops, so a crawl of it
    cannot end before then, however slow the machine."""
    portal = SimulatedPortal(articles=30, per_page=10)
    if hold_oldest:  # set first: the first delay that matches a path applies
        portal.set_delay(portal.expected_articles()[-1]["url"], 600)
    portal.set_delay("/tin-tuc-su-kien/-/*", delay)  # article pages only: the crawl lasts a few seconds
    return portal


def test_crawl_killed_half_way_leaves_whole_articles_and_the_next_crawl_completes(
    tmp_path: Path, sqlite_url: str
) -> None:
    with slow_portal() as portal:
        registry = write_registry(tmp_path, portal)
        process = start_crawl(registry, sqlite_url, 4)
        try:
            wait_for_articles(sqlite_url, 4, process)
        finally:
            process.kill()
            process.communicate(timeout=30)
        expected = {e["url"]: e for e in portal.expected_articles()}
        database = open_database(sqlite_url)
        with database.session() as session:
            stored = session.scalars(select(Article)).all()
            assert 4 <= len(stored) < 30
            for article in stored:  # each stored article is whole: its fields and its first version
                assert article.body == expected[article.canonical_url]["body"]
                assert session.scalar(select(func.count(ArticleVersion.id))
                                      .where(ArticleVersion.article_id == article.id)) == 1
        database.dispose()
        portal.set_delay("/tin-tuc-su-kien/-/*", 0)
        result = run_crawl(registry, sqlite_url)
    assert result.returncode == 0, result.stderr
    assert count_articles(sqlite_url) == 30
    database = open_database(sqlite_url)
    with database.session() as session:  # the killed crawl's run is closed, not left 'running'
        killed, completed = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert (killed.status, completed.status) == ("failed", "ok")
        assert f"process {process.pid} ended without finishing the run" in killed.errors[-1]["reason"]
    database.dispose()


def test_a_portal_another_process_is_crawling_is_not_crawled_twice(tmp_path: Path, sqlite_url: str) -> None:
    portal = slow_portal(hold_oldest=True)  # the first crawl is still running when the second looks
    registry = write_registry(tmp_path, portal)
    first = start_crawl(registry, sqlite_url, 4)
    try:
        wait_for_articles(sqlite_url, 4, first)
        second = run_crawl(registry, sqlite_url)
    finally:
        first.send_signal(signal.SIGTERM)
        portal.stop()  # releases the held article, so the first crawl can finish its run
        first.communicate(timeout=60)
    assert second.returncode == 4, second.stderr
    assert f"not crawled: run 1 (process {first.pid} on " in second.stdout
    database = open_database(sqlite_url)
    with database.session() as session:  # the second wrote no run: it did not crawl
        assert session.scalar(select(func.count(CrawlRun.id))) == 1
    database.dispose()


def test_sigterm_stops_the_crawl_gracefully_and_records_the_run(tmp_path: Path, sqlite_url: str) -> None:
    with slow_portal() as portal:
        registry = write_registry(tmp_path, portal)
        process = start_crawl(registry, sqlite_url, 2)
        wait_for_articles(sqlite_url, 2, process)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "sim: interrupted" in out
    database = open_database(sqlite_url)
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        assert run.status == "interrupted" and run.finished_at is not None
        assert run.articles_new == count_articles(sqlite_url) >= 2
    database.dispose()


def test_time_limit_stops_the_crawl_and_keeps_what_was_fetched(tmp_path: Path, sqlite_url: str) -> None:
    # 30 articles of 1 s each, 8 at a time, take 4 s at least: the 1 s limit always cuts the crawl.
    with slow_portal(delay=1.0) as portal:
        result = run_crawl(write_registry(tmp_path, portal), sqlite_url, "--time-limit", "1")
    assert result.returncode == 0
    database = open_database(sqlite_url)
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        assert run.status == "interrupted"
        assert any(e["reason"] == "time limit reached" for e in run.errors)
        assert run.articles_new == count_articles(sqlite_url) < 30
    database.dispose()


def test_portals_lists_registry_and_marks_failing_portals(tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=3) as portal:
        registry = write_registry(tmp_path, portal)
        assert run_crawl(registry, sqlite_url).returncode == 0
    database = open_database(sqlite_url)
    with database.session() as session:
        from storage.models import Portal

        state = session.get(Portal, "sim")
        assert state is not None
        state.consecutive_failures, state.last_error = 3, "HTTP 503 after retries"
    database.dispose()
    # env: pytest's terminal width (COLUMNS=80, set below os.environ) must not reach the child.
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "portals", "--portals", str(registry),
                             "--db", sqlite_url], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ))
    assert result.returncode == 0
    assert "thainguyen" in result.stdout and "sim " in result.stdout
    assert "FAILING: 3 failed crawl(s) in a row; last error: HTTP 503 after retries" in result.stdout
