"""What the routes share: the Web object (database, services, guard, templates) and helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from crawler.alerts.messages import readable_changes
from crawler.core.normalize import DEFAULT_TIMEZONE
from crawler.scheduling.launch import DEFAULT_CRAWL_COMMAND, DEFAULT_TIME_LIMIT
from crawler.web.i18n import negotiate, translator
from crawler.web.security import SESSION_COOKIE, Guard, safe_href
from crawler.web.services import Busy, CrawlStarter, Portals, Rules  # noqa: F401
from storage.db import Database, open_database

HERE = Path(__file__).resolve().parent
LOCAL = ZoneInfo(DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class WebSettings:
    db_url: str
    token: str
    portals_file: str | None = None
    crawl_command: tuple[str, ...] = DEFAULT_CRAWL_COMMAND
    crawl_time_limit: float = DEFAULT_TIME_LIMIT


class Web:
    """What the routes share: the database, the services, the guard and the templates."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.db: Database = open_database(settings.db_url)
        self.guard = Guard(settings.token)
        self.starter = CrawlStarter(self.db, settings.portals_file, command=settings.crawl_command,
                                    time_limit=settings.crawl_time_limit)
        self.portals = Portals(self.db, settings.portals_file, self.starter)
        self.rules = Rules(self.db, self.portals)
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))
        self.templates.filters.update(when=format_time, href=safe_href, highlight=highlight,
                                      changed_lines=readable_changes)
        self.templates.globals["query"] = query_string

    def signed_in(self, request: Request) -> bool:
        return self.guard.session_ok(request.cookies.get(SESSION_COOKIE))

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        language = negotiate(request.headers.get("accept-language"))
        signed_in = self.signed_in(request)
        html = self.templates.get_template(template).render(
            t=translator(language), lang=language, signed_in=signed_in, path=request.url.path,
            csrf=self.guard.csrf_value if signed_in else "", **context)
        return HTMLResponse(html, status_code=status_code, headers={"Vary": "Accept-Language, Cookie"})

    def close(self) -> None:
        self.starter.stop()
        self.db.dispose()


# --- template helpers -------------------------------------------------------------------------

def format_time(value: datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M") if value else "–"


def highlight(text: str | None, spans: Any) -> Markup:
    """`text` escaped, with the matched spans in <mark>."""
    if not text:
        return Markup("")
    out, position = [], 0
    for start, end in sorted(spans or ()):
        if start < position:
            continue
        out += [escape(text[position:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def query_string(**params: Any) -> str:
    """"?a=1&b=2" of the parameters that are set (for links that keep the current filters)."""
    pairs = [(key, value) for key, value in params.items() if value not in (None, "", False)]
    return "?" + urlencode(pairs) if pairs else ""


def aware(value: datetime | None) -> datetime | None:
    """A time given without a zone is Vietnam time, as the portals print theirs."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


def utcnow() -> datetime:
    return datetime.now(UTC)


WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}


def web_of(request: Request) -> Web:
    return request.app.state.web


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


