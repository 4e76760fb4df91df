from dataclasses import replace
from datetime import UTC, datetime

from crawler.changes import ChangeKind, compare
from crawler.core.records import Image
from tests.records import VN, make_record


def test_first_sight_is_new() -> None:
    assert compare(None, make_record()).kind == ChangeKind.NEW


def test_same_visible_content_is_unchanged_even_with_other_url_and_category() -> None:
    old = make_record()
    new = replace(make_record(), url=old.url + "?redirect=x&p_auth=abc", category="Tin khác")
    assert compare(old, new).kind == ChangeKind.UNCHANGED


def test_corrected_figure_is_a_change_with_a_diff_naming_the_edit() -> None:
    old = make_record()
    new = make_record(body=[old.body[0], "Tặng Bằng khen cho 65 tập thể."])
    change = compare(old, new)
    assert change.kind == ChangeKind.CHANGED
    assert change.changed_fields == ["body"]
    assert "-Tặng Bằng khen cho 64 tập thể." in change.diff
    assert "+Tặng Bằng khen cho 65 tập thể." in change.diff


def test_caption_typo_fix_title_change_and_new_attachment_are_changes() -> None:
    old = make_record()
    caption = compare(old, make_record(images=[Image(old.images[0].url, "Các đại biểu dự")]))
    title = compare(old, make_record(title="Hội nghị trực tuyến về an ninh"))
    files = compare(old, make_record(attachments=[{"url": "https://x.gov.vn/a.pdf", "title": "QĐ 1"}]))
    assert (caption.kind, caption.changed_fields) == (ChangeKind.CHANGED, ["images"])
    assert (title.kind, title.changed_fields) == (ChangeKind.CHANGED, ["title"])
    assert "+# Hội nghị trực tuyến về an ninh" in title.diff
    assert (files.kind, files.changed_fields) == (ChangeKind.CHANGED, ["attachments"])


def test_new_paragraph_is_a_change() -> None:
    old = make_record()
    change = compare(old, make_record(body=[*old.body, "Đoạn mới."]))
    assert change.kind == ChangeKind.CHANGED
    assert "+Đoạn mới." in change.diff


def test_two_versions_side_by_side_mark_the_changed_words_and_pair_the_lines() -> None:
    from crawler.changes import side_by_side

    old = make_record()
    new = make_record(title="Hội nghị trực tuyến về quốc phòng Tổ quốc",
                      body=[old.body[0], "Tặng Bằng khen cho 65 tập thể.", "Đoạn mới."])
    rows = side_by_side(old, new)
    changed = [row for row in rows if row.kind == "changed"]
    assert [[s.text for s in row.new if s.changed] for row in changed] == [["quốc phòng "], ["65 "]]
    assert [[s.text for s in row.old if s.changed] for row in changed] == [["an ninh "], ["64 "]]
    added = [row for row in rows if row.kind == "added"]
    assert [row.new[0].text for row in added] == ["Đoạn mới."] and added[0].old is None
    assert all(row.old == row.new for row in rows if row.kind == "same")


def test_the_diff_labels_images_files_and_byline_in_english_and_prints_the_date_with_its_zone() -> None:
    old = make_record(author=None, source=None)
    new = make_record(author="Hồng Nhung", source="Báo Thái Nguyên",
                      published_at=datetime(2019, 3, 11, 21, 45, tzinfo=VN),
                      attachments=[{"url": "https://x.gov.vn/a.pdf", "title": "QĐ 1"}],
                      images=[Image(old.images[0].url, "Các đại biểu dự")])
    added = [line for line in compare(old, new).diff.splitlines() if line.startswith("+")]
    assert added[1:] == [
        "+@ 2019-03-11 21:45 +07",
        f"+[image] {old.images[0].url} — Các đại biểu dự",
        "+[file] QĐ 1 <https://x.gov.vn/a.pdf>",
        "+Author: Hồng Nhung",
        "+Source: Báo Thái Nguyên",
    ]
    assert "tệp" not in compare(old, new).diff and "ảnh" not in compare(old, new).diff


def test_the_same_moment_in_another_zone_is_no_changed_date_line() -> None:
    old = make_record()
    assert old.published_at is not None
    new = make_record(published_at=old.published_at.astimezone(UTC), body=[*old.body, "Đoạn mới."])
    assert [line for line in compare(old, new).diff.splitlines() if line.startswith(("-@", "+@"))] == []
