"""`portalwatch items`, `show`, `export` and `feed`: read what the crawler stored.

All four go through `storage.query`, so that the filters and the search mean the same thing
here, in alerts and in any later API.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

from crawler.cli.common import check_portal_ids, note, open_for_reading, settings
from crawler.core.durations import is_duration, parse_duration
from crawler.core.errors import NotFound, UserError
from crawler.core.normalize import DEFAULT_TIMEZONE, find_datetime

if TYPE_CHECKING:  # imported when a command runs: `portalwatch --help` needs none of them
    from storage import query
    from storage.db import Database
    from storage.query import ArticleFilter, ArticleRow

LOCAL = ZoneInfo(DEFAULT_TIMEZONE)  # dates typed without a zone are Vietnam time, like the portals'
DATE_FORMS = ("2019-03-11, 11/03/2019, 2019-03-11T08:00, a time ago (30m, 24h, 7d, 2w, 1h30m), "
              "today or yesterday")
_HAS_TIME = re.compile(r"\d[:h]\d")


def parse_when(text: str, option: str, *, until: bool = False, now: datetime | None = None) -> datetime:
    """A date option as an aware datetime. With `until`, a bare day means up to the end of that day."""
    now = now or datetime.now(UTC)
    value = text.strip().lower()
    day: datetime | None = None
    if is_duration(value):
        return now - parse_duration(value, what=option, allow_zero=True)
    try:
        if value in ("today", "yesterday"):
            local = now.astimezone(LOCAL)
            day = datetime(local.year, local.month, local.day, tzinfo=LOCAL)
            day -= timedelta(days=value == "yesterday")
        elif (found := find_datetime(value, LOCAL)) and found[1] == value:
            # a day-first date as the portals print it (the same reading as the parsers')
            moment, printed = found
            if _HAS_TIME.search(printed):
                return moment + timedelta(microseconds=1) if until else moment
            day = moment
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = datetime.fromisoformat(value).replace(tzinfo=LOCAL)
        elif re.match(r"\d{4}-\d{2}-\d{2}[t ]\d", value):
            moment = datetime.fromisoformat(text.strip())
            moment = moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)
            return moment + timedelta(microseconds=1) if until else moment
    except ValueError as exc:
        raise UserError(f"{option}: {text!r} is not a valid date ({exc}); use {DATE_FORMS}") from None
    if day is None:
        raise UserError(f"{option}: cannot read {text!r} as a date; use {DATE_FORMS}")
    return day + timedelta(days=1) if until else day


# --- options ----------------------------------------------------------------------------------

def add_filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (combined with AND)")
    group.add_argument("--portal", action="append", default=[], metavar="ID",
                       help="only this portal (repeat for several)")
    group.add_argument("--since", metavar="DATE", help=f"published on or after DATE ({DATE_FORMS})")
    group.add_argument("--until", metavar="DATE", help="published up to DATE (a bare day: to its end)")
    group.add_argument("--changed-since", metavar="DATE",
                       help="edited, removed or restored since DATE; with --event: had that event since DATE")
    group.add_argument("--changed-until", metavar="DATE",
                       help="edited, removed or restored up to DATE; with --event: had that event up to DATE")
    group.add_argument("--seen-since", metavar="DATE", help="first stored by portalwatch on or after DATE")
    group.add_argument("--seen-until", metavar="DATE", help="first stored by portalwatch up to DATE")
    group.add_argument("--event", action="append", default=[],
                       choices=["new", "changed", "removed", "restored"],
                       help="had such an event (repeatable); a portal's first crawl is a baseline, not new")
    group.add_argument("--status", choices=["active", "removed", "all"], default=None,
                       help="online (default), removed, or all (default with --event/--changed-since)")
    group.add_argument("--category", help="category words, any case, diacritics optional")
    group.add_argument("--author", help="author words, any case, diacritics optional")
    group.add_argument("--search", metavar="TEXT",
                       help='words (all required) and "quoted phrases"; case and diacritics ignored: '
                            '"dai tuong" finds "Đại tướng"')
    group.add_argument("--sort", choices=["published", "first_seen", "relevance"],
                       help="newest published first (default), newest seen first, or best match "
                            "(default with --search)")


def build_filter(args: argparse.Namespace, *, default_status: query.Status | None = None) -> ArticleFilter:
    from storage.query import ArticleFilter

    def when(option: str, *, until: bool = False) -> datetime | None:
        text = getattr(args, option.lstrip("-").replace("-", "_"))
        return parse_when(text, option, until=until) if text else None

    changed_since, changed_until = when("--changed-since"), when("--changed-until", until=True)
    events = tuple(dict.fromkeys(args.event))
    return ArticleFilter(
        portals=tuple(args.portal),
        published_since=when("--since"),
        published_until=when("--until", until=True),
        first_seen_since=when("--seen-since"),
        first_seen_until=when("--seen-until", until=True),
        changed_since=None if events else changed_since,
        changed_until=None if events else changed_until,
        events=events,
        events_since=changed_since if events else None,
        events_until=changed_until if events else None,
        category=args.category, author=args.author,
        status=args.status or default_status,
        search=args.search, sort=args.sort,
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    items = subparsers.add_parser("items", help="list or search stored articles, newest first",
                                  description="List or search stored articles, newest first.")
    add_filter_options(items)
    items.add_argument("--limit", type=int, default=50, help="articles per page (default 50)")
    items.add_argument("--cursor", help="the next page: the cursor a previous page printed")
    items.add_argument("--format", choices=["table", "json", "jsonl", "csv"], default="table")
    items.add_argument("--fields", metavar="A,B,C", help="only these fields, in this order")
    items.add_argument("--bom", action="store_true",
                       help="CSV for Excel: a UTF-8 BOM, and cells Excel would run as formulas "
                            "prefixed with '")
    items.set_defaults(func=cmd_items)

    show = subparsers.add_parser("show", help="one stored article, its versions and their diffs")
    show.add_argument("article", metavar="URL_OR_ID")
    show.add_argument("--versions", action="store_true", help="list every version and event")
    show.add_argument("--diff", action="store_true", help="show what each version changed")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(func=cmd_show)

    export = subparsers.add_parser("export", help="stream stored articles to JSON lines or CSV",
                                   description="Stream stored articles (all, removed included, unless "
                                               "filtered) to JSON lines or CSV.")
    export.add_argument("--format", choices=["jsonl", "csv", "json"], default="jsonl")
    add_filter_options(export)
    export.add_argument("--output", metavar="FILE",
                        help="write FILE (complete or not at all) instead of stdout")
    export.add_argument("--fields", metavar="A,B,C", help="only these fields, in this order")
    export.add_argument("--bom", action="store_true", help="CSV for Excel (see items --bom)")
    export.set_defaults(func=cmd_export)

    feed = subparsers.add_parser("feed", help="an Atom feed of new and changed articles")
    feed.add_argument("--portal", action="append", default=[], metavar="ID",
                      help="only this portal (repeatable)")
    feed.add_argument("--search", metavar="TEXT",
                      help="only articles matching this search (as items --search)")
    feed.add_argument("--rule", metavar="NAME",
                      help="what the alert rule NAME reports: its portals, events and filters "
                           "(a saved search; see `alerts add`)")
    feed.add_argument("--output", metavar="FILE", help="write FILE instead of stdout")
    feed.add_argument("--limit", type=int, default=50, help="entries (default 50)")
    feed.set_defaults(func=cmd_feed)


# --- commands ---------------------------------------------------------------------------------

def cmd_items(args: argparse.Namespace) -> int:
    filters = build_filter(args)
    if args.limit < 1:
        raise UserError(f"--limit must be at least 1, not {args.limit}")
    from crawler.cli.output import parse_fields, write_table
    from storage import query

    fields = parse_fields(args.fields, searching=bool(args.search))
    db = open_for_reading(args)
    try:
        check_portal_ids(args, filters.portals, db)
        page = query.search_articles(db, filters, limit=args.limit, cursor=args.cursor)
    finally:
        db.dispose()
    with _quiet_broken_pipe():
        if args.format == "table":
            if not page.rows:
                note("no articles match")
            else:
                write_table(page.rows, sys.stdout, fields)
        else:
            _write_rows(args.format, iter(page.rows), sys.stdout, fields, bom=args.bom)
        sys.stdout.flush()
    if page.next_cursor:
        note(f"more: add --cursor {page.next_cursor}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from crawler.cli.output import render_article
    from storage import query

    db = open_for_reading(args)
    try:
        row = query.get_article(db, args.article)
        if row is None:
            raise NotFound(f"no stored article with id or URL {args.article!r}")
        wants_history = args.versions or args.diff
        versions = query.article_versions(db, row.id) if wants_history else []
        events = query.article_events(db, row.id) if wants_history else []
    finally:
        db.dispose()
    with _quiet_broken_pipe():
        if args.format == "json":
            data = row.to_dict()
            if wants_history:
                data["versions"] = [
                    {"version": v.version, "created_at": v.created_at.isoformat(),
                     "content_hash": v.content_hash, "changed_fields": v.changed_fields,
                     **({"record": v.record.to_dict()} if args.versions else {}),
                     **({"diff": v.diff} if args.diff else {})}
                    for v in versions
                ]
                data["events"] = [{"kind": e.kind, "occurred_at": e.occurred_at.isoformat(),
                                   "version": e.version, "baseline": e.baseline} for e in events]
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            print(render_article(row, versions, events, versions_wanted=args.versions, diff_wanted=args.diff,
                                 color=_color(sys.stdout)))
        sys.stdout.flush()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    filters = build_filter(args, default_status="all")
    from crawler.cli.output import parse_fields
    from storage import query

    fields = parse_fields(args.fields, searching=bool(args.search))
    db = open_for_reading(args)
    try:
        check_portal_ids(args, filters.portals, db)
        quiet = settings.quiet
        progress = Progress(None if quiet else query.count_articles(db, filters), quiet=quiet)
        with _output(args.output) as out, _quiet_broken_pipe() as pipe:
            _write_rows(args.format, progress.watch(query.iter_articles(db, filters)), out, fields,
                        bom=args.bom)
            out.flush()
    finally:
        db.dispose()
    if not pipe.broken:
        note(f"exported {progress.count:,} articles{f' to {args.output}' if args.output else ''}")
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UserError(f"--limit must be at least 1, not {args.limit}")
    if args.rule and (args.portal or args.search):
        raise UserError("--rule takes its portals and its search from the rule: "
                        "leave out --portal and --search")
    from storage.atom import search_feed, write_atom

    db = open_for_reading(args)
    try:
        check_portal_ids(args, args.portal, db)
        if args.rule:
            entries, feed_id, title = _rule_feed(db, args.rule, args.limit)
        else:
            entries, feed_id, title = search_feed(db, args.portal, args.search, limit=args.limit)
    finally:
        db.dispose()
    with _output(args.output) as out, _quiet_broken_pipe():
        write_atom(entries, out, feed_id=feed_id, title=title)
    if not entries:
        note("the feed is empty: " + ("nothing matches" if args.search or args.rule else "no events yet")
             + "; a portal's first crawl is its baseline: stored, never reported as news")
    return 0


def _rule_feed(db: Database, name: str, limit: int) -> tuple[list[query.FeedEntry], str, str]:
    """The events an alert rule reports, decided by the rule's own test, as alerts are."""
    from crawler.alerts.rules import get_rule, rule_accepts  # imports Apprise: only when asked for
    from storage import query
    from storage.query import ArticleFilter

    with db.session() as session:
        rule = get_rule(session, name)
        filters = ArticleFilter(portals=tuple(rule.portal_ids), search=rule.match_text, status="all",
                                sort="published")
        entries = query.feed_entries(
            session, filters, limit=limit, kinds=tuple(rule.event_kinds),
            keep=lambda entry: rule_accepts(rule, entry.event.kind, entry.article.portal, entry.article))
        return entries, f"urn:portalwatch:feed:rule:{quote(rule.name)}", f"portalwatch: {rule.name}"


