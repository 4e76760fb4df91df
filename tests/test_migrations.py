"""The migrations: what they build is what storage/models.py declares, and they go both ways."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, inspect

from storage.db import alembic_config, upgrade


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        upgrade(engine)
        try:
            command.check(alembic_config(engine))  # raises when a model change has no migration
        except CommandError as exc:
            pytest.fail(f"storage/models.py and the migrations disagree: {exc}")
    finally:
        engine.dispose()


def test_every_migration_can_be_undone_and_done_again(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        config = alembic_config(engine)
        command.upgrade(config, "heads")
        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "heads")
        indexes = {index["name"] for index in inspect(engine).get_indexes("articles")}
        assert {"ix_articles_author", "ix_articles_published_id", "ix_articles_category"} <= indexes
    finally:
        engine.dispose()
