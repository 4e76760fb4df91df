"""What a recrawl of an unchanged portal costs: requests sent and time, beside its first crawl.

    python bench/recrawl.py [--articles 10000]

Target: the recrawl of an unchanged portal fetches robots.txt and the first listing page, nothing
else, however many articles the portal holds.

Then a re-verification: every stored article's validators and listing signature forgotten, so
the crawl fetches, parses and stores every page again and finds each unchanged: the write path of
rechecks (compare with what is stored) at full scale, as its time beside the first crawl's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy  # noqa: E402

from bench.simulated import timed_crawl, write_registry  # noqa: E402
from crawler.sim.portal import SimulatedPortal  # noqa: E402


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
    print(f"first crawl:   {first_time:7.1f} s, {first_requests} requests  ({first})")
    print(f"recrawl:       {again_time:7.1f} s, {len(paths)} requests  ({again})")
    print(f"recrawl requests: {', '.join(paths)}")
    print(f"recrawl / first crawl time: {again_time / first_time:.3f}")
    print(f"re-verify:     {verify_time:7.1f} s, {verify_requests} requests  ({verify})")
    print(f"re-verify / first crawl time: {verify_time / first_time:.3f}")


if __name__ == "__main__":
    main()
