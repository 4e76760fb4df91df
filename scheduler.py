"""Crawl every portal on its schedule: `python scheduler.py [options]` is `portalwatch schedule [options]`.

Runs until SIGTERM or Ctrl-C; `--once` for cron, `--list` to see the jobs. How it works:
crawler/scheduling/__init__.py.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from crawler.cli import main as portalwatch


def main(argv: Sequence[str] | None = None) -> int:
    return portalwatch(["schedule", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
