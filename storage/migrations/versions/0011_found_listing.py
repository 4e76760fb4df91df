"""found listing: the news listing a crawl found on a portal's home page, kept for the next crawls

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00

An entry with only a home page (or an unverified one whose guessed listing failed) had its listing
looked for on the home page at every crawl: a few requests each time. The listing found is kept on
the portal's row; crawls start there and look on the home page again only when it fails.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch copy: on SQLite a batch would drop and recreate `portals`, which
# every article and run refers to (foreign keys are enforced), and fail on any filled database.
# SQLite has added and dropped columns in place since 3.35.


def upgrade() -> None:
    op.add_column("portals", sa.Column("listing_url", sa.String(2000), nullable=True))


def downgrade() -> None:
    op.drop_column("portals", "listing_url")
