"""`python -m crawler.cli`: the same as the `portalwatch` command (used for crawl subprocesses)."""

import sys

from crawler.cli import main

sys.exit(main())
