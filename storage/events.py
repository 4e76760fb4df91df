"""What happened, newest first: the events (new, changed, removed, restored) with their articles.

The one "what happened" query, for the web's Today page and `/api/v1/events` (and the CLI's
`events` command)::

    from storage import events
    page = events.recent_events(db, events.EventFilter(since=now - timedelta(hours=24), kinds=("changed",)))
    for entry in page.entries:      # storage.query.FeedEntry: event, article as stored now, diff of an edit
        print(entry.event.kind, entry.event.occurred_at, entry.article.title, entry.diff)
    more = events.recent_events(db, filters, cursor=page.next_cursor)

A portal's first crawl records what already exists as "new" baseline events: left out unless
`include_baseline=True`, as `items --event new` leaves them out.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crawler.core.errors import UserError
from storage.query import (
    EventKind,
    EventRow,
    FeedEntry,
    Source,
    _check,
    _connection,
    _events_select,  # one definition of "an event row" for every read
    _row,
    _values_like,
)
from storage.tables import article_events as events_table
from storage.tables import articles


@dataclass(frozen=True)
class EventFilter:
    """Every field optional, combined with AND. `since` inclusive, `until` exclusive (aware datetimes)."""

    since: datetime | None = None
    until: datetime | None = None
    portals: tuple[str, ...] = ()
    kinds: tuple[EventKind, ...] = ()
    category: str | None = None  # matched like a search: "tin tuc" finds "Tin tức - Sự kiện"
    include_baseline: bool = False

    def __post_init__(self) -> None:
        for kind in self.kinds:
            _check("event", kind, EventKind)


@dataclass(frozen=True)
class EventPage:
    entries: list[FeedEntry]
    next_cursor: str | None  # None on the last page


def recent_events(source: Source, filters: EventFilter | None = None, *, limit: int = 50,
                  cursor: str | None = None) -> EventPage:
    """One page of events, newest first, each with its article and, for an edit, the diff it made."""
    filters = filters or EventFilter()
    if limit < 1:
        raise UserError(f"limit must be at least 1, not {limit}")
    with _connection(source) as connection:
        stmt = _events_select()
        if filters.since is not None:
            stmt = stmt.where(events_table.c.occurred_at >= filters.since)
        if filters.until is not None:
            stmt = stmt.where(events_table.c.occurred_at < filters.until)
        if filters.portals:
            stmt = stmt.where(events_table.c.portal_id.in_(filters.portals))
        if filters.kinds:
            stmt = stmt.where(events_table.c.kind.in_(filters.kinds))
        if not filters.include_baseline:
            stmt = stmt.where(events_table.c.baseline.is_(False))
        if filters.category:
            category = articles.c.category
            stmt = stmt.where(category.in_(_values_like(connection, category, filters.category)))
        if cursor:
            occurred_at, last_id = _decode_cursor(cursor)
            stmt = stmt.where(sa.or_(events_table.c.occurred_at < occurred_at,
                                     sa.and_(events_table.c.occurred_at == occurred_at,
                                             events_table.c.id < last_id)))
        found = connection.execute(stmt.limit(limit + 1)).all()
        entries = [FeedEntry(EventRow(r.event_id, r.kind, r.occurred_at, r.event_version, r.baseline),
                             _row(r, None, None), r.diff) for r in found[:limit]]
    next_cursor = _encode_cursor(entries[-1].event) if len(found) > limit else None
    return EventPage(entries, next_cursor)


def _encode_cursor(event: EventRow) -> str:
    blob = json.dumps({"at": event.occurred_at.isoformat(), "id": event.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(blob.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        occurred_at = datetime.fromisoformat(data["at"])
        if occurred_at.tzinfo is None:
            raise ValueError("naive time")
        return occurred_at, int(data["id"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise UserError(f"not an events cursor printed by portalwatch: {cursor!r}") from exc
