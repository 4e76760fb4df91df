"""The simulated portal, as its users (spider, change-detection, scheduler tests, benchmarks) rely on it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from crawler.core.errors import ExtractionError
from crawler.core.normalize import parse_datetime
from crawler.core.records import ListingPage, NextRequest
from crawler.parsing import FAMILIES, parse_page_with_family
from crawler.sim.pages import NOT_FOUND_VI
from crawler.sim.portal import SimulatedPortal
from crawler.sim.skins import get_skin


def get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def walk_listing(portal: SimulatedPortal) -> Iterator[tuple[str, list[tuple[str, str]], BeautifulSoup]]:
    """Follow "Tiếp theo" from the start URL like a crawler: (page URL, [(article URL, date)], soup)."""
    url: str | None = portal.start_url
    while url:
        status, _, body = get(url)
        assert status == 200
        soup = BeautifulSoup(body, "lxml")
        entries = [
            (item.select_one(".asset-title a")["href"], item.select_one(".metadata-publish-date").get_text())
            for item in soup.select(".asset-abstract")
        ]
        yield url, entries, soup
        nxt = next(a for a in soup.select("ul.pager li a") if a.get_text() == "Tiếp theo")
        url = None if nxt["href"] == "javascript:;" else nxt["href"]


@pytest.fixture
def portal() -> Iterator[SimulatedPortal]:
    with SimulatedPortal(articles=35, per_page=10) as p:
        yield p


def test_listing_walks_every_article_once_newest_first(portal: SimulatedPortal) -> None:
    pages = list(walk_listing(portal))
    assert len(pages) == 4 == portal.page_count
    entries = [e for _, page_entries, _ in pages for e in page_entries]
    urls = [href.split("?redirect=")[0] for href, _ in entries]
    assert urls == [a["url"] for a in portal.expected_articles()]
    assert len(set(urls)) == 35
    dates = [parse_datetime(text) for _, text in entries]
    assert all(a > b for a, b in zip(dates, dates[1:], strict=False))
    assert [len(e) for _, e, _ in pages] == [10, 10, 10, 5]
    # The Liferay pager form, and the listing as the fixtures describe it.
    second = pages[1][0]
    assert f"_101_INSTANCE_{portal.instance_id}_cur=2" in second and "p_auth=" in second
    assert second.startswith(portal.start_url + f"?p_p_id=101_INSTANCE_{portal.instance_id}&p_p_lifecycle=0")
    expected = portal.expected_listing()
    assert [p["url"] for p in expected] == [url for url, _, _ in pages]
    assert [p["next_page"] for p in expected][:-1] == [url for url, _, _ in pages][1:]


def test_last_page_has_no_next_link(portal: SimulatedPortal) -> None:
    *_, (_, _, last) = walk_listing(portal)
    buttons = {a.get_text(): a for a in last.select("ul.pager li a")}
    assert buttons["Tiếp theo"]["href"] == "javascript:;"
    assert "disabled" in buttons["Tiếp theo"].parent["class"]
    assert buttons["Trước"]["href"].startswith(portal.start_url + "?")
    assert portal.expected_listing()[-1]["next_page"] is None
    # A page number past the end shows the last page, as Liferay's search container does.
    status, _, body = get(portal.listing_url(99))
    assert status == 200 and b"Trang 4 / 4" in body


def test_robots_txt(portal: SimulatedPortal) -> None:
    status, headers, body = get(portal.base_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert body.decode() == "User-agent: *\nDisallow: /c/\nDisallow: /web/guest/search\n"
    with SimulatedPortal(articles=1, robots_disallow=["/tin-tuc-su-kien"]) as strict:
        assert get(strict.base_url + "/robots.txt")[2] == b"User-agent: *\nDisallow: /tin-tuc-su-kien\n"


def test_conditional_get_304_until_a_real_edit(portal: SimulatedPortal) -> None:
    url = portal.expected_articles()[3]["url"]
    status, headers, body = get(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"') and modified.endswith("GMT")
    assert get(url, {"If-None-Match": etag})[0] == 304
    assert get(url, {"If-Modified-Since": modified})[0] == 304
    for page_url in (portal.start_url, portal.listing_url(2)):
        page_etag = get(page_url)[1]["ETag"]
        assert get(page_url, {"If-None-Match": page_etag})[0] == 304

    portal.edit_article(3, add_paragraph="Đoàn công tác sẽ kiểm tra lại vào cuối tháng.")
    status, headers, new_body = get(url, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag and new_body != body
    assert get(url, {"If-Modified-Since": modified})[0] == 200
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    # Two edits within one second still move Last-Modified.
    modified = headers["Last-Modified"]
    portal.edit_article(3, title="Tiêu đề đã sửa")
    assert get(url, {"If-Modified-Since": modified})[0] == 200


def test_noise_changes_etag_but_not_last_modified(portal: SimulatedPortal) -> None:
    url = portal.expected_articles()[0]["url"]
    _, headers, _ = get(url)
    portal.noise_only(0)
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 200  # strong ETag: the bytes changed
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304  # the content did not


def test_validators_can_be_switched_off() -> None:
    with SimulatedPortal(articles=3, validators=False) as portal:
        url = portal.expected_articles()[0]["url"]
        status, headers, _ = get(url)
        assert status == 200 and "ETag" not in headers and "Last-Modified" not in headers
        far_future = "Fri, 01 Jan 2100 00:00:00 GMT"
        assert get(url, {"If-None-Match": "*", "If-Modified-Since": far_future})[0] == 200


def test_removed_article_soft404_404_410_and_restore(portal: SimulatedPortal) -> None:
    slug, url = portal.expected_articles()[5]["slug"], portal.expected_articles()[5]["url"]
    portal.remove_article(slug)
    status, headers, body = get(url)
    assert status == 200 and "ETag" not in headers
    soup = BeautifulSoup(body, "lxml")
    assert soup.select_one(".portlet-msg-error") and NOT_FOUND_VI in soup.get_text()
    assert not soup.select(".journal-content-article") and not soup.select('link[rel="canonical"]')
    assert url not in [a["url"] for a in portal.expected_articles()]
    listed = [href for _, entries, _ in walk_listing(portal) for href, _ in entries]
    assert len(listed) == 34 and not any(slug in href for href in listed)

    portal.remove_article(slug, mode="404")
    assert get(url)[0] == 404
    portal.remove_article(slug, mode="410")
    assert get(url)[0] == 410
    portal.restore_article(slug)
    status, _, body = get(url)
    assert status == 200 and b"journal-content-article" in body
    assert portal.expected_articles()[5]["slug"] == slug
    # A slug that never existed gets the same soft 404 as a removed one: Liferay cannot tell them apart.
    assert get(portal.article_url("khong-ton-tai"))[0] == 200
    assert get(portal.base_url + "/khong-co-trang-nay")[0] == 404


def test_failure_given_times_then_recovery(portal: SimulatedPortal) -> None:
    article = portal.expected_articles()[1]
    path = portal.article_path(article["slug"])
    portal.set_failure(path, status=500, times=2)
    assert [get(article["url"])[0] for _ in range(3)] == [500, 500, 200]
    assert [r.status for r in portal.requests] == [500, 500, 200]

    portal.set_failure("/tin-tuc-su-kien/-/asset_publisher/*", status=503, retry_after=120)
    status, headers, _ = get(portal.expected_articles()[7]["url"])
    assert status == 503 and headers["Retry-After"] == "120"
    assert get(portal.start_url)[0] == 200  # the glob does not cover the listing
    portal.clear_failures()
    assert get(article["url"])[0] == 200
    portal.set_failure(re.compile(r"_cur=2\b"), status=502, times=1)
    assert get(portal.listing_url(2))[0] == 502 and get(portal.listing_url(2))[0] == 200


def test_timeout_hangs_until_stop_and_reset_resets() -> None:
    portal = SimulatedPortal(articles=3)
    first, second = (a["url"] for a in portal.expected_articles()[:2])
    portal.set_failure(first, status="timeout")
    portal.set_failure(second, status="reset", times=1)
    with pytest.raises(TimeoutError):
        get(first, timeout=0.2)
    with pytest.raises((ConnectionResetError, urllib.error.URLError)):
        get(second)
    assert get(second)[0] == 200
    assert [r.status for r in portal.requests] == ["timeout", "reset", 200]
    started = time.monotonic()
    portal.stop()  # releases the hanging handler instead of waiting for hang_seconds
    assert time.monotonic() - started < 2


def test_delay(portal: SimulatedPortal) -> None:
    portal.set_delay(portal.start_url, 0.3)
    started = time.monotonic()
    assert get(portal.start_url)[0] == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(TimeoutError):
        get(portal.start_url, timeout=0.1)
    portal.set_delay(portal.start_url, 0)
    started = time.monotonic()
    get(portal.start_url)
    assert time.monotonic() - started < 0.3


def test_add_articles_appear_on_top_and_push_others_down(portal: SimulatedPortal) -> None:
    before = [a["url"] for a in portal.expected_articles()]
    newest = portal.expected_articles()[0]["published_at"]
    slugs = portal.add_articles(3)
    after = portal.expected_articles()
    assert [a["slug"] for a in after[:3]] == slugs and [a["url"] for a in after[3:]] == before
    assert after[2]["published_at"] > newest
    assert after[0]["published_at"] > after[1]["published_at"] > after[2]["published_at"]
    _, first_page, _ = next(walk_listing(portal))
    assert [href.split("?")[0] for href, _ in first_page] == [a["url"] for a in after[:10]]
    assert portal.page_count == 4  # 38 articles
    assert all(get(a["url"])[0] == 200 for a in after[:3])


def test_edit_changes_page_and_expected(portal: SimulatedPortal) -> None:
    arts = portal.expected_articles()
    index = next(i for i, a in enumerate(arts) if any(img["caption"] for img in a["images"]))
    before, others_before = arts[index], arts[:index] + arts[index + 1:]
    old_page = get(before["url"])[2].decode()
    word = before["body"][1].split()[2]
    after = portal.edit_article(
        index,
        title="Tiêu đề mới của bài viết",
        paragraph_replacements={word: word + " (đã sửa)", 0: "Đoạn mở đầu được viết lại."},
        caption_fix="Chú thích ảnh đã sửa lỗi chính tả",
        add_paragraph="Đoạn văn bổ sung sau khi biên tập.",
        add_attachment="Kế hoạch bổ sung",
    )
    assert after == portal.expected_article(before["slug"])
    assert after["title"] == "Tiêu đề mới của bài viết" and after["url"] == before["url"]
    assert after["lead"] == after["body"][0] == "Đoạn mở đầu được viết lại."
    assert word + " (đã sửa)" in after["body"][1]
    assert after["body"][-1] == "Đoạn văn bổ sung sau khi biên tập."
    assert "Chú thích ảnh đã sửa lỗi chính tả" in [i["caption"] for i in after["images"]]
    assert after["attachments"][-1]["title"] == "Kế hoạch bổ sung"
    assert after["attachments"][-1]["url"].startswith(portal.base_url + "/documents/")
    page = unicodedata.normalize("NFC", get(before["url"])[2].decode())
    assert page != old_page
    for text in ("Tiêu đề mới của bài viết", "Đoạn văn bổ sung sau khi biên tập.", "Kế hoạch bổ sung"):
        assert text in page
    rest = portal.expected_articles()
    assert rest[:index] + rest[index + 1:] == others_before
    with pytest.raises(KeyError):
        portal.edit_article(index, paragraph_replacements={"không có trong bài": "x"})


def test_noise_only_changes_bytes_not_the_article(portal: SimulatedPortal) -> None:
    article = portal.expected_articles()[4]
    _, _, page = get(article["url"])
    _, _, listing = get(portal.start_url)
    portal.noise_only(article["slug"])
    _, _, noisy = get(article["url"])
    assert noisy != page
    assert portal.expected_article(article["slug"]) == article
    views = re.compile(rb"L\xc6\xb0\xe1\xbb\xa3t xem: (\d+)")
    assert views.search(noisy).group(1) != views.search(page).group(1)
    assert get(portal.start_url)[2] != listing  # the listing shows the view count too

    other = portal.expected_articles()[9]["url"]
    _, _, other_page = get(other)
    expected = portal.expected_articles()
    portal.bump_noise()
    assert get(other)[2] != other_page and portal.expected_articles() == expected


def test_noisy_portal_changes_every_response() -> None:
    with SimulatedPortal(articles=5, noisy=True) as portal:
        url = portal.expected_articles()[0]["url"]
        assert get(url)[2] != get(url)[2]
        assert get(portal.start_url)[1]["ETag"] != get(portal.start_url)[1]["ETag"]


def test_request_log(portal: SimulatedPortal) -> None:
    portal.reset_log()
    get(portal.start_url, {"User-Agent": "portalwatch-test", "If-None-Match": '"x"'})
    get(portal.expected_articles()[0]["url"] + "?redirect=" + portal.start_url)
    get(portal.base_url + "/robots.txt")
    log = portal.requests
    first = portal.article_path(portal.expected_articles()[0]["slug"])
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/tin-tuc-su-kien", 200),
        ("GET", first + "?redirect=" + portal.start_url, 200),
        ("GET", "/robots.txt", 200),
    ]
    assert log[0].headers["user-agent"] == "portalwatch-test" and log[0].headers["if-none-match"] == '"x"'
    assert portal.request_count() == 3 and portal.request_count("/tin-tuc-su-kien") == 2
    assert portal.request_count("/tin-tuc-su-kien/-/") == 1
    portal.reset_log()
    assert portal.requests == [] and portal.request_count() == 0


def test_same_seed_same_portal_other_seed_other_portal() -> None:
    with SimulatedPortal(articles=12, seed=7) as a, SimulatedPortal(articles=12, seed=7) as b, \
            SimulatedPortal(articles=12, seed=8) as c:
        def pages(p: SimulatedPortal) -> list[bytes]:
            urls = [p.start_url] + [x["url"] for x in p.expected_articles()]
            return [get(u)[2].replace(p.base_url.encode(), b"BASE") for u in urls]

        assert pages(a) == pages(b)
        strip = [({**x, "url": None, "canonical_url": None, "images": None, "attachments": None})
                 for x in a.expected_articles()]
        assert strip == [({**x, "url": None, "canonical_url": None, "images": None, "attachments": None})
                         for x in b.expected_articles()]
        assert [x["title"] for x in a.expected_articles()] != [x["title"] for x in c.expected_articles()]


def test_pages_mix_the_styles_real_pages_use() -> None:
    with SimulatedPortal(articles=30) as portal:
        arts = portal.expected_articles()
        html = "\n".join(get(a["url"])[2].decode() for a in arts)
    soup = BeautifulSoup(html, "lxml")
    dates = [p.get_text() for p in soup.select("p.date-news")]
    assert any(re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d", d) for d in dates)
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", d) for d in dates)
    assert any(re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", d) for d in dates)
    assert sum(bool(re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d", d)) for d in dates) > len(dates) / 2
    assert soup.select("table.image tr:nth-of-type(2) span")  # CKEditor caption row
    assert soup.select('p[style="text-align: center;"] > em')  # centred caption paragraph
    assert any(i["caption"] is None for a in arts for i in a["images"])
    assert soup.select(".journal-content-article > p[style='text-align: right;'] > strong")
    assert soup.select("p.author-news")
    assert any(p.get_text().startswith("(Nguồn: ") for p in soup.select("p.source-news"))
    assert any(p.get_text().startswith("Nguồn: ") for p in soup.select("p.source-news"))
    assert {a["url"].rsplit(".", 1)[1] for x in arts for a in x["attachments"]} >= {"pdf", "xlsx"}
    assert html != unicodedata.normalize("NFC", html)  # some text arrives decomposed
    assert "\xa0" in soup.get_text()
    assert len(soup.select('link[rel="canonical"]')) == 30 and len(soup.select("h2.title-other-news")) == 30
    assert soup.select_one("#skip-to-content").get_text() == "Truy cập nội dung luôn"
    assert soup.select("p.visit-counter") and "p_auth=" in html
    for a in arts:
        assert a["lead"] == a["body"][0] and 3 <= len(a["body"]) <= 7
        assert a["published_at"].utcoffset().total_seconds() == 7 * 3600
        assert all(p == unicodedata.normalize("NFC", " ".join(p.split())) for p in a["body"])
        assert all(u["url"].startswith(portal.base_url + "/") for u in a["images"] + a["attachments"])
    assert any(a["images"] for a in arts) and any(not a["images"] for a in arts)
    assert any(a["author"] is None for a in arts) and any(a["source"] is None for a in arts)


def test_serving_while_mutating(portal: SimulatedPortal) -> None:
    urls = [a["url"] for a in portal.expected_articles()] * 3

    def fetch(url: str) -> int:
        status, _, body = get(url)
        assert body.rstrip().endswith(b"</html>")
        return status

    with ThreadPoolExecutor(8) as pool:
        results = pool.map(fetch, urls)
        for i in range(20):
            portal.noise_only(i % 30)
            portal.bump_noise()
        portal.add_articles(2)
        assert set(results) == {200}


def test_ten_thousand_articles() -> None:
    started = time.monotonic()
    with SimulatedPortal(articles=10_000, per_page=10) as portal:
        assert portal.page_count == 1000
        status, _, body = get(portal.listing_url(1000))
        oldest = portal.expected_articles()[-1]
        assert status == 200 and oldest["url"].encode() in body
        assert b"Trang 1000 / 1000" in body
        assert get(oldest["url"])[0] == 200
    assert time.monotonic() - started < 10


def test_standalone_entry_point() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.sim.portal", "--articles", "5", "--per-page", "2", "--port", "0",
         "--no-validators"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        start_url = proc.stdout.readline().strip()
        assert start_url.startswith("http://127.0.0.1:") and start_url.endswith("/tin-tuc-su-kien")
        status, headers, body = get(start_url)
        assert status == 200 and b"Trang 1 / 3" in body and "ETag" not in headers
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_parser_extracts_what_the_portal_says_it_serves() -> None:
    """The simulator's expected records and the Liferay parser must agree, field by field."""
    parsing = pytest.importorskip("crawler.parsing")
    if not hasattr(parsing, "parse_page"):
        pytest.skip("crawler.parsing.parse_page is not written yet")
    with SimulatedPortal(articles=36) as portal:  # 36: every combination of the styles by index
        for expected in portal.expected_articles():
            _, _, body = get(expected["url"])
            record = parsing.parse_page(body.decode("utf-8"), expected["url"])
            got = {
                "url": record.canonical_url, "title": record.title, "published_at": record.published_at,
                "lead": record.lead, "body": record.body, "author": record.author, "source": record.source,
                "category": record.category,
                "images": [{"url": i.url, "caption": i.caption} for i in record.images],
                "attachments": [{"url": a.url, "title": a.title} for a in record.attachments],
            }
            for name, value in got.items():
                assert value == expected[name], f"{expected['slug']}: {name}"


