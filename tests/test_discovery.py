"""Finding a portal's news listing from its home page (crawler/crawling/discovery.py): the candidates a
home page offers, and `probe` against simulated portals of three families on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from crawler.core.errors import ExitCode, ExtractionError, Unreachable
from crawler.core.identity import USER_AGENT
from crawler.crawling.discovery import (
    HttpClient,
    generator_family,
    listing_candidates,
    probe,
)
from crawler.parsing import FAMILIES
from crawler.sim.portal import SimulatedPortal

HOME = "https://tinh.gov.vn/"


def home_page(body: str, head: str = "") -> str:
    return f"<html><head><title>Cổng thông tin</title>{head}</head><body>{body}</body></html>"


def test_links_named_like_the_news_section_come_first_whatever_their_diacritics_and_case() -> None:
    html = home_page(
        '<nav><a href="/gioi-thieu">Giới thiệu</a><a href="/tin-hoat-dong">Tin hoạt động</a>'
        '<a href="/van-ban">Văn bản</a><a href="/tt-sk">TIN TUC - SU KIEN</a>'
        '<a href="https://other.vn/tin-tuc">Tin tức</a><a href="javascript:;">Tin tức</a></nav>')
    candidates = listing_candidates(html, HOME, family="generic")
    urls = [c.url for c in candidates]
    # "Tin tức - Sự kiện" is preferred to "Tin hoạt động"; another site's "Tin tức" is none of ours
    assert urls[:2] == ["https://tinh.gov.vn/tt-sk", "https://tinh.gov.vn/tin-hoat-dong"]
    assert "https://other.vn/tin-tuc" not in urls
    assert candidates[0].why == 'link "TIN TUC - SU KIEN"'
    # then the paths portals of no known family use, each URL once
    assert "https://tinh.gov.vn/tin-tuc" in urls and len(urls) == len(set(urls))


def test_advertised_feeds_follow_the_named_links_then_the_family_news_paths() -> None:
    feed = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss/news.xml">'
    html = home_page('<a href="/tin-tuc">Tin tức</a>', head=feed)
    candidates = listing_candidates(html, HOME, family="nukeviet")
    assert [(c.url, c.why) for c in candidates[:3]] == [
        ("https://tinh.gov.vn/tin-tuc", 'link "Tin tức"'), ("https://tinh.gov.vn/rss/news.xml", "feed"),
        ("https://tinh.gov.vn/vi/news/", "nukeviet news path")]


def test_a_home_page_naming_nothing_still_offers_the_family_news_paths() -> None:
    candidates = listing_candidates(home_page("<p>Chào mừng</p>"), HOME, family="liferay")
    first = candidates[0]
    assert (first.url, first.why) == ("https://tinh.gov.vn/tin-tuc-su-kien", "liferay news path")


def test_generator_names_map_to_families() -> None:
    assert generator_family("NukeViet v4.5") == "nukeviet"
    assert generator_family("Microsoft SharePoint") == "sharepoint"
    assert generator_family("DotNetNuke") == "dnn"
    assert generator_family(None) is None and generator_family("Hand made") is None


# --- probe, against the simulator ---------------------------------------------------------------

@pytest.fixture(params=["liferay", "nukeviet", "sharepoint", "custom"])
def portal(request: pytest.FixtureRequest) -> Iterator[SimulatedPortal]:
    with SimulatedPortal(articles=14, per_page=5, family=request.param) as simulated:
        yield simulated


def test_probe_finds_the_listing_and_reads_one_article_as_a_crawl_would(portal: SimulatedPortal) -> None:
    result = probe(portal.home_url)
    newest = portal.expected_articles()[0]
    assert result.listing_size == 5
    assert [e.url for e in result.listing.entries] == [a["url"] for a in portal.expected_articles()[:5]]
    assert result.listing.next_page is not None  # a paged listing: a first crawl can backfill
    assert result.article is not None and result.article_problem is None
    assert (result.article.title, result.article.published_at) == (newest["title"], newest["published_at"])
    assert result.listing_why.startswith('link "Tin')  # its menu named it
    if portal.family in FAMILIES:  # a family with its own reader is recognised; others read generically
        assert result.family == portal.family
    if portal.feed_url:
        assert portal.feed_url in result.feeds
    # every request under the crawl's own name, robots.txt read first
    requests = portal.requests
    assert requests[0].path == "/robots.txt"
    assert {r.headers.get("user-agent") for r in requests} == {USER_AGENT}


def test_probe_obeys_robots_txt_and_falls_back_to_the_feed() -> None:
    with SimulatedPortal(articles=8, family="custom", robots_disallow=("/tin-tuc",)) as portal:
        result = probe(portal.home_url)
        assert result.listing_url == portal.feed_url and result.listing_why == "feed"
        assert result.listing_size == 8
        assert not [r for r in portal.requests if r.path.startswith("/tin-tuc")]
        assert any("robots.txt" in t.outcome for t in result.tried)


def test_probe_says_no_listing_was_found_when_no_candidate_is_one() -> None:
    with SimulatedPortal(articles=4, family="custom") as portal:
        portal.set_failure("/tin-tuc*", 404)
        portal.set_failure("/rss/*", 404)
        portal.set_failure("/news*", 404)
        with pytest.raises(ExtractionError, match="no news listing found") as err:
            probe(portal.home_url)
    assert err.value.exit_code == ExitCode.NOT_EXTRACTED
    assert "/tin-tuc: HTTP 404" in str(err.value)


def test_probe_of_a_portal_that_cannot_be_reached_is_exit_code_1() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Unreachable, match="cannot be reached") as err:
        probe(f"http://127.0.0.1:{port}/", client=HttpClient(timeout=5))
    assert err.value.exit_code == ExitCode.UNREACHABLE
    with SimulatedPortal(articles=2) as portal:
        portal.set_failure("/", 503)
        with pytest.raises(Unreachable, match="HTTP 503"):
            probe(portal.home_url)


def test_probe_tries_the_given_start_urls_first_and_goes_on_when_they_fail() -> None:
    with SimulatedPortal(articles=6, per_page=3, family="nukeviet") as portal:
        result = probe(portal.home_url, start_urls=(portal.base_url + "/tin-tuc-cu.html",))
        assert result.tried[0].url.endswith("/tin-tuc-cu.html") and result.tried[0].outcome == "HTTP 404"
        assert result.listing_size == 3
