"""The DotNetNuke family beyond its fixture folders (tests/pages/dnn/): which pages it claims, DNN's
page numbers in friendly URLs, pagers, and which module a page is read in."""

from __future__ import annotations

import pytest

from crawler.core.records import ArticleRecord, ListingPage
from crawler.parsing import FAMILIES, parse_page, parse_page_with_family
from crawler.parsing.base import PageContext
from crawler.parsing.dnn import dnn_page_number
from tests.page_fixtures import PROJECT_PAGES, SHARED_FIXTURES, PageCase, load_cases

DNN = FAMILIES["dnn"]
CASES = load_cases(PROJECT_PAGES) + (load_cases(SHARED_FIXTURES) if SHARED_FIXTURES.is_dir() else [])


def _ctx(html: str | bytes, url: str) -> PageContext:
    return PageContext.build(html, url, portal="t", selectors=None, timezone="Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("case", [c for c in CASES if c.family != "dnn"], ids=lambda c: c.id)
def test_pages_of_other_families_carry_no_dnn_marker(case: PageCase) -> None:
    assert DNN.markers(_ctx(case.html(), case.url)) == 0


def test_dnn_pages_outscore_every_other_family() -> None:
    for case in (c for c in CASES if c.family == "dnn"):
        ctx = _ctx(case.html(), case.url)
        mine = DNN.markers(ctx)
        assert mine >= 2, case.id
        assert all(parser.markers(ctx) < mine for name, parser in FAMILIES.items() if name != "dnn"), case.id


def test_one_dnn_path_alone_claims_no_page() -> None:
    html = ("<html><body><img src='/Portals/0/logo.png'><h1>Khai mạc hội chợ</h1><p>"
            + "Hội chợ thương mại mở cửa đến hết tuần. " * 20 + "</p></body></html>")
    assert DNN.markers(_ctx(html, "https://tinhvidu.gov.vn/tin-tuc/khai-mac.html")) == 0
    family, _ = parse_page_with_family(html, "https://tinhvidu.gov.vn/tin-tuc/khai-mac.html")
    assert family == "generic"


@pytest.mark.parametrize(("url", "number"), [
    ("https://hue.gov.vn/vi-vn/Tin-tuc/tid/Tin-trong-tinh/cid/7A9B/currentpage/3", 3),
    ("https://s.gov.vn/Tin-tuc/PgrID/591/PageID/2", 2),
    ("https://s.gov.vn/Default.aspx?tabid=55&currentpage=4", 4),
    ("https://s.gov.vn/tin-tuc/tabid/55/Default.aspx", None),
    ("https://s.gov.vn/Tin-tuc/ArticleID/1523/Khoi-cong", None),
])
def test_page_numbers_of_dnn_friendly_urls(url: str, number: int | None) -> None:
    assert dnn_page_number(url) == number


def _page(modules: str) -> str:
    return ("<html lang='vi-VN'><head><meta name='GENERATOR' content='DotNetNuke '>"
            "<script src='/js/dnncore.js'></script></head><body><form>"
            f"<div id='dnn_ContentPane'>{modules}</div>"
            "<input type='hidden' name='__dnnVariable' value=''></form></body></html>")


def _module(mid: int, inner: str) -> str:
    return (f"<div class='DnnModule DnnModule-News DnnModule-{mid}'><div id='dnn_ctr{mid}_ContentPane'>"
            f"<div id='dnn_ctr{mid}_ModuleContent' class='DNNModuleContent'>{inner}</div></div></div>")


_ITEMS = "".join(f"<div class='news-item'><h3><a href='/Tin-tuc/ArticleID/{i}/bai-{i}'>Bài viết số {i} của "
                 f"chuyên mục tin tức</a></h3><span>0{i}/05/2024</span></div>" for i in range(1, 4))


def test_query_style_pager_goes_to_the_next_number_not_the_last_page() -> None:
    pager = ("<table class='PagingTable'><tr><td>Trang 1 / 9</td><td><span class='NormalDisabled'>1</span> "
             "<a class='CommandButton' href='/Default.aspx?tabid=55&amp;currentpage=2'>2</a> "
             "<a class='CommandButton' href='/Default.aspx?tabid=55&amp;currentpage=9'>Cuối</a>"
             "</td></tr></table>")
    listing = parse_page(_page(_module(410, _ITEMS + pager)), "https://s.gov.vn/Default.aspx?tabid=55")
    assert isinstance(listing, ListingPage) and len(listing.entries) == 3
    assert listing.next_page == "https://s.gov.vn/Default.aspx?tabid=55&currentpage=2"
    assert [e.published_text for e in listing.entries] == ["01/05/2024", "02/05/2024", "03/05/2024"]


def test_the_article_is_read_in_its_module_not_in_a_fuller_box_beside_it() -> None:
    article = ("<div class='news-detail'><h2 class='news-title'>Khai mạc hội chợ thương mại</h2>"
               "<span class='news-date'>10/05/2024 08:30</span><div class='news-content'>"
               "<p>Sáng nay hội chợ thương mại tỉnh khai mạc với 200 gian hàng của các doanh nghiệp.</p>"
               "<p>Hội chợ mở cửa đến hết ngày 15/5, vào cửa tự do.</p></div></div>")
    box = "<div class='intro'><p>" + "Giới thiệu chung về tỉnh, lịch sử và văn hóa. " * 30 + "</p></div>"
    url = "https://s.gov.vn/vi-vn/Tin-tuc/tid/Kinh-te/newsid/3C1E5A2B-7D4F/cid/7A9B8C6D"
    family, record = parse_page_with_family(_page(_module(401, box) + _module(415, article)), url)
    assert family == "dnn" and isinstance(record, ArticleRecord)
    assert record.title == "Khai mạc hội chợ thương mại"
    assert record.published_text == "10/05/2024 08:30"
    assert record.body[-1] == "Hội chợ mở cửa đến hết ngày 15/5, vào cửa tự do."
    assert not any("Giới thiệu chung" in p for p in record.body)
