"""A crawl of a simulated Liferay portal stores every article exactly as the parser reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from crawler.parsing import parse_page
from crawler.sim.portal import SimulatedPortal
from storage.db import open_database
from storage.models import Article, CrawlRun
from tests.conftest import REPO
from tests.crawling import run_crawl, write_registry

FIELDS = ("title", "lead", "body", "images", "attachments", "author", "source", "category")


def stored_articles(db_url: str) -> dict[str, Article]:
    database = open_database(db_url)
    with database.session() as session:
        rows = {a.canonical_url: a for a in session.scalars(select(Article))}
    database.dispose()
    return rows


def last_run(db_url: str) -> CrawlRun:
    database = open_database(db_url)
    with database.session() as session:
        run = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    database.dispose()
    assert run is not None
    return run


@pytest.fixture
def portal() -> SimulatedPortal:
    with SimulatedPortal(articles=28, per_page=10) as sim:
        yield sim


def test_crawl_stores_every_article_with_the_fields_the_parser_gives(
    portal: SimulatedPortal, tmp_path: Path, db_url: str
) -> None:
    # cms = "auto": each page is read by the family its markers name (Liferay here)
    result = run_crawl(write_registry(tmp_path, portal, cms="auto"), db_url)
    assert result.returncode == 0, result.stderr
    assert "28 new" in result.stdout
    crawler_requests = portal.requests
    assert crawler_requests[0].path == "/robots.txt"
    assert all("portalwatch" in r.headers.get("user-agent", "") for r in crawler_requests)
    stored = stored_articles(db_url)
    expected = portal.expected_articles()
    assert len(expected) == 28 and set(stored) == {e["url"] for e in expected}
    for exp in expected:
        row = stored[exp["url"]]
        for name in FIELDS:
            assert getattr(row, name) == exp[name], (exp["url"], name)
        assert row.published_at == exp["published_at"] and row.portal_id == "sim"
        parsed = parse_page(portal_page(portal, exp["url"]), exp["url"], portal="sim")
        assert row.content_hash == parsed.content_hash
    # The simulated portal mixes caption styles, captionless images, bylines and attachments.
    assert sum(1 for e in expected if e["images"]) >= 5
    assert sum(1 for e in expected if e["author"]) >= 5 and sum(1 for e in expected if e["attachments"])
    items_command = [sys.executable, "-m", "crawler.cli", "items", "--db", db_url, "--format", "jsonl",
                     "--limit", "100"]
    listed = subprocess.run(items_command, capture_output=True, text=True, timeout=60)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["canonical_url"] for r in rows] == [e["url"] for e in expected]  # newest first
    for row, exp in zip(rows, expected, strict=True):
        assert {name: row[name] for name in FIELDS} == {name: exp[name] for name in FIELDS}
        assert row["published_at"] == exp["published_at"].isoformat() and row["version"] == 1
        assert row["removed_at"] is None and row["first_seen_at"]
    run = last_run(db_url)
    assert (run.status, run.baseline, run.articles_new, run.errors) == ("ok", True, 28, [])
    assert run.requests_sent >= 28 + 3  # robots.txt, 3 listing pages, 28 articles


def portal_page(portal: SimulatedPortal, url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url) as response:
        return response.read().decode("utf-8")


def test_robots_txt_disallowing_the_listing_is_obeyed(tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=5, robots_disallow=("/tin-tuc-su-kien",)) as portal:
        result = run_crawl(write_registry(tmp_path, portal), sqlite_url)
        fetched = [r.path for r in portal.requests]
    assert fetched == ["/robots.txt"]
    assert result.returncode == 1
    assert "could not be reached" in result.stderr and "robots.txt" in result.stderr


def test_portal_answering_500_everywhere_is_unreachable_and_the_run_failed(
    tmp_path: Path, sqlite_url: str
) -> None:
    with SimulatedPortal(articles=5) as portal:
        portal.set_failure("/tin-tuc-su-kien*", status=500)
        result = run_crawl(write_registry(tmp_path, portal), sqlite_url)
        listing_hits = portal.request_count("/tin-tuc-su-kien")
    assert result.returncode == 1
    assert "HTTP 500" in result.stderr
    assert listing_hits == 3  # the first try and two retries
    run = last_run(sqlite_url)
    assert run.status == "failed" and run.errors and "HTTP 500" in run.errors[0]["reason"]
    assert stored_articles(sqlite_url) == {}


def test_a_hanging_article_is_an_error_of_the_run_never_a_removal(tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=12, per_page=10) as portal:
        registry = write_registry(tmp_path, portal)
        assert run_crawl(registry, sqlite_url).returncode == 0
        hanging = portal.expected_articles()[0]["url"]
        portal.edit_article(0, title="Tiêu đề mới")  # the listing changes, so the article is refetched
        portal.set_failure(hanging.removeprefix(portal.base_url), status="timeout")
        result = run_crawl(registry, sqlite_url, "--download-timeout", "1")
    assert result.returncode == 0, result.stderr
    run = last_run(sqlite_url)
    assert run.articles_removed == 0 and run.articles_failed == 1
    assert run.errors[0]["url"] == hanging and "Timeout" in run.errors[0]["reason"]
    assert stored_articles(sqlite_url)[hanging].removed_at is None


def test_a_listing_that_times_out_makes_the_portal_unreachable(tmp_path: Path, sqlite_url: str) -> None:
    with SimulatedPortal(articles=3) as portal:
        portal.set_failure("/tin-tuc-su-kien", status="timeout")
        result = run_crawl(write_registry(tmp_path, portal), sqlite_url, "--download-timeout", "1")
    assert result.returncode == 1
    assert "could not be reached" in result.stderr and "Timeout" in result.stderr


def test_one_spider_crawls_every_family_under_its_new_and_its_old_name() -> None:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    assert {"portal", "liferay"} <= set(loader.list())
    assert issubclass(loader.load("liferay"), loader.load("portal"))  # `scrapy crawl liferay` still works


@pytest.mark.parametrize(("arguments", "message"), [
    (["portal", "-a", "portal=nope"], "error: unknown portal 'nope' (known: "),
    (["liferay", "-a", "portal=thainguyen-typo"], "error: unknown portal 'thainguyen-typo' (known: "),
    (["portal"], "error: give the portal: scrapy crawl portal -a portal=ID"),
    (["nosuch"], "error: no spider named 'nosuch' (spiders: liferay, portal)"),
])
def test_scrapy_crawl_refuses_a_bad_portal_in_one_line_before_starting(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    database = tmp_path / "never.db"
    refused = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *arguments, "-s", f"PORTALWATCH_DB=sqlite:///{database}"],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2  # a usage error, as `portalwatch crawl nope` gives
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr and "asyncio" not in refused.stderr
    assert not database.exists()  # nothing was started


# -- listings that page by POST ("see more" APIs) ------------------------------------------------

HANOI = Path(__file__).resolve().parent / "pages" / "baochinhphu"


def _spider_for(start_url: str) -> Any:
    from crawler.portals import PortalConfig
    from spiders.portal import PortalSpider

    spider = PortalSpider(portal="hanoi")
    spider.portal = PortalConfig(id="hanoi", name="Hà Nội", cms="auto", start_urls=(start_url,))
    spider.max_pages, spider.walks_open, spider.state_received = 5, 1, True
    return spider


def _answer(request: Any, body: bytes) -> Any:
    from scrapy.http import HtmlResponse

    return HtmlResponse(request.url, body=body, encoding="utf-8", request=request)


def _saved(case: str) -> bytes:
    return (HANOI / case / "page.html").read_bytes()


def _requests(out: list[Any], callback: Any) -> list[Any]:
    import scrapy

    return [r for r in out if isinstance(r, scrapy.Request) and r.callback == callback]


def test_a_see_more_api_is_walked_by_post_each_fragment_asking_for_the_next_page() -> None:
    """Hà Nội's listing loads further entries by POSTing a form to /api/NewsZone/NewsZone; the
    crawler sends that form, reads the HTML fragment it gets as a listing, asks for the page after
    it with the same form, and stops at the first empty answer."""
    from urllib.parse import parse_qsl

    import scrapy

    start = "https://hanoi.gov.vn/chi-dao-cua-ubnd-thanh-pho-ha-noi"
    spider = _spider_for(start)
    first = scrapy.Request(start, meta={"page": 1})
    out = list(spider.parse_listing(_answer(first, _saved("listing-hanoi-page1"))))
    articles = _requests(out, spider.parse_article)
    assert len(articles) == 2 and len(_requests(out, spider.parse_listing)) == 1
    more = _requests(out, spider.parse_listing)[0]
    assert (more.method, more.url) == ("POST", "https://hanoi.gov.vn/api/NewsZone/NewsZone")
    form = dict(parse_qsl(more.body.decode()))
    assert form["PageIndex"] == "2" and form["Catname"].startswith("fFeUG2Qags")
    assert more.headers[b"Content-Type"].startswith(b"application/x-www-form-urlencoded")

    out = list(spider.parse_listing(_answer(more, _saved("listing-hanoi-api-fragment"))))
    section = "https://hanoi.gov.vn/chi-dao-cua-ubnd-thanh-pho-ha-noi/"
    assert [r.url for r in _requests(out, spider.parse_article)] == [
        section + "kiem-tra-an-toan-thuc-pham-4240304160000333.htm",
        section + "chuyen-doi-so-trong-cai-cach-hanh-chinh-4240303080000444.htm"]
    after = _requests(out, spider.parse_listing)
    assert len(after) == 1 and after[0].method == "POST"
    assert dict(parse_qsl(after[0].body.decode()))["PageIndex"] == "3"
    assert after[0].meta["page"] == 3

    out = list(spider.parse_listing(_answer(after[0], b"  \n")))
    assert not [r for r in out if isinstance(r, scrapy.Request)]  # the end: no problem, no request
    assert spider.walks_open == 0


def test_a_timeline_fragment_is_followed_by_get_to_the_next_page_number() -> None:
    import scrapy

    start = "https://baochinhphu.vn/kinh-te.htm"
    spider = _spider_for(start)
    first = scrapy.Request(start, meta={"page": 1})
    out = list(spider.parse_listing(_answer(first, _saved("listing-zone-page1"))))
    more = _requests(out, spider.parse_listing)
    assert [(r.method, r.url) for r in more] == [("GET", "https://baochinhphu.vn/timelinelist/1027/2.htm")]
    out = list(spider.parse_listing(_answer(more[0], _saved("listing-timeline-fragment"))))
    more = _requests(out, spider.parse_listing)
    assert [(r.method, r.url) for r in more] == [("GET", "https://baochinhphu.vn/timelinelist/1027/3.htm")]


def test_a_json_see_more_api_is_sent_json_and_its_html_in_json_answer_read_as_a_listing() -> None:
    """A "see more" that POSTs JSON and answers JSON carrying the entries' HTML: the crawler sends the
    JSON body, reads the entries out of the answer and asks for the next page number the same way."""
    import scrapy

    from crawler.core.records import NextRequest

    spider = _spider_for("https://baochinhphu.vn/kinh-te.htm")
    api = NextRequest("https://baochinhphu.vn/api/zone/timeline", method="POST",
                      json='{"zoneId": 1027, "page": 2}', page_field="page")
    sent = spider._next_listing_request(api, page=2)
    assert (sent.method, json.loads(sent.body)) == ("POST", {"zoneId": 1027, "page": 2})
    assert sent.headers[b"Content-Type"] == b"application/json"
    answer = json.dumps({"success": True, "html": _saved("listing-timeline-fragment").decode()}).encode()
    out = list(spider.parse_listing(_answer(sent, answer)))
    assert [r.url.rsplit("-", 1)[1] for r in _requests(out, spider.parse_article)] == [
        "102240304163000666.htm", "102240304090000777.htm"]
    after = _requests(out, spider.parse_listing)
    assert len(after) == 1 and json.loads(after[0].body) == {"zoneId": 1027, "page": 3}
    assert isinstance(after[0], scrapy.Request) and after[0].url == api.url


def test_a_post_back_pager_is_walked_by_posting_the_pages_form_until_the_last_page() -> None:
    """A SharePoint web part paged by an ASP.NET GridView: page 2 is the page's own form POSTed back
    with the pager's event and the hidden state (__VIEWSTATE, __EVENTVALIDATION, __REQUESTDIGEST);
    the answer is a whole page, read again, and the last one asks for nothing more."""
    from urllib.parse import parse_qsl

    import scrapy

    pages = Path(__file__).resolve().parent / "pages" / "sharepoint"
    start = "https://sokhdt.tinhvidu.gov.vn/Trang/TinTuc.aspx"
    spider = _spider_for(start)
    first = scrapy.Request(start, meta={"page": 1})
    out = list(spider.parse_listing(_answer(first, (pages / "listing-gridview-postback-page-1" / "page.html")
                                            .read_bytes())))
    assert len(_requests(out, spider.parse_article)) == 4
    [more] = _requests(out, spider.parse_listing)
    assert (more.method, more.url) == ("POST", start)
    assert more.headers[b"Content-Type"].startswith(b"application/x-www-form-urlencoded")
    form = dict(parse_qsl(more.body.decode(), keep_blank_values=True))
    assert form["__EVENTTARGET"] == "ctl00$ctl38$g_5c2e7a14_9b3d_4f61_a0c8_2e1f6b7d9a30$ctl00$gvNews"
    assert form["__EVENTARGUMENT"] == "Page$2"
    assert form["__VIEWSTATE"].startswith("/wEPDw") and form["__VIEWSTATEGENERATOR"] == "BAB98CB3"
    assert form["__EVENTVALIDATION"].startswith("/wEdAA") and form["__REQUESTDIGEST"].startswith("0x6F2C")
    assert "ctl00$PlaceHolderSearchArea$ctl01$btnGo" not in form  # a button nobody clicked

    last = (pages / "listing-gridview-postback-last" / "page.html").read_bytes()
    out = list(spider.parse_listing(_answer(more, last)))
    assert len(_requests(out, spider.parse_article)) == 3
    assert not _requests(out, spider.parse_listing)
    assert spider.walks_open == 0


def test_a_nukeviet_portal_is_crawled_page_by_page_and_read_by_its_family(
    tmp_path: Path, sqlite_url: str
) -> None:
    """cms = "auto" on a NukeViet portal: its /page-N listings are walked and every article is stored
    as the NukeViet family reads it, every field as the portal serves it."""
    with SimulatedPortal(articles=23, per_page=10, family="nukeviet") as portal:
        result = run_crawl(write_registry(tmp_path, portal, cms="auto"), sqlite_url)
        expected = portal.expected_articles()
        listing_paths = [urlsplit(page["url"]).path for page in portal.expected_listing()]
        fetched = [r.path for r in portal.requests]
    assert result.returncode == 0, result.stderr
    assert all(path in fetched for path in listing_paths) and len(listing_paths) == 3
    stored = stored_articles(sqlite_url)
    assert set(stored) == {e["url"] for e in expected}
    for exp in expected:
        row = stored[exp["url"]]
        for name in FIELDS:
            assert getattr(row, name) == exp[name], (exp["url"], name)
        assert row.published_at == exp["published_at"]
