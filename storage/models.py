"""SQLAlchemy 2.0 ORM classes for the write side: each mapped onto its table in `storage.tables`,
where the schema is written once (columns, types, defaults, indexes and the reasons for them).

The annotations here only type the attributes; the columns come from the tables. Schema changes
go through Alembic (`storage/migrations/versions/`), never `create_all`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, relationship

from storage import tables
from storage.tables import AwareDateTime, utcnow

__all__ = ["AlertDelivery", "AlertRule", "Article", "ArticleEvent", "ArticleVersion", "AwareDateTime", "Base",
           "CrawlRun", "HealthEvent", "HealthIncident", "Portal", "utcnow"]


class Base(DeclarativeBase):
    metadata = tables.metadata


class Portal(Base):
    __table__ = tables.portals

    id: Mapped[str]
    name: Mapped[str]
    cms: Mapped[str]
    timezone: Mapped[str]
    consecutive_failures: Mapped[int]
    last_error: Mapped[str | None]
    last_crawl_at: Mapped[datetime | None]
    backoff_until: Mapped[datetime | None]
    listing_url: Mapped[str | None]


class Article(Base):
    __table__ = tables.articles

    id: Mapped[int]
    portal_id: Mapped[str]
    canonical_url: Mapped[str]
    url: Mapped[str]
    title: Mapped[str]
    lead: Mapped[str | None]
    body: Mapped[list[Any]]
    images: Mapped[list[Any]]
    attachments: Mapped[list[Any]]
    author: Mapped[str | None]
    source: Mapped[str | None]
    category: Mapped[str | None]
    language: Mapped[str]
    published_at: Mapped[datetime | None]
    published_text: Mapped[str | None]
    updated_at: Mapped[datetime | None]
    content_hash: Mapped[str]
    version: Mapped[int]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_changed_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    listing_signature: Mapped[str | None]
    last_checked_at: Mapped[datetime | None]
    search_text: Mapped[str] = deferred(tables.articles.c.search_text)  # only the index reads it

    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.version", cascade="all, delete-orphan"
    )


class ArticleVersion(Base):
    __table__ = tables.article_versions

    id: Mapped[int]
    article_id: Mapped[int]
    version: Mapped[int]
    record: Mapped[dict[str, Any]]
    content_hash: Mapped[str]
    diff: Mapped[str | None]
    changed_fields: Mapped[list[Any]]
    created_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None]

    article: Mapped[Article] = relationship(back_populates="versions")


class ArticleEvent(Base):
    __table__ = tables.article_events

    id: Mapped[int]
    article_id: Mapped[int]
    portal_id: Mapped[str]
    kind: Mapped[str]
    version: Mapped[int]
    occurred_at: Mapped[datetime]
    baseline: Mapped[bool]
    crawl_run_id: Mapped[int | None]

    article: Mapped[Article] = relationship()


class CrawlRun(Base):
    __table__ = tables.crawl_runs

    id: Mapped[int]
    portal_id: Mapped[str]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str]
    host: Mapped[str | None]
    pid: Mapped[int | None]
    baseline: Mapped[bool]
    requests_sent: Mapped[int]
    pages_fetched: Mapped[int]
    articles_new: Mapped[int]
    articles_changed: Mapped[int]
    articles_removed: Mapped[int]
    articles_unchanged: Mapped[int]
    articles_failed: Mapped[int]
    errors: Mapped[list[Any]]
    listings_fetched: Mapped[int]
    listings_without_links: Mapped[int]
    pages_parsed: Mapped[int]
    parse_failures: Mapped[int]
    missing_date: Mapped[int]
    missing_author: Mapped[int]
    missing_body: Mapped[int]
    health: Mapped[str | None]

    def summary(self) -> str:
        took = (self.finished_at - self.started_at).total_seconds() if self.finished_at else 0.0
        return (
            f"{self.portal_id}: {self.status} in {took:.1f}s, {self.requests_sent} requests, "
            f"{self.articles_new} new, {self.articles_changed} changed, {self.articles_removed} removed, "
            f"{self.articles_unchanged} unchanged, {self.articles_failed} failed, {len(self.errors)} errors"
        ) + (f"; parser health: BROKEN ({self.listings_without_links} listing page(s) without links, "
             f"{self.parse_failures} article page(s) unreadable)" if self.health == "broken" else "")


class HealthIncident(Base):
    __table__ = tables.health_incidents

    id: Mapped[int]
    portal_id: Mapped[str]
    opened_at: Mapped[datetime]
    opened_run_id: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    closed_run_id: Mapped[int | None]
    problems: Mapped[list[Any]]


class HealthEvent(Base):
    __table__ = tables.health_events

    id: Mapped[int]
    incident_id: Mapped[int]
    portal_id: Mapped[str]
    kind: Mapped[str]
    occurred_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None]
    details: Mapped[dict[str, Any]]

    incident: Mapped[HealthIncident] = relationship()


class AlertRule(Base):
    __table__ = tables.alert_rules

    id: Mapped[int]
    name: Mapped[str]
    portal_ids: Mapped[list[Any]]
    event_kinds: Mapped[list[Any]]
    match_text: Mapped[str | None]
    match_regex: Mapped[str | None]
    category: Mapped[str | None]
    notify_urls: Mapped[list[Any]]
    digest_seconds: Mapped[int | None]
    paused: Mapped[bool]
    created_at: Mapped[datetime]
    last_digest_at: Mapped[datetime | None]


class AlertDelivery(Base):
    __table__ = tables.alert_deliveries

    id: Mapped[int]
    rule_id: Mapped[int]
    event_id: Mapped[int | None]
    health_event_id: Mapped[int | None]
    status: Mapped[str]
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    claim_token: Mapped[str | None]
    sent_to: Mapped[list[Any]]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None]

    rule: Mapped[AlertRule] = relationship()
    event: Mapped[ArticleEvent | None] = relationship()
    health_event: Mapped[HealthEvent | None] = relationship()
