"""Crawls on a Celery queue (`schedule --broker`, `worker --broker`) against the real Redis (and
RabbitMQ) and PostgreSQL of this machine: a killed worker loses nothing, two workers never crawl
one portal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.sim.portal import SimulatedPortal
from storage.db import open_database
from storage.models import Article, CrawlRun
from tests.conftest import REPO
from tests.crawling import run_crawl, write_registry
from tests.receivers import WebhookReceiver

BROKERS = {
    "redis": os.environ.get("PORTALWATCH_TEST_REDIS", "redis://127.0.0.1:6379/0"),
    "rabbitmq": os.environ.get("PORTALWATCH_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672//"),
}


def _unreachable(url: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"broker not reachable at {url}: {type(exc).__name__}: {str(exc)[:120]}"
    return None


@pytest.fixture(params=list(BROKERS))
def broker(request: pytest.FixtureRequest) -> str:
    """Each broker the README says works: the tests run on both, each skipped when absent."""
    url = BROKERS[request.param]
    if reason := _unreachable(url):
        pytest.skip(reason)
    return url


def wait_for(condition: Callable[[], bool], what: str, deadline: float = 120.0,
             details: Callable[[], str] = str) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}\n{details()}"
        time.sleep(0.1)  # polling interval, not a wait for an outcome


class Workers:
    """`portalwatch worker` processes on a queue of their own, each in its own process group
    (so that a SIGKILL takes the worker and its pool at once, as a lost machine would)."""

    def __init__(self, tmp_path: Path, db_url: str, registry: Path, broker: str) -> None:
        self.tmp_path, self.db_url, self.registry, self.broker = tmp_path, db_url, registry, broker
        self.queue = f"pw-test-{uuid.uuid4().hex[:10]}"
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, *extra: str) -> int:
        log = self.tmp_path / f"worker{len(self.processes)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "worker", "--broker", self.broker, "--queue", self.queue,
             "--db", self.db_url, "--portals", str(self.registry), "--concurrency", "1", "--no-throttle",
             *extra],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO)
        self.processes.append((process, log))
        return len(self.processes) - 1

    def log(self, number: int) -> str:
        return self.processes[number][1].read_text(errors="replace")

    def enqueue(self, portal_ids: list[str]) -> None:
        from crawler.scheduling.queue import enqueue, make_app

        enqueue(make_app(self.broker, queue=self.queue), portal_ids)

    def kill(self, number: int) -> None:
        process = self.processes[number][0]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        from kombu import Connection

        with Connection(self.broker, connect_timeout=5) as connection:  # the test's queue, gone
            connection.default_channel.queue_delete(self.queue)


@pytest.fixture
def workers_for(tmp_path: Path, broker: str) -> Iterator[Callable[[str, Path], Workers]]:
    made: list[Workers] = []

    def make(db_url: str, registry: Path) -> Workers:
        made.append(Workers(tmp_path, db_url, registry, broker))
        return made[-1]

    yield make
    for workers in made:
        workers.stop_all()


def runs(db_url: str) -> list[CrawlRun]:
    database = open_database(db_url)
    with database.session() as session:
        found = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    database.dispose()
    return found


def stored_urls(db_url: str) -> list[str]:
    database = open_database(db_url)
    with database.session() as session:
        found = list(session.scalars(select(Article.canonical_url)))
    database.dispose()
    return found


def delivery_statuses(db_url: str) -> dict[str, int]:
    from storage.models import AlertDelivery

    database = open_database(db_url)
    with database.session() as session:
        rows = session.execute(select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status))
        statuses = {status: count for status, count in rows}
    database.dispose()
    return statuses


def test_a_worker_killed_mid_crawl_loses_nothing_and_the_next_completes_it(
        tmp_path: Path, postgres_url: str, hook: WebhookReceiver,
        workers_for: Callable[[str, Path], Workers]) -> None:
    with SimulatedPortal(articles=20, per_page=10) as portal:
        registry = write_registry(tmp_path, portal)
        baseline = run_crawl(registry, postgres_url)  # the first crawl: stored, never alerted
        assert baseline.returncode == 0, baseline.stderr
        added = subprocess.run([sys.executable, "-m", "crawler.cli", "alerts", "add", "--db", postgres_url,
                                "--name", "everything", "--on", "new", "--notify", hook.url()],
                               capture_output=True, text=True, cwd=REPO, timeout=120)
        assert added.returncode == 0, added.stderr
        new = portal.add_articles(30)
        held = portal.article_url(new[-1])  # the crawl cannot end while this one is held
        portal.set_delay(held, 600)
        workers = workers_for(postgres_url, registry)
        # A short visibility timeout, so that the killed worker's batch comes back within the test.
        first = workers.start("--visibility-timeout", "3")
        workers.enqueue(["sim"])
        # The first 20 new articles are committed (one batch), the crawl waits on the held one.
        wait_for(lambda: len(stored_urls(postgres_url)) >= 40, "the worker to store a batch of articles")
        workers.kill(first)
        killed_run = runs(postgres_url)[-1]
        assert killed_run.status == "running"  # left as a crashed process leaves it
        portal.set_delay(held, 0)
        workers.start("--visibility-timeout", "3")
        wait_for(lambda: runs(postgres_url)[-1].status == "ok" and len(runs(postgres_url)) == 3,
                 "the redelivered batch to be crawled to its end")
        expected = {article["canonical_url"] for article in portal.expected_articles()}
    urls = stored_urls(postgres_url)
    assert sorted(urls) == sorted(expected)  # every article, each stored once
    first_run, killed, completed = runs(postgres_url)
    assert (first_run.status, killed.status, completed.status) == ("ok", "failed", "ok")
    assert "ended without finishing the run" in killed.errors[-1]["reason"]  # accounted for
    assert killed.articles_new + completed.articles_new == 30
    # The outbox says every alert was sent (marked right after the webhook took it), and the
    # webhook got each once: the killed crawl's 20 and the completing crawl's 10, the baseline none.
    wait_for(lambda: delivery_statuses(postgres_url) == {"sent": 30}, "every alert to be sent")
    messages = hook.wait_for(30, timeout=120)
    assert len(messages) == 30


def test_two_workers_given_the_same_portal_at_once_one_crawls_one_stands_aside(
        tmp_path: Path, postgres_url: str, workers_for: Callable[[str, Path], Workers]) -> None:
    with SimulatedPortal(articles=20, per_page=10) as portal:
        registry = write_registry(tmp_path, portal)
        open_database(postgres_url).dispose()  # the schema, before two workers race to create it
        held = portal.expected_articles()[-1]["url"]
        portal.set_delay(held, 600)  # the first crawl is still running when the second starts
        workers = workers_for(postgres_url, registry)
        one, two = workers.start(), workers.start()
        workers.enqueue(["sim"])
        workers.enqueue(["sim"])
        wait_for(lambda: any("sim: not crawled" in workers.log(n) for n in (one, two)),
                 "one worker to stand aside", details=lambda: workers.log(one) + workers.log(two))
        portal.set_delay(held, 0)
        portal.stop()  # releases the held article: the crawl that holds the portal ends
        wait_for(lambda: bool(runs(postgres_url)) and runs(postgres_url)[-1].status != "running",
                 "the crawl to end")
    [run] = runs(postgres_url)  # one crawl, one run
    assert run.status == "ok"
    stood_aside = [n for n in (one, two) if "sim: not crawled" in workers.log(n)]
    assert len(stood_aside) == 1
