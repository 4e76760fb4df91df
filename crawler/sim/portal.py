"""A simulated provincial portal served over HTTP on 127.0.0.1: Liferay 6.2 by default, or another
CMS family's markup (`family=`: crawler/sim/skins), switchable mid-life (`set_family`).

Used by `portalwatch demo`, the spider, change-detection and scheduler tests and the benchmarks. It
serves a realistic portal and nothing else: it never knows who is crawling it. Tests drive it
through mutations (edits, noise, removals, new articles, failures, delays) and compare what the
crawler stored with `expected_articles()`.

    with SimulatedPortal(articles=30) as portal:
        crawl(portal.start_url)
        portal.edit_article(0, title="...")

Standalone: `python -m crawler.sim.portal --articles 30 --port 8080 [--family nukeviet]` prints the
start URL and serves until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import signal
import socket
import struct
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from fnmatch import fnmatchcase
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from crawler.core.normalize import clean_text
from crawler.sim import pages
from crawler.sim.skins import Skin, UnknownArticle, get_skin, skin_names

DEFAULT_ROBOTS_DISALLOW = ("/c/", "/web/guest/search")
_LOGGED_HEADERS = ("user-agent", "accept", "accept-encoding", "accept-language", "if-none-match",
                   "if-modified-since", "referer", "cookie", "connection")
_REMOVE_MODES = {"soft404": 200, "404": 404, "410": 410}
_TOKEN_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"

Pattern = str | re.Pattern[str]


class LoggedRequest(NamedTuple):
    method: str
    path: str  # path with query, as requested
    status: int | str  # HTTP status, or "timeout" / "reset"
    headers: dict[str, str]  # lower-cased names, only those in _LOGGED_HEADERS that were sent


@dataclass
class _Failure:
    pattern: Pattern
    status: int | str
    times: int | None
    retry_after: int | None


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "text/html;charset=UTF-8"
    etag: str | None = None
    last_modified: datetime | None = None
    extra: list[tuple[str, str]] = field(default_factory=list)


class SimulatedPortal:
    """A deterministic portal: `articles` news items, `per_page` a listing page, by `seed`, in the
    markup of `family` (liferay, nukeviet, sharepoint, baochinhphu, hanoi, custom:
    crawler/sim/skins).

    The server is bound and serving when the constructor returns. All methods are thread-safe and
    may be called while requests are served; every page reflects the state at the time it is served.
    """

    def __init__(
        self,
        articles: int = 30,
        per_page: int = 10,
        seed: int = 0,
        *,
        validators: bool = True,
        noisy: bool = False,
        robots_disallow: Sequence[str] = DEFAULT_ROBOTS_DISALLOW,
        instance_id: str = "Hq7Zr2Pw5KxA",
        host: str = "127.0.0.1",
        port: int = 0,
        hang_seconds: float = 300.0,
        serve: bool = True,
        family: str = "liferay",
    ) -> None:
        self.skin: Skin = get_skin(family)
        self.per_page = per_page
        self.seed = seed
        self.validators = validators  # send ETag/Last-Modified and honour conditional requests
        self.noisy = noisy  # every request moves the counters and the token, as a live portal does
        self.robots_disallow = list(robots_disallow)
        self.instance_id = instance_id
        self.hang_seconds = hang_seconds
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._articles: list[pages.SimArticle] = []  # newest first, removed ones included
        self._by_slug: dict[str, pages.SimArticle] = {}
        self._live: list[pages.SimArticle] = []
        self._position: dict[str, int] = {}
        self._used_slugs: set[str] = set()
        self._site_noise = 0
        self._failures: list[_Failure] = []
        self._delays: list[tuple[Pattern, float]] = []
        self._log: list[LoggedRequest] = []
        self._cache: OrderedDict[tuple[Any, ...], _Response] = OrderedDict()
        published = pages.BASE_DATE
        for uid in range(articles):
            art = pages.make_article(uid, seed, published, self._used_slugs)
            self._articles.append(art)
            published -= timedelta(minutes=pages.gap_minutes(seed, uid))
        self._next_uid = articles
        self._by_slug = {a.slug: a for a in self._articles}
        self._clock = max((a.edited_at for a in self._articles), default=pages.BASE_DATE).astimezone(UTC)
        self._structure_changed_at = self._clock
        self._relist()

        self.handler_class = type("_BoundHandler", (_Handler,), {"portal": self})
        if not serve:  # `serve=False`: a SimulatedFleet (crawler/sim/fleet.py) owns the socket at `port`
            self._server = None
            self.base_url = f"http://{host}:{port}"
            return
        self._server = _Server((host, port), self.handler_class)  # bound: ready before the thread starts
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        # A short poll interval: stop() returns within 50 ms (tests start many portals).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="simportal",
                                        daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ lifecycle

    @property
    def start_url(self) -> str:
        """The news listing of the current family."""
        return self.base_url + self.skin.listing_path

    @property
    def home_url(self) -> str:
        return self.base_url + "/"

    @property
    def family(self) -> str:
        return self.skin.name

    @property
    def feed_url(self) -> str | None:
        return self.base_url + self.skin.feed_path if self.skin.feed_path else None

    def set_family(self, family: str) -> None:
        """Serve every page in another family's markup from now on (a theme change, or a move to
        another CMS). Every family's URLs keep answering, in the new markup."""
        skin = get_skin(family)
        with self._lock:
            self.skin = skin
            self._structure_changed()

    def __enter__(self) -> SimulatedPortal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving; requests hanging on a "timeout" failure or a delay are released."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def serve_until_stopped(self) -> None:
        if self._server is None:
            raise RuntimeError("this portal is served by its fleet: SimulatedFleet.serve_until_stopped()")
        while self._thread.is_alive():
            self._thread.join(0.5)  # a timed join so that Ctrl-C is seen promptly

    # ------------------------------------------------------------ what tests compare with

    def article_path(self, slug: str) -> str:
        with self._lock:
            art = self._by_slug.get(slug)
            return self.skin.article_path(self.instance_id, art or UnknownArticle(slug))

    def article_url(self, slug: str) -> str:
        return self.base_url + self.article_path(slug)

    def listing_url(self, page: int = 1) -> str:
        with self._lock:
            return self.start_url if page == 1 else self.skin.pager_url(self._site(), page, self.per_page)

    @property
    def page_count(self) -> int:
        with self._lock:
            return max(1, math.ceil(len(self._live) / self.per_page))

    def expected_articles(self, include_removed: bool = False) -> list[dict[str, Any]]:
        """What a correct parser extracts from each article page, newest first (the listing order)."""
        with self._lock:
            arts = self._articles if include_removed else self._live
            return [self.skin.expected_record(self.base_url, self.instance_id, a) for a in arts]

    def expected_article(self, index_or_slug: int | str) -> dict[str, Any]:
        with self._lock:
            return self.skin.expected_record(self.base_url, self.instance_id, self._find(index_or_slug))

    def expected_listing(self) -> list[dict[str, Any]]:
        """Each listing page as a listing parser should read it (the shared fixtures' form)."""
        with self._lock:
            site, out, count = self._site(), [], self.page_count
            for n in range(1, count + 1):
                items = self._live[(n - 1) * self.per_page: n * self.per_page]
                out.append({
                    "url": self.listing_url(n),
                    "article_urls": [self.article_url(a.slug) for a in items],
                    "published": [self.skin.listed_text(a) for a in items],
                    "next_page": self.skin.pager_url(site, n + 1, self.per_page) if n < count else None,
                })
            return out

    # ------------------------------------------------------------ mutations

    def edit_article(
        self,
        index_or_slug: int | str,
        title: str | None = None,
        paragraph_replacements: Mapping[int | str, str] | None = None,
        caption_fix: str | tuple[int, str] | None = None,
        add_paragraph: str | None = None,
        add_attachment: str | tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """A real edit; returns the new expected article.

        `index_or_slug`: a slug, or a position in the current listing (0 = newest).
        `paragraph_replacements`: {body index (0 = lead): new text} or {old substring: new substring}.
        `caption_fix`: a new caption for the first captioned image, or (image index, caption).
        `add_attachment`: a title (a PDF path is made up) or (href, title).
        """
        with self._lock:
            art = self._find(index_or_slug)
            if title is not None:
                art.title = clean_text(title)
            for key, new in (paragraph_replacements or {}).items():
                if isinstance(key, int):
                    art.paragraphs[key] = clean_text(new)
                    continue
                hits = [i for i, p in enumerate(art.paragraphs) if key in p]
                if not hits:
                    raise KeyError(f"{key!r} is in no paragraph of {art.slug}")
                for i in hits:
                    art.paragraphs[i] = clean_text(art.paragraphs[i].replace(key, new))
            if caption_fix is not None:
                if isinstance(caption_fix, tuple):
                    figure = art.figures[caption_fix[0]]
                    caption = caption_fix[1]
                else:
                    captioned = [f for f in art.figures if f.caption]
                    if not captioned:
                        raise ValueError(f"{art.slug} has no captioned image")
                    figure, caption = captioned[0], caption_fix
                figure.caption = clean_text(caption)
            if add_paragraph is not None:
                art.paragraphs.append(clean_text(add_paragraph))
            if add_attachment is not None:
                if isinstance(add_attachment, str):
                    name = pages.liferay_slug(add_attachment).strip("-").replace("-", "+")
                    add_attachment = (f"/documents/10181/{art.folder}/{name}.pdf", add_attachment)
                art.attachments.append((add_attachment[0], clean_text(add_attachment[1])))
            art.edited_at = self._tick()
            self._changed()
            return self.skin.expected_record(self.base_url, self.instance_id, art)

    def noise_only(self, index_or_slug: int | str) -> None:
        """Change the article page's bytes but nothing a reader reads: view count, token, "Tin khác"."""
        with self._lock:
            art = self._find(index_or_slug)
            art.noise += 1
            art.views += 3 + (art.uid * 7 + art.noise * 13) % 40
            self._changed()

    def bump_noise(self) -> None:
        """Move the site-wide noise once: visit counter, every view count, the p_auth token."""
        with self._lock:
            self._site_noise += 1
            self._changed()

    def remove_article(self, index_or_slug: int | str, mode: str = "soft404") -> None:
        """soft404: HTTP 200 with Liferay's not-found message, as Liferay does; "404", "410": that status."""
        if mode not in _REMOVE_MODES:
            raise ValueError(f"mode must be one of {sorted(_REMOVE_MODES)}, not {mode!r}")
        with self._lock:
            self._find(index_or_slug).removed = mode
            self._structure_changed()

    def restore_article(self, slug: str) -> None:
        with self._lock:
            self._find(slug).removed = None
            self._structure_changed()

    def add_articles(self, n: int = 1) -> list[str]:
        """Publish `n` new articles, newer than any other; returns their slugs, newest first."""
        with self._lock:
            new: list[pages.SimArticle] = []
            published = self._articles[0].published if self._articles else pages.BASE_DATE
            for _ in range(n):
                uid = self._next_uid
                self._next_uid += 1
                published += timedelta(minutes=pages.gap_minutes(self.seed, uid))
                new.append(pages.make_article(uid, self.seed, published, self._used_slugs))
            new.reverse()
            self._articles[:0] = new
            self._by_slug.update((a.slug, a) for a in new)
            self._structure_changed()
            return [a.slug for a in new]

    def set_failure(self, path_or_pattern: Pattern, status: int | str = 500, times: int | None = None,
                    retry_after: int | None = None) -> None:
        """Fail matching requests `times` times (None: until cleared).

        `status`: an HTTP status, "timeout" (the response never comes; released by `stop()`) or
        "reset" (the connection is reset). A pattern is a path, a path with query, an absolute URL
        of this portal, a glob (`/tin-tuc-su-kien/-/*`) or a compiled regex searched in the path.
        """
        if isinstance(status, str) and status not in ("timeout", "reset"):
            raise ValueError(f"status must be an HTTP status, 'timeout' or 'reset', not {status!r}")
        with self._lock:
            self._failures.append(_Failure(self._pattern(path_or_pattern), status, times, retry_after))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def set_delay(self, path_pattern: Pattern, seconds: float) -> None:
        """Answer matching requests `seconds` late (0 removes the delay for that pattern)."""
        with self._lock:
            pattern = self._pattern(path_pattern)
            self._delays = [(p, s) for p, s in self._delays if p != pattern]
            if seconds > 0:
                self._delays.append((pattern, seconds))

    # ------------------------------------------------------------ request log

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def request_count(self, path_prefix: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self._log if path_prefix is None or r.path.startswith(path_prefix))

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    # ------------------------------------------------------------ state helpers

    def _find(self, index_or_slug: int | str) -> pages.SimArticle:
        if isinstance(index_or_slug, int):
            return self._live[index_or_slug]
        try:
            return self._by_slug[index_or_slug]
        except KeyError:
            raise KeyError(f"no article with slug {index_or_slug!r}") from None

    def _tick(self) -> datetime:
        """Now, but strictly after the previous tick: two edits in one second still get distinct
        Last-Modified values, so If-Modified-Since never hides an edit."""
        now = datetime.now(UTC).replace(microsecond=0)
        self._clock = max(now, self._clock + timedelta(seconds=1))
        return self._clock

    def _changed(self) -> None:
        self._cache.clear()

    def _relist(self) -> None:
        self._live = [a for a in self._articles if a.removed is None]
        self._position = {a.slug: i for i, a in enumerate(self._live)}

    def _structure_changed(self) -> None:
        self._relist()
        self._structure_changed_at = self._tick()
        self._changed()

    def _pattern(self, pattern: Pattern) -> Pattern:
        if isinstance(pattern, str) and pattern.startswith(self.base_url):
            return pattern[len(self.base_url):] or "/"
        return pattern

    def _site(self) -> pages.Site:
        digest = hashlib.blake2b(f"{self.seed}:{self._site_noise}".encode(), digest_size=8).digest()
        token = "".join(_TOKEN_CHARS[b % len(_TOKEN_CHARS)] for b in digest)
        return pages.Site(self.base_url, self.instance_id, token, 8_765_432 + self._site_noise * 37)

    def _views(self, art: pages.SimArticle) -> int:
        return art.views + self._site_noise * (1 + art.uid % 7)

    # ------------------------------------------------------------ serving

    def _plan(self, path: str) -> tuple[_Failure | None, float]:
        with self._lock:
            delay = next((s for p, s in self._delays if _matches(p, path)), 0.0)
            for rule in self._failures:
                if _matches(rule.pattern, path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._failures.remove(rule)
                    return rule, delay
            return None, delay

    def _record(self, method: str, path: str, status: int | str, headers: dict[str, str]) -> None:
        with self._lock:
            self._log.append(LoggedRequest(method, path, status, headers))

    def _render(self, path: str, form: Mapping[str, list[str]] | None = None) -> _Response:
        """The page at `path`; `form`, the fields of a POSTed form (a "see more" API reads them as
        it reads a query)."""
        url = urlsplit(path)
        route = url.path.rstrip("/") or "/"
        if route == "/robots.txt":
            text = "User-agent: *\n" + "".join(f"Disallow: {d}\n" for d in self.robots_disallow)
            return _Response(200, text.encode(), "text/plain;charset=UTF-8")
        if self.noisy:
            self._site_noise += 1
            self._changed()
        if route == "/":
            return self._home()
        # The current family's URLs first, then every other's (their pages in the current markup):
        # a portal that changed theme or CMS keeps answering its old links.
        skins = [self.skin] + [get_skin(name) for name in skin_names() if name != self.skin.name]
        query = {**parse_qs(url.query), **(form or {})}
        for skin in skins:
            if skin.is_feed(route):
                return self._feed()
            listing = skin.listing_page(route, query, self.instance_id, self.per_page)
            if listing is not None:
                return self._listing(*listing, clamp=skin.clamps_past_end)
            slug = skin.article_slug(route, self.instance_id)
            if slug is not None:
                return self._article(slug)
        return _Response(404, self.skin.render_not_found(self._site()).encode())

    def _home(self) -> _Response:
        key = ("home",)
        if key not in self._cache:
            html = self.skin.render_home(self._site(), self._live[:5])
            changed = self._structure_changed_at
            self._cache[key] = _validated(_Response(200, html.encode(), last_modified=changed))
        return self._cached(key)

    def _feed(self) -> _Response:
        key = ("feed",)
        if key not in self._cache:
            text = self.skin.render_feed(self._site(), self._live[:20])
            self._cache[key] = _validated(_Response(200, text.encode(), "application/rss+xml; charset=UTF-8",
                                                    last_modified=self._structure_changed_at))
        return self._cached(key)

    def _listing(self, page: int, delta: int, *, clamp: bool = True) -> _Response:
        delta = min(max(delta, 1), 100)
        count = max(1, math.ceil(len(self._live) / delta))
        page = min(max(page, 1), count) if clamp else max(page, 1)  # Liferay clamps a cur past the end
        key = ("listing", page, delta)
        if key not in self._cache:
            items = self._live[(page - 1) * delta: page * delta]
            shown = [(a, self._views(a)) for a in items]
            html = self.skin.render_listing(self._site(), shown, page, count, delta)
            modified = max([a.edited_at for a in items] + [self._structure_changed_at])
            self._cache[key] = _validated(_Response(200, html.encode(), last_modified=modified))
        return self._cached(key)

    def _article(self, slug: str) -> _Response:
        art = self._by_slug.get(slug)
        if art is None or art.removed is not None:
            status = _REMOVE_MODES[art.removed] if art and art.removed else 200  # unknown slug: soft 404
            return _Response(status, self.skin.render_not_found(self._site()).encode())
        if self.noisy:
            art.views += 1
        key = ("article", slug)
        if key not in self._cache:
            pos, live = self._position[slug], self._live
            start = pos + 1 + (art.noise * 3 + self._site_noise) % 7
            others = [live[(start + k) % len(live)] for k in range(min(6, len(live)))]
            others = [o for o in others if o is not art][:5]
            site = pages.Site(self.base_url, self.instance_id, self._token_for(art), self._site().visits)
            html = self.skin.render_article(site, art, self._views(art), others)
            self._cache[key] = _validated(_Response(200, html.encode(), last_modified=art.edited_at))
        return self._cached(key)

    def _token_for(self, art: pages.SimArticle) -> str:
        if not art.noise:
            return self._site().token
        digest = hashlib.blake2b(f"{self.seed}:{self._site_noise}:{art.uid}:{art.noise}".encode(),
                                 digest_size=8).digest()
        return "".join(_TOKEN_CHARS[b % len(_TOKEN_CHARS)] for b in digest)

    def _cached(self, key: tuple[Any, ...]) -> _Response:
        self._cache.move_to_end(key)
        while len(self._cache) > 512:  # 10,000 article pages would not fit comfortably in memory
            self._cache.popitem(last=False)
        return self._cache[key]

    def _respond(self, method: str, path: str, headers: Mapping[str, str],
                 form: Mapping[str, list[str]] | None = None) -> _Response:
        with self._lock:
            response = self._render(path, form)
        if not (self.validators and response.etag and response.status == 200):
            return _Response(response.status, response.body, response.content_type, extra=response.extra)
        if _not_modified(response, headers.get("if-none-match"), headers.get("if-modified-since")):
            return _Response(304, b"", response.content_type, response.etag, response.last_modified)
        return response


def _validated(response: _Response) -> _Response:
    response.etag = '"' + hashlib.blake2b(response.body, digest_size=12).hexdigest() + '"'
    return response


def _not_modified(response: _Response, if_none_match: str | None, if_modified_since: str | None) -> bool:
    if if_none_match is not None:  # RFC 9110: If-None-Match wins; If-Modified-Since is then ignored
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or response.etag in tags
    if if_modified_since and response.last_modified:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return response.last_modified <= since
    return False


def _matches(pattern: Pattern, path: str) -> bool:
    if isinstance(pattern, re.Pattern):
        return bool(pattern.search(path))
    bare = path.split("?", 1)[0]
    return pattern in (path, bare) or fnmatchcase(path, pattern) or fnmatchcase(bare, pattern)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up (timeouts, resets) are part of the simulation, not server errors.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    portal: SimulatedPortal
    protocol_version = "HTTP/1.1"  # keep-alive, as crawlers expect of a real server
    server_version = "Apache-Coyote/1.1"
    timeout = 60  # idle keep-alive connections do not hold a thread forever

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the portal keeps its own request log

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        """A form POSTed by a "see more" button (Hà Nội's API); any other body is ignored."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        urlencoded = (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded")
        self._serve(head=False, form=parse_qs(body.decode("utf-8", "replace")) if urlencoded else {})

    def _serve(self, head: bool, form: Mapping[str, list[str]] | None = None) -> None:
        portal, path = self.portal, self.path
        headers = {k: v for k in _LOGGED_HEADERS if (v := self.headers.get(k)) is not None}
        failure, delay = portal._plan(path)
        if delay:
            portal._stopping.wait(delay)
        if failure is not None and failure.status == "timeout":
            portal._record(self.command, path, "timeout", headers)
            portal._stopping.wait(portal.hang_seconds)
            self.close_connection = True
            return
        if failure is not None and failure.status == "reset":
            portal._record(self.command, path, "reset", headers)
            # Linger 0 makes close() send RST instead of FIN: the client sees a reset, not an EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if failure is not None:
            status = int(failure.status)
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = "Error"
            response = _Response(status, pages.render_error(status, reason).encode())
            if failure.retry_after is not None:
                response.extra.append(("Retry-After", str(failure.retry_after)))
        else:
            response = portal._respond(self.command, path, headers, form)
        portal._record(self.command, path, response.status, headers)
        self._write(response, head)

    def _write(self, response: _Response, head: bool) -> None:
        self.send_response(response.status)
        for name, value in self.portal.skin.headers:
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        if response.etag:
            self.send_header("ETag", response.etag)
        if response.last_modified:
            stamp = format_datetime(response.last_modified.astimezone(UTC), usegmt=True)
            self.send_header("Last-Modified", stamp)
        for name, value in response.extra:
            self.send_header(name, value)
        self.end_headers()
        if not head and response.status != 304:
            self.wfile.write(response.body)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.sim.portal",
                                     description="Serve a simulated provincial portal on 127.0.0.1.")
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (default 8080)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--family", default="liferay", choices=skin_names(),
                        help="the CMS markup (default liferay)")
    parser.add_argument("--no-validators", action="store_true", help="send no ETag/Last-Modified")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        portal = SimulatedPortal(args.articles, args.per_page, args.seed, validators=not args.no_validators,
                                 port=args.port, family=args.family)
    except OSError as exc:
        print(f"simportal: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # SIGTERM (from a scheduler or benchmark that started us) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(portal.start_url, flush=True)  # first line of stdout: other processes read the URL here
    print(f"simportal: {args.articles} articles at {portal.base_url}; Ctrl-C to stop", file=sys.stderr)
    try:
        portal.serve_until_stopped()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
