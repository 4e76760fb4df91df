"""`portalwatch parse FILE_OR_URL`: one page to JSON, to check a parser against a live or saved page."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

from crawler.core.errors import UserError
from crawler.core.identity import USER_AGENT
from crawler.core.normalize import DEFAULT_TIMEZONE, is_http_url
from crawler.core.records import NotFoundPage
from crawler.parsing import SELECTOR_FIELDS, parse_page

FETCH_TIMEOUT = 30.0
EXIT_NOT_FOUND = 4

EPILOG = f"""\
exit codes: 0 record printed; 2 bad input (missing, empty or binary file, failed fetch, bad option);
3 the page could not be extracted (no title or body, not a Liferay page, impossible date);
{EXIT_NOT_FOUND} the portal says the page does not exist (soft 404), a not_found object is printed.
A page with no date at all is still a record, with published_at null."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "parse", help="parse one page (file or URL) and print its record as JSON",
        description="Parse one portal page and print the article record, the listing page or the "
                    "not-found answer as JSON.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", metavar="FILE_OR_URL", help="saved HTML file, or an http(s) URL to fetch")
    parser.add_argument("--url", help="the URL a saved file was served at (default: the file's file:// URL; "
                                      "relative links then resolve against the page's canonical link)")
    parser.add_argument("--portal", default="unknown", help="portal id to put in the record")
    parser.add_argument("--cms", default="liferay", help="parser family (default: liferay)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE,
                        help=f"zone the portal prints its times in (default: {DEFAULT_TIMEZONE})")
    parser.add_argument("--selector", action="append", default=[], metavar="FIELD=CSS",
                        help="CSS override for one field, repeatable; fields: "
                             + ", ".join(sorted(SELECTOR_FIELDS)))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    selectors = _selectors(args.selector)
    if is_http_url(args.source):
        html: str | bytes = fetch(args.source)
        url = args.url or args.source
    else:
        path = Path(args.source)
        html = read_file(path)
        url = args.url or path.resolve().as_uri()
    result = parse_page(html, url, portal=args.portal, cms=args.cms, selectors=selectors or None,
                        timezone=args.timezone)
    if isinstance(result, NotFoundPage):
        _print_json({"kind": "not_found", "url": result.url, "message": result.message})
        print(f"portalwatch: {result.url}: the portal says this page does not exist (soft 404): "
              f"{result.message}", file=sys.stderr)
        return EXIT_NOT_FOUND
    _print_json(result.to_dict())
    return 0


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


def _print_json(data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))  # UTF-8 whatever the locale says
        buffer.flush()
    else:
        sys.stdout.write(text)
