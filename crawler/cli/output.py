"""How stored articles are printed: a table that fits the terminal, JSON, JSON lines, CSV, Atom.

Every writer takes an iterable and writes as it goes (except the table, which must measure its
rows first), so that `export` holds memory flat whatever the size of the store.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from crawler.cli.common import format_time, zone_label
from crawler.core.errors import UserError
from crawler.core.normalize import escape_controls
from storage.query import (
    RECORD_FIELDS,
    SEARCH_FIELDS,
    STORE_FIELDS,
    ArticleRow,
    EventRow,
    VersionRow,
)

if TYPE_CHECKING:
    from rich.text import Text

ROW_FIELDS = RECORD_FIELDS + STORE_FIELDS + ("last_changed_at",)
BOLD, RESET = "\x1b[1m", "\x1b[0m"
# Spreadsheets run a cell that starts with one of these as a formula ("- Tặng…" shows #NAME?).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- fields -----------------------------------------------------------------------------------

def parse_fields(text: str | None, *, searching: bool) -> list[str] | None:
    """`--fields a,b,c` as a list (None: every field); unknown names are an error that lists the known."""
    if not text:
        return None
    known = ROW_FIELDS + (SEARCH_FIELDS if searching else ())
    fields = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in fields if name not in known]
    if unknown or not fields:
        extra = "" if searching else " (rank, snippet, highlights with --search)"
        raise UserError(f"--fields: unknown field {', '.join(unknown) or text!r}; "
                        f"known: {', '.join(known)}{extra}")
    return fields


def row_dict(row: ArticleRow, fields: Sequence[str] | None) -> dict[str, Any]:
    data = row.to_dict()
    if not fields:
        return data
    data["last_changed_at"] = row.last_changed_at.isoformat() if row.last_changed_at else None
    return {name: data.get(name) for name in fields}


# --- json, jsonl, csv -------------------------------------------------------------------------

def write_json(rows: Iterable[ArticleRow], out: TextIO, fields: Sequence[str] | None) -> int:
    """A JSON array written row by row (`[]` when nothing matches)."""
    count = 0
    for row in rows:
        out.write("[\n" if count == 0 else ",\n")
        out.write(json.dumps(row_dict(row, fields), ensure_ascii=False))
        count += 1
    out.write("[]\n" if count == 0 else "\n]\n")
    return count


def write_jsonl(rows: Iterable[ArticleRow], out: TextIO, fields: Sequence[str] | None) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row_dict(row, fields), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[ArticleRow], out: TextIO, fields: Sequence[str] | None, *,
              excel: bool = False) -> int:
    """UTF-8 CSV, one article a row, lists one item a line. `excel`: BOM, and formulas defused."""
    names = list(fields or ROW_FIELDS)
    if excel:
        out.write("\ufeff")  # without it Excel reads UTF-8 as the local code page
    writer = csv.writer(out)
    writer.writerow(names)
    count = 0
    for row in rows:
        data = row_dict(row, names)
        cells = [csv_cell(name, data[name]) for name in names]
        if excel:
            cells = ["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in cells]
        writer.writerow(cells)
        count += 1
    return count


def csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "images":
        return "\n".join(f"{i['url']} — {i['caption']}" if i.get("caption") else i["url"] for i in value)
    if name == "attachments":
        return "\n".join(f"{a['title']} <{a['url']}>" for a in value)
    if name == "highlights":
        return " ".join(f"{start}:{end}" for start, end in value)
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


# --- the table ---------------------------------------------------------------------------------

def display_width(text: str) -> int:
    """Columns a terminal gives `text`: marks take none, wide (CJK) characters two."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def table_cell(row: ArticleRow, name: str) -> str:
    value = getattr(row, name)
    if name.endswith("_at"):  # times: the zone is named once, in the column header
        return format_time(value, zone=False)
    if name in ("images", "attachments", "highlights", "body"):
        return escape_controls(" | ".join(csv_cell(name, value).splitlines()))
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else escape_controls(" ".join(str(value).split()))


