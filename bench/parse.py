"""Pages per second for parse-and-normalize (`crawler.parsing.parse_page`), HTML bytes to record.

    python bench/parse.py [--repeat 200]

Reads the shared fixtures (../shared/fixtures/*/*/page.html) when they are there, else the project's
own test pages (tests/pages/liferay). Pages that are meant to fail still count: a crawl pays for them too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.core.errors import ExtractionError  # noqa: E402  (after the path set-up, to run from a checkout)
from crawler.parsing import parse_page  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures"
OWN = ROOT / "tests" / "pages" / "liferay"


def load_pages(shared: Path) -> tuple[str, list[tuple[bytes, str, dict[str, str] | None]]]:
    folder = shared
    if not any(shared.glob("*/*/page.html")):
        print(f"shared fixtures not found at {shared}: using the project's pages in {OWN}")
        folder = OWN
    pages = []
    for html in sorted(folder.glob("**/page.html")):
        meta = json.loads((html.parent / "meta.json").read_text(encoding="utf-8"))
        pages.append((html.read_bytes(), meta["url"], meta.get("selectors")))
    return str(folder), pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="passes over all pages (default 200)")
    parser.add_argument("--fixtures", type=Path, default=SHARED, help=f"fixture folder (default {SHARED})")
    args = parser.parse_args()
    folder, pages = load_pages(args.fixtures)
    if not pages:
        print(f"no pages found in {folder}: nothing to measure")
        return 0

    def one_pass() -> None:
        for html, url, selectors in pages:
            with contextlib.suppress(ExtractionError):
                parse_page(html, url, selectors=selectors)

    one_pass()  # warm up: selector compilation, imports
    start = time.perf_counter()
    for _ in range(args.repeat):
        one_pass()
    elapsed = time.perf_counter() - start
    count = len(pages) * args.repeat
    size = sum(len(html) for html, _, _ in pages) / len(pages)
    print(f"{len(pages)} pages from {folder} (mean {size / 1024:.1f} KiB), {args.repeat} passes")
    print(f"{count / elapsed:.0f} pages/s, {elapsed / count * 1000:.3f} ms/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
