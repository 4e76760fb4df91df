"""parser health: per-run parse figures, health incidents and their events, alerts about them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:00:00

Each crawl run records how many listing pages and article pages the parser could read and how many
records lacked a date, an author or a body. A portal whose pages stop parsing (a theme change) has
an incident, opened and closed with a health event each; an alert delivery is about an article
event or a health event, so `alert_deliveries.event_id` may now be empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_RUN_COUNTS = ("listings_fetched", "listings_without_links", "pages_parsed", "parse_failures",
               "missing_date", "missing_author", "missing_body")


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        for name in _RUN_COUNTS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("health", sa.String(16), nullable=True))
    op.create_table(
        "health_incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("portal_id", sa.String(64), sa.ForeignKey("portals.id"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_run_id", sa.Integer(), sa.ForeignKey("crawl_runs.id"), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_run_id", sa.Integer(), sa.ForeignKey("crawl_runs.id"), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
    )
    op.create_index("ix_health_incidents_portal_open", "health_incidents", ["portal_id", "closed_at"])
    op.create_table(
        "health_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("health_incidents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("portal_id", sa.String(64), sa.ForeignKey("portals.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), sa.ForeignKey("crawl_runs.id"), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.UniqueConstraint("incident_id", "kind", name="uq_health_events_incident_kind"),
    )
    op.create_index("ix_health_events_incident_id", "health_events", ["incident_id"])
    op.create_index("ix_health_events_portal_id", "health_events", ["portal_id"])
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("health_event_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_alert_deliveries_health_event", "health_events",
                                 ["health_event_id"], ["id"], ondelete="CASCADE")
        batch.create_unique_constraint("uq_alert_deliveries_rule_health_event",
                                       ["rule_id", "health_event_id"])
        batch.create_index("ix_alert_deliveries_health_event_id", ["health_event_id"])


def downgrade() -> None:
    op.execute("DELETE FROM alert_deliveries WHERE event_id IS NULL")
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_index("ix_alert_deliveries_health_event_id")
        batch.drop_constraint("uq_alert_deliveries_rule_health_event", type_="unique")
        batch.drop_constraint("fk_alert_deliveries_health_event", type_="foreignkey")
        batch.drop_column("health_event_id")
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("health_events")
    op.drop_table("health_incidents")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("health")
        for name in _RUN_COUNTS:
            batch.drop_column(name)
