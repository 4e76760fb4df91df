"""Alembic environment: runs on the engine storage.db hands over (or the configured URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.tables import metadata

config = context.config
target_metadata = metadata


# Objects that live outside storage.tables: APScheduler's job table, the search index (FTS5 tables,
# the tsvector column and its indexes, created by migration 0002). Autogenerate must not drop them.
_UNMODELLED = (
    "apscheduler_jobs",
    "articles_fts",
    "search_vector",
    "ix_articles_search",
    "ix_articles_published_id",
)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (reflected and compare_to is None and name and name.startswith(_UNMODELLED))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
