"""Scheduled checks of a fleet of unchanged portals: batched crawl processes vs one per portal.

    python bench/fleet.py [--portals 1000] [--sample 30]
    python bench/fleet.py --broker redis://127.0.0.1:6379/0 [--workers 1,2]

Every portal of a simulated fleet (crawler/sim/fleet.py, one process, one port a portal) is
crawled once (its baseline), then `portalwatch schedule --once` checks them all again, each
portal due: robots.txt and listing page 1 at the polite default settings. Printed side by side,
from one run: portal checks per minute with the due portals batched into crawl processes
(`--batch-size`), and with one crawl process per portal (`--batch-size 1`, the scheduler before
batches) on a sample of the fleet, extrapolated (the per-portal cost does not depend on the
fleet's size). With --broker: the same checks queued on Celery and crawled by 1, then 2,
`portalwatch worker` processes on a PostgreSQL database, and the scaling ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from crawler.sim.fleet import SimulatedFleet  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import CrawlRun  # noqa: E402

PG_ADMIN = os.environ.get("PORTALWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLI = [sys.executable, "-m", "crawler.cli"]


def registry(folder: Path, fleet: SimulatedFleet, count: int, name: str) -> Path:
    """The first `count` portals of the fleet, each due every second (so every one is due at
    each `--once`), and no built-in portal (nothing here goes to the internet)."""
    lines = ["builtin_portals = false", ""]
    for number in range(count):
        portal = fleet.portals[number]
        lines += [f"[portals.{fleet.portal_id(number)}]", f'start_urls = ["{portal.start_url}"]',
                  'every = "1s"', ""]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def schedule_once(db_url: str, portals: Path, *extra: str) -> float:
    """Seconds one `schedule --once` took, every portal of `portals` due."""
    started = time.perf_counter()
    result = subprocess.run([*CLI, "schedule", "--once", "--db", db_url, "--portals", str(portals),
                             "--jitter", "0", *extra], capture_output=True, text=True)
    took = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"schedule --once failed ({result.returncode}):\n"
                 f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return took


def ok_runs(db_url: str) -> int:
    database = open_database(db_url)
    with database.session() as session:
        count = session.scalar(select(func.count(CrawlRun.id)).where(CrawlRun.status == "ok")) or 0
    database.dispose()
    return count


def wait_for_ok_runs(db_url: str, count: int, deadline: float) -> None:
    end = time.monotonic() + deadline
    while ok_runs(db_url) < count:
        if time.monotonic() > end:
            sys.exit(f"only {ok_runs(db_url)} of {count} crawls done after {deadline:.0f} s")
        time.sleep(0.25)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    name = f"pw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def workers(count: int, broker: str, queue: str, db_url: str, portals: Path, folder: Path,
            batch_size: int) -> Iterator[None]:
    processes = [subprocess.Popen(
        [*CLI, "worker", "--broker", broker, "--queue", queue, "--db", db_url, "--portals", str(portals),
         "--concurrency", "1", "--batch-size", str(batch_size)],
        stdout=(folder / f"worker{n}.log").open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
        for n in range(count)]
    try:
        end = time.monotonic() + 120
        logs = [folder / f"worker{n}.log" for n in range(count)]
        while not all("ready." in log.read_text(errors="replace") for log in logs):
            if time.monotonic() > end:
                sys.exit("the workers did not start within 120 s")
            time.sleep(0.2)
        yield
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=30,
                        help="portals the one-process-per-portal mode checks (default 30)")
    parser.add_argument("--articles", type=int, default=10, help="articles a portal (default 10)")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=2,
                        help="crawl processes at once, both modes (default 2)")
    parser.add_argument("--broker", help="also measure Celery workers on this broker (PostgreSQL database)")
    parser.add_argument("--workers", default="1,2",
                        help="worker counts to measure with --broker (default 1,2)")
    args = parser.parse_args()
    if args.sample > args.portals:
        parser.error("--sample must not exceed --portals")
    parallel = ["--parallel", str(args.parallel)]
    with tempfile.TemporaryDirectory() as tmp, SimulatedFleet(args.portals, articles=args.articles) as fleet:
        folder = Path(tmp)
        everything = registry(folder, fleet, args.portals, "fleet")
        sample = registry(folder, fleet, args.sample, "sample")
        print(f"{args.portals} simulated portals ({args.articles} articles each) on 127.0.0.1; "
              f"polite default crawl settings; {args.parallel} crawl processes at once", flush=True)

        batched_db = f"sqlite:///{folder / 'batched.db'}"
        first = schedule_once(batched_db, everything, "--batch-size", str(args.batch_size), *parallel)
        print(f"baseline (first) crawl of all, batched: {first:.1f} s", flush=True)
        batched = schedule_once(batched_db, everything, "--batch-size", str(args.batch_size), *parallel)
        print(f"checks, batched ({args.batch_size} a process): {batched:.1f} s", flush=True)

        single_db = f"sqlite:///{folder / 'single.db'}"
        schedule_once(single_db, sample, "--batch-size", "1", *parallel)
        single = schedule_once(single_db, sample, "--batch-size", "1", *parallel)
        print(f"checks, one process a portal, {args.sample} of them: {single:.1f} s", flush=True)

        batched_rate, single_rate = per_minute(args.portals, batched), per_minute(args.sample, single)
        print()
        print(f"{'mode':<44} {'checks/min':>11}")
        print(f"{'batched, ' + str(args.portals) + ' portals':<44} {batched_rate:>11,.0f}")
        print(f"{'one process a portal (' + str(args.sample) + ' portals, extrapolated)':<44} "
              f"{single_rate:>11,.0f}")
        print(f"batched / one process a portal: {batched_rate / single_rate:.1f}x "
              f"({args.portals} portals one process each: ~{args.portals / single_rate:.1f} min)", flush=True)

        if not args.broker:
            return
        counts = [int(n) for n in args.workers.split(",")]
        rates: dict[int, float] = {}
        with throwaway_postgres() as pg_url:
            open_database(pg_url).dispose()  # the schema, before the workers start
            queue = f"pw-bench-{uuid.uuid4().hex[:8]}"
            broker = ["--broker", args.broker, "--queue", queue, "--batch-size", str(args.batch_size)]
            with workers(max(counts), args.broker, queue, pg_url, everything, folder, args.batch_size):
                schedule_once(pg_url, everything, *broker)  # the baseline, crawled by the workers
                wait_for_ok_runs(pg_url, args.portals, 1800)
            for count in counts:
                with workers(count, args.broker, queue, pg_url, everything, folder, args.batch_size):
                    done = ok_runs(pg_url)
                    started = time.perf_counter()
                    schedule_once(pg_url, everything, *broker)
                    wait_for_ok_runs(pg_url, done + args.portals, 1800)
                    took = time.perf_counter() - started
                rates[count] = per_minute(args.portals, took)
                print(f"checks via {args.broker}, {count} worker(s) on PostgreSQL: {took:.1f} s, "
                      f"{rates[count]:,.0f}/min", flush=True)
        if len(counts) > 1:
            ratio = rates[counts[-1]] / rates[counts[0]]
            print(f"scaling {counts[-1]} vs {counts[0]} worker(s): {ratio:.2f}x")


if __name__ == "__main__":
    main()
