"""index articles.author

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00

`--author` compares the stored authors as a search would ("thanh hieu" ~ "Thanh Hiếu"), which
reads the distinct authors first: without an index that was a scan of every article (115 ms on
SQLite, 59 ms on PostgreSQL at 100,000 articles), with it a walk of the index.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_author", "articles", ["author"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        # Statistics of the other indexes but none of this one made SQLite walk the published
        # index instead (50 ms, not 1.5 ms, at 100,000 articles).
        op.execute("ANALYZE ix_articles_author")


def downgrade() -> None:
    op.drop_index("ix_articles_author", table_name="articles")
