"""index article_events.occurred_at

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:50:00

"What happened in the last 24 hours" (the web's Today page, /api/v1/events) reads the newest
events of every kind: the (kind, occurred_at) index serves one kind at a time, so without this
one every event ever stored was scanned and sorted, and events only grow.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_time", "article_events", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_events_time", table_name="article_events")
