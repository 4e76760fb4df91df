"""Full-text search as Vietnamese readers type it, on SQLite (FTS5) and PostgreSQL (tsvector).

Every database answer is checked against `crawler.core.textmatch.matches`, the reference matcher.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from crawler.core.errors import UserError
from crawler.core.textmatch import matches, parse_query
from storage import query
from storage.db import Database, alembic_config, open_database
from storage.query import ArticleFilter
from storage.search import searchable_text
from storage.store import ensure_portal, mark_removed, store_record
from tests.records import make_record

CORPUS: dict[str, dict[str, Any]] = {
    "dai-tuong": {"title": "Đại tướng Tô Lâm làm việc với tỉnh", "body": ["Đại tướng chủ trì."]},
    "to-quoc": {"title": "Bảo vệ Tổ quốc từ sớm, từ xa", "body": ["An ninh Tổ quốc là nhiệm vụ chung."]},
    "quoc-to": {"title": "Quốc tổ Hùng Vương", "body": ["Giỗ Quốc tổ mùng 10 tháng 3."]},
    "to-apart": {"title": "Tổ dân phố và an ninh quốc gia", "body": ["Tổ tự quản bàn về quốc phòng."]},
    "dong": {"title": "ĐỒNG BẰNG SÔNG CỬU LONG", "body": ["Đồng bào vùng lũ được hỗ trợ."]},
    "dong-lower": {"title": "Dòng sông quê hương", "body": ["Đông đảo người dân tham gia."]},
    "caption": {"title": "Hội nghị sơ kết", "body": ["Nội dung hội nghị."],
                "images": [{"url": "https://x.gov.vn/1.jpg", "caption": "Đồng chí Bí thư phát biểu"}]},
    "attachment": {"title": "Văn bản mới", "body": ["Xem tệp đính kèm."],
                   "attachments": [{"url": "https://x.gov.vn/qd.pdf", "title": "Quyết định bồi thường"}]},
    "underscore": {"title": "Mã tài liệu ho_so_01", "body": ["Diện tích 5 m² đất ở."]},
    "boi-thuong": {"title": "Bồi thường giải phóng mặt bằng", "body": ["Phương án bồi thường, hỗ trợ."]},
    "thuong-boi": {"title": "Khen thưởng", "body": ["Thưởng bội số tiền lương."]},
}
QUERIES = [
    "dai tuong", "ĐẠI TƯỚNG", "to quoc", '"to quoc"', '"quoc to"', "dong", "đồng", "Dong bao",
    '"dong chi" bi thu', "boi thuong", '"boi thuong"', '"thuong boi"', "quyet dinh", "ho_so_01",
    "ho", "m²", "5 m", "an ninh", '"an ninh quoc"', "and", "tỉnh", "không có đâu",
]


def _store(db: Database, records: dict[str, dict[str, Any]], portal: str = "thainguyen") -> None:
    with db.session() as s:
        ensure_portal(s, portal, name=portal, cms="liferay", timezone="Asia/Ho_Chi_Minh")
        for slug, fields in records.items():
            store_record(s, make_record(slug, portal, lead=None, **fields))


def _found(db: Database, search: str, **filters: Any) -> set[str]:
    rows = query.iter_articles(db, ArticleFilter(search=search, **{"status": "all", **filters}))
    return {row.canonical_url.rsplit("/", 1)[1] for row in rows}


def _reference(search: str, records: dict[str, dict[str, Any]]) -> set[str]:
    wanted = parse_query(search)
    return {slug for slug, fields in records.items()
            if matches(wanted, searchable_text(make_record(slug, lead=None, **fields)))}


def test_readers_find_vietnamese_without_diacritics_or_case(db: Database) -> None:
    _store(db, CORPUS)
    assert _found(db, "dai tuong") == {"dai-tuong"}
    assert _found(db, "ĐẠI TƯỚNG") == {"dai-tuong"}
    assert _found(db, "dong bang song cuu long") == {"dong"}  # Đ folds to d, which FTS5 alone does not do
    # Typed with diacritics or without, the query is folded too: "Dòng" and "Đông" are "dong" as well.
    assert _found(db, "đồng") == _found(db, "dong") == {"dong", "caption", "dong-lower"}
    assert _found(db, "dong song que") == {"dong-lower"}  # whole folded words, ANDed


def test_quoted_phrases_match_only_in_order(db: Database) -> None:
    _store(db, CORPUS)
    assert _found(db, "to quoc") == {"to-quoc", "quoc-to", "to-apart"}  # words: anywhere, any order
    assert _found(db, '"to quoc"') == {"to-quoc"}
    assert _found(db, '"quoc to"') == {"quoc-to"}
    assert _found(db, '"boi thuong"') == {"boi-thuong", "attachment"}


def test_every_query_gives_the_reference_matchers_answer(db: Database) -> None:
    _store(db, CORPUS)
    for search in QUERIES:
        assert _found(db, search) == _reference(search, CORPUS), search


def test_sqlite_and_postgres_return_the_same_articles(sqlite_url: str, postgres_url: str) -> None:
    answers = []
    for url in (sqlite_url, postgres_url):
        db = open_database(url)
        _store(db, CORPUS)
        pages = {q: query.search_articles(db, ArticleFilter(search=q, sort="published"), limit=100)
                 for q in QUERIES}
        answers.append({q: [row.title for row in page.rows] for q, page in pages.items()})
        db.dispose()
    assert answers[0] == answers[1]


def test_a_phrase_deep_in_a_long_article_is_found(db: Database) -> None:
    # PostgreSQL keeps 256 positions per word and none past 16,383: the phrase must still be found.
    long_body = ["và các cơ quan " * 400, "cuối bài: và chính quyền địa phương"]
    _store(db, {"long": {"title": "Báo cáo dài", "body": long_body}})
    assert _found(db, '"va chinh quyen"') == {"long"}
    assert _found(db, '"chinh quyen dia phuong" cuoi') == {"long"}


def test_the_index_follows_edits_and_removals(db: Database) -> None:
    _store(db, {"bai": {"title": "Khởi công cầu Bến Tượng", "body": ["Dự án mới."]}})
    with db.session() as s:
        store_record(s, make_record("bai", lead=None, title="Hoãn khởi công cầu", body=["Dự án tạm dừng."]))
    assert _found(db, "ben tuong") == set()
    assert _found(db, "hoan khoi cong") == {"bai"}
    with db.session() as s:
        mark_removed(s, make_record("bai").canonical_url)
    assert query.search_articles(db, ArticleFilter(search="hoan")).rows == []  # active only by default
    assert _found(db, "hoan", status="removed") == {"bai"}


def test_results_come_best_match_first_with_the_match_shown_in_printed_text(db: Database) -> None:
    _store(db, {
        "passing": {"title": "Tin tổng hợp", "body": ["Nhiều nội dung khác nhau trong tuần. " * 20,
                                                      "Có nhắc đến bồi thường một lần."]},
        "focused": {"title": "Bồi thường đất đai", "body": ["Bồi thường, bồi thường và bồi thường."]},
    })
    rows = query.search_articles(db, ArticleFilter(search="boi thuong")).rows
    assert [row.canonical_url.rsplit("/", 1)[1] for row in rows] == ["focused", "passing"]
    assert rows[0].rank is not None and rows[0].rank > rows[1].rank
    passing = rows[1]
    marked = [passing.snippet[a:b] for a, b in passing.highlights]
    assert marked == ["bồi thường"]
    assert "Có nhắc đến bồi thường một lần" in passing.snippet


def test_rows_from_before_the_search_index_are_searchable_after_upgrading(db_url: str) -> None:
    engine = create_engine(db_url)
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO portals (id, name, cms, timezone, consecutive_failures) "
                          "VALUES ('tn', 'Thái Nguyên', 'liferay', 'Asia/Ho_Chi_Minh', 0)"))
        conn.execute(text(
            "INSERT INTO articles (portal_id, canonical_url, url, title, lead, body, images, attachments, "
            "language, content_hash, version, first_seen_at, last_seen_at) VALUES ('tn', 'https://a', "
            "'https://a', 'Đại hội Đảng bộ', NULL, '[\"Thành công tốt đẹp\"]', "
            "'[{\"url\": \"u\", \"caption\": \"Toàn cảnh Đại hội\"}]', '[]', 'vi', 'h', 1, "
            "'2019-03-11 00:00:00', '2019-03-11 00:00:00')"))
    engine.dispose()
    db = open_database(db_url)
    try:
        for search in ("dai hoi dang bo", "thanh cong", '"toan canh"'):
            assert [r.title for r in query.search_articles(db, ArticleFilter(search=search)).rows] == [
                "Đại hội Đảng bộ"], search
    finally:
        db.dispose()


def test_a_search_with_nothing_to_find_or_an_open_quote_is_a_clear_error(db: Database) -> None:
    with pytest.raises(UserError, match="unbalanced quote"):
        query.search_articles(db, ArticleFilter(search='"dai tuong'))
    with pytest.raises(UserError, match="nothing to search for"):
        query.search_articles(db, ArticleFilter(search='" , "'))
