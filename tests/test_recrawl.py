"""Issue 4's done-when: a second crawl reports exactly what changed, a third changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.changes import ChangeKind, compare
from crawler.core.records import ArticleRecord, NotFoundPage
from crawler.parsing import parse_page
from crawler.sim.portal import SimulatedPortal
from spiders.portal import recheck_is_due
from storage.db import open_database
from storage.models import Article, ArticleEvent, ArticleVersion, CrawlRun
from storage.store import KnownArticle
from tests.conftest import SHARED
from tests.crawling import run_crawl, write_registry


def test_second_crawl_finds_new_changed_removed_and_ignores_noise(tmp_path: Path, db_url: str) -> None:
    with SimulatedPortal(articles=30, per_page=10) as portal:
        registry = write_registry(tmp_path, portal)
        assert run_crawl(registry, db_url).returncode == 0
        edited = portal.expected_articles()[4]
        noisy = portal.expected_articles()[6]["url"]
        gone = portal.expected_articles()[8]["url"]
        portal.add_articles(2)
        figure = edited["body"][1]
        portal.edit_article(edited["url"].rsplit("/", 1)[1], title="Tiêu đề đã được đính chính",
                            paragraph_replacements={1: figure + " Con số đúng là 65 tập thể."})
        portal.noise_only(noisy.rsplit("/", 1)[1])
        portal.remove_article(gone.rsplit("/", 1)[1], mode="soft404")
        portal.reset_log()

        second = run_crawl(registry, db_url)
        assert second.returncode == 0, second.stderr
        assert "2 new, 1 changed, 1 removed" in second.stdout
        second_requests = portal.request_count()
        portal.reset_log()
        third = run_crawl(registry, db_url)
        third_paths = [r.path for r in portal.requests]

    assert "0 new, 0 changed, 0 removed" in third.stdout
    assert third_paths == ["/robots.txt", "/tin-tuc-su-kien"]
    # robots.txt, 2 listing pages, 2 new, the edited one, and the vanished one rechecked
    assert second_requests == 7
    database = open_database(db_url)
    with database.session() as session:
        article = session.scalars(select(Article).where(Article.canonical_url == edited["url"])).one()
        assert article.version == 2 and article.title == "Tiêu đề đã được đính chính"
        version = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                                               ArticleVersion.version == 2)).one()
        assert "+# Tiêu đề đã được đính chính" in version.diff
        assert "Con số đúng là 65 tập thể." in version.diff
        assert version.changed_fields == ["title", "body"]
        quiet = session.scalars(select(Article).where(Article.canonical_url == noisy)).one()
        assert quiet.version == 1
        removed = session.scalars(select(Article).where(Article.canonical_url == gone)).one()
        assert removed.removed_at is not None
        events = session.execute(select(ArticleEvent.kind, ArticleEvent.baseline)
                                 .where(ArticleEvent.crawl_run_id == 2)).all()
        assert sorted(events) == [("changed", False), ("new", False), ("new", False), ("removed", False)]
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.baseline for r in runs] == [True, False, False]
        assert runs[2].requests_sent == 2
    database.dispose()


def test_conditional_get_answers_304_for_a_due_recheck(tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=3, per_page=10) as portal:
        # recheck_every 1s with dates from 2025 inside a very long window: every article is due
        registry = write_registry(tmp_path, portal, recheck_days=100000, recheck_every="1s")
        assert run_crawl(registry, sqlite_url).returncode == 0
        portal.reset_log()
        database = open_database(sqlite_url)
        with database.session() as session:  # make the recheck due without waiting for it
            for article in session.scalars(select(Article)):
                article.last_checked_at = article.first_seen_at.replace(year=2020)
        database.dispose()
        result = run_crawl(registry, sqlite_url)
        article_requests = [r for r in portal.requests if "/content/" in r.path]
    assert result.returncode == 0
    assert len(article_requests) == 3
    assert all(r.status == 304 and "if-none-match" in r.headers for r in article_requests)
    assert "3 unchanged" in result.stdout


def test_articles_stored_by_one_crawl_are_rechecked_spread_over_many_crawls_once_a_day() -> None:
    first_crawl = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    checked = {f"https://tn.gov.vn/-/content/bai-{n}": first_crawl for n in range(300)}
    every, crawl_interval = timedelta(days=1), timedelta(hours=1)
    per_crawl = []
    for n in range(1, 24 * 4 + 1):  # hourly crawls for four days
        now = first_crawl + n * crawl_interval
        due = [url for url, last in checked.items() if recheck_is_due(
            KnownArticle(url, None, None, None, first_crawl, last, False), now, every)]
        checked.update(dict.fromkeys(due, now))
        per_crawl.append(len(due))
        assert all(now - last < every + crawl_interval for last in checked.values()), "a day unchecked"
    assert [sum(per_crawl[day * 24:(day + 1) * 24]) for day in range(4)] == [300] * 4  # once a day each
    assert max(per_crawl) <= 300 / 6  # before: all 300 in the same crawl, every day


@pytest.mark.parametrize("mode", ["404", "410"])
def test_hard_404_and_410_mark_the_article_removed(tmp_path: Path, sqlite_url: str, mode: str) -> None:
    with SimulatedPortal(articles=12, per_page=10) as portal:
        registry = write_registry(tmp_path, portal)
        assert run_crawl(registry, sqlite_url).returncode == 0
        gone = portal.expected_articles()[2]["url"]
        portal.remove_article(2, mode=mode)
        result = run_crawl(registry, sqlite_url)
        portal.restore_article(gone.rsplit("/", 1)[1])
        back = run_crawl(registry, sqlite_url)
    assert "1 removed" in result.stdout
    assert "1 changed" in back.stdout  # coming back is a change
    database = open_database(sqlite_url)
    with database.session() as session:
        kinds = session.scalars(select(ArticleEvent.kind).join(Article)
                                .where(Article.canonical_url == gone).order_by(ArticleEvent.id)).all()
    database.dispose()
    assert kinds == ["new", "removed", "restored"]


FIXTURES = SHARED / "fixtures" / "thainguyen"


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")
@pytest.mark.parametrize(
    "case", ["article-conference-edited", "article-conference-noise-only", "removed-soft-404"]
)
def test_shared_fixture_cases_give_the_change_they_name(case: str) -> None:
    expected = json.loads((FIXTURES / case / "expected.json").read_text(encoding="utf-8"))

    def parse(name: str) -> ArticleRecord | NotFoundPage:
        meta = json.loads((FIXTURES / name / "meta.json").read_text(encoding="utf-8"))
        page = parse_page((FIXTURES / name / "page.html").read_bytes(), meta["url"], portal="thainguyen")
        assert not isinstance(page, list)
        return page  # type: ignore[return-value]

    before, after = parse(expected["change_from"]), parse(case)
    assert isinstance(before, ArticleRecord)
    kind = ChangeKind.REMOVED if isinstance(after, NotFoundPage) else compare(before, after).kind
    assert kind == expected["change"]


def _see_more(portal: SimulatedPortal) -> list[str]:
    """The "Xem thêm" requests a crawl sent: GETs of /timelinelist/ fragments, or Hà Nội's POSTs."""
    return [f"{r.method} {r.path}" for r in portal.requests
            if "/timelinelist/" in r.path or r.method == "POST"]


