"""Change detection: a pure function of (stored record, new record).

Only what a reader sees counts (`ArticleRecord.visible_content`): view counters, visit counters,
"Tin khác" boxes and tokens never reach a record, so they can never make a change. The diff is
unified, one line per paragraph, so that an edited figure shows as one replaced line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import StrEnum

from crawler.core.records import ArticleRecord


class ChangeKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    RESTORED = "restored"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    changed_fields: list[str] = field(default_factory=list)
    diff: str = ""


def _lines(record: ArticleRecord) -> list[str]:
    """The record as a reader reads it, one line per paragraph, captions and files labelled."""
    lines = [f"# {record.title}"]
    if record.published_at:
        lines.append(f"@ {record.published_at.isoformat()}")
    lines.extend(record.body)
    lines.extend(f"[ảnh] {i.url} — {i.caption or ''}".rstrip(" —") for i in record.images)
    lines.extend(f"[tệp] {a.title} <{a.url}>" for a in record.attachments)
    if record.author:
        lines.append(f"Tác giả: {record.author}")
    if record.source:
        lines.append(f"Nguồn: {record.source}")
    return lines


def diff_records(old: ArticleRecord, new: ArticleRecord) -> str:
    return "\n".join(
        difflib.unified_diff(_lines(old), _lines(new), "trước", "sau", n=1, lineterm="")
    )


def compare(old: ArticleRecord | None, new: ArticleRecord) -> Change:
    if old is None:
        return Change(ChangeKind.NEW)
    before, after = old.visible_content(), new.visible_content()
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return Change(ChangeKind.UNCHANGED)
    return Change(ChangeKind.CHANGED, changed, diff_records(old, new))
