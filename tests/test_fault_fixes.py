"""Issue 15: the defects a fault probe found, each with the test that failed before its fix."""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
import tomllib
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from packaging.requirements import Requirement
from sqlalchemy import func, select, update

from crawler.alerts import dispatch
from crawler.alerts.rules import build_spec, create_rule
from crawler.cli import main as cli_main
from crawler.core.errors import ExtractionError
from crawler.core.normalize import canonicalize_url, clean_text
from crawler.core.records import ArticleRecord
from crawler.crawling.outcomes import FetchedArticle
from crawler.crawling.pipelines import StoragePipeline
from crawler.crawling.runner import crawl_settings
from crawler.parsing import parse_article, parse_page
from crawler.portals import PortalConfig
from crawler.scheduling import PortalScheduler, ScheduleSettings
from crawler.sim.portal import SimulatedPortal
from spiders.portal import PortalSpider, check_is_due
from storage.db import Database, alembic_config, create_db_engine, open_database
from storage.models import AlertDelivery, Article, ArticleEvent, CrawlRun
from storage.store import (
    KnownArticle,
    ensure_portal,
    finish_run,
    is_baseline,
    mark_removed,
    start_run,
    store_record,
)
from tests.conftest import REPO
from tests.crawling import run_crawl, write_registry
from tests.records import make_record, store_alerting
from tests.test_parsing_liferay import case

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _portal(db: Database) -> None:
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")


# -- 1. an interrupted first crawl -----------------------------------------------------------

def test_a_portal_stays_in_baseline_until_one_of_its_crawls_completes(db: Database) -> None:
    _portal(db)
    hooked: list[Any] = []
    with db.session() as s:
        run = start_run(s, "thainguyen", baseline=is_baseline(s, "thainguyen"))
        store_record(s, make_record("a"), run=run, baseline=run.baseline)
        store_record(s, make_record("b"), run=run, baseline=run.baseline)
        finish_run(s, run, status="interrupted")  # time limit, or killed and closed as failed
    with db.session() as s:
        assert is_baseline(s, "thainguyen")  # two articles stored, but no crawl completed
        run = start_run(s, "thainguyen", baseline=is_baseline(s, "thainguyen"))
        for slug in ("c", "d"):  # the rest of the archive
            store_record(s, make_record(slug), run=run, baseline=run.baseline, on_event=hooked.append)
        store_record(s, make_record("a", title="Sửa trong lúc crawl bị ngắt"), run=run,
                     baseline=run.baseline, on_event=hooked.append)
        mark_removed(s, make_record("b").canonical_url, run=run, baseline=run.baseline,
                     on_event=hooked.append)
        finish_run(s, run, status="ok")
    with db.session() as s:
        assert not is_baseline(s, "thainguyen")
        kinds = s.execute(select(ArticleEvent.kind, ArticleEvent.baseline).order_by(ArticleEvent.id)).all()
    assert [k for k, _ in kinds] == ["new", "new", "new", "new", "changed", "removed"]
    assert all(baseline for _, baseline in kinds)
    assert hooked == []  # nothing went to the alert outbox


# -- 2. one `alerts send` claims every due alert on PostgreSQL -------------------------------

def test_a_claim_takes_exactly_its_batch_size(db: Database) -> None:
    _portal(db)
    with db.session() as s:
        create_rule(s, build_spec(name="tat-ca", notify=["json://127.0.0.1:9/hook"]), now=T0)
        for n in range(120):
            store_alerting(s, make_record(f"bai-{n}", title=f"Tin {n}"), now=T0)
    token = dispatch._claim(db, now=T0, lease=dispatch.LEASE, chunk=10)
    second = dispatch._claim(db, now=T0, lease=dispatch.LEASE, chunk=10)
    with db.session() as s:
        def claimed(by: str | None) -> int:
            return s.scalar(select(func.count(AlertDelivery.id)).where(AlertDelivery.claim_token == by))
        assert (claimed(token), claimed(second)) == (10, 10)
        assert s.scalar(select(func.count(AlertDelivery.id))
                        .where(AlertDelivery.status == "pending")) == 100
        assert s.scalar(select(func.min(AlertDelivery.id)).where(AlertDelivery.claim_token == second)) \
            > s.scalar(select(func.max(AlertDelivery.id)).where(AlertDelivery.claim_token == token))


