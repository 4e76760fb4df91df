"""storage/events.py: what happened, newest first, filtered and paged, with the diff of each edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.core.errors import UserError
from storage.db import Database
from storage.events import EventFilter, recent_events
from storage.store import ensure_portal, mark_removed, store_record
from tests.records import make_record

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _fill(db: Database) -> None:
    with db.session() as s:
        for portal in ("thainguyen", "hanoi"):
            ensure_portal(s, portal, name=portal, cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("old"), baseline=True, now=NOW - timedelta(days=3))
        store_record(s, make_record("a"), now=NOW - timedelta(hours=5))
        store_record(s, make_record("b", portal="hanoi", category="Kinh tế"), now=NOW - timedelta(hours=4))
        edited = make_record("a", body=["Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị.",
                                        "Tặng Bằng khen cho 65 tập thể."])
        store_record(s, edited, now=NOW - timedelta(hours=3))
        mark_removed(s, make_record("b", portal="hanoi").canonical_url, now=NOW - timedelta(hours=2))


def test_events_newest_first_with_the_diff_of_an_edit_and_without_the_baseline(db: Database) -> None:
    _fill(db)
    page = recent_events(db, EventFilter(since=NOW - timedelta(hours=24)))
    assert [(e.event.kind, e.article.canonical_url.rsplit("/", 1)[1]) for e in page.entries] == [
        ("removed", "b"), ("changed", "a"), ("new", "b"), ("new", "a")]
    edit = page.entries[1]
    assert "+Tặng Bằng khen cho 65 tập thể." in (edit.diff or "") and edit.article.version == 2
    assert all(e.diff is None for e in page.entries if e.event.kind != "changed")
    everything = recent_events(db, EventFilter(include_baseline=True))
    assert [e.event.baseline for e in everything.entries][-1] is True and len(everything.entries) == 5


def test_events_filtered_by_portal_kind_category_and_time(db: Database) -> None:
    _fill(db)
    hanoi = recent_events(db, EventFilter(portals=("hanoi",))).entries
    assert [e.event.kind for e in hanoi] == ["removed", "new"]
    assert [e.event.kind for e in recent_events(db, EventFilter(kinds=("changed",))).entries] == ["changed"]
    assert len(recent_events(db, EventFilter(category="kinh te")).entries) == 2
    assert recent_events(db, EventFilter(since=NOW - timedelta(hours=1))).entries == []
    assert len(recent_events(db, EventFilter(until=NOW - timedelta(hours=3, minutes=30))).entries) == 2


def test_events_page_with_a_cursor_without_skipping_or_repeating(db: Database) -> None:
    _fill(db)
    seen, cursor = [], None
    while True:
        page = recent_events(db, EventFilter(include_baseline=True), limit=2, cursor=cursor)
        seen += [e.event.id for e in page.entries]
        if not (cursor := page.next_cursor):
            break
    assert seen == [e.event.id for e in recent_events(db, EventFilter(include_baseline=True)).entries]
    assert len(seen) == len(set(seen)) == 5


def test_a_bad_cursor_or_kind_is_a_clear_error(db: Database) -> None:
    with pytest.raises(UserError, match="cursor"):
        recent_events(db, cursor="not-a-cursor")
    with pytest.raises(UserError, match="unknown event"):
        EventFilter(kinds=("edited",))  # type: ignore[arg-type]
