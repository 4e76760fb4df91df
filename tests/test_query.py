"""The query layer on SQLite and PostgreSQL: each filter, sorting, cursor paging, single articles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crawler.core.errors import UserError
from storage import query, search
from storage.db import Database, open_database
from storage.query import ArticleFilter
from storage.store import ensure_portal, mark_removed, store_record
from tests.conftest import throwaway_postgres
from tests.records import VN, make_record

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)  # when the first crawl ran


def _slugs(rows: list[query.ArticleRow] | object) -> list[str]:
    return [row.canonical_url.rsplit("/", 1)[1] for row in rows]  # type: ignore[attr-defined]


def _list(db: Database, **filters: object) -> list[str]:
    return _slugs(query.iter_articles(db, ArticleFilter(**filters)))  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Built once per database for this module's read-only tests (a fresh PostgreSQL database costs)."""
    if request.param == "sqlite":
        db = open_database(f"sqlite:///{tmp_path_factory.mktemp('query') / 'store.db'}")
        _fill(db)
        yield db
        db.dispose()
        return
    with throwaway_postgres() as url:
        db = open_database(url)
        try:
            _fill(db)
            yield db
        finally:
            db.dispose()


def _fill(db: Database) -> None:
    """Two portals; a baseline crawl on day 0, then new, edited and removed articles on days 1-3."""
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        ensure_portal(s, "hanoi", name="Hà Nội", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        for day, slug in enumerate(["tn-old", "tn-mid"], start=1):
            store_record(s, make_record(slug, published_at=datetime(2024, 4, day, 9, 0, tzinfo=VN)),
                         baseline=True, now=T0)
        store_record(s, make_record("hn-old", "hanoi", published_at=datetime(2024, 4, 3, 9, 0, tzinfo=VN),
                                    category="Kinh tế", author="Nguyễn Văn Đức"), baseline=True, now=T0)
    with db.session() as s:
        store_record(s, make_record("tn-new", published_at=datetime(2024, 5, 2, 7, 30, tzinfo=VN),
                                    category="Văn hóa - Xã hội"), now=T0 + timedelta(days=1))
        store_record(s, make_record("tn-undated", published_at=None), now=T0 + timedelta(days=1))
    with db.session() as s:
        store_record(s, make_record("tn-mid", published_at=datetime(2024, 4, 2, 9, 0, tzinfo=VN),
                                    body=["Đã sửa số liệu: 65 tập thể."]), now=T0 + timedelta(days=2))
    with db.session() as s:
        mark_removed(s, make_record("tn-old").canonical_url, now=T0 + timedelta(days=3))


def test_default_lists_online_articles_newest_published_first_undated_last(store: Database) -> None:
    assert _list(store) == ["tn-new", "hn-old", "tn-mid", "tn-undated"]


def test_portal_filter(store: Database) -> None:
    assert _list(store, portals=("hanoi",)) == ["hn-old"]
    assert set(_list(store, portals=("hanoi", "thainguyen"))) == set(_list(store))


def test_published_range_is_since_inclusive_until_exclusive(store: Database) -> None:
    since = datetime(2024, 4, 2, 9, 0, tzinfo=VN)
    assert _list(store, published_since=since) == ["tn-new", "hn-old", "tn-mid"]
    assert _list(store, published_since=since, published_until=datetime(2024, 4, 3, 9, 0, tzinfo=VN)) == [
        "tn-mid"]


def test_first_seen_range(store: Database) -> None:
    assert _list(store, first_seen_since=T0 + timedelta(hours=1)) == ["tn-new", "tn-undated"]
    assert _list(store, first_seen_until=T0 + timedelta(hours=1)) == ["hn-old", "tn-mid"]


def test_changed_range_covers_edits_and_removals(store: Database) -> None:
    assert _list(store, changed_since=T0 + timedelta(days=2)) == ["tn-mid", "tn-old"]
    assert _list(store, changed_since=T0 + timedelta(days=3)) == ["tn-old"]


def test_category_and_author_match_without_diacritics(store: Database) -> None:
    assert _list(store, category="van hoa") == ["tn-new"]
    assert _list(store, category="Kinh tế") == ["hn-old"]
    assert _list(store, author="nguyen van duc") == ["hn-old"]
    assert _list(store, author="thanh hieu") == ["tn-new", "tn-mid", "tn-undated"]
    assert _list(store, author="không ai") == []
    # The same filters on the first page of a relevance search (built by storage.query._window_plans).
    ranked = query.search_articles(store, ArticleFilter(search="dai tuong", category="van hoa")).rows
    assert _slugs(ranked) == ["tn-new"]
    ranked = query.search_articles(store, ArticleFilter(search="dai tuong", author="nguyen van duc")).rows
    assert _slugs(ranked) == ["hn-old"]


def test_status_active_removed_all(store: Database) -> None:
    assert "tn-old" not in _list(store, status="active")
    assert _list(store, status="removed") == ["tn-old"]
    assert len(_list(store, status="all")) == 5


def test_event_filter_leaves_out_the_first_crawl_and_honours_since(store: Database) -> None:
    assert _list(store, events=("new",)) == ["tn-new", "tn-undated"]  # baseline articles are not news
    assert len(_list(store, events=("new",), include_baseline=True)) == 5
    assert _list(store, events=("changed",)) == ["tn-mid"]
    assert _list(store, events=("removed",)) == ["tn-old"]  # removed ones are listed when asked for
    assert _list(store, events=("new", "changed"), events_since=T0 + timedelta(days=2)) == ["tn-mid"]
    assert _list(store, events=("changed",), events_until=T0 + timedelta(days=2)) == []


def test_sort_by_first_seen(store: Database) -> None:
    assert _list(store, sort="first_seen")[:2] == ["tn-undated", "tn-new"]


def test_rows_carry_the_record_and_what_the_store_knows(store: Database) -> None:
    rows = {row.canonical_url.rsplit("/", 1)[1]: row for row in query.iter_articles(store, ArticleFilter(
        status="all"))}
    mid, old = rows["tn-mid"], rows["tn-old"]
    assert mid.version == 2 and mid.body == ["Đã sửa số liệu: 65 tập thể."]
    assert mid.first_seen_at == T0 and mid.last_seen_at == T0 + timedelta(days=2)
    assert mid.removed_at is None and old.removed_at == T0 + timedelta(days=3)
    assert mid.published_at == datetime(2024, 4, 2, 9, 0, tzinfo=VN)
    assert mid.published_at.utcoffset() == timedelta(hours=7)  # shown in the portal's zone
    data = mid.to_dict()
    assert list(data)[:16] == list(make_record().to_dict())
    assert data["published_at"] == "2024-04-02T09:00:00+07:00"
    assert {"id", "first_seen_at", "last_seen_at", "version", "removed_at"} <= set(data)
    assert "rank" not in data and "snippet" not in data
    assert mid.to_record().content_hash == make_record(
        "tn-mid", published_at=datetime(2024, 4, 2, 9, 0, tzinfo=VN), body=["Đã sửa số liệu: 65 tập thể."]
    ).content_hash


def test_cursor_pages_return_every_row_once_in_order(db: Database) -> None:
    same_time = datetime(2024, 1, 1, 8, 0, tzinfo=VN)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="TN", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        for i in range(23):  # ties on the date, and undated articles, are the hard part of keyset paging
            published = None if i % 5 == 0 else same_time + timedelta(hours=i % 3)
            store_record(s, make_record(f"a{i}", published_at=published, title=f"Tổ quốc {i}"))
    for filters in (ArticleFilter(), ArticleFilter(sort="first_seen"), ArticleFilter(search="to quoc")):
        everything = _slugs(query.iter_articles(db, filters))
        seen: list[str] = []
        cursor = None
        while True:
            page = query.search_articles(db, filters, limit=4, cursor=cursor)
            seen += _slugs(page.rows)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == everything and len(set(seen)) == 23, filters


def test_a_bad_or_mismatched_cursor_is_a_clear_error(store: Database) -> None:
    page = query.search_articles(store, ArticleFilter(), limit=1)
    assert page.next_cursor
    with pytest.raises(UserError, match="not a cursor"):
        query.search_articles(store, ArticleFilter(), cursor="garbage!")
    with pytest.raises(UserError, match="sorted by published"):
        query.search_articles(store, ArticleFilter(sort="first_seen"), cursor=page.next_cursor)


def test_no_match_is_an_empty_page(store: Database) -> None:
    page = query.search_articles(store, ArticleFilter(portals=("nowhere",)))
    assert page.rows == [] and page.next_cursor is None
    assert query.count_articles(store, ArticleFilter(portals=("nowhere",))) == 0
    assert query.count_articles(store, ArticleFilter(status="all")) == 5


def test_get_article_by_id_url_or_url_with_tracking(store: Database) -> None:
    url = make_record("tn-mid").canonical_url
    row = query.get_article(store, url)
    assert row is not None and row.version == 2
    assert query.get_article(store, row.id) == row
    assert query.get_article(store, str(row.id)) == row
    assert query.get_article(store, url + "?utm_source=zalo") == row
    assert query.get_article(store, "https://nowhere.gov.vn/x") is None
    assert query.get_article(store, 99999) is None


def test_versions_and_events_tell_the_history(store: Database) -> None:
    row = query.get_article(store, make_record("tn-mid").canonical_url)
    assert row is not None
    versions = query.article_versions(store, row.id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].diff is None and versions[1].changed_fields == ["body"]
    assert "+Đã sửa số liệu: 65 tập thể." in (versions[1].diff or "")
    assert versions[1].record.body == ["Đã sửa số liệu: 65 tập thể."]
    events = query.article_events(store, row.id)
    assert [(e.kind, e.baseline) for e in events] == [("new", True), ("changed", False)]


def test_unknown_values_are_errors_not_empty_results() -> None:
    with pytest.raises(UserError, match="unknown status"):
        ArticleFilter(status="deleted")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="unknown event"):
        ArticleFilter(events=("edited",))  # type: ignore[arg-type]
    with pytest.raises(UserError, match="relevance needs a search"):
        ArticleFilter(sort="relevance")


