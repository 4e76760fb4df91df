"""`portalwatch worker --broker URL`: crawl the batches `schedule --broker URL` puts on the queue.

How it works and why it is safe: crawler/scheduling/queue.py.
"""

from __future__ import annotations

import argparse

from crawler.cli.common import db_url
from crawler.core.errors import UserError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "worker", help="crawl the portals `schedule --broker` queues (start one on every crawl machine)",
        description="Take batches of due portals from a Celery queue and crawl each in a fresh process. "
        "Every worker and the scheduler use the same database (PostgreSQL when they are on several "
        "machines) and the same portals file. Stop with SIGTERM: running batches finish first.",
    )
    add_broker_options(parser, required=True)
    parser.add_argument("--concurrency", type=int, default=2, metavar="N",
                        help="batches crawled at once, each in its own process (default 2)")
    parser.add_argument("--batch-size", type=int, default=50, metavar="N",
                        help="portals crawling at once within a batch's process (default 50)")
    parser.add_argument("--time-limit", type=float, default=20 * 60.0, metavar="S",
                        help="seconds a crawl may run; its process is killed a grace period later "
                        "(default 1200)")
    parser.add_argument("--kill-grace", type=float, default=60.0, metavar="S",
                        help="seconds after the time limit before a batch's process is killed (default 60)")
    parser.add_argument("--visibility-timeout", type=float, default=None, metavar="S",
                        help="Redis: seconds before the batch of a worker that died goes to another "
                        "(default: time limit + kill grace + 60)")
    parser.add_argument("--no-throttle", action="store_true",
                        help="no AutoThrottle or delay (for local or your own servers only)")
    parser.set_defaults(func=run)


def add_broker_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--broker", metavar="URL", required=required, default=None,
                        help="Celery broker: redis://HOST:6379/0 or amqp://guest@HOST:5672//")
    parser.add_argument("--queue", metavar="NAME", default=None,
                        help="queue name on the broker (default portalwatch)")


def run(args: argparse.Namespace) -> int:
    from crawler.scheduling.queue import DEFAULT_QUEUE, WorkerSettings, make_app, run_worker
    from storage.db import open_database

    for name in ("concurrency", "batch_size"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    if args.time_limit <= 0 or args.kill_grace < 0:
        raise UserError("--time-limit must be positive and --kill-grace not negative")
    url = db_url(args)
    open_database(url).dispose()  # a bad URL or an unreachable database fails here, not per batch
    app = make_app(args.broker, queue=args.queue or DEFAULT_QUEUE, time_limit=args.time_limit,
                   kill_grace=args.kill_grace, visibility_timeout=args.visibility_timeout)
    settings = WorkerSettings(db_url=url, portals_file=args.portals, time_limit=args.time_limit,
                              kill_grace=args.kill_grace, batch_size=args.batch_size,
                              throttle=not args.no_throttle)
    return run_worker(app, settings, concurrency=args.concurrency,
                      loglevel="DEBUG" if getattr(args, "verbose", False) else "INFO")
