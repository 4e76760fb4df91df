"""Engines, sessions and schema upgrades.

`open_database(url)` is the one way in: it builds the engine (SQLite in WAL mode with foreign keys
on, so a reader never blocks the crawl's writer) and brings the schema to the newest Alembic
revision before anything reads it. `open_database(url, read_only=True)` is the way in for
commands that only read: it opens the database read-only, and refuses a missing SQLite file or a
schema that is not current (DatabaseNotReady, saying what to run) instead of creating or
upgrading anything.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError

from crawler.core.errors import DatabaseNotReady, UserError
from storage.location import DEFAULT_DB_URL, database_url

if TYPE_CHECKING:  # Alembic costs a third of a second to import: only writers and `db` need it
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["DEFAULT_DB_URL", "Database", "database_url", "open_database", "schema_status"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_upgraded: set[str] = set()
_lock = threading.Lock()
Announce = Callable[[str], None]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # journal_mode is the writer's to set, not ours
    cursor.close()


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another database, memory or a file: URI)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve()


def create_db_engine(url: str, *, read_only: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UserError(f"not a database URL: {url!r} (try sqlite:///portalwatch.db)") from exc
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None and not path.parent.is_dir():
            raise UserError(f"database folder does not exist: {path.parent} (from {url})")
        if read_only and path is not None:
            if not path.is_file():
                raise DatabaseNotReady(
                    f"no database at {path}: nothing is stored there yet. Crawl a portal into it "
                    f"(portalwatch crawl PORTAL --db {url}), try `portalwatch demo`, "
                    f"or check --db / $PORTALWATCH_DB")
            # mode=ro: SQLite itself refuses any write, so a read can never create or change a thing
            engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true",
                                   connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_read_only_pragmas)
            return engine
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # psycopg prepares a statement after its 5th run and PostgreSQL may then switch to a generic
        # plan; for full-text phrase searches that plan was 5x slower (p95 190 ms -> 35 ms without).
        connect_args["prepare_threshold"] = None
        if read_only:
            connect_args["options"] = "-c default_transaction_read_only=on"
    try:
        # The URL object itself, never str(url): that masks the password as "***".
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise UserError(
            f"unsupported database URL {parsed.render_as_string()!r}: no driver for {parsed.drivername} "
            "(use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
        ) from exc


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's config interpolates "%(name)s": a percent-encoded URL (p%40ss) needs its % doubled.
    config.set_main_option("sqlalchemy.url",
                           engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


@cache
def schema_heads() -> frozenset[str]:
    """The newest revision(s) of the migrations shipped with this code, read from their files
    (Alembic's own ScriptDirectory would import Alembic for every read-only command)."""
    revisions: dict[str, set[str]] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", source, re.M)
        down = re.search(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", source, re.M)
        if revision:
            parents = re.findall(r"['\"]([^'\"]+)['\"]", down.group(1) if down else "")
            revisions[revision.group(1)] = set(parents)
    return frozenset(set(revisions) - set().union(*revisions.values()))


def current_revisions(engine: Engine) -> frozenset[str] | None:
    """The revision(s) the database is at; None when it has no schema of ours at all."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except (OperationalError, ProgrammingError) as exc:
        if "alembic_version" in str(exc.orig) or "no such table" in str(exc.orig):
            return None
        raise UserError(f"cannot open database {engine.url!r}: {exc.orig}") from exc
    return frozenset(rows) or None


def schema_status(url: str) -> tuple[frozenset[str] | None, frozenset[str]]:
    """(the database's revisions or None, the code's head revisions), without changing anything."""
    engine = create_db_engine(url, read_only=True)
    try:
        return current_revisions(engine), schema_heads()
    finally:
        engine.dispose()


def _revisions_text(revisions: frozenset[str] | None) -> str:
    return ", ".join(sorted(revisions)) if revisions else "none (empty database)"


def upgrade(engine: Engine, announce: Announce | None = None) -> None:
    """Apply every pending migration (idempotent; once a process per database); `announce` is told
    in one line when the schema was created or changed."""
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        if key in _upgraded:
            return
        before = current_revisions(engine)
        if before != schema_heads():
            from alembic import command

            # Alembic logs every step at INFO; users of the CLI only need to hear when something fails.
            logging.getLogger("alembic").setLevel(logging.WARNING)
            try:
                with _migration_lock(engine):
                    command.upgrade(alembic_config(engine), "heads")
            except DBAPIError as exc:  # unreachable, or a file that is not a database
                reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
                raise UserError(f"cannot open database {engine.url!r}: {reason}") from exc
            if announce is not None:
                where = engine.url.render_as_string(hide_password=True)
                what = "created" if before is None else f"upgraded from {_revisions_text(before)}"
                announce(f"database {where}: schema {what} to {_revisions_text(schema_heads())}")
        _upgraded.add(key)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, one process migrates at a time: workers and a scheduler started together on
    a new database would otherwise all create the tables (and all but one fail); the others wait,
    then find the schema current. SQLite's own write lock already serializes them."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtext('portalwatch:migrate'))"))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext('portalwatch:migrate'))"))
            connection.commit()


class Database:
    """An engine whose schema is current, and a session factory over it.

    `read_only`: nothing is created or upgraded, and the connection refuses writes; a missing
    SQLite file or a schema that is not current raises DatabaseNotReady saying what to run.
    """

    def __init__(self, url: str, *, read_only: bool = False, announce: Announce | None = None) -> None:
        self.url = url
        self.read_only = read_only
        self.engine = create_db_engine(url, read_only=read_only)
        if read_only:
            self._check_current()
        else:
            upgrade(self.engine, announce)

    def _check_current(self) -> None:
        current, heads = current_revisions(self.engine), schema_heads()
        if current == heads:
            return
        where = self.engine.url.render_as_string(hide_password=True).replace("file:", "").split("?")[0]
        self.engine.dispose()
        if current is None:
            raise DatabaseNotReady(f"{where} is not a portalwatch database (no schema): crawl into it, "
                                   f"or create it with `portalwatch db upgrade --db {self.url}`")
        raise DatabaseNotReady(
            f"{where}: schema {_revisions_text(current)}, this portalwatch needs "
            f"{_revisions_text(heads)}; a command that only reads never upgrades it: "
            f"run `portalwatch db upgrade --db {self.url}` first")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        # Made on first use: a command that only reads (storage.query, Core) never imports the ORM.
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for Core reads (storage.query), in one transaction, rolled back at the end."""
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, read_only: bool = False, announce: Announce | None = None) -> Database:
    return Database(url, read_only=read_only, announce=announce)


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched. `Session.execute` is typed as returning a plain Result;
    for DML it is a CursorResult, which has the count."""
    return cast("CursorResult[Any]", result).rowcount


_shared: dict[str, Database] = {}


def shared_database(url: str) -> Database:
    """One Database per URL for this whole process, for the crawls of a batch: one engine, pool
    and statement cache instead of one per portal. `dispose_shared()` closes them."""
    with _lock:
        database = _shared.get(url)
    if database is None:
        database = Database(url)
        with _lock:
            database = _shared.setdefault(url, database)
    return database


def dispose_shared() -> None:
    with _lock:
        databases = list(_shared.values())
        _shared.clear()
    for database in databases:
        database.dispose()


@contextmanager
def exclusive(database: Database, name: str) -> Iterator[bool]:
    """A lock named `name` over every process and machine using this database, taken without
    waiting: yields whether this process holds it (if not, someone else is doing the work).

    PostgreSQL: a session advisory lock on a connection kept for the block; SQLite (one machine):
    an exclusive flock on a file beside the database. Either is released when the holder's
    process dies, however it dies, so a killed holder never blocks the next one.
    """
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            key = connection.scalar(text("SELECT hashtext(:name)"), {"name": f"portalwatch:{name}"})
            held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
        return
    path = sqlite_file(database.url)
    if path is None:
        yield True  # a database only this process can see
        return
    import fcntl

    with open(f"{path}.{name}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