def test_a_session_can_be_passed_instead_of_the_database(store: Database) -> None:
    with store.session() as s:
        assert len(query.search_articles(s, ArticleFilter()).rows) == 4
        assert query.get_article(s, 1) is not None


def test_a_search_larger_than_the_rank_window_ranks_the_newest_then_pages_the_rest(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="TN", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        for i in range(13):  # stored in this order: a12 is the most recently stored
            store_record(s, make_record(f"a{i}", title=f"Tổ quốc {i}", body=["Tổ quốc. " * (i % 4 + 1)]))
    filters = ArticleFilter(search="to quoc")
    everything = _slugs(query.iter_articles(db, filters))
    assert query.count_articles(db, filters) == 13
    # The 5 newest, best first (ranked), then the 8 older, most recently stored first (unranked).
    assert sorted(everything[:5]) == sorted(f"a{i}" for i in range(8, 13))
    assert everything[5:] == [f"a{i}" for i in range(7, -1, -1)]
    for limit in (1, 3, 4, 5, 6, 20):
        seen: list[str] = []
        cursor = None
        while True:
            page = query.search_articles(db, filters, limit=limit, cursor=cursor)
            seen += _slugs(page.rows)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == everything, limit
    ranks = [row.rank for row in query.search_articles(db, filters, limit=13).rows]
    assert all(r is not None for r in ranks[:5]) and ranks[:5] == sorted(ranks[:5], reverse=True)
    assert ranks[5:] == [None] * 8


@pytest.mark.parametrize("visit_cost", [0, 3, 10**9], ids=["index-visits", "as-configured", "key-walk"])
def test_the_ranked_window_holds_the_newest_matches_however_the_database_finds_them(
        db: Database, monkeypatch: pytest.MonkeyPatch, visit_cost: int) -> None:
    # On PostgreSQL the cost of a visit decides between walking the newest articles and visiting
    # every match (storage.query._window_plans). "to quoc": the 4 newest articles match (a common
    # search, by PG_PROBE), the 18 before them do not, the 8 oldest do: a walk ends short of the
    # window and must go on. "hoi nghi": every article matches.
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    monkeypatch.setattr(search, "PG_PROBE", 4)
    monkeypatch.setattr(search, "PG_VISIT_COST", visit_cost)
    to_quoc = set(range(8)) | set(range(26, 30))
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="TN", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        for i in range(30):
            title = f"Tổ quốc {i}" if i in to_quoc else f"Tin khác {i}"
            store_record(s, make_record(f"a{i}", title=title, body=[f"{title}, hội nghị. " * (i % 3 + 1)]))
    every = range(30)
    for search_text, matching in (("to quoc", sorted(to_quoc, reverse=True)), ("hoi nghi", every[::-1])):
        newest_first = [f"a{i}" for i in matching]
        rows = query.search_articles(db, ArticleFilter(search=search_text), limit=30).rows
        ranks = [row.rank for row in rows]
        assert sorted(_slugs(rows[:5])) == sorted(newest_first[:5]), search_text
        assert _slugs(rows[5:]) == newest_first[5:], search_text
        assert None not in ranks[:5] and ranks[:5] == sorted(ranks[:5], reverse=True)  # type: ignore[type-var]
        assert ranks[5:] == [None] * (len(rows) - 5)


@pytest.mark.parametrize("stored", [5, 6])
def test_a_search_filling_the_rank_window_exactly_or_by_one_more_pages_every_match_once(
        db: Database, monkeypatch: pytest.MonkeyPatch, stored: int) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="TN", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        for i in range(stored):
            store_record(s, make_record(f"a{i}", title=f"Tổ quốc {i}", body=["Tổ quốc. " * (i % 3 + 1)]))
    filters = ArticleFilter(search="to quoc")
    first = query.search_articles(db, filters, limit=stored)
    ranked = [row.rank is not None for row in first.rows]
    assert ranked == [True] * 5 + [False] * (stored - 5)  # the sixth is the oldest, past the window
    assert first.next_cursor is None
    seen, cursor = [], None
    while True:
        page = query.search_articles(db, filters, limit=2, cursor=cursor)
        seen += _slugs(page.rows)
        if (cursor := page.next_cursor) is None:
            break
    assert seen == _slugs(first.rows)
