"""Driving a running SimulatedPortal by hand: one command line at a time, from stdin or over HTTP.

    publish [N]                      N new articles (default 1), newest first on the listing
    edit TARGET [NEW TITLE]          a real edit: the title (default: "... (đã sửa)") and a sentence
    delete TARGET [soft404|404|410]  the article is gone (default: Liferay's soft 404)
    restore SLUG                     a deleted article comes back
    fail PATTERN [STATUS] [TIMES]    matching requests fail: an HTTP status (default 500), timeout
                                     or reset; TIMES times (default: until `fail clear`)
    slow PATTERN SECONDS             matching requests answer late (0: no longer)
    family [NAME]                    serve every page in another CMS's markup from now on (a theme
                                     change): liferay, nukeviet, sharepoint, baochinhphu, hanoi,
                                     custom; without NAME: the current one
    list [N]                         the N newest articles online (default 10): position, slug, title
    help

TARGET is a position on the listing (0 = the newest article) or an article's slug. PATTERN is a
path, a glob (`/tin-tuc-su-kien*`) or `*` for every request.

`ControlServer` takes the same lines over HTTP: `curl -d 'edit 0' http://127.0.0.1:PORT/`.
"""

from __future__ import annotations

import shlex
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crawler.sim.portal import SimulatedPortal

HELP = __doc__.split("\n\n")[1].strip("\n") + "\n"
EDIT_SENTENCE = "Nội dung được cập nhật sau khi đăng."


class CommandError(ValueError):
    """A command line that cannot be carried out; its text says why."""


class Controller:
    """Carries out command lines on `portal`; each returns the line to answer."""

    def __init__(self, portal: SimulatedPortal) -> None:
        self.portal = portal

    def execute(self, line: str) -> str:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise CommandError(f"cannot read {line!r}: {exc}") from None
        if not words:
            return ""
        name, rest = words[0].lower(), words[1:]
        handler = getattr(self, f"_do_{name}", None)
        if handler is None:
            raise CommandError(f"unknown command {name!r}; try: help")
        try:
            return str(handler(rest))
        except (KeyError, IndexError) as exc:
            raise CommandError(f"{name}: no such article: {exc.args[0] if exc.args else ''}") from None
        except (TypeError, ValueError) as exc:
            raise CommandError(f"{name}: {exc}") from None

    # --- commands ----------------------------------------------------------------------------

    def _do_help(self, rest: list[str]) -> str:
        return HELP.rstrip("\n")

    def _do_publish(self, rest: list[str]) -> str:
        count = _number(rest[0], "N") if rest else 1
        slugs = self.portal.add_articles(count)
        return "published: " + ", ".join(slugs)

    def _do_edit(self, rest: list[str]) -> str:
        target = _target(rest, "edit TARGET [NEW TITLE]")
        old = self.portal.expected_article(target)
        title = " ".join(rest[1:]) or f"{old['title']} (đã sửa)"
        record = self.portal.edit_article(target, title=title, add_paragraph=EDIT_SENTENCE)
        return f"edited: {_slug(record)}: {record['title']}"

    def _do_delete(self, rest: list[str]) -> str:
        target = _target(rest, "delete TARGET [soft404|404|410]")
        slug = _slug(self.portal.expected_article(target))
        self.portal.remove_article(target, rest[1] if len(rest) > 1 else "soft404")
        return f"deleted: {slug}"

    def _do_restore(self, rest: list[str]) -> str:
        if len(rest) != 1:
            raise CommandError("usage: restore SLUG")
        self.portal.restore_article(rest[0])
        return f"restored: {rest[0]}"

    def _do_fail(self, rest: list[str]) -> str:
        if rest == ["clear"]:
            self.portal.clear_failures()
            return "failures cleared"
        if not rest or len(rest) > 3:
            raise CommandError("usage: fail PATTERN [STATUS|timeout|reset] [TIMES], or: fail clear")
        status: int | str = rest[1] if len(rest) > 1 else 500
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        times = _number(rest[2], "TIMES") if len(rest) > 2 else None
        self.portal.set_failure(rest[0], status, times)
        until = f", {times} time(s)" if times else ", until `fail clear`"
        return f"failing: {rest[0]} with {status}{until}"

    def _do_slow(self, rest: list[str]) -> str:
        if len(rest) != 2:
            raise CommandError("usage: slow PATTERN SECONDS")
        try:
            seconds = float(rest[1])
        except ValueError:
            raise CommandError(f"slow: {rest[1]!r} is not a number of seconds") from None
        self.portal.set_delay(rest[0], seconds)
        return f"slow: {rest[0]} answers {seconds:g}s late" if seconds > 0 else f"slow: {rest[0]} no longer"

    def _do_family(self, rest: list[str]) -> str:
        if not rest:
            return f"family: {self.portal.family}"
        if len(rest) != 1:
            raise CommandError("usage: family [NAME]")
        self.portal.set_family(rest[0])
        return f"family: {self.portal.family}; listing at {self.portal.start_url}"

    def _do_list(self, rest: list[str]) -> str:
        count = _number(rest[0], "N") if rest else 10
        articles = self.portal.expected_articles()[:count]
        return "\n".join(f"{i:>3}  {_slug(a)}  {a['title']}" for i, a in enumerate(articles))


def _number(text: str, name: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise CommandError(f"{name} must be a whole number of at least 1, not {text!r}")
    return int(text)


def _target(rest: list[str], usage: str) -> int | str:
    if not rest:
        raise CommandError(f"usage: {usage}")
    return int(rest[0]) if rest[0].isdigit() else rest[0]


def _slug(record: dict[str, Any]) -> str:
    return str(record["url"]).rstrip("/").rsplit("/", 1)[-1]


class ControlServer:
    """The same commands over HTTP on 127.0.0.1: POST a command line, get the answer (400 if bad);
    GET answers the help."""

    def __init__(self, controller: Controller, port: int = 0) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(200, HELP)

            def do_POST(self) -> None:
                line = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
                try:
                    self._answer(200, owner.controller.execute(line.strip()) + "\n")
                except CommandError as exc:
                    self._answer(400, f"error: {exc}\n")

            def _answer(self, status: int, text: str) -> None:
                body = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.controller = controller
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
