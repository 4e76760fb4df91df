"""Text, date and URL normalization that every parser and comparison relies on."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

import pytest

from crawler.core.normalize import (
    DateParseError,
    canonicalize_url,
    clean_text,
    find_datetime,
    fold,
    parse_datetime,
)

ICT = timezone(timedelta(hours=7))


def test_clean_text_nfc_and_every_kind_of_space() -> None:
    decomposed = unicodedata.normalize("NFD", "Hội nghị")
    assert clean_text(f"\u00a0 {decomposed}\u00a0\u00a0trực\u200btuyến\n\t ") == "Hội nghị trựctuyến"
    assert clean_text("Tổ quốc\u3000Việt\u202fNam\u2028mới") == "Tổ quốc Việt Nam mới"  # one odd space each
    assert clean_text(" Đã sạch ") == "Đã sạch"
    assert clean_text(None) == ""


def test_fold_strips_diacritics_including_d_bar() -> None:
    assert fold("Đại tướng Tô Lâm") == "dai tuong to lam"


@pytest.mark.parametrize(("text", "value", "printed"), [
    ("11-03-2019 21:31", datetime(2019, 3, 11, 21, 31, tzinfo=ICT), "11-03-2019 21:31"),
    ("21:28 22/09/2025", datetime(2025, 9, 22, 21, 28, tzinfo=ICT), "21:28 22/09/2025"),
    ("Thứ hai, 11/03/2019 - 21:31", datetime(2019, 3, 11, 21, 31, tzinfo=ICT), "11/03/2019 - 21:31"),
    ("Ngày 11/3/2019", datetime(2019, 3, 11, tzinfo=ICT), "11/3/2019"),
    ("11.03.2019 lúc 9h05", datetime(2019, 3, 11, 9, 5, tzinfo=ICT), "11.03.2019 lúc 9h05"),
])
def test_find_datetime_reads_day_first_forms(text: str, value: datetime, printed: str) -> None:
    assert find_datetime(text) == (value, printed)


@pytest.mark.parametrize(("text", "hour", "minute", "printed"), [
    # SharePoint on a Vietnamese 12-hour regional setting
    ("Ngày đăng: 22/09/2025 8:15 CH", 20, 15, "22/09/2025 8:15 CH"),
    ("22/09/2025 8:15 SA", 8, 15, "22/09/2025 8:15 SA"),
    ("22/09/2025 12:05 SA", 0, 5, "22/09/2025 12:05 SA"),  # just after midnight
    ("22/09/2025 12:05 CH", 12, 5, "22/09/2025 12:05 CH"),  # just after noon
    ("8:15 CH, 22/09/2025", 20, 15, "8:15 CH, 22/09/2025"),
    ("22/09/2025 08:15 PM", 20, 15, "22/09/2025 08:15 PM"),
    ("22/09/2025 7:15 tối", 19, 15, "22/09/2025 7:15 tối"),
    ("22/09/2025 20:15 CH", 20, 15, "22/09/2025 20:15 CH"),  # a 24-hour time says it already
    ("22/09/2025 8:15 CHÍNH PHỦ", 8, 15, "22/09/2025 8:15"),  # a word that only starts like one
])
def test_a_12_hour_time_is_read_on_the_24_hour_clock(text: str, hour: int, minute: int, printed: str) -> None:
    found = find_datetime(text)
    assert found is not None and (found[0].hour, found[0].minute) == (hour, minute)
    assert found[1] == printed  # the raw value keeps the marker as printed


def test_find_datetime_returns_the_earliest_date_whatever_its_form() -> None:
    # a time-first date later in the text used to win over a date-first one before it
    found = find_datetime("Đăng 11/03/2019 21:31, sửa 08:00 12/03/2019")
    assert found == (datetime(2019, 3, 11, 21, 31, tzinfo=ICT), "11/03/2019 21:31")


def test_find_datetime_does_not_read_dates_out_of_longer_numbers() -> None:
    assert find_datetime("Quyết định 125/11-2018 của UBND") is None
    assert find_datetime("mã 11/03/20190") is None


def test_impossible_and_missing_dates() -> None:
    with pytest.raises(DateParseError, match="31/02/2019"):
        find_datetime("31/02/2019")
    with pytest.raises(DateParseError, match="no date found"):
        parse_datetime("hôm qua")


def test_canonicalize_url_drops_session_and_redirect_parameters() -> None:
    url = ("HTTPS://Tinhvidu.gov.vn/tin-tuc/-/asset_publisher/Ab12/content/bai?redirect=%2Ftin-tuc"
           "&p_auth=Qx81&p_p_state=normal&utm_source=fb&_101_INSTANCE_Ab12_cur=2#top")
    assert canonicalize_url(url) == "https://tinhvidu.gov.vn/tin-tuc/-/asset_publisher/Ab12/content/bai?_101_INSTANCE_Ab12_cur=2"


def test_canonicalize_url_drops_liferay_7_namespaced_redirects_and_keeps_the_page_number() -> None:
    ns = "_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_tinTuc"
    url = (f"https://soyte.vn/tin-tuc/-/asset_publisher/tinTuc/content/bai?{ns}_assetEntryId=41562"
           f"&{ns}_redirect=https%3A%2F%2Fsoyte.vn%2Ftin-tuc%3F{ns}_cur%3D2")
    # assetEntryId stays: on view_content.jsp URLs it is all that names the article
    assert canonicalize_url(url) == \
        f"https://soyte.vn/tin-tuc/-/asset_publisher/tinTuc/content/bai?{ns}_assetEntryId=41562"
    assert canonicalize_url(f"https://soyte.vn/tin-tuc?p_p_id=x&{ns}_cur=2&{ns}_delta=3") == \
        f"https://soyte.vn/tin-tuc?{ns}_cur=2&{ns}_delta=3&p_p_id=x"  # the query sorted (w3lib)


def test_canonicalize_url_drops_the_default_port() -> None:
    # SharePoint's canonical links say https://host:443/...: the same page as without the port
    assert canonicalize_url("https://Tinhvidu.gov.vn:443/tin-tuc/Pages/bai.aspx") == \
        "https://tinhvidu.gov.vn/tin-tuc/Pages/bai.aspx"
    assert canonicalize_url("http://tinhvidu.gov.vn:80/a") == "http://tinhvidu.gov.vn/a"
    assert canonicalize_url("http://tinhvidu.gov.vn:8080/a") == "http://tinhvidu.gov.vn:8080/a"


@pytest.mark.parametrize("printed", ["10:15 | 03/06/2022", "10:15 - 03/06/2022", "10h15, ngày 03/06/2022"])
def test_time_first_dates_with_a_separator(printed: str) -> None:
    found = find_datetime(printed)
    assert found is not None and found[1] == printed
    assert found[0] == datetime(2022, 6, 3, 10, 15, tzinfo=ICT)
