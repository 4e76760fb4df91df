"""Articles per minute crawled and stored from a simulated portal, beside `scrapy bench` in the same run.

    python bench/crawl.py [--articles 1000]

Throttling is off (the simulated portal is local); both figures come from this machine in this
run, so their ratio is what to compare across changes, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.simulated import timed_crawl, write_registry  # noqa: E402
from crawler.sim.portal import SimulatedPortal  # noqa: E402


def crawl_rate(articles: int, per_page: int) -> tuple[float, str]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        SimulatedPortal(articles=articles, per_page=per_page) as portal,
    ):
        elapsed, summary = timed_crawl(write_registry(Path(tmp), portal), f"sqlite:///{tmp}/bench.db")
    return articles / elapsed * 60, summary


def scrapy_bench_rate(seconds: int) -> float:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy.cmdline",
            "bench",
            "-s",
            f"CLOSESPIDER_TIMEOUT={seconds}",
            "-s",
            "LOG_LEVEL=INFO",
        ],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    rates = [int(r) for r in re.findall(r"at (\d+) pages/min", result.stderr)]
    if not rates:
        raise SystemExit(f"scrapy bench printed no rate:\n{result.stderr[-2000:]}")
    return max(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--bench-seconds", type=int, default=10)
    args = parser.parse_args()
    rate, summary = crawl_rate(args.articles, args.per_page)
    print(f"portalwatch crawl: {summary}")
    print(f"portalwatch crawl + store: {rate:,.0f} articles/min ({args.articles} articles, whole process)")
    bench = scrapy_bench_rate(args.bench_seconds)
    print(f"scrapy bench (no parsing, no storage): {bench:,.0f} pages/min")
    print(f"ratio portalwatch / scrapy bench: {rate / bench:.2f}")


if __name__ == "__main__":
    main()
