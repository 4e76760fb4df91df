"""The schema as SQLAlchemy Core tables: portals, articles, their versions and events, crawl runs,
parser health, alert rules and the alert outbox.

Written once, here: `storage.models` maps its ORM classes onto these tables, Alembic compares
its migrations with them (`tests/test_migrations.py`), and the read path (`storage.query`) uses
them directly, so that a command that only reads never imports or configures the ORM (about a
fifth of a second of every `portalwatch items`). Schema changes go through Alembic
(`storage/migrations/versions/`), never `create_all`.

An article row always holds the latest version; `article_versions` keeps every version's full
record and `article_events` says what happened when (new, changed, removed, restored), which is
what `items --event`, feeds and alerts read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: SQLite drops the offset, so store UTC and re-attach it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: portalwatch stores aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _moment(name: str, *, nullable: bool = True, **options: Any) -> Column[datetime]:
    return Column(name, AwareDateTime(), nullable=nullable, **options)


def _count(name: str) -> Column[int]:
    """A crawl run's counter: 0 until counted (also for rows written before the column existed)."""
    return Column(name, Integer, nullable=False, default=0, server_default="0")


portals = Table(
    "portals", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("cms", String(32), nullable=False),
    Column("timezone", String(64), nullable=False, default="Asia/Ho_Chi_Minh"),
    # Health as the scheduler sees it: a failing portal backs off until it answers again.
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    _moment("last_crawl_at"),
    _moment("backoff_until"),
    # The news listing a crawl found on the home page (an entry with only a home page, or an
    # unverified one whose guessed listing failed): the next crawls start there, and look again
    # on the home page only when it fails.
    Column("listing_url", String(2000)),
)