# --- families: the same portal in another CMS's markup ------------------------------------------

SIM_FAMILIES = ("liferay", "nukeviet", "sharepoint", "baochinhphu", "hanoi", "custom")


def _parse(url: str) -> tuple[str, object]:
    status, _, body = get(url)
    assert status == 200, url
    return parse_page_with_family(body.decode("utf-8"), url)


def _fetch(request: NextRequest) -> bytes:
    """What a listing's next-page request gets: a GET, or the form a "see more" button POSTs."""
    data = urllib.parse.urlencode(request.form).encode() if request.method == "POST" else None
    with urllib.request.urlopen(urllib.request.Request(request.url, data=data, method=request.method),
                                timeout=5) as response:
        assert response.status == 200, request
        body: bytes = response.read()
        return body


@pytest.mark.parametrize("family", SIM_FAMILIES)
def test_every_family_serves_home_listing_pages_and_articles_a_parser_reads(family: str) -> None:
    with SimulatedPortal(articles=23, per_page=10, family=family) as portal:
        status, _, home = get(portal.home_url)
        assert status == 200
        # Its menu leads to the news: the link named "Tin tức…" opens a listing, newest first.
        news = [a["href"] for a in BeautifulSoup(home, "lxml").select("a[href]")
                if a.get_text().strip().lower().startswith("tin tức")]
        assert news
        _, menu_listing = _parse(urljoin(portal.home_url, news[0]))
        assert menu_listing.entries[0].url == portal.expected_articles()[0]["url"]  # type: ignore[attr-defined]
        # The listing, walked by its pager (or "see more") as a crawler does, lists every article
        # once, newest first.
        seen: list[str] = []
        request: NextRequest | None = NextRequest(portal.start_url)
        pages_read = []
        while request is not None:
            body = _fetch(request)
            if not body.strip():
                break  # a "see more" fragment past the last entries is empty (baochinhphu): the end
            listing = parse_page_with_family(body.decode("utf-8"), request.url)[1]
            assert isinstance(listing, ListingPage)
            pages_read.append(request.url)
            seen += [entry.url for entry in listing.entries]
            request = listing.follow() or (request.advanced() if len(pages_read) > 1 else None)
        assert seen == [a["url"] for a in portal.expected_articles()]
        assert pages_read == [p["url"] for p in portal.expected_listing()]
        # Each article reads as the portal says it serves it: title and date by any reader.
        for expected in portal.expected_articles()[:6]:
            read_by, record = _parse(expected["url"])
            assert (record.title, record.published_at) == (expected["title"], expected["published_at"])  # type: ignore[attr-defined]
            # A family with a reader of its own is recognised (`--cms auto`) and read whole; the
            # generic reader (the custom site's, any family's without one yet) gets the body's end.
            if (skin := get_skin(family)).family or family in FAMILIES:
                assert read_by == (skin.family or family)
                fields = ("lead", "body", "author", "source", "category")
                got = {name: getattr(record, name) for name in fields}
                assert got == {name: expected[name] for name in got}
            else:
                assert record.body[-1] == expected["body"][-1]  # type: ignore[attr-defined]


