"""SQLAlchemy 2.0 typed models: portals, articles, their versions and events, crawl runs.

Schema changes go through Alembic (`storage/migrations/versions/`), never `create_all`.
An article row always holds the latest version; `ArticleVersion` keeps every version's full
record and `ArticleEvent` says what happened when (new, changed, removed, restored), which is
what `items --event`, feeds and alerts read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


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


class Base(DeclarativeBase):
    type_annotation_map = {datetime: AwareDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Portal(Base):
    __tablename__ = "portals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    cms: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # Health as the scheduler sees it: a failing portal backs off until it answers again.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_crawl_at: Mapped[datetime | None]
    backoff_until: Mapped[datetime | None]


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_portal_published", "portal_id", "published_at"),
        Index("ix_articles_first_seen", "first_seen_at"),
        Index("ix_articles_last_changed", "last_changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portal_id: Mapped[str] = mapped_column(ForeignKey("portals.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    body: Mapped[list[Any]]
    images: Mapped[list[Any]]
    attachments: Mapped[list[Any]]
    author: Mapped[str | None] = mapped_column(String(300), index=True)
    source: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(300), index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    published_at: Mapped[datetime | None]
    published_text: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_changed_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None] = mapped_column(index=True)
    # What the crawler needs to recrawl cheaply: HTTP validators, the listing entry as last seen,
    # and when the page was last fetched (drives the recheck schedule).
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    listing_signature: Mapped[str | None] = mapped_column(String(64))
    last_checked_at: Mapped[datetime | None]
    # Folded words for full-text search (storage/search.py); deferred: only the index reads it.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.version", cascade="all, delete-orphan"
    )


class ArticleVersion(Base):
    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    diff: Mapped[str | None] = mapped_column(Text)  # unified diff from the previous version
    changed_fields: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))

    article: Mapped[Article] = relationship(back_populates="versions")


class ArticleEvent(Base):
    __tablename__ = "article_events"
    __table_args__ = (
        Index("ix_events_kind_time", "kind", "occurred_at"),
        Index("ix_events_time", "occurred_at"),  # what happened lately, every kind (Today)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    portal_id: Mapped[str] = mapped_column(ForeignKey("portals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # new | changed | removed | restored
    version: Mapped[int] = mapped_column(Integer)  # the article's version after the event
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first crawl of a portal records what already exists: reported, never alerted.
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))

    article: Mapped[Article] = relationship()


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portal_id: Mapped[str] = mapped_column(ForeignKey("portals.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed
    # Who runs it: a run left 'running' by a process of this machine that has ended is closed.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    requests_sent: Mapped[int] = mapped_column(Integer, default=0)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_changed: Mapped[int] = mapped_column(Integer, default=0)
    articles_removed: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    articles_failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    # Parser health (crawler/core/health.py): what the portal's pages gave the parser this run.
    listings_fetched: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    listings_without_links: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pages_parsed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # article pages read
    # Article pages that came back but could not be read as an article.
    parse_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    missing_date: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    missing_author: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    missing_body: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    health: Mapped[str | None] = mapped_column(String(16))  # ok | broken | None: too little to judge

    def summary(self) -> str:
        took = (self.finished_at - self.started_at).total_seconds() if self.finished_at else 0.0
        return (
            f"{self.portal_id}: {self.status} in {took:.1f}s, {self.requests_sent} requests, "
            f"{self.articles_new} new, {self.articles_changed} changed, {self.articles_removed} removed, "
            f"{self.articles_unchanged} unchanged, {self.articles_failed} failed, {len(self.errors)} errors"
        ) + (f"; parser health: BROKEN ({self.listings_without_links} listing page(s) without links, "
             f"{self.parse_failures} article page(s) unreadable)" if self.health == "broken" else "")


class HealthIncident(Base):
    """A stretch of crawls in which the portal's pages no longer parse (a theme change, most often).

    At most one is open per portal (closed_at None); it opens and closes in the transaction that
    ends the run which shows it (storage/health.py), each time with a HealthEvent for the alerts.
    """

    __tablename__ = "health_incidents"
    __table_args__ = (Index("ix_health_incidents_portal_open", "portal_id", "closed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portal_id: Mapped[str] = mapped_column(ForeignKey("portals.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    closed_at: Mapped[datetime | None]
    closed_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # What broke, as crawler.core.health.Problem dicts: {"aspect": "listing", "text": "..."}
    problems: Mapped[list[Any]] = mapped_column(default=list)


class HealthEvent(Base):
    """An incident opening ("unhealthy") or closing ("recovered"): what a `--on health` rule alerts."""

    __tablename__ = "health_events"
    __table_args__ = (UniqueConstraint("incident_id", "kind", name="uq_health_events_incident_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("health_incidents.id", ondelete="CASCADE"),
                                             index=True)
    portal_id: Mapped[str] = mapped_column(ForeignKey("portals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # unhealthy | recovered
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # The run's figures and the problems, as the alert tells them (the run row may be pruned later).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    incident: Mapped[HealthIncident] = relationship()


class AlertRule(Base):
    """What a reader wants to be told about, and where (Apprise URLs); see crawler/alerts/rules.py."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    portal_ids: Mapped[list[Any]] = mapped_column(default=list)  # empty: every portal
    # new | changed | removed | restored, and health (storage/health.py's events)
    event_kinds: Mapped[list[Any]] = mapped_column(default=list)
    match_text: Mapped[str | None] = mapped_column(Text)  # crawler.core.textmatch syntax
    match_regex: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(300))
    # Apprise URLs hold tokens and passwords: shown only through crawler.alerts.channels.mask_url.
    notify_urls: Mapped[list[Any]] = mapped_column(default=list)
    digest_seconds: Mapped[int | None] = mapped_column(Integer)  # None: one message per alert
    # Paused: kept, but queues no alert for the events stored meanwhile (none is sent later either).
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # digest periods count from here
    last_digest_at: Mapped[datetime | None]


class AlertDelivery(Base):
    """The outbox: one row per (rule, event), written in the event's own transaction.

    The unique constraints are what make a re-crawl unable to alert twice for the same event.
    A row is about an article event (event_id) or a parser-health event (health_event_id).
    status: pending -> sending (claimed under a lease) -> sent, or back to pending with a later
    next_attempt_at after a failure, or failed once the attempts run out.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("rule_id", "event_id", name="uq_alert_deliveries_rule_event"),
        UniqueConstraint("rule_id", "health_event_id", name="uq_alert_deliveries_rule_health_event"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
        Index("ix_alert_deliveries_claim_token", "claim_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("article_events.id", ondelete="CASCADE"),
                                                 index=True)
    health_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]  # a claimed row is another dispatcher's until then
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # Fingerprints of the rule's channels that already have this alert: a retry skips them.
    sent_to: Mapped[list[Any]] = mapped_column(default=list)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)  # secrets redacted

    rule: Mapped[AlertRule] = relationship()
    event: Mapped[ArticleEvent | None] = relationship()
    health_event: Mapped[HealthEvent | None] = relationship()
