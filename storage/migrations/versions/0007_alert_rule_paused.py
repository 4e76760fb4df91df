"""alert_rules.paused: a rule kept but not reporting for now

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:05:00

The web page pauses and resumes a rule without deleting it (and losing its name, filters and
channels). A paused rule queues no alert for the events stored while it is paused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.add_column(sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.drop_column("paused")
