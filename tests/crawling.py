"""Run `portalwatch crawl` in a subprocess against a simulated portal (Twisted's reactor runs once
per process, so every crawl in the tests is its own process, as under the scheduler)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.sim.portal import SimulatedPortal


def write_registry(tmp_path: Path, portal: SimulatedPortal, portal_id: str = "sim",
                   **settings: object) -> Path:
    lines = [f"[portals.{portal_id}]", 'name = "Cổng mô phỏng"', f'cms = "{settings.pop("cms", "liferay")}"',
             f'start_urls = ["{portal.start_url}"]', f"pages = {settings.pop('pages', 10)}"]
    lines += [f"{key} = {value!r}".replace("'", '"') for key, value in settings.items()]
    path = tmp_path / f"{portal_id}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crawl_command(registry: Path, db_url: str, *extra: str, portal_id: str = "sim") -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", portal_id, "--db", db_url,
            "--portals", str(registry), "--no-throttle", *extra]


def run_crawl(registry: Path, db_url: str, *extra: str, portal_id: str = "sim",
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(crawl_command(registry, db_url, *extra, portal_id=portal_id),
                          capture_output=True, text=True, timeout=timeout)
