"""Engines, sessions and schema upgrades.

`open_database(url)` is the one way in: it builds the engine (SQLite in WAL mode with foreign keys
on, so a reader never blocks the crawl's writer) and brings the schema to the newest Alembic
revision before anything reads it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crawler.core.errors import UserError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB_URL = "sqlite:///portalwatch.db"
_upgraded: set[str] = set()
_lock = threading.Lock()


def database_url(explicit: str | None = None) -> str:
    """The database to use: the one given (--db, a setting), else $PORTALWATCH_DB, else ./portalwatch.db."""
    return explicit or os.environ.get("PORTALWATCH_DB") or DEFAULT_DB_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UserError(f"not a database URL: {url!r} (try sqlite:///portalwatch.db)") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise UserError(f"database folder does not exist: {folder} (from {url})")
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))  # psycopg 3 is the driver we ship
    connect_args: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "postgresql":
        # psycopg prepares a statement after its 5th run and PostgreSQL may then switch to a generic
        # plan; for full-text phrase searches that plan was 5x slower (p95 190 ms -> 35 ms without).
        connect_args["prepare_threshold"] = None
    try:
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise UserError(
            f"unsupported database URL {parsed.render_as_string()!r}: no driver for {parsed.drivername} "
            "(use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
        ) from exc


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (idempotent; once a process per database)."""
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        if key in _upgraded:
            return
        # Alembic logs every step at INFO; users of the CLI only need to hear when something fails.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        try:
            command.upgrade(alembic_config(engine), "heads")
        except OperationalError as exc:
            raise UserError(f"cannot open database {engine.url!r}: {exc.orig}") from exc
        _upgraded.add(key)


class Database:
    """An engine whose schema is current, and a session factory over it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        upgrade(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    return Database(url)


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched. `Session.execute` is typed as returning a plain Result;
    for DML it is a CursorResult, which has the count."""
    return cast("CursorResult[Any]", result).rowcount
