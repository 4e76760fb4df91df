"""`portalwatch feed`: an Atom feed of new and changed articles that a feed reader accepts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.alerts.rules import build_spec, create_rule
from crawler.cli import main
from storage.db import open_database
from storage.store import ensure_portal, mark_removed, store_record
from tests.records import make_record

ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def _fill(url: str) -> None:
    db = open_database(url)
    with db.session() as s:
        for portal in ("thainguyen", "hanoi"):
            ensure_portal(s, portal, name=portal, cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("baseline", title="Bài có từ trước"), baseline=True, now=T0)
    with db.session() as s:
        store_record(s, make_record("moi", title="Khởi công cầu mới", lead="Sáng nay, tỉnh khởi công cầu."),
                     now=T0 + timedelta(hours=1))
        store_record(s, make_record("hn", "hanoi", title="Hà Nội: Đại hội Đoàn", lead="Đại hội thành công."),
                     now=T0 + timedelta(hours=2))
    with db.session() as s:
        store_record(s, make_record("baseline", title="Bài có từ trước",
                                    body=["Chiều 11/3.", "Tặng Bằng khen cho 65 tập thể."]),
                     now=T0 + timedelta(hours=3))
        mark_removed(s, make_record("moi").canonical_url, now=T0 + timedelta(hours=4))
    db.dispose()


def _feed(capsys: pytest.CaptureFixture[str], *args: str) -> ET.Element:
    assert main(["feed", *args]) == 0
    return ET.fromstring(capsys.readouterr().out.encode("utf-8"))


def _entries(feed: ET.Element) -> list[dict[str, str]]:
    return [{
        "title": entry.findtext(f"{ATOM}title") or "",
        "link": entry.find(f"{ATOM}link").get("href", ""),  # type: ignore[union-attr]
        "summary": entry.findtext(f"{ATOM}summary") or "",
        "updated": entry.findtext(f"{ATOM}updated") or "",
        "published": entry.findtext(f"{ATOM}published") or "",
        "id": entry.findtext(f"{ATOM}id") or "",
    } for entry in feed.findall(f"{ATOM}entry")]


def test_feed_lists_new_and_changed_articles_newest_first_without_the_baseline(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(db_url)
    feed = _feed(capsys, "--db", db_url)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}updated")
    entries = _entries(feed)
    assert [e["title"] for e in entries] == [
        "[đã sửa] Bài có từ trước", "Hà Nội: Đại hội Đoàn", "Khởi công cầu mới"]  # no baseline, no removal
    changed, hanoi, new = entries
    assert new["summary"] == "Sáng nay, tỉnh khởi công cầu."
    assert new["link"] == make_record("moi").url
    assert datetime.fromisoformat(new["updated"]) == T0 + timedelta(hours=1)
    assert datetime.fromisoformat(new["published"]) == make_record().published_at
    assert "- Tặng Bằng khen cho 64 tập thể." in changed["summary"]
    assert "+ Tặng Bằng khen cho 65 tập thể." in changed["summary"]
    assert "Chiều 11/3, Đại tướng" in changed["summary"] and "@@" not in changed["summary"]
    assert len({e["id"] for e in entries}) == 3


def test_feed_per_portal_per_search_and_limited(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sqlite_url)
    assert [e["title"] for e in _entries(_feed(capsys, "--db", sqlite_url, "--portal", "hanoi"))] == [
        "Hà Nội: Đại hội Đoàn"]
    searched = _feed(capsys, "--db", sqlite_url, "--search", "khoi cong")
    assert [e["title"] for e in _entries(searched)] == ["Khởi công cầu mới"]
    assert "khoi cong" in (searched.findtext(f"{ATOM}title") or "")
    assert len(_entries(_feed(capsys, "--db", sqlite_url, "--limit", "1"))) == 1


def test_feed_written_to_a_file_and_empty_feed_is_still_atom(
        sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sqlite_url)
    target = tmp_path / "tn.xml"
    assert main(["feed", "--db", sqlite_url, "--portal", "thainguyen", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert len(ET.parse(target).getroot().findall(f"{ATOM}entry")) == 2
    empty = _feed(capsys, "--db", sqlite_url, "--search", "khong co tin nay")
    assert empty.tag == f"{ATOM}feed" and _entries(empty) == []
    assert main(["feed", "--db", sqlite_url, "--portal", "nowhere"]) == 2  # a typo is not "no news"
    assert "unknown portal 'nowhere'" in capsys.readouterr().err


def _add_rule(url: str, name: str, **options: object) -> None:
    db = open_database(url)
    with db.session() as s:
        create_rule(s, build_spec(name=name, notify=["json://127.0.0.1:9/hook"], **options))
    db.dispose()


def test_feed_of_a_saved_alert_rule_lists_what_the_rule_reports(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(db_url)
    _add_rule(db_url, "cau", match="khoi cong", on="new,changed,removed")
    _add_rule(db_url, "doan-hn", portals=["hanoi"], regex="Đoàn")
    _add_rule(db_url, "bang-khen", regex=r"65 tập thể", on="changed")

    def titles(rule: str, *extra: str) -> list[str]:
        return [e["title"] for e in _entries(_feed(capsys, "--db", db_url, "--rule", rule, *extra))]

    assert titles("cau") == ["[đã gỡ] Khởi công cầu mới", "Khởi công cầu mới"]
    assert titles("cau", "--limit", "1") == ["[đã gỡ] Khởi công cầu mới"]
    assert titles("doan-hn") == ["Hà Nội: Đại hội Đoàn"]
    assert titles("bang-khen") == ["[đã sửa] Bài có từ trước"]  # the regex, not the baseline
    feed = _feed(capsys, "--db", db_url, "--rule", "cau")
    assert feed.findtext(f"{ATOM}id") == "urn:portalwatch:feed:rule:cau"


def test_feed_of_an_unknown_rule_or_a_rule_with_other_filters_is_a_clear_error(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sqlite_url)
    _add_rule(sqlite_url, "cau", match="khoi cong")
    assert main(["feed", "--db", sqlite_url, "--rule", "nope"]) == 2
    assert "no alert rule named 'nope' (rules: cau)" in capsys.readouterr().err
    assert main(["feed", "--db", sqlite_url, "--rule", "cau", "--portal", "hanoi"]) == 2
    assert "leave out --portal and --search" in capsys.readouterr().err