articles = Table(
    "articles", metadata,
    _id(),
    Column("portal_id", ForeignKey("portals.id"), nullable=False, index=True),
    Column("canonical_url", String(2000), nullable=False, unique=True),
    Column("url", String(2000), nullable=False),
    Column("title", Text, nullable=False),
    Column("lead", Text),
    Column("body", JSON, nullable=False),
    Column("images", JSON, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("author", String(300), index=True),
    Column("source", String(500)),
    Column("category", String(300), index=True),
    Column("language", String(8), nullable=False, default="vi"),
    _moment("published_at"),
    Column("published_text", String(100)),
    _moment("updated_at"),
    Column("content_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    _moment("first_seen_at", nullable=False, default=utcnow),
    _moment("last_seen_at", nullable=False, default=utcnow),
    _moment("last_changed_at"),
    _moment("removed_at", index=True),
    # What the crawler needs to recrawl cheaply: HTTP validators, the listing entry as last seen,
    # and when the page was last fetched (drives the recheck schedule).
    Column("etag", String(300)),
    Column("last_modified", String(100)),
    Column("listing_signature", String(64)),
    _moment("last_checked_at"),
    # Folded words for full-text search (storage/search.py); deferred in the ORM: only the index reads it.
    Column("search_text", Text, nullable=False, default="", server_default=""),
    Index("ix_articles_portal_published", "portal_id", "published_at"),
    Index("ix_articles_first_seen", "first_seen_at"),
    Index("ix_articles_last_changed", "last_changed_at"),
)

article_versions = Table(
    "article_versions", metadata,
    _id(),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("record", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("diff", Text),  # unified diff from the previous version
    Column("changed_fields", JSON, nullable=False, default=list),
    _moment("created_at", nullable=False, default=utcnow),
    Column("crawl_run_id", ForeignKey("crawl_runs.id")),
    UniqueConstraint("article_id", "version"),
)

article_events = Table(
    "article_events", metadata,
    _id(),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("portal_id", ForeignKey("portals.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # new | changed | removed | restored
    Column("version", Integer, nullable=False),  # the article's version after the event
    _moment("occurred_at", nullable=False, default=utcnow),
    # The first crawl of a portal records what already exists: reported, never alerted.
    Column("baseline", Boolean, nullable=False, default=False),
    Column("crawl_run_id", ForeignKey("crawl_runs.id")),
    Index("ix_events_kind_time", "kind", "occurred_at"),
    Index("ix_events_time", "occurred_at"),  # what happened lately, every kind (Today)
)

crawl_runs = Table(
    "crawl_runs", metadata,
    _id(),
    Column("portal_id", ForeignKey("portals.id"), nullable=False, index=True),
    _moment("started_at", nullable=False, default=utcnow),
    _moment("finished_at"),
    Column("status", String(16), nullable=False, default="running"),  # running | ok | failed
    # Who runs it: a run left 'running' by a process of this machine that has ended is closed.
    Column("host", String(255)),
    Column("pid", Integer),
    Column("baseline", Boolean, nullable=False, default=False),
    Column("requests_sent", Integer, nullable=False, default=0),
    Column("pages_fetched", Integer, nullable=False, default=0),
    Column("articles_new", Integer, nullable=False, default=0),
    Column("articles_changed", Integer, nullable=False, default=0),
    Column("articles_removed", Integer, nullable=False, default=0),
    Column("articles_unchanged", Integer, nullable=False, default=0),
    Column("articles_failed", Integer, nullable=False, default=0),
    Column("errors", JSON, nullable=False, default=list),
    # Parser health (crawler/core/health.py): what the portal's pages gave the parser this run.
    _count("listings_fetched"),
    _count("listings_without_links"),
    _count("pages_parsed"),  # article pages read
    _count("parse_failures"),  # article pages that came back but could not be read as an article
    _count("missing_date"),
    _count("missing_author"),
    _count("missing_body"),
    Column("health", String(16)),  # ok | broken | None: too little to judge
)

# A stretch of crawls in which the portal's pages no longer parse (a theme change, most often).
# At most one is open per portal (closed_at None); see storage/health.py.
health_incidents = Table(
    "health_incidents", metadata,
    _id(),
    Column("portal_id", ForeignKey("portals.id"), nullable=False),
    _moment("opened_at", nullable=False, default=utcnow),
    Column("opened_run_id", ForeignKey("crawl_runs.id")),
    _moment("closed_at"),
    Column("closed_run_id", ForeignKey("crawl_runs.id")),
    # What broke, as crawler.core.health.Problem dicts: {"aspect": "listing", "text": "..."}
    Column("problems", JSON, nullable=False, default=list),
    Index("ix_health_incidents_portal_open", "portal_id", "closed_at"),
)

# An incident opening ("unhealthy") or closing ("recovered"): what a `--on health` rule alerts.
health_events = Table(
    "health_events", metadata,
    _id(),
    Column("incident_id", ForeignKey("health_incidents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("portal_id", ForeignKey("portals.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # unhealthy | recovered
    _moment("occurred_at", nullable=False, default=utcnow),
    Column("crawl_run_id", ForeignKey("crawl_runs.id")),
    # The run's figures and the problems, as the alert tells them (the run row may be pruned later).
    Column("details", JSON, nullable=False, default=dict),
    UniqueConstraint("incident_id", "kind", name="uq_health_events_incident_kind"),
)

# What a reader wants to be told about, and where (Apprise URLs); see crawler/alerts/rules.py.
alert_rules = Table(
    "alert_rules", metadata,
    _id(),
    Column("name", String(100), nullable=False, unique=True),
    Column("portal_ids", JSON, nullable=False, default=list),  # empty: every portal
    # new | changed | removed | restored, and health (storage/health.py's events)
    Column("event_kinds", JSON, nullable=False, default=list),
    Column("match_text", Text),  # crawler.core.textmatch syntax
    Column("match_regex", Text),
    Column("category", String(300)),
    # Apprise URLs hold tokens and passwords: shown only through crawler.alerts.channels.mask_url.
    Column("notify_urls", JSON, nullable=False, default=list),
    Column("digest_seconds", Integer),  # None: one message per alert
    # Paused: kept, but queues no alert for the events stored meanwhile (none is sent later either).
    Column("paused", Boolean, nullable=False, default=False, server_default=false()),
    _moment("created_at", nullable=False, default=utcnow),  # digest periods count from here
    _moment("last_digest_at"),
)

# The outbox: one row per (rule, event), written in the event's own transaction. The unique
# constraints are what make a re-crawl unable to alert twice for the same event. A row is about
# an article event (event_id) or a parser-health event (health_event_id).
# status: pending -> sending (claimed under a lease) -> sent, or back to pending with a later
# next_attempt_at after a failure, or failed once the attempts run out.
alert_deliveries = Table(
    "alert_deliveries", metadata,
    _id(),
    Column("rule_id", ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("event_id", ForeignKey("article_events.id", ondelete="CASCADE"), index=True),
    Column("health_event_id", ForeignKey("health_events.id", ondelete="CASCADE"), index=True),
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    _moment("created_at", nullable=False, default=utcnow),
    _moment("next_attempt_at", nullable=False, default=utcnow),
    _moment("lease_until"),  # a claimed row is another dispatcher's until then
    Column("claim_token", String(32)),
    # Fingerprints of the rule's channels that already have this alert: a retry skips them.
    Column("sent_to", JSON, nullable=False, default=list),
    _moment("sent_at"),
    Column("last_error", Text),  # secrets redacted
    UniqueConstraint("rule_id", "event_id", name="uq_alert_deliveries_rule_event"),
    UniqueConstraint("rule_id", "health_event_id", name="uq_alert_deliveries_rule_health_event"),
    Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    Index("ix_alert_deliveries_claim_token", "claim_token"),
)
