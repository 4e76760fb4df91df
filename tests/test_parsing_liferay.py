"""The Liferay parser against the project's own pages (tests/pages/liferay/<case>/: page.html, meta.json,
expected.json) and small pages written inline for one rule each."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.core.errors import ExtractionError, UserError
from crawler.core.records import Image, NotFoundPage
from crawler.parsing import PageKind, detect_kind, get_parser, parse_article, parse_listing, parse_page

PAGES = Path(__file__).resolve().parent / "pages" / "liferay"
ICT = timezone(timedelta(hours=7))


def case(name: str) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    folder = PAGES / name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return meta, expected, (folder / "page.html").read_bytes()


def parse_case(name: str, **kwargs: Any) -> Any:
    meta, _, html = case(name)
    kwargs.setdefault("selectors", meta.get("selectors"))
    return parse_page(html, meta["url"], portal="tinhvidu", **kwargs)


def kinds(kind: str) -> list[str]:
    return sorted(p.parent.name for p in PAGES.glob("*/meta.json")
                  if json.loads(p.read_text(encoding="utf-8"))["kind"] == kind)


def test_noise_only_variant_keeps_the_hash_and_a_real_edit_changes_it() -> None:
    original = parse_case("article-em-captions")
    noise = parse_case("article-em-captions-noise-only")
    edited = parse_case("article-em-captions-edited")
    assert case("article-em-captions-noise-only")[1]["change"] == "unchanged"
    assert noise.content_hash == original.content_hash
    assert edited.content_hash != original.content_hash
    assert [p for p in edited.body if p not in original.body] == [
        "Theo Ban tổ chức, chỉ trong buổi sáng đã thu gom được gần 16 tấn rác thải các loại."]


def test_typos_are_kept() -> None:
    assert "nguời dân" in parse_case("article-em-captions").lead


def test_listing_next_page_follows_cur_not_the_label() -> None:
    # the middle page labels its links "‹" and "›": only _cur=3 makes one the next page
    assert parse_case("listing-middle").next_page.endswith("_cur=3")
    assert parse_case("listing-last").next_page is None


def test_listing_entry_with_impossible_date_keeps_its_text_without_a_value() -> None:
    entry = parse_case("listing-last").entries[1]
    assert (entry.published_text, entry.published_at) == ("31/02/2024 09:00", None)


def test_listing_saved_without_its_url_reads_the_page_number_from_the_pager() -> None:
    _, _, html = case("listing-middle")
    listing = parse_listing(html, "file:///tmp/listing.html")
    assert listing.next_page is not None and listing.next_page.endswith("_cur=3")


def test_soft_404_is_a_not_found_page_never_an_empty_article() -> None:
    meta, expected, html = case("soft-404")
    result = parse_case("soft-404")
    assert isinstance(result, NotFoundPage)
    assert result.message == expected["message"]
    assert detect_kind(html, meta["url"]) is PageKind.NOT_FOUND
    with pytest.raises(ExtractionError, match="does not exist"):
        parse_article(html, meta["url"])


def test_parse_article_and_parse_listing_refuse_the_other_kind() -> None:
    meta, _, html = case("listing-middle")
    with pytest.raises(ExtractionError, match="not an article page"):
        parse_article(html, meta["url"])
    meta, _, html = case("article-no-date")
    with pytest.raises(ExtractionError, match="not a listing page"):
        parse_listing(html, meta["url"])


def test_nfd_input_gives_nfc_record() -> None:
    meta, expected, html = case("article-em-captions")
    decomposed = unicodedata.normalize("NFD", html.decode("utf-8"))
    assert decomposed != html.decode("utf-8")
    record = parse_page(decomposed, meta["url"], portal="tinhvidu")
    assert record.title == expected["title"] and record.body == expected["body"]
    assert record.author == "Lê Thu Trang" and record.source == "Báo Ví Dụ"


def test_whitespace_and_no_break_spaces_are_collapsed() -> None:
    record = parse_case("article-weekday-updated")
    text = " ".join([record.title, *record.body, record.author or "", record.source or ""])
    assert not any(ch in text for ch in "\u00a0\u200b\t\n")
    assert "  " not in text
    assert record.lead.startswith("Hội thảo thu hút hơn 300")


# --- one rule per inline page ----------------------------------------------------------------

URL = "https://tinhvidu.gov.vn/tin-tuc/-/asset_publisher/Ab12/content/bai-thu"


def page(content: str, *, date: str = "", head: str = "", title: str = "Bài thử nghiệm",
         after: str = "", root_extra: str = "") -> str:
    return f"""<html lang="vi"><head><title>{title} - Cổng TTĐT</title>{head}</head><body>
