"""The web's Today page on a store of 100,000 articles, beside the query it runs alone.

    .venv/bin/python bench/web.py [--count 100000] [--repeat 30] [--sqlite PATH] [--postgres ADMIN_URL]

Fills each database once with bench/query.py's articles (reused when it holds `--count`), each
with its first-crawl (baseline) event and version, plus a week of news: every day a few hundred
articles new, edited (a new version with its diff) or removed. Then it serves the app with
`portalwatch serve` on 127.0.0.1 (its own process) and times GET / (Today: the last 24 h,
rendered), the edits of 7 days and one portal's day over HTTP, beside
`storage.events.recent_events` alone for the same filters in this process (the query
`portalwatch events` and the CLI would run). Target: Today under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.query import _p95, _timed, bench_databases, fill  # noqa: E402
from crawler.changes import diff_records  # noqa: E402
from crawler.core.records import ArticleRecord  # noqa: E402
from storage.db import Database, open_database  # noqa: E402
from storage.events import EventFilter, recent_events  # noqa: E402
from storage.models import Article, ArticleEvent, ArticleVersion  # noqa: E402

WEEK_EVENTS_PER_DAY = 400  # new, edited or removed, across the portals


def fill_events(db: Database) -> None:
    """A baseline event and version per article, and a week of events ending now (kept for reruns)."""
    with db.session() as s:
        have = s.scalar(select(func.count(ArticleEvent.id))) or 0
        articles = s.scalar(select(func.count(Article.id))) or 0
    if have >= articles:
        print(f"  {db.dialect}: reusing {have:,} stored events (the week ends when they were made)")
        return
    rng, now, started = random.Random(7), datetime.now(UTC), time.monotonic()
    with db.session() as s:
        rows = s.execute(select(Article.id, Article.portal_id, Article.first_seen_at)).all()
    for start in range(0, len(rows), 5_000):
        chunk = rows[start:start + 5_000]
        with db.session() as s:
            s.execute(insert(ArticleEvent), [
                {"article_id": r.id, "portal_id": r.portal_id, "kind": "new", "version": 1,
                 "occurred_at": r.first_seen_at, "baseline": True} for r in chunk])
    with db.session() as s:
        for day in range(7):
            for article_id in rng.sample([r.id for r in rows], WEEK_EVENTS_PER_DAY):
                article = s.get(Article, article_id)
                assert article is not None
                when = now - timedelta(days=day, seconds=rng.randint(0, 86_399))
                kind = rng.choices(["changed", "removed", "new"], weights=[6, 1, 3])[0]
                if kind == "changed":
                    old = ArticleRecord(url=article.url, canonical_url=article.canonical_url,
                                        portal=article.portal_id, title=article.title, published_at=None,
                                        lead=article.lead, body=list(article.body))
                    body = list(article.body)
                    body[0] = body[0].replace("tỉnh", "Tỉnh", 1) + " (cập nhật)"
                    new = ArticleRecord(**{**old.__dict__, "body": body, "content_hash": ""})
                    article.version += 1
                    article.body, article.last_changed_at = body, when
                    s.add(ArticleVersion(article_id=article.id, version=article.version, record=new.to_dict(),
                                         content_hash=new.content_hash, diff=diff_records(old, new),
                                         changed_fields=["body"], created_at=when))
                elif kind == "removed":
                    article.removed_at = article.last_changed_at = when
                s.add(ArticleEvent(article_id=article.id, portal_id=article.portal_id, kind=kind,
                                   version=article.version, occurred_at=when, baseline=False))
            s.flush()
    print(f"  {db.dialect}: events filled in {time.monotonic() - started:.0f}s")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"))


def serve(url: str) -> tuple[str, subprocess.Popen[bytes]]:
    """`portalwatch serve` in its own process, as a user runs it (the client here shares no GIL with it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "crawler.cli", "serve", "--port", str(port), "--db", url]
    process = subprocess.Popen(command, env={**os.environ, "PORTALWATCH_TOKEN": "bench"},
                               stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(base + "/healthz", timeout=2).raise_for_status()
            return base, process
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("portalwatch serve did not start") from None
            time.sleep(0.1)


def measure(db: Database, repeat: int) -> list[tuple[str, float, float]]:
    base, server = serve(db.url)
    now = datetime.now(UTC)
    cases = [
        ("Today, last 24 h", "/", EventFilter(since=now - timedelta(hours=24))),
        ("Today, 7 d, edits only", "/?window=7d&event=changed",
         EventFilter(since=now - timedelta(days=7), kinds=("changed",))),
        ("Today, 24 h, one portal", "/?portal=hanoi", EventFilter(since=now - timedelta(hours=24),
                                                                  portals=("hanoi",))),
    ]
    results = []
    print(f"  {'page':<26} {'events':>7} {'page p50':>9} {'page p95':>9} {'query p50':>10} {'query p95':>10}"
          f" {'ratio':>6}")
    with httpx.Client(base_url=base, timeout=30) as client:
        for label, path, filters in cases:
            shown = len(recent_events(db, filters).entries)
            page = _timed(lambda p=path: client.get(p).raise_for_status(), repeat)
            alone = _timed(lambda f=filters: recent_events(db, f, limit=50), repeat)
            print(f"  {label:<26} {shown:>7} {statistics.median(page):>9.1f} {_p95(page):>9.1f}"
                  f" {statistics.median(alone):>10.1f} {_p95(alone):>10.1f} {_p95(page) / _p95(alone):>6.2f}")
            results.append((label, _p95(page), _p95(alone)))
    server.terminate()
    server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sqlite", default="bench-web.db", help="SQLite file (kept for reruns)")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="admin URL; the bench creates and keeps database pw_bench_web beside it")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    for url in bench_databases(args.sqlite, None if args.skip_postgres else args.postgres, "pw_bench_web"):
        db = open_database(url)
        print(f"{db.dialect}:")
        fill(db, args.count)
        fill_events(db)
        results = measure(db, args.repeat)
        worst = max(page for _, page, _ in results)
        print(f"  slowest page p95 {worst:.1f} ms (target 200 ms): {'met' if worst < 200 else 'NOT met'}")
        db.dispose()


if __name__ == "__main__":
    main()
