"""The server-rendered pages: Today, Search, Article, Portals, Alerts, and signing in.

Forms that change something post to this server with the session cookie and the CSRF value;
anything else gets 403 and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from crawler.alerts.rules import RULE_KINDS
from crawler.changes import side_by_side
from crawler.core.errors import UserError
from crawler.web.context import LOCAL, WINDOWS, redirect, utcnow, web_of
from crawler.web.security import SESSION_COOKIE
from crawler.web.services import NotFound, RuleForm, http_status, probe_dict, suggested_id
from storage import events, query
from storage.events import EventFilter
from storage.query import ArticleFilter

router = APIRouter(include_in_schema=False)
# the only notices a URL can ask for
MESSAGES = ("rule_saved", "rule_deleted", "crawl_started", "portal_added")
EVENT_NAMES = ("new", "changed", "removed", "restored")


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form, once its session and CSRF value are checked (403 otherwise)."""
    form = await request.form()
    web = web_of(request)
    if not web.guard.csrf_ok(request.cookies.get(SESSION_COOKIE), str(form.get("csrf") or "")):
        raise HTTPException(403, "sign in first (or reload the page: the form's CSRF value is missing "
                                 "or stale)")
    return {key: form.getlist(key) for key in form}


def first(form: dict[str, Any], key: str) -> str:
    values = form.get(key) or [""]
    return str(values[0]).strip()


# --- Today ------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def today(request: Request, window: str = "24h", portal: str = "", event: str = "", category: str = "",
          baseline: str = "", cursor: str = "") -> Response:
    web = web_of(request)
    span = WINDOWS.get(window)
    if span is None:
        raise UserError(f"window must be one of {', '.join(WINDOWS)}")
    if event and event not in EVENT_NAMES:
        raise UserError(f"unknown event {event!r}: use one of {', '.join(EVENT_NAMES)}")
    filters = EventFilter(since=utcnow() - span, portals=(portal,) if portal else (),
                          kinds=(event,) if event else (), category=category or None,  # type: ignore[arg-type]
                          include_baseline=bool(baseline))
    page = events.recent_events(web.db, filters, limit=50, cursor=cursor or None)
    return web.render(request, "today.html", entries=page.entries, next_cursor=page.next_cursor,
                      portals=web.portals.ids(), window=window, portal=portal, event=event,
                      category=category, baseline=baseline, windows=list(WINDOWS), events=EVENT_NAMES)


# --- Search -----------------------------------------------------------------------------------

def day(text: str, name: str, *, end: bool = False) -> datetime | None:
    """A date field (YYYY-MM-DD) as the start of that day in Vietnam, or the start of the next."""
    if not text:
        return None
    try:
        start = datetime.fromisoformat(text).replace(tzinfo=LOCAL)
    except ValueError:
        raise UserError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None
    return start + timedelta(days=1) if end else start


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "", portal: str = "", since: str = "", until: str = "",
           cursor: str = "") -> Response:
    web = web_of(request)
    page = None
    if q.strip():
        filters = ArticleFilter(search=q, portals=(portal,) if portal else (),
                                published_since=day(since, "from"),
                                published_until=day(until, "to", end=True))
        page = query.search_articles(web.db, filters, limit=20, cursor=cursor or None)
    return web.render(request, "search.html", q=q, portal=portal, since=since, until=until, page=page,
                      portals=web.portals.ids())


# --- Article ----------------------------------------------------------------------------------

@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: int, a: int | None = None, b: int | None = None) -> Response:
    web = web_of(request)
    row = query.get_article(web.db, article_id) if 0 < article_id < 2**62 else None
    if row is None:
        raise NotFound(f"no article #{article_id}")
    versions = query.article_versions(web.db, row.id)
    by_number = {v.version: v for v in versions}
    newest = versions[-1].version if versions else row.version
    b = b if b in by_number else newest
    a = a if a in by_number else max((n for n in by_number if n < b), default=b)
    rows = side_by_side(by_number[a].record, by_number[b].record) if a in by_number and a != b else []
    return web.render(request, "article.html", row=row, versions=versions, a=a, b=b, rows=rows,
                      events=query.article_events(web.db, row.id))


# --- Portals ----------------------------------------------------------------------------------

def portals_page(request: Request, *, status_code: int = 200, **context: Any) -> Response:
    web = web_of(request)
    views = web.portals.overview()
    context.setdefault("msg", "")
    context.setdefault("draft", {})
    return web.render(request, "portals.html", status_code=status_code, portals=views,
                      runs=web.portals.runs(limit=20), running=any(v.running for v in views), **context)


@router.get("/portals", response_class=HTMLResponse)
def portals(request: Request, msg: str = "") -> Response:
    return portals_page(request, msg=msg if msg in MESSAGES else "")


def _portal_draft(form: dict[str, Any]) -> dict[str, str]:
    return {key: first(form, key) for key in ("url", "id", "name", "every", "cms")}


@router.post("/portals/probe", response_class=HTMLResponse)
async def probe_portal(request: Request) -> Response:
    """Probe a home URL and show what a crawl would get, with the form that saves it."""
    draft = _portal_draft(await checked_form(request))
    web = web_of(request)
    try:  # a probe fetches pages (seconds): off the event loop
        result = await run_in_threadpool(web.portals.probe, draft["url"], draft["cms"])
    except UserError as exc:
        return portals_page(request, status_code=http_status(exc), form_error=str(exc), draft=draft)
    draft["id"] = draft["id"] or suggested_id(result.home_url)
    draft["name"] = draft["name"] or result.site_name or ""
    return portals_page(request, probe=probe_dict(result), draft=draft)


