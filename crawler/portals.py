"""The portal registry: the built-in `crawler/portals.toml` plus the user's portals file.

The user's file is `--portals FILE`, else the file $PORTALWATCH_PORTALS names, else
~/.config/portalwatch/portals.toml when it exists; `portalwatch portals add` writes to the same
file, so every command, the scheduler and `scrapy crawl` see the portals added.

A bad file is refused with a message naming the file, the portal and the problem, before any
crawl starts.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.core.durations import MAX_DURATION, parse_duration
from crawler.core.errors import UserError
from crawler.core.normalize import DEFAULT_TIMEZONE, is_http_url
from crawler.parsing import AUTO, FAMILIES, GENERIC, family_names
from crawler.parsing.base import check_selectors

BUILTIN_REGISTRY = Path(__file__).resolve().parent / "portals.toml"
PORTALS_ENV = "PORTALWATCH_PORTALS"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SETTINGS = {"name", "cms", "family", "home_url", "verified", "start_urls", "timezone", "selectors", "every",
             "pages", "recheck_days", "recheck_every", "sweep_days", "enabled"}


@dataclass(frozen=True)
class PortalConfig:
    id: str
    name: str
    cms: str  # the parser: a family of crawler.parsing.FAMILIES, or "auto"
    start_urls: tuple[str, ...]  # empty: the listing is found from home_url at each crawl
    timezone: str = DEFAULT_TIMEZONE
    selectors: dict[str, str] = field(default_factory=dict)
    every: timedelta = timedelta(minutes=30)  # scheduler interval
    pages: int = 5  # listing pages a first crawl backfills
    recheck_days: int = 30  # articles published this recently are rechecked...
    recheck_every: timedelta = timedelta(days=1)  # ...this often, even when off the listing
    sweep_days: int = 30  # every older article is rechecked once in this many days (0: never)
    enabled: bool = True  # `enabled = false` in a user file switches off a built-in portal
    home_url: str | None = None  # the home page, where the news listing is looked for
    family: str = AUTO  # the CMS the portal is known to run ("auto": not known)
    verified: bool = True  # false: the entry was not checked against the live site

    @property
    def domains(self) -> tuple[str, ...]:
        urls = [*self.start_urls, *([self.home_url] if self.home_url else [])]
        return tuple(sorted({urlsplit(u).hostname or "" for u in urls}))

    @property
    def domain(self) -> str:
        """The portal's own host: its home page's, else its first listing's."""
        return urlsplit(self.home_url or (self.start_urls[0] if self.start_urls else "")).hostname or ""

    @property
    def discovers_listing(self) -> bool:
        """Whether a crawl looks for the news listing on the home page: when no listing is given,
        and, should the given ones fail, when the entry was never checked against the live site."""
        return self.home_url is not None and (not self.start_urls or not self.verified)


def validate_id(portal_id: str) -> None:
    if not _ID.match(portal_id):
        raise UserError(f"portal id {portal_id!r}: ids are lower-case letters, digits, '-' and '_' "
                        "(at most 64, starting with a letter or digit)")


def parser_for(family: str, verified: bool) -> str:
    """The parser an entry without `cms` gets: its family's, when the entry is verified and the
    family has one; else "auto" (each page's markers decide, down to the generic extractor)."""
    return family if verified and family in FAMILIES and family != GENERIC else AUTO


def _portal(source: Path, portal_id: str, data: Any) -> PortalConfig:
    where = f"{source}: portal {portal_id!r}"
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a table [portals.{portal_id}]")
    if not _ID.match(portal_id):
        raise UserError(f"{where}: ids are lower-case letters, digits, '-' and '_'")
    unknown = set(data) - _SETTINGS
    if unknown:
        raise UserError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise UserError(f"{where}: enabled must be true or false")
    if not enabled:  # `[portals.ID] enabled = false` alone switches a built-in portal off
        return PortalConfig(id=portal_id, name=str(data.get("name", portal_id)), cms=AUTO,
                            start_urls=(), enabled=False)
    verified = data.get("verified", True)
    if not isinstance(verified, bool):
        raise UserError(f"{where}: verified must be true or false")
    family = data.get("family", AUTO)
    if not isinstance(family, str) or not _ID.match(family.strip().lower()):
        raise UserError(f"{where}: family must be a CMS family name such as liferay, or auto")
    family = family.strip().lower()
    cms = data.get("cms", parser_for(family, verified))
    if not isinstance(cms, str) or (cms.strip().lower() != AUTO and cms.strip().lower() not in FAMILIES):
        raise UserError(f"{where}: unknown cms {cms!r} (known: {', '.join([AUTO, *family_names()])})")
    cms = cms.strip().lower()
    home_url = data.get("home_url")
    if home_url is not None and (not isinstance(home_url, str) or not is_http_url(home_url)):
        raise UserError(f"{where}: home_url {home_url!r} is not an http(s) URL")
    start_urls = data.get("start_urls", [])
    if not isinstance(start_urls, list) or (not start_urls and home_url is None):
        raise UserError(f"{where}: give start_urls (a non-empty list of news listing URLs) or home_url "
                        "(the listing is then found on the home page)")
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
        home_url=home_url,
        family=family,
        verified=verified,
    )


def read_registry_file(path: Path) -> dict[str, PortalConfig]:
    """The portals of one file; read once while the file is unchanged (a crawl process of a
    thousand portals asks for the registry twice a portal)."""
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise UserError(f"{path}: portals file not found") from exc
    return dict(_read_registry_file(path, stat.st_mtime_ns, stat.st_size)[0])