<div class="portlet-boundary" id="p_p_id_101_INSTANCE_Ab12_"><div class="portlet-body">
<div class="asset-full-content"><div class="taglib-header"><h3 class="header-title">{title}</h3></div>
<div class="asset-content">{date}<div class="journal-content-article">{content}</div>{after}</div>{root_extra}
</div></div></div></body></html>"""


LEAD = "<p>Đoạn mở đầu của bài viết thử nghiệm.</p>"


@pytest.mark.parametrize(("printed", "value"), [
    ("11-03-2019 21:31", datetime(2019, 3, 11, 21, 31, tzinfo=ICT)),
    ("11/03/2019 21:31", datetime(2019, 3, 11, 21, 31, tzinfo=ICT)),
    ("21:28 22/09/2025", datetime(2025, 9, 22, 21, 28, tzinfo=ICT)),
    ("Thứ hai, 11/03/2019 - 21:31", datetime(2019, 3, 11, 21, 31, tzinfo=ICT)),
    ("Ngày 11/3/2019", datetime(2019, 3, 11, tzinfo=ICT)),
    ("05/06/2024", datetime(2024, 6, 5, tzinfo=ICT)),  # day first, never June 5th read as May 6th
])
def test_every_printed_date_form_is_read_day_first_in_the_portal_zone(printed: str, value: datetime) -> None:
    record = parse_article(page(LEAD, date=f"<span class='ngay'>{printed}</span>"), URL)
    assert record.published_at == value
    assert record.published_at.utcoffset() == timedelta(hours=7)
    assert record.published_text == printed


def test_printed_text_is_only_the_date_when_its_line_holds_other_figures() -> None:
    html = page(LEAD, date="<span>Đăng lúc 11/03/2019 21:31 | Lượt xem: 1.204</span>")
    assert parse_article(html, URL).published_text == "11/03/2019 21:31"
    html = page(LEAD, date="<span>Ban biên tập, 11/03/2019</span>")
    assert parse_article(html, URL).published_text == "11/03/2019"


def test_dates_are_interpreted_in_the_given_zone() -> None:
    record = parse_article(page(LEAD, date="<p>11/03/2019 21:31</p>"), URL, timezone="UTC")
    assert record.published_at.isoformat() == "2019-03-11T21:31:00+00:00"


def test_updated_date_is_told_apart_from_the_publication_date() -> None:
    html = page(LEAD, date="<p>Cập nhật: 12/03/2019 08:00 | Ngày đăng: 11/03/2019 21:31</p>")
    record = parse_article(html, URL)
    assert record.published_at == datetime(2019, 3, 11, 21, 31, tzinfo=ICT)
    assert record.updated_at == datetime(2019, 3, 12, 8, 0, tzinfo=ICT)


def test_a_date_in_the_title_or_in_related_links_is_not_the_publication_date() -> None:
    html = page(LEAD, title="Thông báo ngày 20/11/2018",
                root_extra='<div class="asset-links"><span>Tin liên quan 10/10/2018 10:00</span></div>')
    assert parse_article(html, URL).published_at is None


def test_page_without_any_date_is_still_a_record() -> None:
    record = parse_case("article-no-date")
    assert (record.published_at, record.published_text, record.title) == (
        None, None, "Thông báo lịch tiếp công dân")


def test_image_followed_by_ordinary_paragraph_has_no_caption() -> None:
    html = page(LEAD + '<p style="text-align:center"><img src="/a.jpg"></p>'
                       '<p style="text-align:justify">Đoạn văn tiếp theo của bài.</p>')
    record = parse_article(html, URL)
    assert record.images == [Image("https://tinhvidu.gov.vn/a.jpg", None)]
    assert record.body[-1] == "Đoạn văn tiếp theo của bài."


def test_right_aligned_short_line_in_the_middle_stays_body() -> None:
    html = page(LEAD + '<p style="text-align:right">Hà Nội, mùa xuân</p><p>Đoạn cuối của bài viết.</p>')
    record = parse_article(html, URL)
    assert record.author is None and "Hà Nội, mùa xuân" in record.body


def test_author_and_source_on_one_line_split_at_br() -> None:
    html = page(LEAD + '<p style="text-align:right"><strong>Trần Văn Bình</strong><br>'
                       'Nguồn: Đài PT-TH tỉnh</p>')
    record = parse_article(html, URL)
    assert (record.author, record.source, record.body) == (
        "Trần Văn Bình", "Đài PT-TH tỉnh", ["Đoạn mở đầu của bài viết thử nghiệm."])


@pytest.mark.parametrize(("line", "source"), [
    ("(Theo Báo Nhân Dân)", "Báo Nhân Dân"),
    ("(Nguồn: Cổng TTĐT Chính phủ)", "Cổng TTĐT Chính phủ"),
    ("Nguồn tin: Sở Y tế", "Sở Y tế"),
])
def test_source_line_forms_at_the_end_of_the_body(line: str, source: str) -> None:
    record = parse_article(page(LEAD + f"<p><em>{line}</em></p>"), URL)
    assert (record.source, record.body) == (source, ["Đoạn mở đầu của bài viết thử nghiệm."])


def test_view_counter_inside_the_content_is_not_body() -> None:
    html = page("", date="<p>11/03/2019</p><p>Nội dung chính.</p><p>Lượt xem: 1.204</p>").replace(
        '<div class="journal-content-article"></div>', "")
    assert parse_article(html, URL).body == ["Nội dung chính."]


def test_canonical_from_link_rel_and_from_url_without_session_parameters() -> None:
    assert parse_case("article-em-captions").canonical_url == case("article-em-captions")[0]["url"]
    record = parse_case("article-image-tables")
    assert "?" not in record.canonical_url and record.url.endswith("p_auth=Qx81LmZp")


def test_canonical_pointing_at_the_section_page_is_ignored() -> None:
    html = page(LEAD, head='<link rel="canonical" href="https://tinhvidu.gov.vn/tin-tuc">')
    assert parse_article(html, URL + "?redirect=%2Ftin-tuc").canonical_url == URL


def test_saved_file_resolves_links_against_its_canonical() -> None:
    html = page(LEAD + '<p><img src="/documents/1/anh.jpg"></p>', head=f'<link rel="canonical" href="{URL}">')
    record = parse_article(html, "file:///tmp/bai.html")
    assert record.images[0].url == "https://tinhvidu.gov.vn/documents/1/anh.jpg"
    assert record.canonical_url == URL


def test_document_library_links_are_attachments_without_icons_as_images() -> None:
    html = page(LEAD + '<p><a href="/c/document_library/get_file?uuid=12&groupId=3">'
                       '<img src="/icons/pdf.png">Tờ trình số 7</a></p>')
    record = parse_article(html, URL)
    assert [(a.title, a.url) for a in record.attachments] == [
        ("Tờ trình số 7", "https://tinhvidu.gov.vn/c/document_library/get_file?uuid=12&groupId=3")]
    assert record.images == [] and record.body == ["Đoạn mở đầu của bài viết thử nghiệm."]


def test_attachment_only_article_has_empty_body_but_is_a_record() -> None:
    record = parse_case("article-attachments-only")
    assert (record.body, record.lead, len(record.attachments)) == ([], None, 2)


def test_asset_full_content_wins_over_abstracts_beside_it() -> None:
    extra = ('<div class="asset-abstract"><h3 class="asset-title"><a href="/tin-tuc/x">Tin khác</a></h3>'
             '<span class="metadata-publish-date">01/01/2019</span></div>')
    html = page(LEAD).replace("</body>", extra + "</body>")
    assert detect_kind(html, URL) is PageKind.ARTICLE


def test_selector_overrides_read_a_theme_with_its_own_class_names() -> None:
    meta, expected, html = case("custom-theme-overrides")
    with pytest.raises(ExtractionError, match=expected["without_overrides_error"]):
        parse_page(html, meta["url"], cms="liferay")  # auto would hand it to the generic extractor
    record = parse_page(html, meta["url"], selectors=meta["selectors"])
    assert (record.title, record.category, record.published_text) == (
        expected["title"], "Văn hóa - Xã hội", "Ngày 05/06/2024 lúc 14:20")


@pytest.mark.parametrize(("selectors", "message"), [
    ({"titel": "h1"}, "unknown selector field"),
    ({"title": "h1[["}, "invalid CSS selector"),
    ({"title": ""}, "non-empty CSS selector"),
])
def test_bad_selector_overrides_are_user_errors(selectors: dict[str, str], message: str) -> None:
    with pytest.raises(UserError, match=message) as err:
        parse_page(page(LEAD), URL, selectors=selectors)
    assert not isinstance(err.value, ExtractionError)


def test_unknown_cms_and_time_zone_are_user_errors() -> None:
    with pytest.raises(UserError, match="unknown CMS 'nosuchcms'"):
        get_parser("nosuchcms")
    with pytest.raises(UserError, match="unknown time zone"):
        parse_page(page(LEAD), URL, timezone="Mars/Olympus")


@pytest.mark.parametrize(("html", "message"), [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    # Undeclared non-UTF-8 bytes are decoded by guess; garbage then fails as "not a Liferay page".
    (b"<html><body>\xff\xfe\xfa</body></html>", "does not look like a Liferay page"),
])
def test_bytes_that_are_not_a_page_raise_extraction_error(html: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        parse_page(html, URL, cms="liferay")


def test_text_with_xml_declaration_and_bytes_with_meta_charset_parse() -> None:
    html = page(LEAD)
    assert parse_article('<?xml version="1.0" encoding="utf-8"?>' + html, URL).title == "Bài thử nghiệm"
    latin = ('<html><head><meta charset="iso-8859-1"></head><body><div class="asset-full-content">'
             '<h3 class="header-title">Menu</h3><div class="journal-content-article">'
             '<p>Café crème à la française.</p></div></div></body></html>')
    assert parse_article(latin.encode("iso-8859-1"), URL).body == ["Café crème à la française."]


def test_windows_1258_page_decodes_to_nfc_vietnamese() -> None:
    # cp1258 writes Vietnamese with combining tone marks (ô + hook above for ổ): the record must
    # still read, and compare, as NFC text.
    body = "T\xf4\xd2 qu\xf4\xecc \xd0a\xf2i t\xfd\xf5\xecng".encode("latin-1")
    html = (b'<html><head><meta charset="windows-1258"></head><body><div class="asset-full-content">'
            b'<h3 class="header-title">Tin</h3><div class="journal-content-article"><p>' + body
            + b"</p></div></div></body></html>")
    assert parse_article(html, URL).body == ["Tổ quốc Đại tướng"]


@pytest.mark.parametrize(("media", "url", "title"), [
    ('<video controls><source src="/documents/10181/0/clip.mp4" type="video/mp4"></video>',
     "https://tinhvidu.gov.vn/documents/10181/0/clip.mp4", "clip.mp4"),
    ('<div class="embed-responsive"><iframe src="https://www.youtube.com/embed/abc123"></iframe></div>',
     "https://www.youtube.com/embed/abc123", "Video (www.youtube.com)"),
    ('<p><iframe src="https://player.vimeo.com/video/42" title="Toàn cảnh lễ khánh thành"></iframe></p>',
     "https://player.vimeo.com/video/42", "Toàn cảnh lễ khánh thành"),
])
def test_an_article_that_is_only_a_video_is_a_record_with_the_media_as_attachment(
        media: str, url: str, title: str) -> None:
    record = parse_article(page(media, date="<span>22/05/2021 11:38</span>"), URL)
    assert (record.title, record.body, record.lead) == ("Bài thử nghiệm", [], None)
    assert [(a.url, a.title) for a in record.attachments] == [(url, title)]
    assert record.published_at == datetime(2021, 5, 22, 11, 38, tzinfo=ICT)


def test_social_widget_frames_are_no_attachments() -> None:
    widget = '<iframe src="https://www.facebook.com/plugins/like.php?href=x"></iframe>'
    assert parse_article(page(LEAD + widget), URL).attachments == []


LISTING_URL = "https://tinhvidu.gov.vn/tin-tuc"


def listing(pager: str) -> str:
    items = "".join(f'<div class="asset-abstract"><h3 class="asset-title"><a href="/tin-tuc/-/'
                    f'asset_publisher/Ab12/content/bai-{i}">Bài {i}</a></h3></div>' for i in range(3))
    return (f'<html><body><div class="portlet-boundary" id="p_p_id_101_INSTANCE_Ab12_">'
            f'<div class="portlet-body">{items}{pager}</div></div></body></html>')


@pytest.mark.parametrize(("pager", "next_page"), [
    # a theme's own pager without _cur: the link labelled as the next page, never "Trước" or "Cuối"
    ('<div class="paging"><a href="?page=1">« Trước</a> <a href="?page=1">1</a> <b>2</b> '
     '<a href="?page=3">3</a> <a href="?page=3">Tiếp theo »</a> <a href="?page=9">Cuối</a></div>', "page=3"),
    ('<ul class="pager"><li class="previous"><a href="?page=1">Trước</a></li>'
     '<li><a href="?page=3">Sau</a></li></ul>', "page=3"),
    ('<ul class="pagination"><li class="page-item"><a class="page-link" href="?trang=3">»</a></li></ul>',
     "trang=3"),
    ('<ul class="pagination"><li class="page-item"><a class="page-link" href="?p=3" aria-label="Trang sau">'
     '<svg></svg></a></li></ul>', "p=3"),
    # the last page: "Tiếp theo" disabled
    ('<ul class="pagination"><li class="page-item disabled"><a class="page-link" href="#">Tiếp theo</a>'
     '</li></ul>', None),
    # numbers only, no cur parameter: the link printed as current+1 (the active item says current)
    ('<ul class="pagination"><li><a href="?page=1">1</a></li><li class="active"><a href="?page=2">2</a></li>'
     '<li><a href="?page=3">3</a></li></ul>', "page=3"),
    # a plain `cur` parameter (6.2 search container) is followed by number, whatever the labels say
    ('<div class="taglib-page-iterator"><a href="?cur=1">1</a><a href="?cur=3">»</a>'
     '<a href="?cur=2">Sau</a></div>', "cur=2"),
])
def test_next_page_by_number_else_by_its_label(pager: str, next_page: str | None) -> None:
    got = parse_listing(listing(pager), LISTING_URL).next_page
    assert (got.rsplit("?", 1)[1] if got else None) == next_page



def test_a_themes_listing_is_read_by_its_links_to_assets_not_by_category_or_tag_links() -> None:
    items = "".join(f'<div class="news-item"><a href="/w/bai-{i}"><img src="/documents/1/0/a{i}.jpg"></a>'
                    f'<h4><a href="/w/bai-{i}">Bài {i}</a></h4><span class="date">0{i + 1}/06/2022</span>'
                    f'<a href="/web/guest/-/categories/4{i}">Y tế</a></div>' for i in range(3))
    html = (f'<html><body><div class="portlet-boundary" id="p_p_id_com_liferay_asset_publisher_web_portlet_'
            f'AssetPublisherPortlet_INSTANCE_x_"><div class="portlet-body">{items}</div></div></body></html>')
    listing = parse_listing(html, "https://soyte.vn/tin-tuc")
    assert [(e.url, e.title, e.published_text) for e in listing.entries] == [
        (f"https://soyte.vn/w/bai-{i}", f"Bài {i}", f"0{i + 1}/06/2022") for i in range(3)]
