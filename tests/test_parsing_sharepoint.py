"""The SharePoint family beyond its fixture folders (tests/pages/sharepoint/): which pages it claims,
list view and post-back pagers, the date of the URL, captions typed as plain paragraphs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.core.errors import ExtractionError
from crawler.core.records import ArticleRecord, ListingPage
from crawler.parsing import FAMILIES, parse_page, parse_page_with_family
from crawler.parsing.base import PageContext
from tests.page_fixtures import PROJECT_PAGES, SHARED_FIXTURES, PageCase, load_cases

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
SHAREPOINT = FAMILIES["sharepoint"]
OTHERS = [c for c in load_cases(PROJECT_PAGES) if c.family not in ("sharepoint",)] + \
    (load_cases(SHARED_FIXTURES) if SHARED_FIXTURES.is_dir() else [])


def _ctx(html: str, url: str) -> PageContext:
    return PageContext.build(html, url, portal="t", selectors=None, timezone="Asia/Ho_Chi_Minh")


def _page(main: str, title: str = "Tin tức") -> str:
    return (f"<html lang='vi-VN'><head><meta name='GENERATOR' content='Microsoft SharePoint'><title>{title}"
            "</title><script>var _spPageContextInfo = {};</script></head><body><form>"
            "<input type='hidden' name='__REQUESTDIGEST' value='0x1'>"
            f"<div id='s4-workspace'><div id='DeltaPlaceHolderMain'>{main}</div></div></form></body></html>")


@pytest.mark.parametrize("case", OTHERS, ids=lambda c: c.id)
def test_pages_of_other_families_carry_no_sharepoint_marker(case: PageCase) -> None:
    assert SHAREPOINT.markers(_ctx(case.html(), case.url)) == 0


def test_sharepoint_pages_outscore_every_other_family() -> None:
    for case in load_cases(PROJECT_PAGES):
        if case.family != "sharepoint":
            continue
        ctx = _ctx(case.html(), case.url)
        mine = SHAREPOINT.markers(ctx)
        assert mine >= 2, case.id
        assert all(parser.markers(ctx) < mine for name, parser in FAMILIES.items() if name != "sharepoint")


def test_an_aspx_url_alone_makes_no_sharepoint_page() -> None:
    html = "<html><body><h1>Tin tức</h1><p>" + "Nội dung bài viết. " * 40 + "</p></body></html>"
    assert SHAREPOINT.markers(_ctx(html, "https://tinhvidu.gov.vn/Pages/tin-tuc.aspx")) == 0


_ROWS = "".join(f"<tr><td class='ms-vb-title'><a href='/tin-tuc/Pages/bai-{i}.aspx'>Bài viết số {i} của trang"
                f"</a></td><td class='ms-vb2'>1{i}/03/2024</td></tr>" for i in range(3))


def _list_view(pager: str) -> str:
    return _page(f"<div id='WebPartWPQ2' class='ms-WPBody'><table class='ms-listviewtable'>{_ROWS}</table>"
                 "<table class='ms-bottompaging'><tr><td id='bottomPagingCellWPQ2'>"
                 f"{pager}</td></tr></table></div>")


def test_list_view_next_arrow_is_read_from_its_refresh_call_not_the_previous_one() -> None:
    call = ('javascript:RefreshPageTo(event, '
            '"\\u002ftin-tuc\\u002fPages\\u002fdefault.aspx?Paged=TRUE\\u0026{}");')
    pager = (f"<a onclick='{call.format('PagedPrev=TRUE&p_ID=9')}' href='javascript:'>"
             "<img alt='Previous'></a>"
             f"<span class='ms-paging'>1 - 30</span>"
             f"<a onclick='{call.format('p_ID=7&PageFirstRow=31')}' href='javascript:'><img alt='Next'></a>")
    listing = parse_page(_list_view(pager), "https://s.gov.vn/tin-tuc/Pages/default.aspx")
    assert isinstance(listing, ListingPage)
    assert listing.next_page == "https://s.gov.vn/tin-tuc/Pages/default.aspx?Paged=TRUE&p_ID=7&PageFirstRow=31"
    assert [e.published_text for e in listing.entries] == ["10/03/2024", "11/03/2024", "12/03/2024"]


def test_a_pager_that_only_posts_back_asks_for_the_next_page_by_posting_the_form_back() -> None:
    pager = ("<div class='pager'><span class='current'>1</span> "
             "<a href=\"javascript:__doPostBack('ctl00$m$g_1$Pager','Page$2')\">2</a> "
             "<a href=\"javascript:__doPostBack('ctl00$m$g_1$Pager','Page$Next')\">Tiếp</a></div>")
    listing = parse_page(_list_view(pager), "https://s.gov.vn/tin-tuc/Pages/default.aspx")
    assert isinstance(listing, ListingPage) and len(listing.entries) == 3
    assert listing.next_page == "https://s.gov.vn/tin-tuc/Pages/default.aspx"  # the form has no action
    assert listing.next_request is not None and listing.next_request.method == "POST"
    assert listing.next_request.form == (
        ("__EVENTTARGET", "ctl00$m$g_1$Pager"), ("__EVENTARGUMENT", "Page$2"), ("__REQUESTDIGEST", "0x1"))


def _postback_page(pager: str, page: str | None = None) -> str:
    return (page or _list_view(pager)).replace(
        "<form>", "<form method='post' action='./TinTuc.aspx?cat=2#top' id='aspnetForm'>"
                                     "<input type='hidden' name='__EVENTTARGET' value=''>"
                                     "<input type='hidden' name='__EVENTARGUMENT' value=''>"
                                     "<input type='hidden' name='__VIEWSTATE' value='/wEPDw'>"
                                     "<input type='checkbox' name='remember' value='1'>"
                                     "<input type='submit' name='ctl00$btnSearch' value='Tìm'>")


def _gv(argument: str, label: str) -> str:
    call = f"__doPostBack(&#39;ctl00$m$g_2$gvNews&#39;,&#39;{argument}&#39;)"
    return f"<a href=\"javascript:{call}\">{label}</a>"


def test_the_posted_form_is_the_browsers_own_sent_to_the_forms_action() -> None:
    pager = f"<table><tr class='pgr'><td><span>3</span></td><td>{_gv('Page$4', '4')}</td></tr></table>"
    listing = parse_page(_postback_page(pager), "https://s.gov.vn/Trang/TinTuc.aspx?cat=2")
    assert isinstance(listing, ListingPage) and listing.next_request is not None
    assert listing.next_request.url == "https://s.gov.vn/Trang/TinTuc.aspx?cat=2"
    # hidden state kept in document order, the event set in place; no unchecked box, no button
    assert listing.next_request.form == (
        ("__EVENTTARGET", "ctl00$m$g_2$gvNews"), ("__EVENTARGUMENT", "Page$4"),
        ("__VIEWSTATE", "/wEPDw"), ("__REQUESTDIGEST", "0x1"))


def test_the_post_back_pager_asks_for_the_page_after_the_one_it_marks_current() -> None:
    numbers = "".join(f"<td>{_gv(f'Page${n}', str(n))}</td>" if n != 7 else "<td><span>7</span></td>"
                      for n in range(1, 11))
    pager = (f"<table><tr class='pgr'>{numbers}<td>{_gv('Page$11', '...')}</td></tr></table>")
    listing = parse_page(_postback_page(pager), "https://s.gov.vn/Trang/TinTuc.aspx")
    assert isinstance(listing, ListingPage) and listing.next_request is not None
    assert dict(listing.next_request.form)["__EVENTARGUMENT"] == "Page$8"
    # page 10 of 11: the "..." link leads to page 11
    ten = pager.replace("<td><span>7</span></td>", f"<td>{_gv('Page$7', '7')}</td>").replace(
        f"<td>{_gv('Page$10', '10')}</td>", "<td><span>10</span></td>")
    listing = parse_page(_postback_page(ten), "https://s.gov.vn/Trang/TinTuc.aspx")
    assert isinstance(listing, ListingPage) and listing.next_request is not None
    assert dict(listing.next_request.form)["__EVENTARGUMENT"] == "Page$11"


def test_the_last_page_of_a_post_back_pager_has_no_next_even_with_its_first_and_last_arrows() -> None:
    pager = (f"<table><tr class='pgr'><td>{_gv('Page$First', '&lt;&lt;')}</td><td>{_gv('Page$4', '4')}</td>"
             f"<td><span>5</span></td><td>{_gv('Page$Last', '&gt;&gt;')}</td></tr></table>")
    listing = parse_page(_postback_page(pager), "https://s.gov.vn/Trang/TinTuc.aspx")
    assert isinstance(listing, ListingPage) and len(listing.entries) == 3
    assert (listing.next_page, listing.next_request) == (None, None)


def test_a_link_button_pager_posts_back_through_webform_options_and_skips_its_disabled_next() -> None:
    def button(control: str, label: str, css: str = "") -> str:
        return (f"<a id='{control}' class='{css}' href='javascript:WebForm_DoPostBackWithOptions(new "
                f"WebForm_PostBackOptions(&quot;ctl00$m$g_3$DataPager1$ctl00${control}&quot;, &quot;&quot;, "
                f"true, &quot;&quot;, &quot;&quot;, false, true))'>{label}</a>")
    pager = f"<div class='dataPager'>{button('lnkPrev', 'Trang trước')} {button('lnkNext', 'Trang sau')}" \
        "</div>"
    listing = parse_page(_postback_page(pager), "https://s.gov.vn/Trang/TinTuc.aspx")
    assert isinstance(listing, ListingPage) and listing.next_request is not None
    assert dict(listing.next_request.form)["__EVENTTARGET"] == "ctl00$m$g_3$DataPager1$ctl00$lnkNext"
    # the last page: ASP.NET renders the next button disabled, without its post-back
    last = pager.replace(button("lnkNext", "Trang sau"), "<a class='aspNetDisabled'>Trang sau</a>")
    assert parse_page(_postback_page(last), "https://s.gov.vn/Trang/TinTuc.aspx").next_page is None  # type: ignore[union-attr]


def test_post_backs_outside_the_pager_are_never_a_next_page() -> None:
    # a calendar web part's days are numbered post-back links too
    days = "".join(f"<td><a href=\"javascript:__doPostBack('ctl00$m$g_6$calEvents','88{40 + n}')\">{n}</a>"
                   "</td>" for n in range(1, 8))
    page = _page(f"<div id='WebPartWPQ2' class='ms-WPBody'><table class='ms-listviewtable'>{_ROWS}</table>"
                 f"</div><div id='WebPartWPQ3' class='ms-WPBody'><table class='ms-calendar'><tr>{days}</tr>"
                 "</table></div>")
    listing = parse_page(_postback_page("", page), "https://s.gov.vn/Trang/TinTuc.aspx")
    assert isinstance(listing, ListingPage) and len(listing.entries) == 3
    assert listing.next_page is None


def _article(date_line: str, after_image: str) -> str:
    return _page("<p class='tandan-p-article-news-title'>Khánh thành cầu mới qua sông Nậm Rốm</p>"
                 f"{date_line}<div class='ms-rtestate-field'>"
                 "<p>Sáng nay, tỉnh đã khánh thành cây cầu mới bắc qua sông Nậm Rốm, nối hai phường.</p>"
                 f"<p><img src='/portal/Photos/cau.jpg'></p><p>{after_image}</p>"
                 "<p>Cây cầu dài 120 m, rộng 15 m, được xây dựng trong 18 tháng bằng vốn ngân sách.</p>"
                 "</div>")


def test_without_a_printed_date_the_day_in_the_url_is_the_publication_day() -> None:
    url = "https://www.dienbien.gov.vn/portal/Pages/2024-3-15/Khanh-thanh-cau-abc.aspx"
    family, record = parse_page_with_family(_article("", "Ảnh: Cầu mới nhìn từ trên cao"), url)
    assert family == "sharepoint" and isinstance(record, ArticleRecord)
    assert record.published_at == datetime(2024, 3, 15, tzinfo=ICT)
    assert record.published_text == "2024-3-15"
    assert [i.caption for i in record.images] == ["Ảnh: Cầu mới nhìn từ trên cao"]
    printed = parse_page(_article("<span class='tandan-span-date-publish'>Đăng ngày 16/03/2024 08:00</span>",
                                  "x"), url)
    assert isinstance(printed, ArticleRecord)
    assert printed.published_at == datetime(2024, 3, 16, 8, 0, tzinfo=ICT)


def test_prose_under_a_picture_stays_body_unless_it_says_it_is_a_caption() -> None:
    url = "https://www.dienbien.gov.vn/portal/Pages/2024-3-15/Khanh-thanh-cau-abc.aspx"
    prose = "Ảnh hưởng của mưa lũ khiến công trình chậm hơn dự kiến hai tháng."
    record = parse_page(_article("", prose), url)
    assert isinstance(record, ArticleRecord)
    assert prose in record.body and [i.caption for i in record.images] == [None]


def _form(rows: str, toolbar: str = "") -> str:
    return _page(f"<div id='WebPartWPQ2' class='ms-WPBody'><table class='ms-formtable'>{rows}</table>"
                 f"{toolbar}</div>")


def _field(label: str, internal: str, value: str) -> str:
    return (f"<tr><td class='ms-formlabel'><h3 class='ms-standardheader'>{label}</h3></td>"
            "<td class='ms-formbody'>"
            f"<!-- FieldName=\"{label}\" FieldInternalName=\"{internal}\" FieldType=\"SPFieldText\" -->"
            f"{value}&#160;</td></tr>")


_ITEM = "https://s.gov.vn/Lists/TinTuc/DispForm.aspx?ID=7"
_TEXT = ("<div class='ms-rtestate-field'><p>Nội dung chi tiết của bản tin về công tác cải cách hành "
         "chính.</p></div>")


def test_a_list_item_field_of_an_unknown_label_is_known_by_its_internal_name() -> None:
    rows = (_field("Headline", "Title", "Cải cách hành chính quý I") + _field("Text", "Body", _TEXT) +
            _field("Day", "Ng_x00e0_y_x0020__x0111__x0103_ng", "21/03/2024 10:15"))
    family, record = parse_page_with_family(_form(rows), _ITEM)
    assert family == "sharepoint" and isinstance(record, ArticleRecord)
    assert (record.title, record.published_at) == ("Cải cách hành chính quý I",
                                                   datetime(2024, 3, 21, 10, 15, tzinfo=ICT))


def test_a_list_items_creator_is_no_author_and_its_creation_is_its_date_only_without_a_date_field() -> None:
    toolbar = ("<table class='ms-formtoolbar'><tr><td id='onetidinfoblock1'><span id='x_createdModifiedInfo'>"
               "Được tạo lúc 18/03/2024 08:40 bởi <a href='/_layouts/userdisp.aspx?ID=3'>Quản trị</a></span>"
               "</td></tr></table>")
    rows = (_field("Tiêu đề", "Title", "Cải cách hành chính quý I") + _field("Nội dung", "Body", _TEXT) +
            _field("Tạo bởi", "Author", "Quản trị"))
    record = parse_page(_form(rows, toolbar), _ITEM)
    assert isinstance(record, ArticleRecord)
    assert record.author is None
    assert record.published_at == datetime(2024, 3, 18, 8, 40, tzinfo=ICT)
    dated = parse_page(_form(rows + _field("Ngày đăng", "NgayDang", "19/03/2024 07:00"), toolbar), _ITEM)
    assert isinstance(dated, ArticleRecord) and dated.published_at == datetime(2024, 3, 19, 7, 0, tzinfo=ICT)


def test_list_item_links_and_the_item_itself_share_one_url_whatever_listing_opened_it() -> None:
    back = "Source=https%3A%2F%2Fs.gov.vn%2FLists%2FTinTuc%2FAllItems.aspx"
    rows = "".join(f"<tr><td class='ms-vb-title'><a class='ms-listlink' href='/Lists/TinTuc/DispForm.aspx?"
                   f"ID={i}&amp;{back}'>Bản tin số {i} trong tuần</a></td>"
                   f"<td class='ms-vb2'>1{i}/03/2024</td></tr>" for i in (7, 8, 9))
    view = f"<div id='WebPartWPQ2' class='ms-WPBody'><table class='ms-listviewtable'>{rows}</table></div>"
    listing = parse_page(_page(view), "https://s.gov.vn/Lists/TinTuc/AllItems.aspx")
    assert isinstance(listing, ListingPage)
    assert [e.url for e in listing.entries] == [f"https://s.gov.vn/Lists/TinTuc/DispForm.aspx?ID={i}"
                                                for i in (7, 8, 9)]
    item = parse_page(_form(_field("Tiêu đề", "Title", "Bản tin") + _field("Nội dung", "Body", _TEXT)),
                      _ITEM + "&Source=https%3A%2F%2Fs.gov.vn%2FLists%2FTinTuc%2FAllItems.aspx&IsDlg=1")
    assert isinstance(item, ArticleRecord) and item.canonical_url == listing.entries[0].url


def _drawn_view(rows: str, extra: str = "") -> str:
    script = (f'<script type="text/javascript">var WPQ3ListData = {{ "Row" : [{rows}], "FirstRow" : 1{extra} '
              '};'
              'var ctx = new ContextInfo(); ctx.listUrlDir = "\\u002fLists\\u002fTinTuc"; '
              "ctx.ListData = WPQ3ListData;</script>")
    return _page(f"<div id='WebPartWPQ3' class='ms-WPBody noindex'><div id='scriptWPQ3'></div>{script}</div>")


def test_a_view_drawn_in_the_browser_lists_its_news_rows_and_never_its_documents_or_folders() -> None:
    folder = "\\u002fLists\\u002fTinTuc\\u002f"
    rows = (f'{{"ID": "3", "FSObjType": "0", "Title": "Bản tin thứ ba", "FileRef": "{folder}3_.000",'
            ' "Created": "03/04/2024 09:00"},'
            '{"ID": "2", "FSObjType": "0", "Title": "Kế hoạch", "FileRef": "\\u002fTL\\u002fke-hoach.pdf"},'
            f'{{"ID": "1", "FSObjType": "1", "Title": "Lưu trữ", "FileRef": "{folder}Luu tru"}}')
    family, listing = parse_page_with_family(_drawn_view(rows, ', "NextHref" : "?Paged=TRUE\\u0026p_ID=3"'),
                                             "https://s.gov.vn/Lists/TinTuc/AllItems.aspx?View=x")
    assert family == "sharepoint" and isinstance(listing, ListingPage)
    assert [(e.url, e.title, e.published_at) for e in listing.entries] == [
        ("https://s.gov.vn/Lists/TinTuc/DispForm.aspx?ID=3", "Bản tin thứ ba",
         datetime(2024, 4, 3, 9, 0, tzinfo=ICT))]
    assert listing.next_page == "https://s.gov.vn/Lists/TinTuc/AllItems.aspx?Paged=TRUE&p_ID=3"


def test_list_data_that_is_no_json_is_no_listing() -> None:
    page = _drawn_view("").replace('"Row" : []', "Row: [ { ID: 3, Title: 'x' } ]")
    with pytest.raises(ExtractionError):
        parse_page(page, "https://s.gov.vn/Lists/TinTuc/AllItems.aspx")
