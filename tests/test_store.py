"""The write path on SQLite and PostgreSQL: new, changed, unchanged, removed, restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crawler.changes import ChangeKind
from storage.db import Database
from storage.models import Article, ArticleEvent, ArticleVersion, CrawlRun, utcnow
from storage.store import (
    crawl_in_progress,
    crawl_state,
    ensure_portal,
    finish_run,
    is_baseline,
    mark_removed,
    start_run,
    store_record,
)
from tests.records import make_record


def _portal(db: Database) -> None:
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")


def test_new_then_unchanged_then_changed_keeps_versions_and_diff(db: Database) -> None:
    _portal(db)
    with db.session() as s:
        assert is_baseline(s, "thainguyen")
        run = start_run(s, "thainguyen", baseline=True)
        first = store_record(s, make_record(), run=run, baseline=True)
        finish_run(s, run, status="ok")
    with db.session() as s:
        again = store_record(s, make_record())
        edited = store_record(s, make_record(body=["Chiều 11/3.", "Tặng Bằng khen cho 65 tập thể."]))
    assert (first.kind, again.kind, edited.kind) == (ChangeKind.NEW, ChangeKind.UNCHANGED, ChangeKind.CHANGED)
    assert edited.version == 2
    with db.session() as s:
        article = s.scalars(select(Article)).one()
        assert article.version == 2 and article.body[1] == "Tặng Bằng khen cho 65 tập thể."
        assert article.published_at.utcoffset() is not None
        versions = s.scalars(select(ArticleVersion).order_by(ArticleVersion.version)).all()
        assert [v.version for v in versions] == [1, 2]
        assert "+Tặng Bằng khen cho 65 tập thể." in versions[1].diff
        events = s.scalars(select(ArticleEvent).order_by(ArticleEvent.id)).all()
        assert [(e.kind, e.baseline) for e in events] == [("new", True), ("changed", False)]
        assert not is_baseline(s, "thainguyen")


def test_removed_is_marked_not_deleted_and_coming_back_is_a_change(db: Database) -> None:
    _portal(db)
    record = make_record()
    with db.session() as s:
        store_record(s, record)
    with db.session() as s:
        removed = mark_removed(s, record.canonical_url)
        assert mark_removed(s, record.canonical_url) is None  # removing twice records one event
    assert removed is not None and removed.kind == ChangeKind.REMOVED
    with db.session() as s:
        assert s.scalars(select(Article)).one().removed_at is not None
        assert crawl_state(s, "thainguyen")[record.canonical_url].removed
    with db.session() as s:
        back = store_record(s, record)
    assert back.kind == ChangeKind.RESTORED
    with db.session() as s:
        assert s.scalars(select(Article)).one().removed_at is None
        kinds = s.scalars(select(ArticleEvent.kind).order_by(ArticleEvent.id)).all()
        assert kinds == ["new", "removed", "restored"]


def test_a_failed_batch_leaves_no_half_article(db: Database) -> None:
    _portal(db)
    try:
        with db.session() as s:
            store_record(s, make_record("a"))
            store_record(s, make_record("b"))
            raise RuntimeError("crawl killed")
    except RuntimeError:
        pass
    with db.session() as s:
        assert s.scalar(select(func.count(Article.id))) == 0
        assert s.scalar(select(func.count(ArticleVersion.id))) == 0


@pytest.mark.parametrize(("age", "in_progress"), [(timedelta(hours=1), True), (timedelta(hours=7), False)])
def test_a_run_whose_process_cannot_be_checked_counts_as_in_progress_for_six_hours(
        db: Database, age: timedelta, in_progress: bool) -> None:
    _portal(db)
    with db.session() as s:  # as runs were written before they recorded their process
        run = start_run(s, "thainguyen", baseline=False)
        run.pid = run.host = None
        run.started_at = utcnow() - age
        run_id = run.id
    with db.session() as s:
        found = crawl_in_progress(s, "thainguyen")
        assert (found is not None) is in_progress
    with db.session() as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None
        assert run.status == ("running" if in_progress else "failed")
        if not in_progress:
            assert "still 'running' 7.0 h after it started" in run.errors[-1]["reason"]
