"""Options shared by several commands."""

from __future__ import annotations

import argparse

from storage.db import DEFAULT_DB_URL, database_url


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help=f"database URL (default: $PORTALWATCH_DB or {DEFAULT_DB_URL}); "
        "PostgreSQL: postgresql+psycopg://user@host/dbname",
    )


def add_portals_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--portals", metavar="FILE", default=None,
                        help="TOML file of portals that adds to or overrides the built-in registry")


def db_url(args: argparse.Namespace) -> str:
    return database_url(args.db)