def keeps_builtin_portals(path: Path) -> bool:
    """False when the file says `builtin_portals = false`: it is then the whole registry (a test's or
    a bench's simulated portals, a deployment that watches only its own list)."""
    stat = path.stat()
    return _read_registry_file(path, stat.st_mtime_ns, stat.st_size)[1]


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(f"{path}: portals file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a valid TOML file: {exc}") from exc


@functools.lru_cache(maxsize=8)
def _read_registry_file(path: Path, mtime_ns: int, size: int) -> tuple[dict[str, PortalConfig], bool]:
    data = _load_toml(path)
    portals = data.get("portals")
    if not isinstance(portals, dict) or not portals:
        raise UserError(f"{path}: no [portals.ID] tables found")
    builtin = data.get("builtin_portals", True)
    if not isinstance(builtin, bool):
        raise UserError(f"{path}: builtin_portals must be true or false")
    return {pid: _portal(path, pid, body) for pid, body in portals.items()}, builtin


def default_user_registry() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "portalwatch" / "portals.toml"


def user_registry_path(extra: str | Path | None = None, *, for_writing: bool = False) -> Path | None:
    """The user's portals file: `extra` (--portals, which must exist), else $PORTALWATCH_PORTALS,
    else ~/.config/portalwatch/portals.toml; either of the last two only when it exists or is to
    be written."""
    if extra:
        return Path(extra)
    # The environment's file and the default one may not exist yet: `portals add` creates them.
    mine = Path(os.environ[PORTALS_ENV]) if os.environ.get(PORTALS_ENV) else default_user_registry()
    return mine if for_writing or mine.exists() else None


def load_registry(extra: str | Path | None = None) -> dict[str, PortalConfig]:
    """The built-in registry, with the portals of the user's file (see `user_registry_path`) added
    or replacing those of the same id; only the user's when it says `builtin_portals = false`."""
    user = user_registry_path(extra)
    registry = read_registry_file(BUILTIN_REGISTRY)
    if user is not None:
        mine = read_registry_file(user)
        registry = {**registry, **mine} if keeps_builtin_portals(user) else mine
    return {pid: portal for pid, portal in registry.items() if portal.enabled}


def get_portal(portal_id: str, extra: str | Path | None = None) -> PortalConfig:
    registry = load_registry(extra)
    if portal_id not in registry:
        raise UserError(f"unknown portal {portal_id!r} (known: {', '.join(sorted(registry))})")
    return registry[portal_id]


# --- the user's file, as `portalwatch portals add / remove` edit it -------------------------------

@dataclass(frozen=True)
class PortalEntry:
    """A portal as `portals add` found it: written to the user's file as one [portals.ID] table."""

    id: str
    name: str
    home_url: str
    family: str
    start_urls: tuple[str, ...]
    cms: str = AUTO
    every: str | None = None

    def toml(self) -> str:
        def text(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string

        lines = [f"[portals.{self.id}]", f"name = {text(self.name)}", f"home_url = {text(self.home_url)}"]
        if self.family not in (AUTO, GENERIC):
            lines.append(f"family = {text(self.family)}")
        if self.cms != AUTO:
            lines.append(f"cms = {text(self.cms)}")
        lines.append("start_urls = [" + ", ".join(text(u) for u in self.start_urls) + "]")
        if self.every:
            lines.append(f"every = {text(self.every)}")
        return "\n".join(lines) + "\n"


_USER_FILE_HEADER = ("# Your portals: added by `portalwatch portals add`, or by hand in the form of the\n"
                     "# built-in registry (crawler/portals.toml). An entry replaces the built-in one\n"
                     "# of its id.\n")


def save_portal(path: Path, entry: PortalEntry) -> bool:
    """Add `entry` to the user's portals file at `path` (created when missing); True when it
    replaces a built-in portal. An id already in the file is refused: remove it first."""
    validate_id(entry.id)
    text = path.read_text(encoding="utf-8") if path.exists() else _USER_FILE_HEADER
    if path.exists() and entry.id in (_load_toml(path).get("portals") or {}):
        raise UserError(f"portal {entry.id!r} is already in {path}; "
                        f"`portalwatch portals remove {entry.id}` first")
    new_text = text.rstrip("\n") + "\n\n" + entry.toml()
    _portal(path, entry.id, tomllib.loads(new_text)["portals"][entry.id])  # refuse what cannot be read back
    _write(path, new_text)
    return entry.id in read_registry_file(BUILTIN_REGISTRY)


def remove_portal(path: Path | None, portal_id: str) -> bool:
    """Take portal `portal_id` out of the user's file; True when the file, left without portals,
    was removed."""
    portals = (_load_toml(path).get("portals") or {}) if path is not None and path.exists() else {}
    if portal_id not in portals:
        where = path or default_user_registry()
        if portal_id in read_registry_file(BUILTIN_REGISTRY):
            raise UserError(f"portal {portal_id!r} is built in, not one of yours ({where}); to switch it off "
                            f"write `[portals.{portal_id}]` and `enabled = false` there")
        raise UserError(f"no portal {portal_id!r} in {where}")
    assert path is not None
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    own_header = re.compile(rf"^\s*\[\s*portals\.{re.escape(portal_id)}\s*(\]|\.)")
    any_header = re.compile(r"^\s*\[")
    kept, inside = [], False
    for line in lines:
        if any_header.match(line):
            inside = bool(own_header.match(line))
        if not inside:
            kept.append(line)
    new_text = re.sub(r"\n{3,}", "\n\n", "".join(kept))
    remaining = tomllib.loads(new_text).get("portals") or {}
    if portal_id in remaining:
        raise UserError(f"{path}: portal {portal_id!r} is not written as a [portals.{portal_id}] table; "
                        "remove it by hand")
    if not remaining:
        path.unlink()
        return True
    _write(path, new_text)
    return False


def _write(path: Path, text: str) -> None:
    """Written whole or not at all: a crash mid-write leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
