"""What an alert says: Vietnamese labels, local day-first times, the changed lines, clean cuts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from crawler.alerts.messages import MAX_BODY, AlertItem, format_alert, format_digest, health_item, shorten
from crawler.changes import changed_lines, compare
from storage.models import HealthEvent
from tests.records import VN, make_record

DETECTED = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # 09:30 in Hà Nội


def _item(**overrides: object) -> AlertItem:
    record = make_record()
    values: dict[str, object] = {
        "kind": "new", "title": record.title, "portal_name": "Cổng TTĐT tỉnh Thái Nguyên",
        "url": record.url, "occurred_at": DETECTED, "published_at": record.published_at,
        "lead": record.lead,
    }
    values.update(overrides)
    return AlertItem(**values)  # type: ignore[arg-type]


def test_new_article_alert_names_the_article_portal_local_times_and_link() -> None:
    title, body = format_alert(_item())
    assert title == "Tin mới: Hội nghị trực tuyến về an ninh Tổ quốc"
    assert body.splitlines()[:6] == [
        "Tin mới — Cổng TTĐT tỉnh Thái Nguyên",
        "Hội nghị trực tuyến về an ninh Tổ quốc",
        "Đăng lúc: 11/03/2019 21:31",
        "Phát hiện lúc: 25/11/2026 09:30",  # stored in UTC, shown as the portal's clock shows it
        "Link: https://thainguyen.gov.vn/tin-tuc-su-kien/-/asset_publisher/X/content/bai-viet",
        "",
    ]
    assert "Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị." in body


def test_changed_alert_shows_only_the_changed_lines_not_the_diff_headers() -> None:
    old = make_record()
    new = make_record(title="Hội nghị trực tuyến về bảo vệ an ninh Tổ quốc",
                      body=[old.body[0], "Tặng Bằng khen cho 65 tập thể."])
    change = compare(old, new)
    title, body = format_alert(_item(kind="changed", title=new.title, diff=change.diff,
                                     changed_fields=tuple(change.changed_fields)))
    assert title == "Tin được sửa: Hội nghị trực tuyến về bảo vệ an ninh Tổ quốc"
    assert "Sửa lúc: 25/11/2026 09:30" in body
    assert "Phần đã sửa: tiêu đề, nội dung" in body
    changes = body.split("Những dòng đã sửa:\n", 1)[1].splitlines()
    assert changes == [
        "- Tiêu đề: Hội nghị trực tuyến về an ninh Tổ quốc",
        "+ Tiêu đề: Hội nghị trực tuyến về bảo vệ an ninh Tổ quốc",
        "- Tặng Bằng khen cho 64 tập thể.",
        "+ Tặng Bằng khen cho 65 tập thể.",
    ]
    assert "before" not in body and "@@" not in body  # no ---/+++ headers, no hunk markers


def test_a_paragraph_that_starts_with_dashes_is_a_change_not_a_header() -> None:
    diff = "--- trước\n+++ sau\n@@ -1,1 +1,1 @@\n--- Kết luận cũ\n+-- Kết luận mới"
    assert changed_lines(diff) == ["--- Kết luận cũ", "+-- Kết luận mới"]


def test_removed_and_restored_alerts_have_their_own_labels() -> None:
    removed_title, removed_body = format_alert(_item(kind="removed"))
    restored_title, restored_body = format_alert(_item(kind="restored"))
    assert removed_title.startswith("Tin bị gỡ: ") and "Gỡ lúc: 25/11/2026 09:30" in removed_body
    assert restored_title.startswith("Tin đăng lại: ") and "Đăng lại lúc: 25/11/2026 09:30" in restored_body


def test_a_long_article_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    words = [f"từ{n}" for n in range(2000)]
    _, body = format_alert(_item(lead=" ".join(words)))
    assert len(body) <= MAX_BODY and body.endswith("…")
    assert body[:-1].split()[-1] in words  # the last word shown is whole


def test_a_long_change_is_cut_at_a_line_boundary() -> None:
    lines = [f"Dòng {n} của văn bản đã được sửa lại." for n in range(400)]
    assert shorten("\n".join(lines), 500).splitlines()[-2] in lines
    assert shorten("\n".join(lines), 500).endswith("\n…")


def test_digest_lists_every_alert_in_one_message() -> None:
    items = [_item(title=f"Tin số {n}", occurred_at=DETECTED.replace(minute=n)) for n in (1, 2, 3)]
    items[2] = replace(items[2], kind="changed", diff="--- a\n+++ b\n@@ -1 +1 @@\n-64 tập thể\n+65 tập thể")
    title, body = format_digest("boi-thuong", items)
    assert title == "Bản tin “boi-thuong”: 3 tin (2 tin mới, 1 tin được sửa)"
    positions = [body.index(f"Tin số {n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert "+ 65 tập thể" in body


def test_a_digest_too_long_for_one_message_says_how_many_it_left_out() -> None:
    items = [_item(title=f"Tin số {n}", published_at=datetime(2026, 11, 25, 8, n % 60, tzinfo=VN))
             for n in range(100)]
    _, body = format_digest("moi", items)
    assert len(body) <= MAX_BODY
    shown = sum(f"Tin số {n}\n" in body for n in range(100))
    assert 0 < shown < 100 and body.endswith(f"… và {100 - shown} tin khác")


def test_a_changed_alert_says_the_diffs_labels_and_date_in_vietnamese() -> None:
    old = make_record(author=None)
    new = make_record(author="Hồng Nhung", published_at=datetime(2019, 3, 11, 21, 45, tzinfo=VN),
                      attachments=[{"url": "https://x.gov.vn/a.pdf", "title": "QĐ 1"}])
    change = compare(old, new)
    _, body = format_alert(_item(kind="changed", diff=change.diff,
                                 changed_fields=tuple(change.changed_fields)))
    assert body.split("Những dòng đã sửa:\n", 1)[1].splitlines() == [
        "- Ngày đăng: 11/03/2019 21:31",
        "+ Ngày đăng: 11/03/2019 21:45",
        "+ [tệp] QĐ 1 <https://x.gov.vn/a.pdf>",
        "+ Tác giả: Hồng Nhung",
    ]


def test_a_diff_stored_before_the_english_labels_still_reads_the_same() -> None:
    stored = ("--- before\n+++ after\n@@ -1,2 +1,2 @@\n # Tin\n-@ 2019-03-11T21:31:00+07:00\n"
              "+@ 2019-03-11T21:45:00+07:00\n+[tệp] QĐ 1 <https://x.gov.vn/a.pdf>")
    _, body = format_alert(_item(kind="changed", diff=stored, changed_fields=("published_at",)))
    assert body.split("Những dòng đã sửa:\n", 1)[1].splitlines() == [
        "- Ngày đăng: 11/03/2019 21:31", "+ Ngày đăng: 11/03/2019 21:45", "+ [tệp] QĐ 1 <https://x.gov.vn/a.pdf>"]


def _health_event(kind: str) -> HealthEvent:
    return HealthEvent(portal_id="thainguyen", kind=kind, occurred_at=DETECTED, details={
        "run_id": 41, "opened_at": datetime(2026, 11, 24, 23, 0, tzinfo=UTC).isoformat(),
        "problems": [{"aspect": "listing", "text": "2 of 2 listing page(s) yielded no article links"}],
        "figures": {"pages_parsed": 0, "parse_failures": 0, "listings_fetched": 2,
                    "listings_without_links": 2},
    })


def test_a_health_alert_says_in_english_which_portal_broke_what_and_the_figures() -> None:
    title, body = format_alert(health_item(_health_event("unhealthy"), "Cổng TTĐT tỉnh Thái Nguyên"))
    assert title == "Parser health incident: Cổng TTĐT tỉnh Thái Nguyên: pages no longer parse"
    assert "Seen 2026-11-25 09:30 +07." in body
    assert "- 2 of 2 listing page(s) yielded no article links" in body
    assert ("In run #41: 0 article page(s) parsed, 0 failed, 2 listing page(s) read (2 without links)."
            in body)
    assert "One more alert comes when it recovers." in body


def test_a_recovery_alert_says_since_when_it_was_broken_and_what_had_broken() -> None:
    title, body = format_alert(health_item(_health_event("recovered"), "Cổng TTĐT tỉnh Thái Nguyên"))
    assert title == "Parser health recovered: Cổng TTĐT tỉnh Thái Nguyên: pages parse again"
    assert "Broken since 2026-11-25 06:00 +07, recovered 2026-11-25 09:30 +07." in body
    assert "What had broken:\n- 2 of 2 listing page(s) yielded no article links" in body
