"""Shared by the crawl benchmarks: a registry for a simulated portal and a timed `portalwatch crawl`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.sim.portal import SimulatedPortal  # noqa: E402


def write_registry(folder: Path, portal: SimulatedPortal) -> Path:
    """A portals file naming the simulated portal `bench`, with every listing page in reach."""
    registry = folder / "portals.toml"
    registry.write_text(
        f'[portals.bench]\nstart_urls = ["{portal.start_url}"]\npages = {portal.page_count}\n',
        encoding="utf-8",
    )
    return registry


def timed_crawl(registry: Path, db_url: str) -> tuple[float, str]:
    """Seconds the whole crawl process took (start-up included) and its summary line."""
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "bench",
            "--db",
            db_url,
            "--portals",
            str(registry),
            "--no-throttle",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, result.stdout.strip()
