"""Pages per second for parse-and-normalize (`crawler.parsing`), HTML bytes to record, per CMS family.

    python bench/parse.py [--repeat 20] [--family NAME ...]

Each family is measured on its fixture folders, tests/pages/<family>/*/ (and, for Liferay, the
shared Thái Nguyên fixtures in ../shared/fixtures when they are there), read as a crawl reads
them: `cms = "auto"` (detection included) unless the folder's meta.json forces a family. The
generic extractor, once registered, is also measured forced onto every family's pages. Beside
each figure: lxml's bare parse of the same pages in the same run, the floor no parser goes below
(the ratio says how much the family adds on top of reading the HTML at all). Pages that are meant
to fail still count: a crawl pays for them too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from crawler.core.errors import ExtractionError  # noqa: E402  (after the path set-up, to run from a checkout)
from crawler.parsing import AUTO, FAMILIES, GENERIC, parse_page  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures"
OWN = ROOT / "tests" / "pages"

Page = tuple[bytes, str, str, dict[str, str] | None]  # html, url, cms, selectors
ROUNDS = 3


def load_folder(folder: Path, pattern: str) -> list[Page]:
    pages = []
    for html in sorted(folder.glob(pattern)):
        meta = json.loads((html.parent / "meta.json").read_text(encoding="utf-8"))
        pages.append((html.read_bytes(), meta["url"], meta.get("cms", AUTO), meta.get("selectors")))
    return pages


def family_pages() -> dict[str, list[Page]]:
    """The pages of each family that has fixture folders (a registered family without any is
    reported as such)."""
    groups: dict[str, list[Page]] = {}
    for folder in sorted(p for p in OWN.iterdir() if p.is_dir()):
        groups[folder.name] = load_folder(folder, "*/page.html")
    if SHARED.is_dir():
        groups.setdefault("liferay", []).extend(load_folder(SHARED, "*/*/page.html"))
    return groups


def rate(pages: list[Page], repeat: int, one: Callable[[Page], object]) -> float:
    for page in pages:  # warm up: selector compilation, imports
        with contextlib.suppress(ExtractionError):
            one(page)
    start = time.perf_counter()
    for _ in range(repeat):
        for page in pages:
            with contextlib.suppress(ExtractionError):
                one(page)
    return len(pages) * repeat / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20,
                        help="passes over each family's pages a round (default 20; 3 rounds)")
    parser.add_argument("--family", action="append", help="only these families (repeatable)")
    args = parser.parse_args()
    groups = family_pages()
    names = args.family or sorted(set(groups) | set(FAMILIES))
    print(f"{'family':<22} {'pages':>5} {'KiB/page':>8} {'pages/s':>8} {'lxml only':>9} {'ratio':>6}")
    for name in names:
        pages = groups.get(name, [])
        if not pages:
            state = "registered" if name in FAMILIES else "not registered"
            print(f"{name:<22} no fixture folders in {OWN / name} ({state})")
            continue
        report(name, pages, args.repeat, lambda p: parse_page(p[0], p[1], cms=p[2], selectors=p[3]))
    if GENERIC in FAMILIES and not args.family:
        everything = [page for name in sorted(groups) for page in groups[name]]
        report("generic (forced, all)", everything, args.repeat,
               lambda p: parse_page(p[0], p[1], cms=GENERIC))
    return 0


def report(label: str, pages: list[Page], repeat: int, one: Callable[[Page], object]) -> None:
    # Rounds alternate with the baseline and the best of each is kept: on a shared machine the
    # speed swings by 2x within minutes, and the best round is the one least disturbed.
    floor = speed = 0.0
    for _ in range(ROUNDS):
        floor = max(floor, rate(pages, repeat, lambda p: lxml.html.document_fromstring(p[0])))
        speed = max(speed, rate(pages, repeat, one))
    size = sum(len(p[0]) for p in pages) / len(pages) / 1024
    print(f"{label:<22} {len(pages):>5} {size:>8.1f} {speed:>8.0f} {floor:>9.0f} {speed / floor:>6.2f}")


if __name__ == "__main__":
    sys.exit(main())
