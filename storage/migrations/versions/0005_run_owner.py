"""crawl_runs.host and crawl_runs.pid: which process runs a crawl

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:10:00

A crawl killed outright (SIGKILL, out of memory, power cut) leaves its run 'running'. Knowing
the process that wrote it, the next crawl on the same machine sees that it has ended and closes
the run as failed, and a crawl of a portal that another live process is crawling is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