def test_custom_and_nukeviet_sites_advertise_their_feed() -> None:
    for family in ("custom", "nukeviet"):
        with SimulatedPortal(articles=25, family=family) as portal:
            soup = BeautifulSoup(get(portal.home_url)[2], "lxml")
            feeds = [urljoin(portal.home_url, link["href"])
                     for link in soup.select('link[rel="alternate"][type="application/rss+xml"]')]
            assert portal.feed_url in feeds
            _, feed = _parse(portal.feed_url)
            assert [e.url for e in feed.entries] == [a["url"] for a in portal.expected_articles()[:20]]  # type: ignore[attr-defined]


def test_custom_site_has_a_tin_tuc_menu_link_and_no_family_markers() -> None:
    with SimulatedPortal(articles=5, family="custom") as portal:
        soup = BeautifulSoup(get(portal.home_url)[2], "lxml")
        assert [a["href"] for a in soup.select("nav a") if a.get_text() == "Tin tức"] == ["/tin-tuc"]
        family, record = _parse(portal.expected_articles()[0]["url"])
        assert family == "generic" and record.title == portal.expected_articles()[0]["title"]  # type: ignore[attr-defined]


def test_nukeviet_pages_carry_the_cms_public_markup() -> None:
    with SimulatedPortal(articles=12, family="nukeviet") as portal:
        article = portal.expected_articles()[0]
        assert re.search(r"/vi/news/tin-tuc-su-kien/[a-z0-9-]+-\d+\.html$", article["url"])
        soup = BeautifulSoup(get(article["url"])[2], "lxml")
        assert soup.select_one('meta[name="generator"]')["content"].startswith("NukeViet")
        assert soup.select_one("h1.title").get_text() == article["title"]
        assert soup.select_one("#news-bodyhtml.bodytext") is not None
        assert soup.select_one(".hometext").get_text() == article["lead"]
        assert portal.listing_url(2).endswith("/vi/news/tin-tuc-su-kien/page-2/")
        assert "Liferay-Portal" not in get(portal.start_url)[1]


