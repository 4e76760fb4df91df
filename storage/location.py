"""Which database to use. Kept free of SQLAlchemy so that `portalwatch --help` can name the default."""

from __future__ import annotations

import os

DEFAULT_DB_URL = "sqlite:///portalwatch.db"


def database_url(explicit: str | None = None) -> str:
    """The database to use: the one given (--db, a setting), else $PORTALWATCH_DB, else ./portalwatch.db."""
    return explicit or os.environ.get("PORTALWATCH_DB") or DEFAULT_DB_URL
