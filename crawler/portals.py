"""The portal registry: the built-in `crawler/portals.toml` plus the user's `--portals FILE`.

A bad file is refused with a message naming the file, the portal and the problem, before any
crawl starts.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.core.durations import MAX_DURATION, parse_duration
from crawler.core.errors import UserError
from crawler.core.normalize import DEFAULT_TIMEZONE, is_http_url
from crawler.parsing import AUTO, FAMILIES, family_names
from crawler.parsing.base import check_selectors

BUILTIN_REGISTRY = Path(__file__).resolve().parent / "portals.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class PortalConfig:
    id: str
    name: str
    cms: str
    start_urls: tuple[str, ...]
    timezone: str = DEFAULT_TIMEZONE
    selectors: dict[str, str] = field(default_factory=dict)
    every: timedelta = timedelta(minutes=30)  # scheduler interval
    pages: int = 5  # listing pages a first crawl backfills
    recheck_days: int = 30  # articles published this recently are rechecked...
    recheck_every: timedelta = timedelta(days=1)  # ...this often, even when off the listing
    sweep_days: int = 30  # every older article is rechecked once in this many days (0: never)
    enabled: bool = True  # `enabled = false` in a user file switches off a built-in portal

    @property
    def domains(self) -> tuple[str, ...]:
        from urllib.parse import urlsplit

        return tuple(sorted({urlsplit(u).hostname or "" for u in self.start_urls}))


def _portal(source: Path, portal_id: str, data: Any) -> PortalConfig:
    where = f"{source}: portal {portal_id!r}"
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a table [portals.{portal_id}]")
    if not _ID.match(portal_id):
        raise UserError(f"{where}: ids are lower-case letters, digits, '-' and '_'")
    unknown = set(data) - {"name", "cms", "start_urls", "timezone", "selectors", "every", "pages",
                           "recheck_days", "recheck_every", "sweep_days", "enabled"}
    if unknown:
        raise UserError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise UserError(f"{where}: enabled must be true or false")
    if not enabled:  # `[portals.ID] enabled = false` alone switches a built-in portal off
        return PortalConfig(id=portal_id, name=str(data.get("name", portal_id)), cms=AUTO,
                            start_urls=(), enabled=False)
    cms = data.get("cms", AUTO)
    if not isinstance(cms, str) or (cms.strip().lower() != AUTO and cms.strip().lower() not in FAMILIES):
        raise UserError(f"{where}: unknown cms {cms!r} (known: {', '.join([AUTO, *family_names()])})")
    cms = cms.strip().lower()
    start_urls = data.get("start_urls")
    if not start_urls or not isinstance(start_urls, list):
        raise UserError(f"{where}: start_urls must be a non-empty list of URLs")
    for url in start_urls:
        if not isinstance(url, str) or not is_http_url(url):
            raise UserError(f"{where}: start URL {url!r} is not an http(s) URL")
    timezone = data.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise UserError(f"{where}: unknown timezone {timezone!r}") from exc
    selectors = data.get("selectors", {})
    if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
        raise UserError(f"{where}: selectors must be a table of CSS selector strings")
    try:  # checked here, or every page of the portal would fail and the crawl blame the portal
        check_selectors(selectors)
    except UserError as exc:
        raise UserError(f"{where}: {exc}") from exc
    pages = data.get("pages", 5)
    recheck_days = data.get("recheck_days", 30)
    sweep_days = data.get("sweep_days", 30)
    for name, value in (("pages", pages), ("recheck_days", recheck_days), ("sweep_days", sweep_days)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise UserError(f"{where}: {name} must be a whole number >= 0, not {value!r}")
    return PortalConfig(
        id=portal_id,
        name=str(data.get("name", portal_id)),
        cms=cms,
        start_urls=tuple(start_urls),
        timezone=timezone,
        selectors=dict(selectors),
        every=parse_duration(data.get("every", "30m"), what=f"{where}: every"),
        pages=pages,
        recheck_days=recheck_days,
        sweep_days=min(sweep_days, MAX_DURATION.days),
        recheck_every=parse_duration(data.get("recheck_every", "1d"), what=f"{where}: recheck_every"),
    )


def read_registry_file(path: Path) -> dict[str, PortalConfig]:
    """The portals of one file; read once while the file is unchanged (a crawl process of a
    thousand portals asks for the registry twice a portal)."""
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise UserError(f"{path}: portals file not found") from exc
    return dict(_read_registry_file(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _read_registry_file(path: Path, mtime_ns: int, size: int) -> dict[str, PortalConfig]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(f"{path}: portals file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a valid TOML file: {exc}") from exc
    portals = data.get("portals")
    if not isinstance(portals, dict) or not portals:
        raise UserError(f"{path}: no [portals.ID] tables found")
    return {pid: _portal(path, pid, body) for pid, body in portals.items()}


def load_registry(extra: str | Path | None = None) -> dict[str, PortalConfig]:
    """The built-in registry, with the portals of `extra` added or replacing those of the same id."""
    registry = read_registry_file(BUILTIN_REGISTRY)
    if extra is not None:
        registry.update(read_registry_file(Path(extra)))
    return {pid: portal for pid, portal in registry.items() if portal.enabled}


def get_portal(portal_id: str, extra: str | Path | None = None) -> PortalConfig:
    registry = load_registry(extra)
    if portal_id not in registry:
        raise UserError(f"unknown portal {portal_id!r} (known: {', '.join(sorted(registry))})")
    return registry[portal_id]
