"""`portalwatch schedule`: crawl every portal on its interval until stopped; `--once`; `--list`.

`python scheduler.py ...` is the same command. How the scheduler works: crawler/scheduling/__init__.py.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

from crawler.cli.common import db_url, format_time, open_for_reading, zone_label
from crawler.cli.health import health_text, is_failing, relative_time
from crawler.cli.worker import add_broker_options
from crawler.core.durations import format_duration
from crawler.core.errors import UserError
from crawler.scheduling.launch import DEFAULT_CRAWL_COMMAND, DEFAULT_KILL_GRACE, DEFAULT_TIME_LIMIT

if TYPE_CHECKING:  # imported when the command runs: every `portalwatch` command builds this parser
    from rich.table import Table

    from crawler.scheduling import PortalScheduler, ScheduledPortal

DEFAULT_BATCH_SIZE = 20  # due portals per crawl process: start-up (~1.4 s) is paid once per batch


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="crawl every portal on its interval until stopped (same as `python scheduler.py`)",
        description="Crawl every portal on its own interval (portal setting `every`, default 30m). "
        "The schedule is kept in the database, so a restart resumes it. Stop with SIGTERM or Ctrl-C: "
        "running crawls finish their current articles and record their runs, then the exit code is 0.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true",
                      help="crawl every portal whose turn has come (on a first start: all), then exit; "
                      "exit code 1 if one of those crawls failed (for cron)")
    mode.add_argument("--list", action="store_true",
                      help="show each portal's interval, next run and health, then exit")
    parser.add_argument("--time-limit", type=_seconds(minimum=1), default=DEFAULT_TIME_LIMIT, metavar="S",
                        help="seconds a crawl may run before it is stopped "
                        f"(default {DEFAULT_TIME_LIMIT:.0f})")
    parser.add_argument("--jitter", type=_seconds(minimum=0), default=None, metavar="S",
                        help="random delay of up to S seconds added to each turn, so the portals spread "
                        "out (default: a tenth of the portal's interval, at most 60)")
    parser.add_argument("--parallel", type=int, default=4, metavar="N",
                        help="run up to N crawl processes at once (default 4); a portal never has two crawls")
    parser.add_argument("--batch-size", type=int, default=None, metavar="N",
                        help="crawl up to N due portals together in one process (default 20; 1 with "
                        "--crawl-command); each portal keeps its own politeness, time limit and run")
    parser.add_argument("--batch-window", type=_seconds(minimum=0), default=5.0, metavar="S",
                        help="seconds a due portal waits for others to share its crawl process (default 5)")
    parser.add_argument("--kill-grace", type=_seconds(minimum=0), default=DEFAULT_KILL_GRACE, metavar="S",
                        help="seconds a crawl gets to stop after SIGTERM before it is killed "
                        f"(default {DEFAULT_KILL_GRACE:.0f})")
    parser.add_argument("--crawl-command", metavar="CMD", default=None,
                        help="the command that crawls one portal; the portal id, --db, --portals and "
                        "--time-limit are appended (default: `portalwatch crawl` on this Python)")
    add_broker_options(parser, required=False)  # with --broker: queue due batches for `portalwatch worker`
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.scheduling import PortalScheduler, ScheduleSettings

    verbose = bool(getattr(args, "verbose", False))
    logging.getLogger().setLevel(logging.DEBUG if verbose else logging.INFO)
    # Our own lines say what a run did; APScheduler's per-job chatter only under -v.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.ERROR)
    if args.parallel < 1:
        raise UserError("--parallel must be at least 1")
    command = tuple(shlex.split(args.crawl_command)) if args.crawl_command else DEFAULT_CRAWL_COMMAND
    if not command:
        raise UserError("--crawl-command is empty")
    batch_size = args.batch_size if args.batch_size is not None else (
        1 if args.crawl_command else DEFAULT_BATCH_SIZE)
    if batch_size < 1:
        raise UserError("--batch-size must be at least 1")
    settings = ScheduleSettings(
        db_url=db_url(args), portals_file=args.portals, time_limit=args.time_limit,
        kill_grace=args.kill_grace, jitter=args.jitter, parallel=args.parallel, crawl_command=command,
        batch_size=batch_size, batch_window=args.batch_window, broker_url=args.broker, queue=args.queue,
    )
    if args.list:
        open_for_reading(args).dispose()  # only reads: a missing or old database is refused, never made
    service = PortalScheduler(settings)
    if args.list:
        try:
            from crawler.cli.console import print_table

            rows = service.scheduled_portals()
            if rows:
                print_table(schedule_table(rows, datetime.now(UTC)))
            else:
                print("no portals")
        finally:
            service.close()
        return 0
    stops = _StopRequests(service)
    with stops.installed():
        if args.once:
            try:
                reports = service.run_due_once()
            finally:
                service.close()
            failed = sum(report.outcome == "failed" for report in reports)
            queued = f", {service.queued} portal(s) queued for workers" if args.broker else ""
            print(f"schedule --once: {len(reports)} crawl(s) run, {failed} failed{queued}")
            return 1 if failed else 0
        try:
            service.start()
            while not stops.count:
                time.sleep(0.2)  # a flag, not an Event: a signal handler must not take a lock
            logging.getLogger("portalwatch.schedule").info("stop requested; no new crawls start")
        finally:
            service.close()
    return 0


class _StopRequests:
    """SIGTERM / Ctrl-C: the first one stops gracefully, a second one kills the running crawls."""

    def __init__(self, service: PortalScheduler) -> None:
        self.service = service
        self.count = 0

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            self.service.begin_stop()
        else:
            self.service.launcher.kill_all()

    @contextmanager
    def installed(self) -> Iterator[None]:
        previous: dict[signal.Signals, Callable[[int, FrameType | None], object] | int | None] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self.handle)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def schedule_table(rows: list[ScheduledPortal], now: datetime) -> Table:
    """The portals, their interval, next run and health (a failing one in red on a terminal)."""
    from rich.text import Text

    from crawler.cli.console import new_table

    table = new_table("PORTAL", "EVERY", f"NEXT RUN ({zone_label()})", "HEALTH", wrap=("HEALTH",))
    for row in rows:
        every = format_duration(row.every.total_seconds()) if row.every else "-"
        if not row.in_registry:
            next_run = "removed from the registry: job dropped at the next start"
        elif row.next_run_time is None:
            next_run = "not scheduled yet: due at the next start"
        else:
            when = relative_time(row.next_run_time, now)
            due = when if row.next_run_time > now else when + ": due"
            next_run = f"{format_time(row.next_run_time, zone=False)} ({due})"
        table.add_row(row.portal_id, every, next_run,
                      Text(health_text(row.health, now), style="red" if is_failing(row.health) else ""))
    return table


def format_schedule(rows: list[ScheduledPortal], now: datetime) -> str:
    """`schedule --list` as plain text."""
    from crawler.cli.console import table_text

    return table_text(schedule_table(rows, now)) if rows else "no portals\n"


def _seconds(*, minimum: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g} seconds")
        return value

    return parse
