"""Running one crawl as a child process under a hard time limit.

The scheduler never runs Scrapy in its own process. Each crawl is a child process,
`portalwatch crawl PORTAL --db URL --time-limit S`. The reasons:

- Twisted's reactor cannot be restarted in one process, so a long-lived process cannot run crawl
  after crawl with Scrapy's CrawlerProcess.
- A crawl that crashes, leaks memory or wedges its reactor takes down only itself. The scheduler
  and the other portals' crawls carry on.
- A time limit that always holds has to end in a kill, and only a process can be killed safely.
  At the limit the child gets SIGTERM (Scrapy stops gracefully and the crawl writes its run).
  If it is still alive `kill_grace` seconds later, it gets SIGKILL.

The cost is start-up time: Python, Scrapy and SQLAlchemy are imported again for every crawl. That
is about a second, small next to a crawl's minutes and a 30-minute interval.

Children run in their own session. A Ctrl-C in the terminal then reaches only the scheduler, which
forwards a single SIGTERM. (If the terminal's SIGINT reached the crawl as well, Scrapy would read
the two signals as "stop now, uncleanly".)
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crawler.core.durations import format_duration

log = logging.getLogger("portalwatch.schedule")

# `portalwatch crawl` on the interpreter the scheduler runs on, so in the same virtualenv even when
# the `portalwatch` script is not on PATH (cron, systemd).
DEFAULT_CRAWL_COMMAND: tuple[str, ...] = (sys.executable, "-m", "crawler.cli", "crawl")
DEFAULT_TIME_LIMIT = 20 * 60.0  # seconds a crawl may run before it gets SIGTERM
DEFAULT_KILL_GRACE = 60.0  # seconds after SIGTERM before SIGKILL
_OUTPUT_TAIL_BYTES = 4096
_POLL_SECONDS = 0.5  # how quickly a changed deadline (shutdown) is noticed while a crawl runs


@dataclass(frozen=True)
class LaunchResult:
    """How the crawl process ended. What it crawled is in the CrawlRun it wrote."""

    portal_id: str  # the portals of the process, space-separated
    returncode: int  # negative: killed by that signal
    started_at: datetime
    duration: float  # seconds
    timed_out: bool  # still running at the time limit, so it was sent SIGTERM
    killed: bool  # did not stop within the grace period after SIGTERM, so it got SIGKILL
    stopped_for_shutdown: bool  # sent SIGTERM because the scheduler was stopping
    output_tail: str  # the last lines the crawl printed, for the reason of a failure


@dataclass
class _RunningCrawl:
    portal_id: str
    process: subprocess.Popen[bytes]
    term_at: float  # monotonic deadlines
    kill_at: float
    term_sent: bool = False
    killed: bool = False
    timed_out: bool = False
    stopped_for_shutdown: bool = False
    # Re-entrant: the signal handler may interrupt the main thread inside _terminate().
    lock: threading.RLock = field(default_factory=threading.RLock)


class CrawlLauncher:
    """Starts crawl processes, enforces their time limit, and stops them all at shutdown.

    `command` is the crawl command without its arguments. The portal id, `--db`, `--portals` and
    `--time-limit` are appended. Tests substitute a small fake crawl script. Users can wrap the
    command, e.g. in `nice`.
    """

    def __init__(self, command: Sequence[str] = DEFAULT_CRAWL_COMMAND, *, time_limit: float,
                 kill_grace: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if not command:
            raise ValueError("the crawl command is empty")
        self.command = tuple(command)
        self.time_limit = time_limit
        self.kill_grace = kill_grace
        # What the time limit and the grace are measured by (seconds; tests pass a clock they move).
        self.clock = clock
        self._running: dict[int, _RunningCrawl] = {}
        self._registry_lock = threading.Lock()
        self._closing = False

    def argv(self, portal_ids: str | Sequence[str], *, db_url: str, portals_file: str | None) -> list[str]:
        ids = [portal_ids] if isinstance(portal_ids, str) else list(portal_ids)
        argv = [*self.command, *ids, "--db", db_url]
        if portals_file:
            argv += ["--portals", str(portals_file)]
        # The crawl also stops by itself at the limit, so it ends even if the scheduler dies.
        return [*argv, "--time-limit", str(max(1, math.ceil(self.time_limit)))]

    @property
    def closing(self) -> bool:
        return self._closing

    def running_portals(self) -> list[str]:
        return [crawl.portal_id for crawl in list(self._running.values())]

    def run(self, portal_ids: str | Sequence[str], *, db_url: str,
            portals_file: str | None = None) -> LaunchResult | None:
        """Run one crawl process (one portal, or a batch of them) to its end. Returns None,
        starting nothing, once stop_all() was called."""
        if self._closing:
            return None
        argv = self.argv(portal_ids, db_url=db_url, portals_file=portals_file)
        portal_id = portal_ids if isinstance(portal_ids, str) else " ".join(portal_ids)
        started_at, start = datetime.now(UTC), self.clock()
        with tempfile.TemporaryFile() as output:
            # A file rather than a pipe: a chatty crawl can never block on a full pipe buffer.
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            crawl = _RunningCrawl(portal_id, process, term_at=start + self.time_limit,
                                  kill_at=start + self.time_limit + self.kill_grace)
            with self._registry_lock:
                self._running[process.pid] = crawl
            if self._closing:  # stop_all() ran between the check above and the registration
                self._terminate(crawl, for_shutdown=True)
            try:
                returncode = self._wait(crawl)
            finally:
                with self._registry_lock:
                    self._running.pop(process.pid, None)
            output.seek(max(0, output.seek(0, os.SEEK_END) - _OUTPUT_TAIL_BYTES))
            tail = output.read().decode("utf-8", "replace")
        return LaunchResult(
            portal_id=portal_id, returncode=returncode, started_at=started_at,
            duration=self.clock() - start, timed_out=crawl.timed_out, killed=crawl.killed,
            stopped_for_shutdown=crawl.stopped_for_shutdown, output_tail=_last_lines(tail),
        )

    def stop_all(self) -> None:
        """Start no more crawls; ask the running ones to stop (SIGTERM), killing them after the grace.

        Safe to call from a signal handler: it does not log, and the only lock it takes is held
        briefly by other threads and is re-entrant for the main thread.
        """
        self._closing = True
        for crawl in list(self._running.values()):
            self._terminate(crawl, for_shutdown=True)

    def kill_all(self) -> None:
        """A second Ctrl-C: the running crawls get SIGKILL now. Signal-handler safe, like stop_all()."""
        self._closing = True
        for crawl in list(self._running.values()):
            crawl.stopped_for_shutdown = True
            crawl.kill_at = self.clock()
            self._signal(crawl, signal.SIGKILL)
            crawl.killed = True

    def _terminate(self, crawl: _RunningCrawl, *, for_shutdown: bool) -> None:
        # One SIGTERM only, whoever asks first: Scrapy takes a second signal as "stop uncleanly now".
        with crawl.lock:
            if for_shutdown and not crawl.timed_out:
                crawl.stopped_for_shutdown = True
            elif not for_shutdown:
                crawl.timed_out = True
            if not crawl.term_sent:
                crawl.term_sent = True
                crawl.kill_at = min(crawl.kill_at, self.clock() + self.kill_grace)
                self._signal(crawl, signal.SIGTERM)

    def _wait(self, crawl: _RunningCrawl) -> int:
        while True:
            now = self.clock()
            if not crawl.term_sent and now >= crawl.term_at:
                log.warning("%s: still crawling at the time limit (%s); asking it to stop",
                            crawl.portal_id, format_duration(self.time_limit))
                self._terminate(crawl, for_shutdown=False)
            if not crawl.killed and now >= crawl.kill_at:
                log.error("%s: crawl did not stop within %s of SIGTERM; killing it",
                          crawl.portal_id, format_duration(self.kill_grace))
                crawl.killed = True
                self._signal(crawl, signal.SIGKILL)
            next_deadline = crawl.kill_at if crawl.term_sent else crawl.term_at
            timeout = min(_POLL_SECONDS, max(0.01, next_deadline - now))
            try:
                return crawl.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                continue

    @staticmethod
    def _signal(crawl: _RunningCrawl, signum: signal.Signals) -> None:
        # The whole process group, so a wrapper (`sh -c`, `nice`) cannot keep the crawl alive.
        # returncode is None until the process has been reaped, so its pid cannot be someone else's.
        if crawl.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(crawl.process.pid, signum)


def _last_lines(text: str, count: int = 5) -> str:
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-count:])

