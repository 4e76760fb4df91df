"""The baochinhphu and NukeViet families (crawler/parsing/baochinhphu.py, nukeviet.py on markup.py)
on small pages written inline for one rule each; their fixture folders (tests/pages/baochinhphu,
tests/pages/nukeviet) are tested field by field by tests/test_page_fixtures.py."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.core.records import ArticleRecord, ListingPage
from crawler.parsing import parse_article, parse_listing, parse_page_with_family

PAGES = Path(__file__).resolve().parent / "pages"


def saved(family: str, case: str) -> bytes:
    return (PAGES / family / case / "page.html").read_bytes()


def stream_item(n: int) -> str:
    return (f'<div class="box-category-item"><h3><a class="box-category-link-title" data-type="title" '
            f'href="/tin-so-{n}-1022403051500{n:05d}.htm">Tin số {n} về kinh tế - xã hội</a></h3>'
            f'<span class="box-category-time">0{n}/03/2024 10:00</span></div>')


def test_a_tag_page_follows_its_numbered_pager() -> None:
    page = (f'<html><body><header><a href="/kinh-te.htm">Sau</a></header><div class="list">'
            f'{stream_item(1)}{stream_item(2)}</div><ul class="pagination">'
            f'<li class="active"><a href="#">1</a></li><li><a href="/tag/xuat-khau-123.htm?page=2">2</a></li>'
            f'</ul></body></html>')
    listing = parse_listing(page, "https://baochinhphu.vn/tag/xuat-khau-123.htm", cms="baochinhphu")
    assert listing.next_page == "https://baochinhphu.vn/tag/xuat-khau-123.htm?page=2"
    assert listing.next_request is None  # a GET of that link
    assert [e.published_text for e in listing.entries] == ["01/03/2024 10:00", "02/03/2024 10:00"]


def test_a_see_more_answered_in_json_is_read_as_the_listing_of_the_html_it_carries() -> None:
    body = json.dumps({"data": {"html": stream_item(3) + stream_item(4)}, "total": 2})
    family, listing = parse_page_with_family(body, "https://baochinhphu.vn/api/timeline?zone=1027&page=3")
    assert family == "baochinhphu" and isinstance(listing, ListingPage)
    assert [e.title for e in listing.entries] == [f"Tin số {n} về kinh tế - xã hội" for n in (3, 4)]


def test_the_last_timeline_fragment_asks_for_no_more() -> None:
    listing = parse_listing("<div class='box-stream'></div>" + stream_item(5),
                            "https://baochinhphu.vn/timelinelist/1027/9.htm", cms="baochinhphu")
    assert listing.next_page == "https://baochinhphu.vn/timelinelist/1027/10.htm"
    empty = parse_listing("<div class='box-stream'><p>Không còn tin</p></div>",
                          "https://baochinhphu.vn/timelinelist/1027/10.htm", cms="baochinhphu")
    assert (empty.entries, empty.next_page) == ([], None)  # the end of the listing, not a broken page


def test_related_boxes_inside_the_body_are_no_body_and_captions_are_no_paragraphs() -> None:
    record = parse_article(saved("baochinhphu", "article-text-photo-related"),
                           "https://baochinhphu.vn/x-102240305091200123.htm")
    text = " ".join(record.body)
    assert "Nghị quyết phiên họp tháng 1" not in text and "giải ngân vốn đầu tư công năm" not in text
    assert "Ảnh: VGP/Nhật Bắc" not in text and record.images[0].caption.endswith("Ảnh: VGP/Nhật Bắc")


def test_nukeviet_last_page_has_no_next_and_a_middle_page_the_one_after_it() -> None:
    html = saved("nukeviet", "listing-viewcat-list-page3").decode()
    middle = parse_listing(html, "https://sgddt.dongnai.gov.vn/vi/news/thong-bao/page-3")
    assert middle.next_page == "https://sgddt.dongnai.gov.vn/vi/news/thong-bao/page-4"
    last = html.replace('<li class="page-item"><a class="page-link" rel="next" title="Thông báo - Trang 4" '
                        'href="/vi/news/thong-bao/page-4">4</a></li>', "")
    last = last.replace("/page-5", "/page-2")
    last = last.replace('href="/vi/news/thong-bao/page-4">&raquo;', 'href="#">&raquo;')
    assert parse_listing(last, "https://sgddt.dongnai.gov.vn/vi/news/thong-bao/page-5").next_page is None


def test_nukeviet_module_feed_is_read_as_a_feed_even_when_the_family_is_forced() -> None:
    feed = (PAGES / "generic" / "listing-rss-feed" / "page.html").read_bytes()
    url = "https://dongnai.gov.vn/vi/news/rss/tin-tuc/"
    family, listing = parse_page_with_family(feed, url, cms="nukeviet")
    assert family == "nukeviet" and isinstance(listing, ListingPage) and len(listing.entries) >= 3
    assert parse_page_with_family(feed, url)[0] == "generic"


def test_nukeviet_files_panel_gives_attachments_titled_by_the_file_and_no_byline() -> None:
    record = parse_article(saved("nukeviet", "article-attachments-author-source"),
                           "https://sgddt.dongnai.gov.vn/vi/news/thong-bao/ke-hoach-2456.html")
    assert isinstance(record, ArticleRecord)
    files = [a.title for a in record.attachments][1:]
    assert files == ["Kế hoạch tuyển sinh lớp 10", "Phụ lục chỉ tiêu tuyển sinh"]
    assert (record.author, record.source) == ("Phòng Khảo thí", "Sở Giáo dục và Đào tạo")