def test_family_switch_mid_life_changes_markup_not_urls() -> None:
    from crawler.parsing import parse_page
    from crawler.sim.control import Controller

    with SimulatedPortal(articles=15, family="liferay") as portal:
        liferay_url = portal.start_url
        article = portal.expected_articles()[0]
        status, headers, before = get(article["url"])
        assert parse_page(before.decode(), article["url"], cms="liferay").title == article["title"]  # type: ignore[union-attr]
        answer = Controller(portal).execute("family nukeviet")
        assert "nukeviet" in answer and portal.family == "nukeviet"
        # The Liferay URLs still answer, now in NukeViet's markup: a Liferay reader finds nothing.
        status, headers, after = get(article["url"], {"If-None-Match": headers["ETag"]})
        assert status == 200 and b"NukeViet" in after and b"journal-content-article" not in after
        for url, page in ((article["url"], after), (liferay_url, get(liferay_url)[2])):
            with pytest.raises(ExtractionError, match="does not look like a Liferay page"):
                parse_page(page.decode(), url, cms="liferay")
        assert Controller(portal).execute("family") == "family: nukeviet"
        Controller(portal).execute("family liferay")
        listing = parse_page(get(liferay_url)[2].decode(), liferay_url, cms="liferay")
        assert [e.url for e in listing.entries] == [a["url"] for a in portal.expected_articles()[:10]]  # type: ignore[union-attr]
        from crawler.sim.control import CommandError

        with pytest.raises(CommandError, match="unknown family"):
            Controller(portal).execute("family joomla")


def test_sim_command_offers_every_family_the_simulator_has() -> None:
    from crawler.cli.demo import SIM_FAMILIES
    from crawler.sim.skins import skin_names

    assert sorted(SIM_FAMILIES) == sorted(skin_names())


def test_standalone_entry_point_serves_another_family() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "crawler.sim.portal", "--articles", "3", "--port", "0",
                             "--family", "custom"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        start_url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert start_url.endswith("/tin-tuc")
        assert b"news-item" in get(start_url)[2]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
