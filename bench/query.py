"""Search latency on a store of 100,000 simulated Vietnamese articles, SQLite and PostgreSQL.

    .venv/bin/python bench/query.py [--count 100000] [--repeat 30] [--sqlite PATH] [--postgres ADMIN_URL]

Fills each database once (bulk inserts through the real schema and search index; reused when
it already holds `--count` articles), then runs a dozen searches the way `portalwatch items
--search` does (first page of 20, snippets included) and prints p50/p95 per query and overall,
plus the size of the search index. Beside each, the same search as the database's plain ranked
query (`plain_ranked_sql`) in the same process: the ratio is comparable across machines where
milliseconds are not. Target: p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.core.textmatch import parse_query  # noqa: E402
from storage import query, search  # noqa: E402
from storage.db import Database, open_database  # noqa: E402
from storage.models import Article  # noqa: E402
from storage.query import ArticleFilter  # noqa: E402
from storage.search import (  # noqa: E402
    FTS_TABLE,
    PG_VECTOR_COLUMN,
    fold_words,
    fts5_match,
    pg_tsquery,
    searchable_parts,
)
from storage.store import ensure_portal  # noqa: E402

QUERIES = [
    "tinh", "ubnd tinh", "to quoc", '"dai tuong"', '"phat trien kinh te"', "boi thuong giai phong mat bang",
    "đồng chí bí thư", '"nong thon moi" xa', "cao toc", '"an ninh trat tu"', "hoi nghi tong ket nam",
    "khong co tu nay",
]
PORTALS = ["thainguyen", "hanoi", "bacgiang", "quangninh", "nghean", "thuathienhue", "danang", "cantho"]
# Phrases of provincial news, most frequent first (the generator draws them on a Zipf-like curve).
PHRASES = """
Ủy ban nhân dân tỉnh|hội nghị|UBND tỉnh|triển khai|nhiệm vụ|năm 2024|các sở, ngành|địa phương|cán bộ|nhân dân
|kết quả|phát triển kinh tế|xã hội|đồng chí|chủ trì|phát biểu|chỉ đạo|thực hiện|kế hoạch|công tác
|Phó Chủ tịch|Bí thư Tỉnh ủy|Hội đồng nhân dân|kỳ họp|nghị quyết|tổng kết|sơ kết|quý I|tháng 6
|an ninh trật tự|quốc phòng|Tổ quốc|biên giới|Bộ đội|Công an tỉnh|phòng cháy chữa cháy|giao thông
|nông thôn mới|xây dựng|đường giao thông|hạ tầng|dự án|đầu tư|vốn ngân sách|giải ngân|đấu thầu
|bồi thường|giải phóng mặt bằng|tái định cư|đất đai|quy hoạch|khu công nghiệp|doanh nghiệp|thuế
|giáo dục|học sinh|trường học|kỳ thi|tốt nghiệp|y tế|bệnh viện|tiêm chủng|dịch bệnh|sức khỏe
|văn hóa|du lịch|lễ hội|di tích|thể thao|giải đấu|nông nghiệp|chè Thái Nguyên|lúa|chăn nuôi|thủy sản
|môi trường|rác thải|nước sạch|biến đổi khí hậu|mưa lũ|sạt lở|cứu trợ|hỗ trợ|người nghèo|an sinh
|chuyển đổi số|dịch vụ công trực tuyến|cải cách hành chính|một cửa|hồ sơ|thủ tục|công dân|khen thưởng
|Bằng khen|tập thể|cá nhân|thành tích xuất sắc|thi đua|Đại tướng|Bộ trưởng|Thủ tướng Chính phủ
|đoàn công tác|làm việc|kiểm tra|giám sát|thanh tra|kiến nghị|cử tri|tiếp xúc|đường cao tốc|cầu
|Đảng bộ|đại hội|nhiệm kỳ|chi bộ|đảng viên|Mặt trận Tổ quốc|Đoàn Thanh niên|Hội Phụ nữ|Cựu chiến binh
""".replace("\n", "").split("|")
WORDS_PER_ARTICLE = (120, 400)
AUTHORS = ["Thanh Hiếu", "Minh Đức", "Nguyễn Lan", None]
CATEGORIES = ["Tin tức - Sự kiện", "Kinh tế", "Văn hóa - Xã hội", "Quốc phòng - An ninh"]


def _article(rng: random.Random, i: int, now: datetime) -> dict[str, Any]:
    def sentence(length: int) -> str:
        picks = [PHRASES[min(int(rng.paretovariate(0.9)) - 1, len(PHRASES) - 1)] for _ in range(length)]
        text = " ".join(picks)
        return text[0].upper() + text[1:] + "."

    title = sentence(rng.randint(3, 6)).rstrip(".")
    body = [sentence(rng.randint(8, 20)) for _ in range(rng.randint(*WORDS_PER_ARTICLE) // 40)]
    portal = PORTALS[i % len(PORTALS)]
    url = f"https://{portal}.gov.vn/tin-tuc/-/asset_publisher/X/content/bai-{i}"
    images = [{"url": f"https://{portal}.gov.vn/documents/{i}.jpg", "caption": sentence(4)}]
    return {
        "portal_id": portal, "url": url, "canonical_url": url, "title": title, "lead": body[0],
        "body": body, "images": images, "attachments": [], "author": rng.choice(AUTHORS),
        "source": f"{portal}.gov.vn", "category": rng.choice(CATEGORIES),
        "language": "vi", "published_at": now - timedelta(minutes=7 * i), "content_hash": f"{i:064x}",
        "version": 1, "first_seen_at": now, "last_seen_at": now,
        "search_text": fold_words("\n".join(searchable_parts(title, body[0], body, images, []))),
    }


def fill(db: Database, count: int) -> None:
    with db.session() as s:
        have = s.scalar(select(func.count(Article.id))) or 0
    if have >= count:
        print(f"  {db.dialect}: reusing {have:,} stored articles")
        return
    with db.session() as s:
        for portal in PORTALS:
            ensure_portal(s, portal, name=portal, cms="liferay", timezone="Asia/Ho_Chi_Minh")
    rng, now, started = random.Random(have), datetime(2024, 6, 1, tzinfo=UTC), time.monotonic()
    for start in range(have, count, 2_000):
        done = min(count, start + 2_000)
        with db.session() as s:
            s.execute(insert(Article), [_article(rng, i, now) for i in range(start, done)])
        print(f"\r  {db.dialect}: {done:,}/{count:,} articles, {time.monotonic() - started:.0f}s",
              end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE articles" if db.dialect == "postgresql" else "ANALYZE"))


def index_size(db: Database) -> str:
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            fts = conn.execute(text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'"))
            fts = fts.scalar()
            words = conn.execute(text("SELECT sum(length(CAST(search_text AS BLOB))) FROM articles")).scalar()
            return f"FTS5 index {fts / 2**20:.1f} MiB + search_text {words / 2**20:.1f} MiB"
        gin = conn.execute(text("SELECT pg_relation_size('ix_articles_search_vector')")).scalar()
        vector, words = conn.execute(text("SELECT sum(pg_column_size(search_vector)), "
                                          "sum(pg_column_size(search_text)) FROM articles")).one()
        return (f"GIN index {gin / 2**20:.1f} MiB + search_vector {vector / 2**20:.1f} MiB"
                f" + search_text {words / 2**20:.1f} MiB (stored compressed)")


def server_notes(db: Database) -> str:
    """What the figures depend on besides the code: the ranked window, and on PostgreSQL the
    buffer cache (the default 128 MB holds less than the articles table at 100,000 articles)."""
    notes = f"ranked window {search.RANK_WINDOW:,} newest matches"
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            buffers = conn.execute(text("SHOW shared_buffers")).scalar()
            table = conn.execute(text("SELECT pg_size_pretty(pg_table_size('articles'))")).scalar()
        notes += f", shared_buffers {buffers}, articles table {table}"
    return notes


def plain_ranked_sql(dialect: str, search: str) -> str:
    """The baseline: the database's own ranked full-text query for the first 20 ids, as one would
    write it by hand over the same index (every match ranked, no window, no snippets, no rows)."""
    words = parse_query(search)
    if dialect == "sqlite":
        match = fts5_match(words).replace("'", "''")
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH '{match}' ORDER BY rank LIMIT 20"
    all_words = pg_tsquery(words, phrases=True).replace("'", "''")
    any_word = pg_tsquery(words, phrases=False).replace(" & ", " | ").replace("'", "''")
    return (f"SELECT id FROM articles WHERE {PG_VECTOR_COLUMN} @@ '{all_words}'::tsquery "
            f"ORDER BY ts_rank({PG_VECTOR_COLUMN}, '{any_word}'::tsquery, 1) DESC LIMIT 20")


def _timed(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm the caches, as a running server would be
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(db: Database, repeat: int) -> tuple[list[float], list[float]]:
    """Latency of each search, and of the plain ranked query beside it (same process, same
    caches), so that the ratio says what portalwatch adds whatever the machine. Returns every
    search's time and every baseline's (the listings are shown, not counted)."""
    every: list[float] = []
    plain_every: list[float] = []
    print(f"  {'search':<36} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8} {'plain p95':>10} {'ratio':>6}")
    cases = [(f"(no search{', ' + p if p else ''})", ArticleFilter(portals=(p,) if p else ()))
             for p in ("", "hanoi")]
    cases += [(search, ArticleFilter(search=search)) for search in QUERIES]
    with db.engine.connect() as conn:
        for label, filters in cases:
            hits = query.count_articles(db, filters)
            times = _timed(lambda f=filters: query.search_articles(db, f, limit=20), repeat)
            line = f"  {label:<36} {hits:>7,} {statistics.median(times):>8.1f} {_p95(times):>8.1f}"
            if filters.search:
                sql = text(plain_ranked_sql(db.dialect, filters.search))
                plain = _timed(lambda sql=sql: conn.execute(sql).all(), repeat)
                every += times
                plain_every += plain
                line += f" {_p95(plain):>10.1f} {_p95(times) / _p95(plain):>6.2f}"
            print(line)
    return every, plain_every


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def bench_databases(sqlite_file: str, postgres_admin_url: str | None, postgres_name: str) -> list[str]:
    """The bench's SQLite file and, given an admin URL, its own PostgreSQL database (created once,
    kept for reruns)."""
    urls = [f"sqlite:///{Path(sqlite_file).resolve()}"]
    if postgres_admin_url:
        admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": postgres_name}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{postgres_name}"'))
        admin.dispose()
        urls.append(postgres_admin_url.rsplit("/", 1)[0] + "/" + postgres_name)
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sqlite", default="bench-query.db", help="SQLite file (kept for reruns)")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="admin URL; the bench creates and keeps database pw_bench_query beside it")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    for url in bench_databases(args.sqlite, None if args.skip_postgres else args.postgres, "pw_bench_query"):
        db = open_database(url)
        print(f"{db.dialect}: {server_notes(db)}")
        fill(db, args.count)
        overall, plain = measure(db, args.repeat)
        print(f"  all queries: p50 {statistics.median(overall):.1f} ms, p95 {_p95(overall):.1f} ms"
              f" ({len(overall)} searches); plain ranked query p95 {_p95(plain):.1f} ms"
              f" (ratio {_p95(overall) / _p95(plain):.2f}); {index_size(db)}")
        db.dispose()


if __name__ == "__main__":
    main()
