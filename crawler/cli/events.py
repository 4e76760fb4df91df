"""`portalwatch events`: what happened, newest first: one line per event with its time, kind, portal
and title; `--diff` adds the lines a change changed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from crawler.changes import EVENT_KINDS
from crawler.cli.common import check_portal_ids, format_time, note, open_for_reading, zone_label
from crawler.core.choices import parse_choice_list
from crawler.core.errors import UserError

if TYPE_CHECKING:
    from storage.query import FeedEntry

KINDS = EVENT_KINDS
BASELINE_NOTE = ("a portal's first crawl is its baseline: what it found is stored, not reported; "
                 "events appear from the next crawl on")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "events", help="what happened: new, changed, removed and restored articles, newest first",
        description="The timeline of events, one line each: time, kind, portal, article id and title. "
                    + BASELINE_NOTE[0].upper() + BASELINE_NOTE[1:] + ".")
    parser.add_argument("--since", metavar="DATE", default="24h",
                        help="events since DATE (default 24h; the forms of items --since)")
    parser.add_argument("--until", metavar="DATE", help="events up to DATE (a bare day: to its end)")
    parser.add_argument("--portal", action="append", default=[], metavar="ID",
                        help="only this portal (repeatable)")
    parser.add_argument("--kind", metavar="KINDS", default=",".join(KINDS),
                        help=f"comma-separated kinds (default: all of {','.join(KINDS)})")
    parser.add_argument("--diff", action="store_true", help="under each change, the lines it changed")
    parser.add_argument("--limit", type=int, default=200, help="events at most (default 200)")
    parser.add_argument("--format", choices=["text", "jsonl"], default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.cli.items import parse_when
    from storage.events import EventFilter, recent_events

    kinds = parse_choice_list(args.kind, KINDS, "--kind", "kind")
    since = parse_when(args.since, "--since")
    until = parse_when(args.until, "--until", until=True) if args.until else None
    if args.limit < 1:
        raise UserError(f"--limit must be at least 1, not {args.limit}")
    database = open_for_reading(args)
    try:
        check_portal_ids(args, args.portal, database)
        filters = EventFilter(since=since, until=until, portals=tuple(args.portal),
                              kinds=kinds)  # type: ignore[arg-type]
        page = recent_events(database, filters, limit=args.limit)
        entries = page.entries
    finally:
        database.dispose()
    if args.format == "jsonl":
        for entry in entries:
            print(json.dumps(entry_dict(entry, diff=args.diff), ensure_ascii=False))
    else:
        write_events(entries, diff=args.diff)
    if not entries:
        note(f"no events since {format_time(since)}; {BASELINE_NOTE}")
    elif page.next_cursor:
        note(f"only the newest {args.limit} shown: narrow --since or raise --limit")
    return 0


def entry_dict(entry: FeedEntry, *, diff: bool) -> dict[str, object]:
    from crawler.changes import changed_lines

    data: dict[str, object] = {
        "kind": entry.event.kind, "occurred_at": entry.event.occurred_at.isoformat(),
        "portal": entry.article.portal, "id": entry.article.id, "version": entry.event.version,
        "title": entry.article.title, "url": entry.article.url,
    }
    if diff and entry.diff:
        data["changed_lines"] = changed_lines(entry.diff)
    return data


_KIND_STYLES = {"new": "green", "changed": "yellow", "removed": "red", "restored": "cyan"}


def write_events(entries: list[FeedEntry], *, diff: bool) -> None:
    """One line per event; under a change with `diff`, its -/+ lines (coloured on a terminal)."""
    from rich.text import Text

    from crawler.changes import changed_lines
    from crawler.cli.console import console

    out = console(sys.stdout)
    if entries:
        out.print(Text(f"{'TIME (' + zone_label() + ')':<17}  {'KIND':<8}  {'PORTAL':<12}  {'ID':>6}  TITLE",
                       style="bold"), overflow="ellipsis", no_wrap=True)
    for entry in entries:
        line = Text(f"{format_time(entry.event.occurred_at, zone=False):<17}  ")
        line.append(f"{entry.event.kind:<8}", style=_KIND_STYLES.get(entry.event.kind, ""))
        line.append(f"  {entry.article.portal:<12}  {entry.article.id:>6}  {entry.article.title}")
        out.print(line, overflow="ellipsis", no_wrap=True)
        if diff and entry.diff:
            for changed in changed_lines(entry.diff):
                style = "red" if changed[0] == "-" else "green"
                out.print(Text(f"    {changed[0]} {changed[1:]}", style=style), overflow="fold")
