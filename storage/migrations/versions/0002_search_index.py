"""search index: articles.search_text and a full-text index over it

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:00:00

`search_text` holds the folded words of title, lead, body, captions and attachment titles
(`storage.search.search_text_for`, set by `storage.store._apply`). SQLite indexes it with FTS5
(external content + triggers), PostgreSQL with a generated tsvector column and a GIN index; see
`storage/search.py` for why each is built the way it is. Existing rows are backfilled here.

On SQLite, a later migration that rebuilds `articles` (batch "move and copy") drops the FTS
triggers with the old table: call `storage.search.install_sqlite_triggers(op.get_bind())` after it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.search import (
    drop_postgres_index,
    drop_sqlite_index,
    fold_words,
    install_postgres_index,
    install_sqlite_index,
    searchable_parts,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 500

# The table as this revision knows it (not storage.models, which moves on).
articles = sa.table(
    "articles",
    sa.column("id", sa.Integer), sa.column("title", sa.Text), sa.column("lead", sa.Text),
    sa.column("body", sa.JSON), sa.column("images", sa.JSON), sa.column("attachments", sa.JSON),
    sa.column("search_text", sa.Text),
)


def _backfill(bind: sa.engine.Connection) -> None:
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(articles.c.id, articles.c.title, articles.c.lead, articles.c.body,
                      articles.c.images, articles.c.attachments)
            .where(articles.c.id > last_id).order_by(articles.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            articles.update().where(articles.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [{"row_id": row.id,
              "text": fold_words("\n".join(searchable_parts(row.title, row.lead, row.body, row.images,
                                                            row.attachments)))}
             for row in rows],
        )
        last_id = rows[-1].id


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("articles", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _backfill(bind)
    if bind.dialect.name == "sqlite":
        install_sqlite_index(bind)
    elif bind.dialect.name == "postgresql":
        install_postgres_index(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        drop_sqlite_index(bind)
    elif bind.dialect.name == "postgresql":
        drop_postgres_index(bind)
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("search_text")
