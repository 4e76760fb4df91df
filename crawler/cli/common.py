"""What every command shares: the global options, how a time is printed, how the database is opened,
how a note reaches stderr.

Kept light (no SQLAlchemy, Scrapy or Alembic at import): every `portalwatch` run, `--help`
included, imports this module.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crawler.core.normalize import DEFAULT_TIMEZONE, format_moment, zone_name
from storage.location import DEFAULT_DB_URL, database_url

if TYPE_CHECKING:
    from crawler.portals import PortalConfig
    from storage.db import Database

PORTAL_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


class _Settings:
    """What the global options decided for this run (set by `crawler.cli.main`)."""

    utc = False
    quiet = False
    verbose = False


settings = _Settings()


# --- global options ---------------------------------------------------------------------------

def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options every command takes, before or after its name. On a subcommand their default
    is SUPPRESS, so that `portalwatch --db X items` keeps the X given before the subcommand."""
    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options (before or after the command)")
    known = parser._option_string_actions  # a command that defines one itself keeps its own
    if "--db" not in known:
        group.add_argument("--db", default=default(None), metavar="URL",
                           help=f"database URL (default: $PORTALWATCH_DB or {DEFAULT_DB_URL}); "
                                "PostgreSQL: postgresql+psycopg://user@host/dbname")
    if "--portals" not in known:
        group.add_argument("--portals", metavar="FILE", default=default(None),
                           help="TOML file of portals that adds to or overrides the built-in registry "
                                "(default: $PORTALWATCH_PORTALS, else ~/.config/portalwatch/portals.toml)")
    if "--utc" not in known:
        group.add_argument("--utc", action="store_true", default=default(False),
                           help=f"print times in UTC (default: the portals' local time, {DEFAULT_TIMEZONE})")
    if "-v" not in known:
        group.add_argument("-v", "--verbose", action="store_true", default=default(False),
                           help="say more: debug logging")
    if "-q" not in known:
        group.add_argument("-q", "--quiet", action="store_true", default=default(False),
                           help="say less: only results and errors (no progress or notes)")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """--db on one command (every command has it already as a global option; kept for callers)."""
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help="database URL")


def add_portals_option(parser: argparse.ArgumentParser) -> None:
    """--portals on one command (a global option already; kept for callers)."""
    parser.add_argument("--portals", metavar="FILE", default=argparse.SUPPRESS,
                        help="TOML file of portals that adds to or overrides the built-in registry "
                             "(default: $PORTALWATCH_PORTALS, else ~/.config/portalwatch/portals.toml)")


def db_url(args: argparse.Namespace) -> str:
    return database_url(getattr(args, "db", None))


# --- output -----------------------------------------------------------------------------------

def note(text: str) -> None:
    """A line for the user that is not a result (progress, hints, what was done to the database):
    stderr, and nothing under --quiet."""
    if not settings.quiet:
        print(f"portalwatch: {text}", file=sys.stderr)


def display_zone() -> tzinfo:
    return UTC if settings.utc else PORTAL_ZONE


def zone_label() -> str:
    """The zone times are printed in, as column headers name it: 'UTC' or '+07'."""
    return zone_name(datetime.now(display_zone()))


def format_time(moment: datetime | None, *, zone: bool = True, missing: str = "-") -> str:
    """Every time the CLI prints: '2025-09-22 21:28 +07' (portal time) or '2025-09-22 14:28 UTC'
    (--utc). `zone=False` leaves the zone out where a column header names it. A naive time is
    the portal's local time, as the portals print them."""
    if moment is None:
        return missing
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PORTAL_ZONE)
    return format_moment(moment, display_zone(), named=zone)


# --- database and portals ---------------------------------------------------------------------

def open_for_reading(args: argparse.Namespace) -> Database:
    """The database, read-only: a missing file or an old schema is an error saying what to run."""
    from storage.db import open_database

    return open_database(db_url(args), read_only=True)


def open_for_writing(args: argparse.Namespace) -> Database:
    """The database, created or upgraded when needed, and the user told so."""
    from storage.db import open_database

    return open_database(db_url(args), announce=note)


def check_portal_ids(args: argparse.Namespace, portal_ids: list[str] | tuple[str, ...],
                     database: Database | None = None) -> None:
    """An unknown portal id is an error everywhere (a typo must not look like "nothing found").
    Known: the registry's portals, and any portal the database holds articles of."""
    if not portal_ids:
        return
    from crawler.core.errors import UserError
    from crawler.portals import load_registry

    registry: dict[str, PortalConfig] = load_registry(getattr(args, "portals", None))
    known = set(registry)
    unknown = [pid for pid in portal_ids if pid not in known]
    if unknown and database is not None:
        from sqlalchemy import select

        from storage.tables import portals

        with database.reading() as connection:
            known |= set(connection.scalars(select(portals.c.id)))
        unknown = [pid for pid in portal_ids if pid not in known]
    if unknown:
        raise UserError(f"unknown portal {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(sorted(known))}); see `portalwatch portals`")
