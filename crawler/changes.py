"""Change detection: a pure function of (stored record, new record).

Only what a reader sees counts (`ArticleRecord.visible_content`): view counters, visit counters,
"Tin khác" boxes and tokens never reach a record, so they can never make a change. The diff is
unified, one line per paragraph, so that an edited figure shows as one replaced line.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from crawler.core.normalize import DEFAULT_TIMEZONE, format_moment
from crawler.core.records import ArticleRecord


class ChangeKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    RESTORED = "restored"


# The kinds that are events of an article (stored, listed by `events`, alerted); "unchanged" is not.
EVENT_KINDS: tuple[str, ...] = tuple(kind.value for kind in ChangeKind if kind is not ChangeKind.UNCHANGED)


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    changed_fields: list[str] = field(default_factory=list)
    diff: str = ""


# The labels of the lines that are no paragraph: the interface's (English) words, the article's
# own text after them. alerts/messages.py says them in Vietnamese for its readers.
IMAGE, FILE, AUTHOR, SOURCE = "[image]", "[file]", "Author:", "Source:"
_PORTAL_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


def _lines(record: ArticleRecord) -> list[str]:
    """The record as a reader reads it, one line per paragraph, captions and files labelled."""
    lines = [f"# {record.title}"]
    if record.published_at:
        # In one zone, whichever the record carries: the same moment is always the same line.
        lines.append(f"@ {format_moment(record.published_at, _PORTAL_ZONE)}")
    lines.extend(record.body)
    lines.extend(f"{IMAGE} {i.url} — {i.caption or ''}".rstrip(" —") for i in record.images)
    lines.extend(f"{FILE} {a.title} <{a.url}>" for a in record.attachments)
    if record.author:
        lines.append(f"{AUTHOR} {record.author}")
    if record.source:
        lines.append(f"{SOURCE} {record.source}")
    return lines


def diff_records(old: ArticleRecord, new: ArticleRecord) -> str:
    return "\n".join(
        difflib.unified_diff(_lines(old), _lines(new), "before", "after", n=1, lineterm="")
    )


def changed_lines(diff: str | None) -> list[str]:
    """The removed and added lines of a unified diff, each with its sign: no ---/+++ headers, no @@
    markers, no context. After the first @@ a line starting "---" is content (a removed "-- ...")."""
    lines: list[str] = []
    in_hunk = False
    for line in (diff or "").splitlines():
        if line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line[:1] in ("-", "+"):
            lines.append(line)
    return lines


def compare(old: ArticleRecord | None, new: ArticleRecord) -> Change:
    if old is None:
        return Change(ChangeKind.NEW)
    before, after = old.visible_content(), new.visible_content()
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return Change(ChangeKind.UNCHANGED)
    return Change(ChangeKind.CHANGED, changed, diff_records(old, new))


# --- two versions side by side ----------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool  # a word (with its spaces) that the other side does not have


@dataclass(frozen=True)
class SideBySideRow:
    """One line of each version, aligned; None where that version has no line here."""

    kind: Literal["same", "changed", "removed", "added"]
    old: tuple[Segment, ...] | None
    new: tuple[Segment, ...] | None


_WORDS = re.compile(r"\S+\s*|\s+")


def _word_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(Segment("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(Segment("".join(b[j1:j2]), tag != "equal"))
    return tuple(left), tuple(right)


def side_by_side(old: ArticleRecord, new: ArticleRecord) -> list[SideBySideRow]:
    """Any two versions as a reader compares them: the lines of the diff (title, date, paragraphs,
    captions, files, byline), paired, with the words that differ within a changed line marked."""
    a, b = _lines(old), _lines(new)
    rows: list[SideBySideRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [SideBySideRow("same", (Segment(line, False),), (Segment(line, False),))
                     for line in a[i1:i2]]
            continue
        for left, right in itertools.zip_longest(a[i1:i2], b[j1:j2]):
            if left is None:
                rows.append(SideBySideRow("added", None, (Segment(right, True),)))
            elif right is None:
                rows.append(SideBySideRow("removed", (Segment(left, True),), None))
            else:
                rows.append(SideBySideRow("changed", *_word_diff(left, right)))
    return rows
