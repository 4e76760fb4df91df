"""`portalwatch parse FILE_OR_URL [...]`: pages to JSON, to check the parsers against live or saved pages.

One page prints its record as indented JSON (`--format json`); several print one JSON object a line
in the order given (`jsonl`), and a page that gives no record prints `{"error": ..., "source": ...}`
on its line while the batch goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from crawler.core.errors import EXIT_NOT_FOUND, ExitCode, ExtractionError, UserError
from crawler.core.identity import USER_AGENT
from crawler.core.normalize import DEFAULT_TIMEZONE, is_http_url
from crawler.core.records import ArticleRecord, ListingPage, NotFoundPage
from crawler.parsing import AUTO, SELECTOR_FIELDS, family_names, get_parser, parse_page_with_family

FETCH_TIMEOUT = 30.0
FORMATS = ("json", "jsonl")

EPILOG = f"""\
exit codes: 0 every page gave a record; {ExitCode.USAGE:d} bad input (missing, empty or binary file, failed
fetch, bad option); {ExitCode.NOT_EXTRACTED:d} a page could not be extracted (no title or body, no family
recognises it, impossible date); {EXIT_NOT_FOUND:d} the portal says the page does not exist (soft 404):
a not_found object is printed.
With several pages the batch goes on past a failing one (its line holds "error") and the exit code
is that of the first page that gave no record; stderr names every such page.
A page with no date at all is still a record, with published_at null."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    families = ", ".join([AUTO, *family_names()])
    parser = subparsers.add_parser(
        "parse", help="parse pages (files or URLs) and print their records as JSON",
        description="Parse portal pages and print each article record, listing page or not-found "
                    "answer as JSON.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="+", metavar="FILE_OR_URL",
                        help="saved HTML files, or http(s) URLs to fetch")
    parser.add_argument("--url", help="the URL a saved file was served at, with one FILE (default: the "
                                      "file's file:// URL; relative links then resolve against the page's "
                                      "canonical link)")
    parser.add_argument("--portal", default="unknown", help="portal id to put in the records")
    parser.add_argument("--cms", default=AUTO, type=str.lower,
                        help=f"parser family: {families} (default: {AUTO}: the page's own markers "
                             "decide, the generic extractor when no family claims it)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="json: indented (one page; several make a JSON array); jsonl: one object a "
                             "line (default: json for one page, jsonl for several)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE,
                        help=f"zone the portal prints its times in (default: {DEFAULT_TIMEZONE})")
    parser.add_argument("--selector", action="append", default=[], metavar="FIELD=CSS",
                        help="CSS override for one field, repeatable; fields: "
                             + ", ".join(sorted(SELECTOR_FIELDS)))
    parser.set_defaults(func=run)


@dataclass
class Outcome:
    """What one source gave: the JSON object to print and the exit code it stands for."""

    source: str
    data: dict[str, Any]
    exit_code: int
    message: str | None = None  # for stderr, when the source gave no record


def run(args: argparse.Namespace) -> int:
    selectors = _selectors(args.selector)
    if args.cms != AUTO:
        get_parser(args.cms)  # an unknown family is bad input for the whole batch (exit 2)
    if args.url and len(args.sources) > 1:
        raise UserError("--url names the address of one saved FILE; with several, give each page alone")
    fmt = args.format or ("json" if len(args.sources) == 1 else "jsonl")
    if len(args.sources) == 1 and fmt == "json":
        # One page: the record, or an error on stderr and its exit code (nothing on stdout).
        outcome = parse_source(args.sources[0], args, selectors, keep_errors=False)
        _write(_dump(outcome.data, indent=True))
        if outcome.message:
            print(f"portalwatch: {outcome.message}", file=sys.stderr)
        return outcome.exit_code
    outcomes: list[Outcome] = []
    for source in args.sources:
        outcome = parse_source(source, args, selectors, keep_errors=True)
        outcomes.append(outcome)
        if fmt == "jsonl":
            _write(_dump(outcome.data, indent=False))  # as it comes: a long batch shows progress
    if fmt == "json":
        _write(json.dumps([o.data for o in outcomes], ensure_ascii=False, indent=2) + "\n")
    failed = [o for o in outcomes if o.exit_code]
    for outcome in failed:
        print(f"portalwatch: {outcome.message}", file=sys.stderr)
    if failed:
        print(f"portalwatch: {len(failed)} of {len(outcomes)} pages gave no record: "
              + ", ".join(o.source for o in failed), file=sys.stderr)
    return failed[0].exit_code if failed else 0


def parse_source(source: str, args: argparse.Namespace, selectors: dict[str, str], *,
                 keep_errors: bool) -> Outcome:
    """One file or URL to its JSON object; input and extraction errors become an `error` object
    when `keep_errors` (a batch), else they propagate to the command's one-line error."""
    try:
        if is_http_url(source):
            html: str | bytes = fetch(source)
            url = args.url or source
        else:
            path = Path(source)
            html = read_file(path)
            url = args.url or path.resolve().as_uri()
        family, result = parse_page_with_family(html, url, portal=args.portal, cms=args.cms,
                                                selectors=selectors or None, timezone=args.timezone)
    except UserError as exc:
        if not keep_errors:
            raise
        kind = "extraction" if isinstance(exc, ExtractionError) else "input"
        return Outcome(source, {"source": source, "error": str(exc), "error_kind": kind},
                       exc.exit_code, f"{source}: {exc}" if source not in str(exc) else str(exc))
    return _outcome(source, family, result)


def _outcome(source: str, family: str, result: ArticleRecord | ListingPage | NotFoundPage) -> Outcome:
    if isinstance(result, NotFoundPage):
        data = {"kind": "not_found", "url": result.url, "message": result.message, "cms": family}
        return Outcome(source, data, int(EXIT_NOT_FOUND),
                       f"{result.url}: the portal says this page does not exist (soft 404): {result.message}")
    kind = "article" if isinstance(result, ArticleRecord) else "listing"
    return Outcome(source, {**result.to_dict(), "kind": kind, "cms": family}, 0)


def read_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not an HTML file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise UserError(f"{path}: the file is empty")
    if b"\x00" in data[:65536]:
        raise UserError(f"{path}: binary file (NUL bytes), not an HTML page")
    return data


def fetch(url: str) -> str | bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            data: bytes = response.read()
            charset = _charset(response.headers)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            # parse what the server sent: Liferay's own not-found page becomes a not_found answer
            return exc.read() or f"<div class='portlet-msg-error'>HTTP {exc.code}: not found</div>"
        raise UserError(f"could not fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise UserError(f"could not fetch {url}: {reason}") from None
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header: let the page's own meta charset decide
    return data


def _charset(headers: Message) -> str | None:
    return headers.get_content_charset()


def _selectors(items: list[str]) -> dict[str, str]:
    selectors: dict[str, str] = {}
    for item in items:
        name, sep, css = item.partition("=")
        if not sep or not name.strip() or not css.strip():
            raise UserError(f"--selector {item!r}: expected FIELD=CSS, e.g. title=h1.news-title")
        selectors[name.strip()] = css.strip()
    return selectors


def _dump(data: dict[str, Any], *, indent: bool) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2 if indent else None) + "\n"


def _write(text: str) -> None:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))  # UTF-8 whatever the locale says
        buffer.flush()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