@pytest.mark.parametrize(("family", "first_walk"), [
    ("baochinhphu", [f"GET /timelinelist/1027/{page}.htm" for page in (2, 3, 4)]),
    ("hanoi", ["POST /api/NewsZone/NewsZone"] * 3),
])
def test_a_portal_whose_listing_loads_more_by_fragments_is_walked_then_rechecked_cheaply(
        tmp_path: Path, sqlite_url: str, family: str, first_walk: list[str]) -> None:
    """baochinhphu.vn's family: the zone page, then "Xem thêm" fragments (GET /timelinelist/ZONE/N.htm,
    or on Hà Nội a form POSTed to its API with the page's opaque values) until one comes back
    empty; the next crawl sees what changed and stops at the known entries."""
    with SimulatedPortal(articles=23, per_page=10, family=family) as portal:
        registry = write_registry(tmp_path, portal, cms="baochinhphu")
        first = run_crawl(registry, sqlite_url)
        assert first.returncode == 0 and "0 errors" in first.stdout, first.stdout + first.stderr
        assert _see_more(portal) == first_walk
        database = open_database(sqlite_url)
        with database.session() as session:
            stored = set(session.scalars(select(Article.canonical_url)))
        assert stored == {a["canonical_url"] for a in portal.expected_articles()}
        edited, gone = portal.expected_articles()[3], portal.expected_articles()[7]
        portal.add_articles(2)
        portal.edit_article(edited["slug"], title="Tiêu đề đã được đính chính")
        portal.remove_article(gone["slug"], mode="404")
        portal.reset_log()
        second = run_crawl(registry, sqlite_url)
        assert "2 new, 1 changed, 1 removed" in second.stdout, second.stdout + second.stderr
        # Page 1 had news, the first fragment none: the walk ends there, the rest is known.
        assert _see_more(portal) == first_walk[:1]
    with database.session() as session:
        article = session.scalars(select(Article)
                                  .where(Article.canonical_url == edited["canonical_url"])).one()
        assert (article.version, article.title) == (2, "Tiêu đề đã được đính chính")
    database.dispose()
