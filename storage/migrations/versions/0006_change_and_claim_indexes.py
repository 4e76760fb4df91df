"""index articles.last_changed_at and alert_deliveries.claim_token

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:00:00

`items --event changed --changed-since 24h` (and the web's "edited today") filter on
`last_changed_at`: without an index, a scan of every article. Every write of a dispatcher after its
claim (lease renewal, channels sent, outcome) selects its rows by `claim_token`: without an index,
a scan of the whole outbox for each, and the outbox only grows.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_last_changed", "articles", ["last_changed_at"])
    op.create_index("ix_alert_deliveries_claim_token", "alert_deliveries", ["claim_token"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_claim_token", table_name="alert_deliveries")
    op.drop_index("ix_articles_last_changed", table_name="articles")