# --- plumbing ---------------------------------------------------------------------------------

def _write_rows(fmt: str, rows: Iterator[ArticleRow], out: TextIO, fields: list[str] | None, *,
                bom: bool) -> int:
    from crawler.cli.output import write_csv, write_json, write_jsonl

    if fmt == "json":
        return write_json(rows, out, fields)
    if fmt == "jsonl":
        return write_jsonl(rows, out, fields)
    return write_csv(rows, out, fields, excel=bom)


class Progress:
    """Counts rows as they pass and says on stderr how far along the export is, once a second."""

    def __init__(self, total: int | None, *, quiet: bool) -> None:
        self.total, self.quiet, self.count = total, quiet, 0

    def watch(self, rows: Iterator[ArticleRow]) -> Iterator[ArticleRow]:
        started = last = time.monotonic()
        tty = sys.stderr.isatty()
        for row in rows:
            yield row
            self.count += 1
            now = time.monotonic()
            if not self.quiet and now - last >= 1.0:
                last = now
                share = f" / {self.total:,} ({self.count * 100 // max(self.total, 1)}%)" if self.total else ""
                line = f"exported {self.count:,}{share}, {self.count / (now - started):,.0f}/s"
                print("\r" + line if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
        if tty and not self.quiet and last != started:
            print(file=sys.stderr)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """stdout, or FILE written beside itself and renamed at the end: never a half-written FILE."""
    if not path:
        yield sys.stdout
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise UserError(f"--output: folder does not exist: {target.parent}")
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


class _Pipe:
    broken = False


@contextlib.contextmanager
def _quiet_broken_pipe() -> Iterator[_Pipe]:
    """`portalwatch items | head` closes the pipe early: stop quietly, not with a traceback."""
    pipe = _Pipe()
    try:
        yield pipe
    except BrokenPipeError:
        pipe.broken = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the final flush at exit does not fail too


def _color(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")
