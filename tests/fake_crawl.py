"""A stand-in for `portalwatch crawl PORTAL --db URL [--portals FILE] --time-limit S`, for scheduler tests.

It takes the same arguments and writes a CrawlRun the way the real crawl does, but it never
fetches a page. How it behaves is read, at each start, from `$FAKE_CRAWL_DIR/<portal>.mode`
(default `ok`):

  ok             a run with 2 new, 1 changed, 0 removed articles; exit 0
  fail           a failed run ("connection refused"); exit 1, as when a portal cannot be reached
  crash          prints a traceback and exits 70 before writing any run
  crash-running  opens a run, then dies (exit 70) and leaves it 'running'
  block          opens a run and waits for `<portal>.release` (then ok) or SIGTERM (then it
                 closes the run as 'interrupted', as the real crawl does, and exits 0)
  hang           opens a run and ignores SIGTERM: only SIGKILL ends it

Every start and end is appended to `<portal>.log` ("start <time> <pid>", "ready" once its run is
in the database, "end <time> <status>").
`<portal>.running` exists while it runs. A start that finds it already there writes "OVERLAP",
which a test reading the log would catch.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("portal")
    parser.add_argument("--db", required=True)
    parser.add_argument("--portals")
    parser.add_argument("--time-limit", type=float, required=True)
    args = parser.parse_args()

    folder = Path(os.environ["FAKE_CRAWL_DIR"])
    mode_file = folder / f"{args.portal}.mode"
    mode = mode_file.read_text().strip() if mode_file.exists() else "ok"
    log = folder / f"{args.portal}.log"
    running = folder / f"{args.portal}.running"

    def note(line: str) -> None:
        with log.open("a") as out:
            out.write(f"{line}\n")

    # Signals first, as the real crawl installs its handlers before it does anything else.
    stop: list[bool] = []
    if mode == "hang":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif mode == "block":
        signal.signal(signal.SIGTERM, lambda *_: stop.append(True))

    # Imported only now: SQLAlchemy and Alembic take about a second to import on a busy machine,
    # and a SIGTERM in that second must meet the handlers above, not Python's default.
    from storage.db import open_database
    from storage.models import CrawlRun
    from storage.store import ensure_portal, finish_run, start_run

    try:
        fd = os.open(running, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
    except FileExistsError:
        note("OVERLAP")
    note(f"start {time.time():.3f} {os.getpid()}")

    if mode == "crash":
        print("Traceback (most recent call last):\nRuntimeError: fake crawl crashed", file=sys.stderr)
        return 70

    database = open_database(args.db)
    with database.session() as session:
        ensure_portal(session, args.portal, name=args.portal, cms="liferay", timezone="Asia/Ho_Chi_Minh")
        run = start_run(session, args.portal, baseline=False)
    note("ready")  # the run is in the database

    def finish(status: str, *, errors: list[object] | None = None, new: int = 0, changed: int = 0) -> None:
        with database.session() as session:
            stored = session.get(CrawlRun, run.id)
            assert stored is not None
            stored.articles_new, stored.articles_changed = new, changed
            stored.errors = errors or []
            finish_run(session, stored, status=status)
        running.unlink(missing_ok=True)
        note(f"end {time.time():.3f} {status}")

    if mode == "ok":
        finish("ok", new=2, changed=1)
        return 0
    if mode == "fail":
        finish("failed", errors=[{"url": "http://127.0.0.1:9/tin-tuc", "reason": "connection refused",
                                  "listing": True}])
        return 1
    if mode == "crash-running":
        print("Segmentation fault (pretend)", file=sys.stderr, flush=True)
        os._exit(70)
    if mode == "hang":
        while True:
            time.sleep(0.05)
    if mode == "block":
        release = folder / f"{args.portal}.release"
        while not stop and not release.exists():
            time.sleep(0.02)
        if stop:
            finish("interrupted", new=1)
        else:
            release.unlink()
            finish("ok", new=2, changed=1)
        return 0
    print(f"fake_crawl: unknown mode {mode!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
