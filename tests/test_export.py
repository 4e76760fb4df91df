"""`portalwatch export`: streams any number of articles with flat memory, to a complete file or none."""

from __future__ import annotations

import csv
import json
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text

from crawler.cli import items as items_cli
from crawler.cli import main
from storage import query
from storage.db import Database, open_database
from storage.models import Article
from storage.query import ArticleFilter
from storage.search import fold_words
from storage.store import ensure_portal, store_record
from tests.records import make_record

LARGE = 10_000  # enough to show the difference; tracemalloc makes every row six times slower
SENTENCES = [
    "Ủy ban nhân dân tỉnh Thái Nguyên vừa ban hành kế hoạch triển khai nhiệm vụ phát triển kinh tế - xã hội.",
    "Theo đó, các sở, ngành, địa phương tập trung thực hiện đồng bộ các giải pháp, bảo đảm tiến độ đề ra.",
    "Đồng chí Phó Chủ tịch UBND tỉnh yêu cầu các đơn vị báo cáo kết quả trước ngày 15 hằng tháng.",
    "Hội nghị đã thống nhất chương trình hành động, phân công nhiệm vụ cụ thể cho từng cơ quan, đơn vị.",
    "Tặng Bằng khen của Chủ tịch UBND tỉnh cho 64 tập thể và 120 cá nhân có thành tích xuất sắc.",
]
BODIES = [SENTENCES[k:k + 2] for k in range(5)]  # with the other fields, about 1.2 KB of JSON an article


def _bulk_fill(db: Database, count: int) -> None:
    """`count` articles inserted in batches, with the columns a crawl would have written."""
    now = datetime(2024, 5, 1, tzinfo=UTC)
    template = make_record("bai").to_dict()
    body_words = [fold_words("\n".join(body)) for body in BODIES]
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
    for start in range(0, count, 5_000):
        batch: list[dict[str, Any]] = []
        for i in range(start, min(count, start + 5_000)):
            url = f"https://thainguyen.gov.vn/tin-tuc/bai-{i}"
            title = f"Bài số {i}: kế hoạch phát triển"
            batch.append({
                **{k: template[k] for k in ("lead", "images", "attachments", "author", "source", "category",
                                            "language", "published_text")},
                "url": url, "canonical_url": url, "title": title, "body": BODIES[i % 5],
                "content_hash": f"{i:064x}", "portal_id": "thainguyen", "version": 1,
                "published_at": now - timedelta(minutes=i), "first_seen_at": now, "last_seen_at": now,
                "search_text": f"{fold_words(title)} {body_words[i % 5]}",
            })
        with db.session() as s:
            s.execute(insert(Article), batch)


def test_exporting_a_large_store_holds_memory_flat(sqlite_url: str, tmp_path: Path) -> None:
    # SQLite only: on PostgreSQL the rows wait in libpq's buffers, which tracemalloc cannot see;
    # the test below checks that PostgreSQL hands them over through a server-side cursor instead.
    db = open_database(sqlite_url)
    _bulk_fill(db, LARGE)
    db.dispose()
    target = tmp_path / "all.jsonl"
    tracemalloc.start()
    try:
        code = main(["export", "--db", sqlite_url, "--format", "jsonl", "--output", str(target), "--quiet"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0
    exported = target.stat().st_size
    with target.open(encoding="utf-8") as lines:
        first = json.loads(next(lines))
        assert sum(1 for _ in lines) == LARGE - 1
    assert first["title"] == "Bài số 0: kế hoạch phát triển"  # newest first
    # Holding every row takes about 2.5 times the exported bytes (27 MB here); streaming, about 1.5 MB.
    assert exported > 10_000_000
    assert peak < exported / 2, f"peak {peak:,} bytes for {exported:,} exported"


def test_postgres_export_reads_through_a_server_side_cursor(postgres_url: str) -> None:
    db = open_database(postgres_url)
    try:
        _bulk_fill(db, 1_200)
        with db.session() as s:
            rows = query.iter_articles(s, ArticleFilter(), batch_size=100)
            next(rows)
            open_cursors = s.execute(text("SELECT count(*) FROM pg_cursors")).scalar()
            assert open_cursors == 1  # rows come in batches, not all at once into the client
            assert sum(1 for _ in rows) == 1_199
    finally:
        db.dispose()


@pytest.fixture
def small(sqlite_url: str) -> str:
    db = open_database(sqlite_url)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        ensure_portal(s, "hanoi", name="Hà Nội", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("a", title="Đại tướng thăm tỉnh"))
        store_record(s, make_record("b", title="Bồi thường giải phóng mặt bằng"))
        store_record(s, make_record("c", "hanoi", title="Hà Nội: bồi thường"))
    db.dispose()
    return sqlite_url


def test_csv_export_with_filters_to_a_file(small: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "boi-thuong.csv"
    code = main(["export", "--db", small, "--format", "csv", "--search", "boi thuong",
                 "--portal", "thainguyen", "--fields", "title,portal,images", "--output", str(target)])
    _, err = capsys.readouterr()
    assert code == 0 and f"exported 1 articles to {target}" in err
    with target.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["title", "portal", "images"],
            ["Bồi thường giải phóng mặt bằng", "thainguyen",
             "https://thainguyen.gov.vn/documents/1.jpg — Các đại biểu"],
        ]


def test_export_to_stdout_is_jsonl_of_everything_by_default(small: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", small, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert sorted(json.loads(line)["title"] for line in out.splitlines()) == [
        "Bồi thường giải phóng mặt bằng", "Hà Nội: bồi thường", "Đại tướng thăm tỉnh"]


def test_a_failed_export_leaves_no_half_written_file(small: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real_iter_articles = query.iter_articles

    def broken(*args: Any, **kwargs: Any) -> Iterator[query.ArticleRow]:
        yield from list(real_iter_articles(*args, **kwargs))[:1]
        raise ConnectionError("database went away")

    monkeypatch.setattr(query, "iter_articles", broken)
    target = tmp_path / "all.jsonl"
    # the CLI's error boundary makes it one line and exit 2, not a traceback
    assert main(["export", "--db", small, "--output", str(target), "--quiet"]) == 2
    assert not target.exists() and not (tmp_path / "all.jsonl.part").exists()


def test_long_exports_report_progress_on_stderr(small: str, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    clock = iter(range(0, 1000, 2))  # every row seems to take two seconds
    monkeypatch.setattr(items_cli.time, "monotonic", lambda: float(next(clock)))
    assert main(["export", "--db", small, "--format", "jsonl"]) == 0
    err = capsys.readouterr().err
    assert "exported 1 / 3 (33%)" in err and "exported 3 articles" in err
