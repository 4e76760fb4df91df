"""The JSON API under /api/v1: articles, one article with its versions and diffs, events,
portals and crawl runs, alert rules and deliveries. Reads are open; changes need the token.

Errors are `{"error": "what went wrong"}` with a 4xx status (422 adds `details`), never a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from crawler.changes import side_by_side
from crawler.web.context import aware, web_of
from crawler.web.services import RuleForm, entry_dict, probe_dict
from storage import events, query
from storage.events import EventFilter
from storage.query import ArticleFilter

router = APIRouter()
EventName = Literal["new", "changed", "removed", "restored"]
MAX_ID = 2**62  # beyond SQLite's integers: a 404, not an overflow
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]
RuleId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200)]


def require_token(request: Request) -> None:
    """State changes: `Authorization: Bearer TOKEN`."""
    if not web_of(request).guard.bearer_ok(request.headers.get("authorization")):
        raise HTTPException(401, "this changes state: send Authorization: Bearer TOKEN "
                                 "(the token `portalwatch serve` printed)",
                            headers={"WWW-Authenticate": "Bearer"})


Authorized = [Depends(require_token)]


@router.get("/articles", summary="List or search articles (cursor paging)")
def list_articles(
    request: Request,
    portal: Annotated[list[str], Query(description="portal id (repeatable)")] = [],  # noqa: B006
    q: Annotated[str | None, Query(description='search: words, "phrases"; diacritics optional')] = None,
    since: Annotated[datetime | None, Query(description="published at or after (no zone: Vietnam)")] = None,
    until: Annotated[datetime | None, Query(description="published before")] = None,
    changed_since: datetime | None = None,
    changed_until: datetime | None = None,
    seen_since: datetime | None = None,
    seen_until: datetime | None = None,
    event: Annotated[list[EventName], Query(description="had such an event (repeatable)")] = [],  # noqa: B006
    status: Literal["active", "removed", "all"] | None = None,
    category: str | None = None,
    author: str | None = None,
    sort: Literal["published", "first_seen", "relevance"] | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    filters = ArticleFilter(
        portals=tuple(portal), search=q or None, published_since=aware(since), published_until=aware(until),
        changed_since=aware(changed_since), changed_until=aware(changed_until),
        first_seen_since=aware(seen_since), first_seen_until=aware(seen_until),
        events=tuple(dict.fromkeys(event)), status=status, category=category or None, author=author or None,
        sort=sort,
    )
    page = query.search_articles(web_of(request).db, filters, limit=limit, cursor=cursor or None)
    return {"articles": [row.to_dict() for row in page.rows], "next_cursor": page.next_cursor}


@router.get("/articles/{article_id}", summary="One article with every version, its diff and its events")
def get_article(request: Request, article_id: ArticleId) -> dict[str, Any]:
    db = web_of(request).db
    row = query.get_article(db, article_id)
    if row is None:
        raise HTTPException(404, f"no article #{article_id}")
    data = row.to_dict()
    data["versions"] = [
        {"version": v.version, "created_at": v.created_at.isoformat(), "content_hash": v.content_hash,
         "changed_fields": v.changed_fields, "diff": v.diff, "record": v.record.to_dict()}
        for v in query.article_versions(db, row.id)
    ]
    data["events"] = [{"kind": e.kind, "occurred_at": e.occurred_at.isoformat(), "version": e.version,
                       "baseline": e.baseline} for e in query.article_events(db, row.id)]
    return data


@router.get("/articles/{article_id}/compare", summary="Two versions side by side, changed words marked")
def compare_versions(request: Request, article_id: ArticleId, a: Annotated[int, Query(ge=1, le=MAX_ID)],
                     b: Annotated[int, Query(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    versions = {v.version: v for v in query.article_versions(web_of(request).db, article_id)}
    missing = [n for n in (a, b) if n not in versions]
    if missing:
        raise HTTPException(404, f"article #{article_id} has no version {missing[0]} "
                                 f"(it has {', '.join(map(str, versions)) or 'none'})")

    def side(segments: Any) -> list[dict[str, Any]] | None:
        return None if segments is None else [{"text": s.text, "changed": s.changed} for s in segments]

    rows = side_by_side(versions[a].record, versions[b].record)
    return {"article_id": article_id, "a": a, "b": b,
            "rows": [{"kind": row.kind, "old": side(row.old), "new": side(row.new)} for row in rows]}


@router.get("/events", summary="What happened, newest first (cursor paging)")
def list_events(
    request: Request,
    since: datetime | None = None,
    until: datetime | None = None,
    portal: Annotated[list[str], Query()] = [],  # noqa: B006
    kind: Annotated[list[EventName], Query()] = [],  # noqa: B006
    category: str | None = None,
    include_baseline: bool = False,
    limit: Limit = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    filters = EventFilter(since=aware(since), until=aware(until), portals=tuple(portal),
                          kinds=tuple(dict.fromkeys(kind)), category=category or None,
                          include_baseline=include_baseline)
    page = events.recent_events(web_of(request).db, filters, limit=limit, cursor=cursor or None)
    return {
        "events": [{"id": e.event.id, "kind": e.event.kind, "occurred_at": e.event.occurred_at.isoformat(),
                    "version": e.event.version, "baseline": e.event.baseline, "diff": e.diff,
                    "article": e.article.to_dict()} for e in page.entries],
        "next_cursor": page.next_cursor,
    }


@router.get("/portals", summary="Portals: family, health, last crawl, next scheduled run")
def list_portals(request: Request) -> dict[str, Any]:
    return {"portals": [view.to_dict() for view in web_of(request).portals.overview()]}


@router.post("/portals/{portal_id}/crawl", status_code=202, dependencies=Authorized,
             summary="Crawl a portal now (as the scheduler does, in a child process)")
def crawl_portal(request: Request, portal_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    web = web_of(request)
    portal = web.portals.get(portal_id)
    web.starter.start(portal)  # Busy (409) while it runs or backs off
    return {"started": portal.id}


class PortalProbeIn(BaseModel):
    url: str = Field(max_length=2000, description="the portal's home page")
    cms: str = Field(default="auto", max_length=40,
                     description="the parser family (auto: the pages' markers decide)")


class PortalIn(PortalProbeIn):
    id: str = Field(max_length=64, description="lower-case letters, digits, '-' and '_'")
    name: str | None = Field(default=None, max_length=200, description="default: the home page's title")
    every: str | None = Field(default=None, max_length=20, description="scheduler interval, e.g. 30m")


@router.post("/portals/probe", dependencies=Authorized,
             summary="What a crawl of the portal at a home URL would get: family, listing, one article "
                     "(nothing saved; the server fetches the pages, hence the token)")
def probe_portal(request: Request, body: PortalProbeIn) -> dict[str, Any]:
    return probe_dict(web_of(request).portals.probe(body.url, body.cms))


@router.post("/portals", status_code=201, dependencies=Authorized,
             summary="Probe the portal at a home URL and add it to the portals file (as `portals add`)")
def add_portal(request: Request, body: PortalIn) -> dict[str, Any]:
    entry, result, replaces_builtin = web_of(request).portals.add(body.id, body.url, name=body.name,
                                                                  every=body.every, cms=body.cms)
    return {"portal": entry_dict(entry), "replaces_builtin": replaces_builtin, "probe": probe_dict(result)}


@router.get("/runs", summary="Crawl runs, newest first")
def list_runs(request: Request, portal: str | None = None,
              before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="ids below")] = None,
              limit: Limit = 50) -> dict[str, Any]:
    runs = web_of(request).portals.runs(portal or None, before=before, limit=limit)
    return {"runs": runs, "next_before": runs[-1]["id"] if len(runs) == limit else None}


class RuleIn(BaseModel):
    name: str = Field(max_length=100)
    notify: list[str] = Field(default=[], description="new Apprise URLs")
    keep_channels: list[int] | None = Field(
        default=None, description="on update: indexes of the current channels to keep (default: all)")
    events: list[EventName] | None = Field(default=None, description="default: new, changed")
    portals: list[str] = []
    match: str | None = None
    regex: str | None = None
    category: str | None = None
    digest: str | None = Field(default=None, description="e.g. 1h, 1d: one message per period")

    def form(self) -> RuleForm:
        return RuleForm(name=self.name, notify=tuple(self.notify),
                        keep=tuple(self.keep_channels) if self.keep_channels is not None else None,
                        on=",".join(self.events) if self.events else None, portals=tuple(self.portals),
                        match=self.match, regex=self.regex, category=self.category, digest=self.digest)


@router.get("/alerts/rules", summary="Alert rules (notify URLs masked)")
def list_rules(request: Request) -> dict[str, Any]:
    return {"rules": web_of(request).rules.all()}


@router.post("/alerts/rules", status_code=201, dependencies=Authorized, summary="Create an alert rule")
def create_rule(request: Request, body: RuleIn) -> dict[str, Any]:
    return web_of(request).rules.create(body.form())


@router.get("/alerts/rules/{rule_id}", summary="One alert rule")
def get_rule(request: Request, rule_id: RuleId) -> dict[str, Any]:
    return web_of(request).rules.get(rule_id)


@router.put("/alerts/rules/{rule_id}", dependencies=Authorized, summary="Replace an alert rule's settings")
def update_rule(request: Request, rule_id: RuleId, body: RuleIn) -> dict[str, Any]:
    return web_of(request).rules.update(rule_id, body.form())


@router.delete("/alerts/rules/{rule_id}", dependencies=Authorized, summary="Delete a rule and its queue")
def delete_rule(request: Request, rule_id: RuleId) -> dict[str, Any]:
    return {"deleted": web_of(request).rules.delete(rule_id)}


@router.post("/alerts/rules/{rule_id}/pause", dependencies=Authorized, summary="Pause a rule")
def pause_rule(request: Request, rule_id: RuleId) -> dict[str, Any]:
    return web_of(request).rules.set_paused(rule_id, True)


@router.post("/alerts/rules/{rule_id}/resume", dependencies=Authorized, summary="Resume a paused rule")
def resume_rule(request: Request, rule_id: RuleId) -> dict[str, Any]:
    return web_of(request).rules.set_paused(rule_id, False)


@router.post("/alerts/rules/{rule_id}/test", dependencies=Authorized,
             summary="Send a sample alert through each channel of the rule now")
def test_rule(request: Request, rule_id: RuleId) -> dict[str, Any]:
    return {"channels": web_of(request).rules.test(rule_id)}


@router.get("/alerts/deliveries", summary="Alerts waiting to be sent, or given up on")
def list_deliveries(request: Request, status: Literal["pending", "failed"] = "pending",
                    limit: Limit = 50) -> dict[str, Any]:
    return {"deliveries": web_of(request).rules.deliveries(status, limit)}