@router.post("/portals")
async def add_portal(request: Request) -> Response:
    """Probe the URL again (what is saved is what the portal gives now) and save the portal."""
    draft = _portal_draft(await checked_form(request))
    web = web_of(request)
    try:
        await run_in_threadpool(lambda: web.portals.add(draft["id"], draft["url"], name=draft["name"],
                                                        every=draft["every"], cms=draft["cms"]))
    except UserError as exc:
        return portals_page(request, status_code=http_status(exc), form_error=str(exc), draft=draft)
    return redirect(f"/portals?msg=portal_added#portal-{draft['id']}")


@router.post("/portals/{portal_id}/crawl")
async def crawl_now(request: Request, portal_id: str) -> Response:
    await checked_form(request)
    web = web_of(request)
    web.starter.start(web.portals.get(portal_id))
    return redirect("/portals?msg=crawl_started")


# --- Alerts -----------------------------------------------------------------------------------

def rule_form(form: dict[str, Any], *, editing: bool) -> RuleForm:
    def lines(key: str) -> tuple[str, ...]:
        return tuple(line.strip() for line in first(form, key).splitlines() if line.strip())

    keep = tuple(int(value) for value in form.get("keep", []) if str(value).isdigit()) if editing else None
    return RuleForm(name=first(form, "name"), notify=lines("notify"), keep=keep,
                    on=",".join(str(e) for e in form.get("events", [])) or None,
                    portals=tuple(str(p) for p in form.get("portals", []) if p),
                    match=first(form, "match") or None, regex=first(form, "regex") or None,
                    category=first(form, "category") or None, digest=first(form, "digest") or None)


def alerts_page(request: Request, *, status_code: int = 200, **context: Any) -> Response:
    web = web_of(request)
    context.setdefault("draft", {})
    context.setdefault("msg", "")
    return web.render(request, "alerts.html", status_code=status_code, rules=web.rules.all(),
                      pending=web.rules.deliveries("pending"), failed=web.rules.deliveries("failed"),
                      portals=web.portals.ids(), events=RULE_KINDS, **context)


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, msg: str = "") -> Response:
    return alerts_page(request, msg=msg if msg in MESSAGES else "")


@router.post("/alerts")
async def create_alert(request: Request) -> Response:
    form = await checked_form(request)
    try:
        web_of(request).rules.create(rule_form(form, editing=False))
    except UserError as exc:
        draft = {key: first(form, key) for key in ("name", "match", "regex", "category", "digest")}
        return alerts_page(request, status_code=400, form_error=str(exc), draft=draft)
    return redirect("/alerts?msg=rule_saved")


@router.get("/alerts/{rule_id}/edit", response_class=HTMLResponse)
def edit_alert(request: Request, rule_id: int) -> Response:
    web = web_of(request)
    return web.render(request, "rule_edit.html", rule=web.rules.get(rule_id), portals=web.portals.ids(),
                      events=RULE_KINDS)


@router.post("/alerts/{rule_id}/edit")
async def save_alert(request: Request, rule_id: int) -> Response:
    form = await checked_form(request)
    web = web_of(request)
    try:
        web.rules.update(rule_id, rule_form(form, editing=True))
    except NotFound:
        raise
    except UserError as exc:
        return web.render(request, "rule_edit.html", status_code=400, rule=web.rules.get(rule_id),
                          portals=web.portals.ids(), events=RULE_KINDS, form_error=str(exc))
    return redirect("/alerts?msg=rule_saved")


@router.post("/alerts/{rule_id}/pause")
async def pause_alert(request: Request, rule_id: int) -> Response:
    form = await checked_form(request)
    web_of(request).rules.set_paused(rule_id, first(form, "paused") != "0")
    return redirect("/alerts")


@router.post("/alerts/{rule_id}/delete")
async def delete_alert(request: Request, rule_id: int) -> Response:
    await checked_form(request)
    web_of(request).rules.delete(rule_id)
    return redirect("/alerts?msg=rule_deleted")


@router.post("/alerts/{rule_id}/test", response_class=HTMLResponse)
async def test_alert(request: Request, rule_id: int) -> Response:
    await checked_form(request)
    web = web_of(request)
    results = web.rules.test(rule_id)
    return alerts_page(request, tested=web.rules.get(rule_id)["name"], test_results=results)


# --- signing in -------------------------------------------------------------------------------

def _signed_in_response(request: Request, target: str = "/") -> RedirectResponse:
    response = redirect(target)
    response.set_cookie(SESSION_COOKIE, web_of(request).guard.session_value, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=30 * 86400)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, token: str = "") -> Response:
    web = web_of(request)
    if token:  # the link `serve` prints
        if web.guard.token_ok(token):
            return _signed_in_response(request)
        return web.render(request, "login.html", status_code=403, wrong=True)
    return web.render(request, "login.html", wrong=False)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    web = web_of(request)
    if web.guard.token_ok(str(form.get("token") or "").strip()):
        return _signed_in_response(request)
    return web.render(request, "login.html", status_code=403, wrong=True)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE)
    return response
