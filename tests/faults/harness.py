"""The fault suite's tools: crawls and sends killed with SIGKILL at seeded random points, and the
invariants checked after each (issue 15).

Each crawl and each `alerts send` is its own process (as under the scheduler), against the
simulated portal on 127.0.0.1 and a local webhook receiver. A point is "after the portal served
k requests" (a crawl) or "after the channel received k messages" (a send): k is drawn from a
seeded random.Random, so a failing point can be replayed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from crawler.alerts.rules import build_spec, create_rule
from crawler.sim.portal import SimulatedPortal
from storage.db import open_database
from storage.models import AlertDelivery, Article, ArticleEvent, ArticleVersion, CrawlRun
from tests.crawling import crawl_command, run_crawl, write_registry
from tests.receivers import WebhookReceiver

# What a reader sees, compared field by field with what the simulated portal published.
FIELDS = ("title", "lead", "body", "images", "attachments", "author", "source", "category")
BATCH = "PORTALWATCH_BATCH_SIZE=4"  # small batches: a kill lands between commits as well as in one
KIND_OF_LABEL = {"Tin mới": "new", "Tin được sửa": "changed", "Tin bị gỡ": "removed",
                 "Tin đăng lại": "restored"}


def wait_until(condition: Callable[[], bool], what: str, process: subprocess.Popen[str] | None = None,
               deadline: float = 60) -> bool:
    """Poll `condition` until true; False when `process` ended first (then there is nothing to kill)."""
    end = time.monotonic() + deadline
    while not condition():
        if process is not None and process.poll() is not None:
            return False
        assert time.monotonic() < end, f"{what}: not within {deadline}s"
        time.sleep(0.01)  # polling interval, not a wait for an outcome
    return True


def kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: no handler, no cleanup, as the OOM killer or a power cut
    process.communicate(timeout=60)  # reaped: its pid is gone, so its run can be closed as abandoned


@dataclass
class Site:
    """One simulated portal, its registry, a database and a webhook with a rule for every event."""

    portal: SimulatedPortal
    registry: Path
    db_url: str
    hook: WebhookReceiver

    @classmethod
    def open(cls, tmp_path: Path, db_url: str, hook: WebhookReceiver, *, articles: int = 30,
             **settings: Any) -> Site:
        portal = SimulatedPortal(articles=articles, per_page=10)
        registry = write_registry(tmp_path, portal, **settings)
        database = open_database(db_url)
        with database.session() as session:  # the rule exists before the first crawl: every event
            create_rule(session, build_spec(name="tat-ca", notify=[hook.url(secret=False)],
                                            on="new,changed,removed,restored"))
        database.dispose()
        return cls(portal, registry, db_url, hook)

    def close(self) -> None:
        self.portal.stop()

    # -- runs -----------------------------------------------------------------------------------

    def crawl(self, *extra: str) -> subprocess.CompletedProcess[str]:
        result = run_crawl(self.registry, self.db_url, "-s", BATCH, *extra)
        assert result.returncode == 0, result.stderr
        return result

    def crawl_killed_after(self, requests: int, *extra: str) -> bool:
        """A crawl killed once the portal served `requests` requests; False if it ended first."""
        served = self.portal.request_count()
        process = subprocess.Popen(crawl_command(self.registry, self.db_url, "-s", BATCH, *extra),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        reached = wait_until(lambda: self.portal.request_count() - served >= requests,
                             f"{requests} requests", process)
        kill(process)
        return reached

    def send_killed_after(self, messages: int) -> bool:
        """`alerts send` killed once the webhook received `messages` more; False if it ended first."""
        received = len(self.hook.payloads)
        command = [sys.executable, "-m", "crawler.cli", "alerts", "send", "--db", self.db_url]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        reached = wait_until(lambda: len(self.hook.payloads) - received >= messages,
                             f"{messages} messages", process)
        kill(process)
        return reached

    # -- what was stored and sent --------------------------------------------------------------

    def alerted(self) -> Counter[tuple[str, str]]:
        """(event kind, article URL) of every message the webhook received, with its count."""
        sent: Counter[tuple[str, str]] = Counter()
        for payload in self.hook.payloads:
            label = payload["title"].split(":", 1)[0]
            url = re.search(r"^Link: (\S+)$", payload["message"], re.M)
            assert url is not None, payload["message"]
            sent[(KIND_OF_LABEL[label], url.group(1))] += 1
        return sent

    def events(self) -> list[tuple[str, str, bool]]:
        """(kind, article URL, baseline) of every stored event."""
        database = open_database(self.db_url)
        with database.session() as session:
            rows = session.execute(select(ArticleEvent.kind, Article.canonical_url, ArticleEvent.baseline)
                                   .join(Article, Article.id == ArticleEvent.article_id)
                                   .order_by(ArticleEvent.id)).all()
        database.dispose()
        return [(kind, url, baseline) for kind, url, baseline in rows]

    def check_store(self, *, versions: dict[str, int] | None = None, removed: set[str] = frozenset()) -> None:
        """Every article of the portal stored once and exactly as published; `versions`: the
        version count of each edited article (others: 1), so no version without a change."""
        versions = versions or {}
        expected = {e["url"]: e for e in self.portal.expected_articles()}
        database = open_database(self.db_url)
        with database.session() as session:
            keys = session.execute(select(Article.canonical_url, func.count(Article.id))
                                   .group_by(Article.canonical_url)).all()
            assert all(count == 1 for _, count in keys), "an article stored twice"
            articles = {a.canonical_url: a for a in session.scalars(select(Article))}
            assert set(articles) == set(expected) | removed, "articles missing or extra"
            for url, article in articles.items():
                assert (article.removed_at is not None) == (url in removed), url
                if url in removed:
                    continue
                for name in FIELDS:
                    assert getattr(article, name) == expected[url][name], (url, name)
                assert article.published_at == expected[url]["published_at"], url
                hashes = session.scalars(select(ArticleVersion.content_hash)
                                         .where(ArticleVersion.article_id == article.id)
                                         .order_by(ArticleVersion.version)).all()
                assert len(hashes) == versions.get(url, 1) == article.version, (url, hashes)
                assert all(a != b for a, b in zip(hashes, hashes[1:], strict=False)), url
            stuck = session.scalar(select(func.count(AlertDelivery.id)).where(AlertDelivery.status != "sent"))
            assert stuck == 0, f"{stuck} alert(s) not sent"
            running = session.scalar(select(func.count(CrawlRun.id)).where(CrawlRun.status == "running"))
            assert running == 0, "a run left 'running'"
        database.dispose()