# -- 3. database URLs ------------------------------------------------------------------------

def test_a_password_reaches_the_driver_unmasked() -> None:
    engine = create_db_engine("postgresql://canhbao:S3cr%40t@127.0.0.1:5432/test")
    assert engine.url.password == "S3cr@t"
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_a_percent_in_the_database_url_opens_the_database(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        url = db_url.replace("portalwatch.db", "p%40ss.db")
    else:  # the server trusts 127.0.0.1: any password connects, and it goes through Alembic's config
        url = db_url.replace("postgres@", "postgres:p%40ss@")
    database = open_database(url)
    try:
        with database.session() as s:
            ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        with database.session() as s:
            assert is_baseline(s, "thainguyen")
    finally:
        database.dispose()


# -- 4. deep pages ---------------------------------------------------------------------------

def _deepened(levels: int) -> tuple[str, bytes, ArticleRecord]:
    """A real article page whose second paragraph sits `levels` <div>s deep."""
    meta, _, html = case("article-em-captions")
    whole = parse_article(html, meta["url"])
    text = html.decode("utf-8")
    start = text.find("</p>", text.find(whole.body[0][:20])) + len("</p>")
    end = text.find("</p>", text.find(whole.body[1][:20])) + len("</p>")
    deep = text[:start] + "<div>" * levels + text[start:end] + "</div>" * levels + text[end:]
    return meta["url"], deep.encode("utf-8"), whole


def test_a_paragraph_300_divs_deep_loses_nothing_of_the_article() -> None:
    url, page, whole = _deepened(300)
    deep = parse_article(page, url)
    assert deep.body == whole.body
    assert (deep.author, deep.images) == (whole.author, whole.images)


def test_a_page_too_deep_even_for_huge_tree_says_the_parser_gave_up() -> None:
    url, page, _ = _deepened(10_000)
    with pytest.raises(ExtractionError, match="parser gave up part-way"):
        parse_page(page, url)


# -- 6. control characters -------------------------------------------------------------------

def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"]


def test_control_characters_in_a_page_are_stripped_at_parse_time() -> None:
    meta, _, html = case("article-em-captions")
    whole = parse_article(html, meta["url"])
    page = html.decode("utf-8").replace(whole.title, "\x1b[2J" + whole.title + "\x07\x00")
    record = parse_article(page.encode("utf-8").replace(b"\x00", b""), meta["url"])
    assert record.title == "[2J" + whole.title
    assert clean_text("Thông\x1b báo\x07\x7f khẩn\x9b") == "Thông báo khẩn"


def test_stored_control_characters_neither_break_the_feed_nor_reach_the_terminal(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    database = open_database(db_url)
    with database.session() as s:  # stored before parsing stripped them
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("esc", title="Tin \x1b[2J\x07khẩn", author="A\x1bB"), now=T0)
    database.dispose()
    assert cli_main(["feed", "--db", db_url]) == 0
    feed = ET.fromstring(capsys.readouterr().out.encode("utf-8"))
    atom = "{http://www.w3.org/2005/Atom}"
    assert [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")] == ["Tin [2Jkhẩn"]
    assert cli_main(["show", make_record("esc").url, "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tin \\x1b[2J\\x07khẩn\n") and "author: A\\x1bB" in out
    assert not _controls(out)


# -- 5. secrets in tracebacks ----------------------------------------------------------------

SECRET_NOTIFY = "mailto://canhbao:Sm7pS3cretPa55@127.0.0.1:2525?from=portalwatch@example.org&to=doc.gia@example.org"


def _read_only(db_url: str) -> str:
    open_database(db_url).dispose()  # created and migrated; from now on only read
    if db_url.startswith("sqlite"):  # (the tests run as root: file modes would not stop a write)
        return db_url.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true"
    return db_url + "?options=-c%20default_transaction_read_only%3Don"


def test_a_read_only_database_is_one_line_without_the_secrets(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main(["alerts", "add", "--db", _read_only(db_url), "--name", "gpmb",
                     "--match", "giai phong mat bang", "--notify", SECRET_NOTIFY])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("portalwatch: error: the database refused the operation: ")
    assert "read" in err and "only" in err
    assert err.count("\n") == 1 and "Sm7pS3cretPa55" not in err and "[SQL" not in err


def test_a_file_that_is_no_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"Ghi chu cuoc hop, khong phai co so du lieu.\n" * 200)
    code = cli_main(["alerts", "add", "--db", f"sqlite:///{path}", "--name", "gpmb",
                     "--match", "giai phong mat bang", "--notify", SECRET_NOTIFY])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "file is not a database" in err and "Sm7pS3cretPa55" not in err


# -- 9. the smaller ones ---------------------------------------------------------------------

def _one_line_error(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("portalwatch: error: ") and err.count("\n") == 1
    return err


def test_absurd_values_exit_2_with_a_message(tmp_path: Path, db_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    open_database(db_url).dispose()  # read commands want a database that exists
    registry = tmp_path / "portals.toml"
    registry.write_text('[portals.sim]\nstart_urls = ["http://127.0.0.1:9/tin-tuc"]\n'
                        'every = "99999999999d"\n', encoding="utf-8")
    assert "longer than the longest duration" in _one_line_error(
        capsys, ["portals", "--portals", str(registry), "--db", db_url])
    _one_line_error(capsys, ["items", "--db", db_url, "--limit", str(2**63)])
    _one_line_error(capsys, ["items", "--db", db_url, "--since", "01/01/0001"])
    _one_line_error(capsys, ["show", "9" * 30, "--db", db_url])


def test_an_invalid_css_selector_is_refused_when_the_portals_file_is_read(
        tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    registry = tmp_path / "portals.toml"
    registry.write_text('[portals.sim]\nstart_urls = ["http://127.0.0.1:9/tin-tuc"]\n'
                        '[portals.sim.selectors]\ntitle = "h1.news-title["\n', encoding="utf-8")
    err = _one_line_error(capsys, ["crawl", "sim", "--portals", str(registry), "--db", sqlite_url])
    assert "portal 'sim'" in err and "invalid CSS selector 'h1.news-title['" in err


def test_javascript_links_in_any_case_are_no_attachments() -> None:
    meta, _, html = case("article-attachments-only")
    whole = parse_article(html, meta["url"])
    link = '<a href="/documents/20202/600/Ke+hoach+thi+tuyen.pdf">Kế hoạch thi tuyển</a>'
    scripts = (' <a href="JaVaScRiPt:void(0)/bieu-mau.doc">Biểu mẫu.doc</a>'
               ' <a href="java\tscript:tai(1)/mau-2.pdf">Mẫu 2.pdf</a>')
    page = html.decode("utf-8").replace(link, link + scripts)
    assert parse_article(page.encode("utf-8"), meta["url"]).attachments == whole.attachments


def test_a_page_over_the_download_cap_is_not_fetched_and_the_run_says_why(
        tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=3) as portal:
        huge = portal.expected_articles()[1]["url"]
        portal.edit_article(1, add_paragraph="Phụ lục. " * 150_000)  # a page of ~1.4 MB
        result = run_crawl(write_registry(tmp_path, portal), sqlite_url, "-s", "DOWNLOAD_MAXSIZE=1000000")
    assert result.returncode == 0, result.stderr
    database = open_database(sqlite_url)
    with database.session() as s:
        errors = s.scalars(select(CrawlRun.errors)).one()
        stored = set(s.scalars(select(Article.canonical_url)))
    database.dispose()
    assert huge not in stored and len(stored) == 2
    assert [e["url"] for e in errors] == [huge]
    assert "larger than the download cap (DOWNLOAD_MAXSIZE)" in errors[0]["reason"]
    # and by default the cap is sane (Scrapy's own is 1 GB; a 30 MB page took 0.5-0.75 GB to parse)
    assert crawl_settings("sqlite://", None).getint("DOWNLOAD_MAXSIZE") == 10 * 1024 * 1024


# -- review: a failing batch, string columns -------------------------------------------------

def test_page_texts_longer_than_their_columns_are_stored(db: Database) -> None:
    _portal(db)
    with db.session() as s:  # <html lang="vietnamese">: PostgreSQL refused the whole batch
        store_record(s, make_record("dai", language="vietnamese", author="Nhóm phóng viên " * 30,
                                    published_text="Thứ hai, 11/03/2019 " * 10))
    with db.session() as s:
        article = s.scalars(select(Article)).one()
        assert article.language == "vi" and len(article.author) == 300 and article.author.endswith("…")
        assert len(article.published_text) == 100


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


class _Spider:
    portal_id = "sim"
    listing_pages_ok = 1

    def receive_crawl_state(self, state: object) -> None:
        self.state = state


def test_one_item_that_cannot_be_stored_does_not_poison_the_crawl(tmp_path: Path, db_url: str) -> None:
    def refuse_one(session: Any, event: ArticleEvent) -> None:
        if event.article.title == "Bài không lưu được":
            raise ValueError("refused by the event hook")

    registry = write_registry_file(tmp_path)
    spider, crawler = _Spider(), type("Crawler", (), {"stats": _Stats(), "signals": None})()
    crawler.spider = spider
    pipeline = StoragePipeline(crawler, db_url, str(registry), batch_size=3, on_event=refuse_one,
                               deliver_alerts=None)
    database = open_database(db_url)
    with database.session() as s:  # a completed crawl before: this one's events are not a baseline
        ensure_portal(s, "sim", name="sim", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        finish_run(s, start_run(s, "sim", baseline=True), status="ok")
    pipeline.open_spider(spider)
    titles = ["Tin một", "Bài không lưu được", "Tin ba", "Tin bốn", "Tin năm"]
    for n, title in enumerate(titles):
        pipeline.process_item(FetchedArticle(make_record(f"tin-{n}", portal="sim", title=title)))
    pipeline.spider_closed(spider, "finished")
    with database.session() as s:
        stored = s.scalars(select(Article.title).order_by(Article.id)).all()
        run = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    database.dispose()
    assert stored == ["Tin một", "Tin ba", "Tin bốn", "Tin năm"]
    assert run is not None and run.status == "ok" and run.articles_new == 4 and run.articles_failed == 1
    assert run.errors == [{"url": make_record("tin-1", portal="sim").url, "listing": False,
                           "reason": "not stored: ValueError: refused by the event hook"}]


def write_registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "sim.toml"
    path.write_text('[portals.sim]\nstart_urls = ["http://127.0.0.1:9/tin-tuc"]\n', encoding="utf-8")
    return path


# -- review: schedule --once, Scrapy's start() -----------------------------------------------

def test_a_portal_falling_due_as_the_scheduler_shuts_down_is_no_traceback(
        tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    registry = write_registry_file(tmp_path)
    service = PortalScheduler(ScheduleSettings(db_url=sqlite_url, portals_file=str(registry), jitter=0.0,
                                               crawl_command=(sys.executable, "-c", "pass")))
    service.reconcile(spread_first_runs=False)  # the portal's first turn: now
    with caplog.at_level(logging.DEBUG, logger="apscheduler"):
        service.close()  # as `schedule --once` ends
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_the_scrapy_required_has_the_start_the_spider_needs() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    scrapy = next(Requirement(d) for d in project["dependencies"] if d.startswith("scrapy"))
    assert not scrapy.specifier.contains("2.12.0") and scrapy.specifier.contains("2.13.0")
    assert "start" in vars(PortalSpider)  # the async start() of Scrapy 2.13: on 2.11/2.12 never called


# -- 7. one article, several URLs ------------------------------------------------------------

ARTICLE = "https://thainguyen.gov.vn/tin-tuc-su-kien/-/asset_publisher/X/content/bai-viet"
VARIANTS = [f"{ARTICLE}?groupId=1&articleId=5", f"{ARTICLE}/?articleId=5&groupId=1#binh-luan",
            f"{ARTICLE}?articleId=5&utm_source=zalo&groupId=1&p_p_state=normal",
            "HTTPS://ThaiNguyen.gov.vn/tin-tuc-su-kien/-/asset_publisher/X/content/bai-viet/"
            "?articleId=5&groupId=1&fbclid=IwAR0"]


def test_the_url_variants_of_one_article_are_one_canonical_url() -> None:
    assert {canonicalize_url(url) for url in VARIANTS} == {f"{ARTICLE}?articleId=5&groupId=1"}
    assert canonicalize_url("https://hanoi.gov.vn/tin-tức/bài viết") == \
        canonicalize_url("https://hanoi.gov.vn/tin-t%E1%BB%A9c/b%C3%A0i%20vi%E1%BA%BFt/")


def test_an_article_whose_canonical_link_names_the_listing_is_one_article_under_every_url() -> None:
    meta, _, html = case("article-em-captions")
    # as some Liferay 6.2 themes do: every asset's canonical link names the page of the publisher
    page = re.sub(r'<link href="[^"]*" rel="canonical"',
                  '<link href="https://thainguyen.gov.vn/tin-tuc" rel="canonical"', html.decode("utf-8"))
    assert "https://thainguyen.gov.vn/tin-tuc\"" in page
    keys = {parse_article(page.encode("utf-8"), url).canonical_url for url in VARIANTS}
    assert keys == {f"{ARTICLE}?articleId=5&groupId=1"}


def test_articles_stored_under_the_old_url_form_keep_their_rows(sqlite_url: str) -> None:
    database = open_database(sqlite_url)
    old_form = f"{ARTICLE}/?groupId=1&articleId=5"
    with database.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record(), now=T0)
        s.execute(update(Article).values(canonical_url=old_form))
    config = alembic_config(database.engine)
    command.downgrade(config, "0008")
    command.upgrade(config, "head")
    with database.session() as s:
        assert s.scalars(select(Article.canonical_url)).all() == [canonicalize_url(old_form)]
    database.dispose()


# -- review: old articles are looked at again ------------------------------------------------

def test_the_sweep_checks_every_old_article_once_in_sweep_days_spread_over_the_days() -> None:
    portal = PortalConfig(id="sim", name="sim", cms="liferay", start_urls=("http://127.0.0.1:9/",))
    first_crawl = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    archive = {f"http://127.0.0.1:9/tin/{n}": KnownArticle(
        f"http://127.0.0.1:9/tin/{n}", None, None, None, first_crawl - timedelta(days=400 + n % 900),
        first_crawl, False) for n in range(3000)}
    checks: dict[str, int] = dict.fromkeys(archive, 0)
    per_day = []
    for day in range(1, 31):  # one crawl a day for portal.sweep_days days
        now = first_crawl + timedelta(days=day)
        due = [url for url, known in archive.items() if check_is_due(known, now, portal)]
        for url in due:
            checks[url] += 1
            archive[url] = dataclasses.replace(archive[url], last_checked_at=now)
        per_day.append(len(due))
    assert portal.sweep_days == 30 and set(checks.values()) == {1}  # each once, none forgotten
    assert max(per_day) <= 1.5 * 3000 / 30 and min(per_day) >= 0.5 * 3000 / 30  # ~100 a day


def test_an_old_article_edited_later_is_noticed_by_the_sweep(tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=12, per_page=10) as portal:  # dated 2025: older than recheck_days
        registry = write_registry(tmp_path, portal)
        assert run_crawl(registry, sqlite_url).returncode == 0
        database = open_database(sqlite_url)
        with database.session() as s:  # a sweep period has gone by since then
            s.execute(update(Article).values(last_checked_at=datetime.now(UTC) - timedelta(days=31)))
        database.dispose()
        portal.edit_article(11, paragraph_replacements={1: "Đoạn này được sửa một năm sau."})
        second = run_crawl(registry, sqlite_url)
    assert second.returncode == 0, second.stderr
    assert "0 new, 1 changed, 0 removed" in second.stdout
