"""`portalwatch items` and `show` as a reporter or a script uses them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from crawler.cli import main
from crawler.cli.items import parse_when
from crawler.cli.output import display_width
from crawler.core.errors import UserError
from storage.db import open_database
from storage.store import ensure_portal, mark_removed, store_record
from tests.records import VN, make_record

LONG_TITLE = "Ủy ban nhân dân tỉnh Thái Nguyên tổ chức hội nghị tổng kết công tác năm và triển khai nhiệm vụ"


def _fill(url: str) -> None:
    db = open_database(url)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("dai-tuong", title="Đại tướng Tô Lâm thăm tỉnh",
                                    published_at=datetime(2024, 5, 2, 8, 0, tzinfo=VN)))
        store_record(s, make_record("dai-hoi", title=LONG_TITLE, lead=None,
                                    body=["- Tặng bằng khen cho 12 tập thể.", "Hội nghị thành công."],
                                    published_at=datetime(2024, 5, 1, 8, 0, tzinfo=VN)))
        store_record(s, make_record("cu", title="Tin cũ", lead=None, body=["Không liên quan."],
                                    published_at=datetime(2019, 3, 11, 8, 0, tzinfo=VN)))
    with db.session() as s:
        store_record(s, make_record("cu", title="Tin cũ (đã sửa)", lead=None, body=["Đã cập nhật."],
                                    published_at=datetime(2019, 3, 11, 8, 0, tzinfo=VN)))
    db.dispose()


@pytest.fixture
def url(sqlite_url: str) -> str:
    _fill(sqlite_url)
    return sqlite_url


class _Terminal(io.StringIO):
    """What a terminal is to the table: a stream that says it is one."""

    def isatty(self) -> bool:
        return True


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_fits_the_terminal_and_cuts_long_titles(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "64")  # the terminal's width
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    code = main(["items", "--db", url])
    lines = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue()).splitlines()
             if not line.startswith("─")]
    assert code == 0
    assert lines[0].split() == ["ID", "PUBLISHED", "(+07)", "PORTAL", "V", "TITLE"]  # the zone named once
    assert all(display_width(line.rstrip()) <= 64 for line in lines)
    assert "Đại tướng Tô Lâm" in lines[1]  # newest published first
    assert "Ủy ban nhân dân tỉnh" in lines[2] and lines[2].rstrip().endswith("…")
    assert "2019-03-11 08:00" in lines[3]  # the portal's local time, as printed on the page


def test_search_without_diacritics_shows_the_match_in_the_printed_text(
        db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(db_url)
    monkeypatch.setenv("COLUMNS", "120")
    code, out, _ = _run(capsys, "items", "--db", db_url, "--search", "dai tuong")
    assert code == 0
    assert "Đại tướng Tô Lâm thăm tỉnh" in out
    assert "«Đại tướng»" in out  # the snippet line, highlighted without colour when piped
    code, out, _ = _run(capsys, "items", "--db", db_url, "--search", '"tang bang khen" "12 tap the"',
                        "--format", "jsonl", "--fields", "title,snippet")
    assert [json.loads(line)["title"] for line in out.splitlines()] == [LONG_TITLE]
    assert "Tặng bằng khen cho 12 tập thể" in json.loads(out)["snippet"]


@pytest.mark.parametrize("no_color", ["", "1"])
def test_on_a_terminal_matches_are_in_reverse_video_unless_no_color(
        url: str, monkeypatch: pytest.MonkeyPatch, no_color: str) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", no_color)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["items", "--db", url, "--search", "dai tuong"]) == 0
    shown = terminal.getvalue()
    assert "Đại tướng Tô Lâm thăm tỉnh" in shown
    if no_color:
        assert "\x1b[7m" not in shown and "«Đại tướng»" in shown  # bold headers stay (no colour)
    else:
        assert "\x1b[7mĐại tướng\x1b[0m" in shown and "«" not in shown


def test_piped_the_table_keeps_whole_titles_and_no_padding_at_line_ends(
        url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # exported by a parent that uses readline: not our width
    code, out, _ = _run(capsys, "items", "--db", url)
    assert code == 0 and LONG_TITLE in out and "…" not in out and "\x1b[" not in out
    assert [line for line in out.splitlines() if line != line.rstrip()] == []


def test_json_rows_carry_record_fields_and_store_fields(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "items", "--db", url, "--format", "json", "--search", "tin cu")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1
    row = rows[0]
    assert set(make_record().to_dict()) | {"id", "first_seen_at", "last_seen_at", "version", "removed_at"} \
        <= set(row)
    assert row["title"] == "Tin cũ (đã sửa)" and row["version"] == 2 and row["removed_at"] is None
    assert row["published_at"] == "2019-03-11T08:00:00+07:00"
    assert isinstance(row["rank"], float) and row["snippet"]


def test_empty_results_are_clear_and_not_an_error(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    nothing = (0, "", "portalwatch: no articles match\n")
    assert _run(capsys, "items", "--db", url, "--search", "khong co") == nothing
    assert _run(capsys, "items", "--db", url, "--search", "khong co", "--format", "json") == (0, "[]\n", "")
    assert _run(capsys, "items", "--db", url, "--search", "khong co", "--format", "jsonl") == (0, "", "")
    code, out, _ = _run(capsys, "items", "--db", url, "--search", "khong co", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("url,canonical_url,portal,title")


def test_csv_opens_in_a_spreadsheet(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "items", "--db", url, "--format", "csv", "--bom", "--search", "hoi nghi",
                        "--fields", "id,title,body,images,published_at")
    assert code == 0 and out.startswith("\ufeffid,title,body,images,published_at")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    by_title = {row["title"]: row for row in rows}
    assert by_title[LONG_TITLE]["body"] == "'- Tặng bằng khen cho 12 tập thể.\nHội nghị thành công."
    assert by_title[LONG_TITLE]["images"] == "https://thainguyen.gov.vn/documents/1.jpg — Các đại biểu"
    code, out, _ = _run(capsys, "items", "--db", url, "--format", "csv", "--fields", "body", "--search", "12")
    assert list(csv.reader(io.StringIO(out)))[1] == ["- Tặng bằng khen cho 12 tập thể.\nHội nghị thành công."]


def test_unknown_field_lists_the_known_ones(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "items", "--db", url, "--format", "json", "--fields", "title,headline")
    assert code == 2 and "headline" in err and "canonical_url" in err


@pytest.mark.parametrize("bad", ["yesterdayy", "31/02/2019", "2019-13-01", "7 days ago"])
def test_a_bad_date_names_the_option_and_the_accepted_forms(
        url: str, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    code, out, err = _run(capsys, "items", "--db", url, "--since", bad)
    assert code == 2 and out == ""
    assert "--since" in err and repr(bad) in err and "2019-03-11, 11/03/2019" in err and "7d" in err


def test_date_forms() -> None:
    now = datetime(2024, 5, 10, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
    vn_day = datetime(2019, 3, 11, tzinfo=VN)
    assert parse_when("2019-03-11", "--since") == vn_day
    assert parse_when("11/03/2019", "--since") == vn_day  # day first, as Vietnam writes dates
    assert parse_when("11/03/2019", "--until", until=True) == vn_day + timedelta(days=1)  # the whole day
    assert parse_when("2019-03-11T08:00", "--since") == datetime(2019, 3, 11, 8, 0, tzinfo=VN)
    assert parse_when("2019-03-11T08:00:00+00:00", "--since") == datetime(2019, 3, 11, 8, 0, tzinfo=UTC)
    assert parse_when("7d", "--since", now=now) == now - timedelta(days=7)
    assert parse_when("24h", "--since", now=now) == now - timedelta(hours=24)
    assert parse_when("yesterday", "--since", now=now) == datetime(2024, 5, 9, tzinfo=VN)
    with pytest.raises(UserError, match="--changed-since"):
        parse_when("soon", "--changed-since")


def test_since_until_and_changed_since_from_the_command_line(url: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    def titles(*args: str) -> list[str]:
        code, out, _ = _run(capsys, "items", "--db", url, "--format", "jsonl", *args)
        assert code == 0
        return [json.loads(line)["title"] for line in out.splitlines()]

    assert titles("--since", "01/05/2024", "--until", "01/05/2024") == [LONG_TITLE]
    assert titles("--until", "2020-01-01") == ["Tin cũ (đã sửa)"]
    assert titles("--changed-since", "1h") == ["Tin cũ (đã sửa)"]
    assert titles("--event", "changed") == ["Tin cũ (đã sửa)"]
    assert titles("--event", "new", "--changed-since", "1h") == titles()  # all three are new (no baseline)
    assert titles("--category", "tin tuc su kien", "--author", "thanh hieu", "--search", "tinh",
                  "--sort", "published") == ["Đại tướng Tô Lâm thăm tỉnh", LONG_TITLE]


def test_first_seen_and_changed_until_from_the_command_line(sqlite_url: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    db = open_database(sqlite_url)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("cu", title="Tin cũ"), now=now - timedelta(days=3))
    with db.session() as s:
        store_record(s, make_record("cu", title="Tin cũ (đã sửa)"), now=now - timedelta(days=2))
        store_record(s, make_record("moi", title="Tin mới"), now=now)
    db.dispose()

    def titles(*args: str) -> list[str]:
        code, out, err = _run(capsys, "items", "--db", sqlite_url, "--format", "jsonl", *args)
        assert code == 0, err
        return [json.loads(line)["title"] for line in out.splitlines()]

    assert titles("--seen-since", "1d") == ["Tin mới"]
    assert titles("--seen-until", "1d") == ["Tin cũ (đã sửa)"]
    assert titles("--seen-since", "today", "--seen-until", "today") == ["Tin mới"]
    assert titles("--changed-until", "1d") == ["Tin cũ (đã sửa)"]
    assert titles("--changed-since", "1d") == []
    assert titles("--event", "new", "--changed-until", "1d") == ["Tin cũ (đã sửa)"]
    assert titles("--event", "new", "--changed-since", "1d") == ["Tin mới"]
    code, _, err = _run(capsys, "items", "--db", sqlite_url, "--seen-until", "tomorow")
    assert code == 2 and "--seen-until: cannot read 'tomorow' as a date" in err


def test_removed_articles_are_hidden_unless_asked_for(url: str, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(url)
    with db.session() as s:
        mark_removed(s, make_record("cu").canonical_url)
    db.dispose()
    monkeypatch.setenv("COLUMNS", "100")
    assert "Tin cũ" not in _run(capsys, "items", "--db", url)[1]
    out = _run(capsys, "items", "--db", url, "--status", "removed")[1]
    assert "Tin cũ" in out and "REMOVED" in out.splitlines()[0]
    assert "Tin cũ" in _run(capsys, "items", "--db", url, "--event", "removed")[1]


def test_cursor_walks_through_every_page(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[int] = []
    args = ["items", "--db", url, "--format", "jsonl", "--limit", "2"]
    for _ in range(5):
        code, out, err = _run(capsys, *args)
        seen += [json.loads(line)["id"] for line in out.splitlines()]
        if "--cursor" not in err:
            break
        args = ["items", "--db", url, "--format", "jsonl", "--limit", "2", "--cursor", err.split()[-1]]
    assert sorted(seen) == [1, 2, 3] and len(seen) == 3
    code, _, err = _run(capsys, "items", "--db", url, "--cursor", "not-a-cursor")
    assert code == 2 and "not a cursor" in err


def test_show_prints_the_article_its_versions_and_diffs(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "show", make_record("cu").url, "--db", url, "--versions", "--diff")
    assert code == 0
    assert out.startswith("Tin cũ (đã sửa)\nhttps://thainguyen.gov.vn/")
    assert "Đã cập nhật." in out
    assert "v1" in out and "v2" in out and "title, body" in out
    assert "-# Tin cũ" in out and "+# Tin cũ (đã sửa)" in out and "+Đã cập nhật." in out
    code, out, _ = _run(capsys, "show", "3", "--db", url, "--format", "json", "--diff")
    data = json.loads(out)
    assert data["title"] == "Tin cũ (đã sửa)" and [v["version"] for v in data["versions"]] == [1, 2]
    assert "+Đã cập nhật." in data["versions"][1]["diff"]
    assert [e["kind"] for e in data["events"]] == ["new", "changed"]


def test_show_an_unknown_article_says_so(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "show", "https://thainguyen.gov.vn/khong-co", "--db", url)
    assert code == 5 and out == "" and "no stored article" in err  # 5: not found (1 is unreachable)
