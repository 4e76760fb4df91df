"""What a recrawl of an unchanged portal costs: requests sent and time, beside its first crawl.

    python bench/recrawl.py [--articles 10000]

Target: the recrawl of an unchanged portal fetches robots.txt and the first listing page, nothing
else, however many articles the portal holds.

Then a re-verification: every stored article's validators and listing signature forgotten, so
the crawl fetches, parses and stores every page again and finds each unchanged: the write path of
rechecks (compare with what is stored) at full scale, as its time beside the first crawl's.

Last, the daily cost of the sweep of old articles: the rechecks that fall due on each of the next
`sweep_days` days (one crawl a day) for the archive just stored, against archive / sweep_days.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy  # noqa: E402

from bench.simulated import timed_crawl, write_registry  # noqa: E402
from crawler.portals import get_portal  # noqa: E402
from crawler.sim.portal import SimulatedPortal  # noqa: E402
from spiders.portal import check_is_due  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import utcnow  # noqa: E402
from storage.store import crawl_state  # noqa: E402


def sweep_per_day(db_url: str, registry: Path) -> tuple[list[int], int, int]:
    """Rechecks due on each day of one sweep period, for the stored archive (one crawl a day)."""
    portal = get_portal("bench", registry)
    database = open_database(db_url)
    with database.session() as session:
        known = crawl_state(session, "bench")
    database.dispose()
    start, per_day = utcnow(), []
    for day in range(1, portal.sweep_days + 1):
        now = start + timedelta(days=day)
        due = [url for url, article in known.items() if check_is_due(article, now, portal)]
        for url in due:
            known[url] = dataclasses.replace(known[url], last_checked_at=now)
        per_day.append(len(due))
    return per_day, len(known), portal.sweep_days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--per-page", type=int, default=20)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        SimulatedPortal(articles=args.articles, per_page=args.per_page) as portal,
    ):
        registry = write_registry(Path(tmp), portal)
        db_url = f"sqlite:///{tmp}/bench.db"
        print(f"first crawl of {args.articles} articles ({portal.page_count} listing pages)...", flush=True)
        first_time, first = timed_crawl(registry, db_url)
        first_requests = portal.request_count()
        portal.reset_log()
        again_time, again = timed_crawl(registry, db_url)
        paths = [r.path for r in portal.requests]
        engine = sqlalchemy.create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(
                "UPDATE articles SET etag = NULL, last_modified = NULL, listing_signature = NULL"))
        engine.dispose()
        portal.reset_log()
        verify_time, verify = timed_crawl(registry, db_url)
        verify_requests = portal.request_count()
        per_day, archive, sweep_days = sweep_per_day(db_url, registry)
    print(f"first crawl:   {first_time:7.1f} s, {first_requests} requests  ({first})")
    print(f"recrawl:       {again_time:7.1f} s, {len(paths)} requests  ({again})")
    print(f"recrawl requests: {', '.join(paths)}")
    print(f"recrawl / first crawl time: {again_time / first_time:.3f}")
    print(f"re-verify:     {verify_time:7.1f} s, {verify_requests} requests  ({verify})")
    print(f"re-verify / first crawl time: {verify_time / first_time:.3f}")
    print(f"sweep of old articles: {sum(per_day)} rechecks in {sweep_days} days for {archive} stored "
          f"(each once); per day min {min(per_day)} / mean {sum(per_day) / len(per_day):.0f} / "
          f"max {max(per_day)}, target archive / sweep_days = {archive / sweep_days:.0f}; "
          f"max / target {max(per_day) / (archive / sweep_days):.2f}")


if __name__ == "__main__":
    main()