def write_table(rows: Sequence[ArticleRow], out: TextIO, fields: Sequence[str] | None) -> int:
    """A table fitted to the terminal (the long text columns cut with …), through rich; a search's
    snippet under each title, its matches in reverse video, or «…» without colour."""
    from rich.text import Text

    from crawler.cli.console import console, cut_cell, new_table, print_table

    zone = zone_label()
    if fields:
        names = list(fields)
        headers = [f"{name.upper()} ({zone})" if name.endswith("_at") else name.upper() for name in fields]
    else:
        names = ["id", "published_at", "portal", "version", "title"]
        headers = ["ID", f"PUBLISHED ({zone})", "PORTAL", "V", "TITLE"]
        if any(row.removed_at for row in rows):
            names.insert(4, "removed_at")
            headers.insert(4, f"REMOVED ({zone})")
    long_text = tuple(h for h, n in zip(headers, names, strict=True) if n in _LONG_TEXT)
    target = console(out)
    cut = long_text or (headers[-1],)
    table = new_table(*headers, cut=cut)
    for row in rows:
        cells: list[str | Text] = [table_cell(row, name) for name in names]
        if row.snippet:  # under the last column (the title's)
            cells[-1] = Text(str(cells[-1])) + "\n" + _highlighted(row.snippet, row.highlights,
                                                                   color=not target.no_color)
        table.add_row(*[cut_cell(cell) if header in cut else cell
                        for header, cell in zip(headers, cells, strict=True)])
    print_table(table, out)
    return len(rows)


_LONG_TEXT = ("title", "url", "canonical_url", "lead", "body", "snippet", "category", "source", "author",
              "images", "attachments", "published_text")


def _highlighted(text: str, spans: Sequence[tuple[int, int]], *, color: bool) -> Text:
    """`text` on one line with its matches shown: reverse video on a terminal, else «…»."""
    from rich.text import Text

    def plain(piece: str) -> str:  # per piece, so that the spans' offsets stay right
        return escape_controls(" ".join(piece.splitlines()))

    shown = Text()
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        shown.append(plain(text[position:start]))
        if color:
            shown.append(plain(text[start:end]), style="reverse")
        else:
            shown.append(f"«{plain(text[start:end])}»")
        position = end
    shown.append(plain(text[position:]))
    return shown


# --- one article (show) -----------------------------------------------------------------------

def render_article(row: ArticleRow, versions: Sequence[VersionRow], events: Sequence[EventRow], *,
                   versions_wanted: bool, diff_wanted: bool, color: bool) -> str:
    """An article as a reader reads it, then (on request) its history and what each version changed."""
    when = format_time
    published = format_time(row.published_at, missing="no date")
    row = _escaped(row)  # stored text never writes control sequences to the terminal
    status = f"removed since {when(row.removed_at)}" if row.removed_at else "online"
    lines = [
        f"{BOLD}{row.title}{RESET}" if color else row.title,
        row.url,
        " · ".join(p for p in (row.portal, row.category, published) if p),
        " · ".join(p for p in (f"author: {row.author}" if row.author else "",
                               f"source: {row.source}" if row.source else "") if p),
        f"id {row.id} · version {row.version} · {status} · first seen {when(row.first_seen_at)}"
        f" · last seen {when(row.last_seen_at)}",
        "",
    ]
    if row.lead and (not row.body or row.body[0] != row.lead):
        lines += [row.lead, ""]
    lines += [paragraph for paragraph in row.body for paragraph in (paragraph, "")]
    lines += [f"[image] {csv_cell('images', [image])}" for image in row.images]
    lines += [f"[file] {csv_cell('attachments', [attachment])}" for attachment in row.attachments]
    if versions_wanted or diff_wanted:
        lines += ["", "history:"]
        for e in events:
            baseline = "  (first crawl)" if e.baseline else ""
            lines.append(f"  {when(e.occurred_at)}  {e.kind:<8} v{e.version}{baseline}")
        lines += ["", "versions:"]
        for version in versions:
            changed = ", ".join(version.changed_fields) if version.changed_fields else "first version"
            lines.append(f"  v{version.version}  {when(version.created_at)}  {changed}")
            if diff_wanted and version.diff:
                lines += ["    " + _diff_line(escape_controls(line), color)
                          for line in version.diff.splitlines()]
    return "\n".join(line for line in lines).rstrip() + "\n"


def _escaped(row: ArticleRow) -> ArticleRow:
    def escape(value: Any) -> Any:
        if isinstance(value, str):
            return escape_controls(value)
        if isinstance(value, list):
            return [escape(item) for item in value]
        if isinstance(value, dict):
            return {key: escape(item) for key, item in value.items()}
        return value

    return dataclasses.replace(row, **{f.name: escape(getattr(row, f.name)) for f in dataclasses.fields(row)})


def _diff_line(line: str, color: bool) -> str:
    if not color or line.startswith(("+++", "---")):
        return line
    if line.startswith("+"):
        return f"\x1b[32m{line}{RESET}"
    if line.startswith("-"):
        return f"\x1b[31m{line}{RESET}"
    return line
