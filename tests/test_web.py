"""`portalwatch serve`'s app in process (Starlette's TestClient): pages, API, errors, security.

The browser tests (tests/test_web_browser.py) drive the real server; these check what a page
or an API answer holds, quickly.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import escape as html_escape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crawler.portals import load_registry
from crawler.sim.portal import SimulatedPortal
from crawler.web.app import create_app
from crawler.web.context import WebSettings
from crawler.web.i18n import negotiate
from crawler.web.security import resolve_token, safe_href
from storage.db import Database, open_database
from storage.health import judge_run
from storage.models import AlertRule, CrawlRun
from storage.store import ensure_portal, finish_run, start_run, store_record
from tests.receivers import WEBHOOK_TOKEN, free_port
from tests.records import make_record

TOKEN = "test-token-123"
SECRET_URL = "json://hook.example.org/path?+Authorization=Bearer%20s3cr3tTOKENvalue99"
EDITED_BODY = ["Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị.", "Tặng Bằng khen cho 65 tập thể."]


def fill(db: Database, now: datetime | None = None) -> dict[str, int]:
    """Three articles: one edited (two versions), one whose title and links are hostile."""
    now = now or datetime.now(UTC)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        ensure_portal(s, "hanoi", name="Hà Nội", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        general = store_record(s, make_record("dai-tuong"), now=now - timedelta(hours=5)).article_id
        store_record(s, make_record("dai-tuong", body=EDITED_BODY), now=now - timedelta(hours=2))
        hostile = store_record(s, make_record(
            "hostile", portal="hanoi", title="<script>alert('x')</script> Tin <b>đậm</b>",
            lead="Lead <img src=x>",
            body=["Đoạn <i>một</i>"], category="Kinh tế",
            images=[{"url": "data:image/svg+xml;base64,PHN2Zz4=", "caption": "<svg onload=alert(1)>"}],
            attachments=[{"url": "javascript:alert(1)", "title": "Tệp độc"},
                         {"url": " JaVa\tScRiPt:alert(2)", "title": "Tệp độc 2"}],
        ), now=now - timedelta(hours=1)).article_id
        store_record(s, make_record("cu", title="Tin cũ về giao thông", lead="Giao thông",
                                   body=["Giao thông thông suốt."]),
                     now=now - timedelta(days=3))
    return {"general": general, "hostile": hostile}


@pytest.fixture
def user_portals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's portals file, where portals added by URL go (never the real ~/.config's)."""
    path = tmp_path / "my-portals.toml"
    monkeypatch.setenv("PORTALWATCH_PORTALS", str(path))
    return path


@pytest.fixture
def site(sqlite_url: str, user_portals: Path) -> Iterator[tuple[TestClient, Database, dict[str, int]]]:
    # SQLite only: the reads are storage.query's and storage.events', tested on PostgreSQL too.
    db = open_database(sqlite_url)
    ids = fill(db)
    app = create_app(WebSettings(db_url=sqlite_url, token=TOKEN, crawl_command=("false",)))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, db, ids
    db.dispose()


def sign_in(client: TestClient) -> str:
    """Signs the client in; returns the CSRF value its forms carry."""
    response = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/alerts").text
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, "a signed-in page has forms with a CSRF value"
    return match.group(1)


# --- pages ------------------------------------------------------------------------------------

def test_today_lists_what_happened_newest_first_with_the_changed_lines(site: Any) -> None:
    client, _, _ = site
    page = client.get("/").text
    titles = re.findall(r'class="title" href="/articles/\d+">([^<]*)<', page)
    assert titles[0].startswith("&lt;script&gt;") and "Hội nghị trực tuyến về an ninh Tổ quốc" in titles[1]
    assert "Tin cũ về giao thông" not in page  # 3 days ago: not in the last 24 h
    assert "+ Tặng Bằng khen cho 65 tập thể." in page and "- Tặng Bằng khen cho 64 tập thể." in page
    week = client.get("/?window=7d").text
    assert "Tin cũ về giao thông" in week
    edits = client.get("/?event=changed").text
    assert edits.count('class="title"') == 1
    assert client.get("/?portal=hanoi").text.count('class="title"') == 1
    assert client.get("/?category=kinh+te").text.count('class="title"') == 1
    assert client.get("/?event=edited").status_code == 400


def test_pages_speak_vietnamese_or_english_by_accept_language(site: Any) -> None:
    client, _, _ = site
    assert "Hôm nay" in client.get("/", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}).text
    assert ">Today<" in client.get("/", headers={"Accept-Language": "en-US,en;q=0.9,vi;q=0.5"}).text
    assert negotiate("fr, vi;q=0.3, en;q=0.2") == "vi" and negotiate(None) == "en"


def test_search_ignores_diacritics_highlights_filters_and_links_its_feed(site: Any) -> None:
    client, _, ids = site
    page = client.get("/search", params={"q": "dai tuong"}).text
    assert f'href="/articles/{ids["general"]}"' in page
    assert "<mark>Đại tướng</mark>" in page
    assert 'href="/feed.atom?search=dai+tuong"' in page
    assert "Không có bài" not in page
    assert f'/articles/{ids["general"]}' not in client.get(
        "/search", params={"q": "dai tuong", "portal": "hanoi"}).text
    assert f'/articles/{ids["general"]}' not in client.get(
        "/search", params={"q": "dai tuong", "until": "2019-03-10"}).text
    assert client.get("/search", params={"q": "dai tuong", "since": "yesterday"}).status_code == 400
    feed = client.get("/feed.atom", params={"search": "dai tuong"})
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "Hội nghị trực tuyến" in feed.text and "[đã sửa]" in feed.text


def test_article_page_shows_the_record_and_compares_two_versions_word_by_word(site: Any) -> None:
    client, _, ids = site
    page = client.get(f"/articles/{ids['general']}").text
    assert "Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị." in page
    assert '<figcaption>Các đại biểu</figcaption>' in page and "Thanh Hiếu" in page
    assert 'href="https://thainguyen.gov.vn/tin-tuc-su-kien/-/asset_publisher/X/content/dai-tuong"' in page
    assert "<del>64 </del>" in page and "<ins>65 </ins>" in page
    same = client.get(f"/articles/{ids['general']}?a=2&b=2").text
    assert "<del>" not in same
    assert client.get("/articles/999999").status_code == 404


def test_hostile_text_is_escaped_and_dangerous_links_never_emitted(site: Any) -> None:
    client, _, ids = site
    pages = [client.get("/").text, client.get(f"/articles/{ids['hostile']}").text,
             client.get("/search", params={"q": "tin dam"}).text]
    for page in pages:
        assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
        assert "<b>đậm</b>" not in page
        assert not re.search(r'(href|src)="\s*(javascript|data):', page, re.I)
    article = pages[1]
    assert "Tệp độc" in article and "&lt;svg onload=alert(1)&gt;" in article
    assert "<img src=x>" not in article
    assert safe_href(" JaVa\tScRiPt:alert(2)") is None and safe_href("https://x.vn/a") == "https://x.vn/a"


def test_every_response_carries_a_content_security_policy(site: Any) -> None:
    client, _, _ = site
    for path in ("/", "/search", "/portals", "/alerts", "/api/v1/articles", "/nowhere", "/static/app.js"):
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy


def test_portals_page_shows_family_health_and_runs(site: Any) -> None:
    client, db, _ = site
    with db.session() as s:
        s.add(CrawlRun(portal_id="thainguyen", status="ok", articles_new=7, articles_changed=2,
                       finished_at=datetime.now(UTC)))
    page = client.get("/portals").text
    assert 'id="portal-thainguyen"' in page and "liferay" in page
    assert "ok: 7 new, 2 edited, 0 removed" in page
    assert "Crawl now" not in page  # signed out: no buttons
    sign_in(client)
    assert "Crawl now" in client.get("/portals").text


def test_the_portals_page_right_after_crawl_now_refreshes_itself_until_the_run_is_recorded(
        site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.scheduling.launch import CrawlLauncher

    client, db, _ = site
    csrf = sign_in(client)
    # The crawl's thread is held before it starts the process: the page shown at once after the
    # click must already know the crawl is on, as a slow machine shows it.
    go, real_run = threading.Event(), CrawlLauncher.run
    monkeypatch.setattr(CrawlLauncher, "run", lambda *a, **k: go.wait(120) and real_run(*a, **k))
    started = client.post("/portals/thainguyen/crawl", data={"csrf": csrf})
    assert started.status_code == 200 and "data-refresh" in started.text  # followed to /portals
    go.set()  # the crawl command (`false`) fails at once; its run is then recorded
    deadline = time.monotonic() + 120
    while "data-refresh" in (page := client.get("/portals").text):
        assert time.monotonic() < deadline, "the page still refreshes after the crawl ended"
        time.sleep(0.05)  # polling the page, with a deadline
    with db.session() as s:
        assert s.scalar(select(func.count(CrawlRun.id)).where(CrawlRun.portal_id == "thainguyen")) == 1
    assert 'id="portal-thainguyen"' in page


# --- a portal by its home URL ----------------------------------------------------------------

@pytest.fixture
def sim() -> Iterator[SimulatedPortal]:
    with SimulatedPortal(articles=12, per_page=5) as portal:
        yield portal


def test_the_portals_page_probes_a_home_url_shows_what_it_found_and_saves_the_portal(
        site: Any, sim: SimulatedPortal, user_portals: Path) -> None:
    client, _, _ = site
    assert "Probe" not in client.get("/portals").text  # signed out: no form
    csrf = sign_in(client)
    newest = sim.expected_articles()[0]
    page = client.post("/portals/probe", data={"csrf": csrf, "url": sim.home_url})
    assert page.status_code == 200
    found = page.text.split('class="probe"', 1)[1]
    assert '<dd class="probe-family">liferay' in found and "5 articles listed, next page" in found
    assert html_escape(newest["title"]) in found
    assert 'name="id" required' in found and 'value="127-0-0-1"' in found  # an id to start from
    assert not user_portals.exists()  # probing saves nothing
    saved = client.post("/portals", data={"csrf": csrf, "url": sim.home_url, "id": "mo-phong",
                                          "name": "Cổng mô phỏng", "every": "15m"})
    assert saved.status_code == 200 and "Portal saved" in saved.text  # after the redirect
    assert 'id="portal-mo-phong"' in saved.text and "Cổng mô phỏng" in saved.text
    portal = load_registry()["mo-phong"]
    assert portal.start_urls == (sim.listing_url(),) and portal.every == timedelta(minutes=15)
    again = client.post("/portals", data={"csrf": csrf, "url": sim.home_url, "id": "mo-phong"})
    assert again.status_code == 400 and "already in" in again.text
    nobody = client.post("/portals/probe", data={"csrf": csrf, "url": f"http://127.0.0.1:{free_port()}/"})
    assert nobody.status_code == 502 and "cannot be reached" in nobody.text


def test_api_probes_and_adds_a_portal_by_its_home_url(site: Any, sim: SimulatedPortal,
                                                     user_portals: Path) -> None:
    client, _, _ = site
    headers = {"Authorization": f"Bearer {TOKEN}"}
    probed = client.post("/api/v1/portals/probe", headers=headers, json={"url": sim.home_url})
    assert probed.status_code == 200, probed.text
    found = probed.json()
    newest = sim.expected_articles()[0]
    assert (found["family"], found["listing_size"], found["listing_url"]) == ("liferay", 5, sim.listing_url())
    assert found["next_page"] and found["article"]["title"] == newest["title"]
    assert found["article"]["published_at"] == newest["published_at"].isoformat()
    assert not user_portals.exists()
    added = client.post("/api/v1/portals", headers=headers, json={"id": "mo-phong", "url": sim.home_url})
    assert added.status_code == 201, added.text
    assert added.json()["portal"]["start_urls"] == [sim.listing_url()]
    listed = {p["id"]: p for p in client.get("/api/v1/portals").json()["portals"]}
    assert listed["mo-phong"]["family"] == "liferay" and listed["mo-phong"]["in_registry"]
    refusals = [
        (client.post("/api/v1/portals", headers=headers, json={"id": "mo-phong", "url": sim.home_url}),
         400, "already in"),
        (client.post("/api/v1/portals", headers=headers, json={"id": "Bad Id!", "url": sim.home_url}),
         400, "lower-case"),
        (client.post("/api/v1/portals/probe", headers=headers, json={"url": "ftp://example.org/"}),
         400, "not an http(s) URL"),
        (client.post("/api/v1/portals/probe", headers=headers,
                     json={"url": f"http://127.0.0.1:{free_port()}/"}), 502, "cannot be reached"),
    ]
    for response, status, message in refusals:
        assert response.status_code == status and message in response.json()["error"], response.text


# --- alerts through the forms ----------------------------------------------------------------

def test_alert_rule_created_edited_paused_and_deleted_through_the_forms(site: Any) -> None:
    client, db, _ = site
    csrf = sign_in(client)
    created = client.post("/alerts", data={"csrf": csrf, "name": "gpmb", "match": "dai tuong",
                                           "events": ["new", "changed"], "notify": SECRET_URL},
                          follow_redirects=True)
    assert created.status_code == 200 and "gpmb" in created.text
    assert "s3cr3tTOKENvalue99" not in created.text and "****" in created.text
    with db.session() as s:
        rule = s.scalar(select(AlertRule).where(AlertRule.name == "gpmb"))
        assert rule is not None and rule.notify_urls == [SECRET_URL]
        rule_id = rule.id
    edit_page = client.get(f"/alerts/{rule_id}/edit").text
    assert "s3cr3tTOKENvalue99" not in edit_page
    # Edited: the stored channel kept by its index (its URL never went to the browser), one added.
    client.post(f"/alerts/{rule_id}/edit", data={"csrf": csrf, "name": "gpmb2", "events": ["removed"],
                                                 "keep": ["0"], "notify": "json://127.0.0.1:9/x"})
    client.post(f"/alerts/{rule_id}/pause", data={"csrf": csrf, "paused": "1"})
    with db.session() as s:
        rule = s.get(AlertRule, rule_id)
        assert (rule.name, rule.event_kinds, rule.paused) == ("gpmb2", ["removed"], True)
        assert rule.notify_urls == [SECRET_URL, "json://127.0.0.1:9/x"]
    bad = client.post("/alerts", data={"csrf": csrf, "name": "bad name!", "notify": "json://x/y"})
    assert bad.status_code == 400 and "--name" in bad.text
    client.post(f"/alerts/{rule_id}/delete", data={"csrf": csrf})
    with db.session() as s:
        assert s.scalar(select(func.count(AlertRule.id))) == 0


def test_testing_a_rule_sends_through_its_channel_and_shows_it_masked(site: Any, hook: Any) -> None:
    client, _, _ = site
    csrf = sign_in(client)
    client.post("/alerts", data={"csrf": csrf, "name": "t", "notify": hook.url()})
    rule_id = client.get("/api/v1/alerts/rules").json()["rules"][0]["id"]
    page = client.post(f"/alerts/{rule_id}/test", data={"csrf": csrf}).text
    assert ": OK" in page and WEBHOOK_TOKEN not in page
    assert "[Thử]" in hook.wait_for(1)[0]["title"]


# --- security ---------------------------------------------------------------------------------

def routes_of(app: Any) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, included routers' too (newer FastAPI nests them)."""
    for route in app.routes:
        if hasattr(route, "effective_candidates"):
            for candidate in route.effective_candidates():
                yield candidate.path, set(candidate.methods or ())
        elif getattr(route, "methods", None):
            yield route.path, set(route.methods)


def state_snapshot(db: Database) -> tuple[Any, ...]:
    with db.session() as s:
        rules = [(r.name, r.paused, list(r.notify_urls), list(r.event_kinds))
                 for r in s.scalars(select(AlertRule).order_by(AlertRule.id))]
        runs = s.scalar(select(func.count(CrawlRun.id)))
    return tuple(rules), runs


def test_every_state_changing_endpoint_refuses_without_the_token_and_changes_nothing(
        site: Any, user_portals: Path, sim: SimulatedPortal) -> None:
    client, db, _ = site
    headers = {"Authorization": f"Bearer {TOKEN}"}
    rule = client.post("/api/v1/alerts/rules", headers=headers,
                       json={"name": "keep", "notify": ["json://127.0.0.1:9/x"]}).json()
    before = state_snapshot(db)
    changing = [(method, path) for path, methods in routes_of(client.app)
                for method in sorted(methods) if method not in ("GET", "HEAD") and path != "/login"]
    assert len(changing) >= 16  # forms and API: crawl, rules, pause/resume, test, delete, logout, portals
    assert {("POST", "/portals/probe"), ("POST", "/portals"), ("POST", "/api/v1/portals/probe"),
            ("POST", "/api/v1/portals")} <= set(changing)
    # A portal to add by URL that is there to be probed: refused, nothing is fetched or saved.
    body = {"name": "evil", "notify": ["json://127.0.0.1:9/evil"], "csrf": "0" * 64, "paused": "1",
            "id": "evil", "url": sim.home_url}
    requests_before = len(sim.requests)
    for method, path in changing:
        url = path.replace("{rule_id}", str(rule["id"])).replace("{portal_id}", "thainguyen")
        for attempt in ({}, {"headers": {"Authorization": "Bearer wrong"}}):
            if path.startswith("/api/"):
                response = client.request(method, url, json=body, **attempt)
            else:
                response = client.request(method, url, data=body, **attempt)
            assert response.status_code in (401, 403), (method, path, response.status_code)
            assert "error" in response.json() if path.startswith("/api/") else True
    # Signed in (cookie) but a form without the right CSRF value: still refused.
    sign_in(client)
    for method, path in changing:
        if not path.startswith("/api/"):
            url = path.replace("{rule_id}", str(rule["id"])).replace("{portal_id}", "thainguyen")
            assert client.request(method, url, data=body).status_code == 403, path
    assert state_snapshot(db) == before
    assert not user_portals.exists() and len(sim.requests) == requests_before


def test_the_token_comes_from_the_environment_or_a_file_that_keeps_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTALWATCH_TOKEN", raising=False)
    path = tmp_path / "cfg" / "token"
    first = resolve_token(path)
    assert "generated" in first.origin and len(first.token) >= 24
    assert path.stat().st_mode & 0o777 == 0o600
    again = resolve_token(path)
    assert again.token == first.token and "file" in again.origin
    monkeypatch.setenv("PORTALWATCH_TOKEN", "from-env")
    assert resolve_token(path).token == "from-env"


# --- the API ----------------------------------------------------------------------------------

def test_api_articles_filter_search_and_page_with_a_cursor(site: Any) -> None:
    client, _, ids = site
    found = client.get("/api/v1/articles", params={"q": "dai tuong"}).json()
    assert [a["id"] for a in found["articles"]] == [ids["general"]]
    assert found["articles"][0]["highlights"]
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/articles", params=params).json()
        seen += [a["id"] for a in page["articles"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 3
    assert [a["portal"] for a in client.get("/api/v1/articles?portal=hanoi").json()["articles"]] == ["hanoi"]
    assert client.get("/api/v1/articles?event=changed").json()["articles"][0]["id"] == ids["general"]
    naive = client.get("/api/v1/articles", params={"since": "2019-03-11T21:00:00"}).json()
    assert len(naive["articles"]) == 3  # a time without a zone is Vietnam time, not an error


def test_api_one_article_with_versions_diffs_and_events(site: Any) -> None:
    client, _, ids = site
    data = client.get(f"/api/v1/articles/{ids['general']}").json()
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert "+Tặng Bằng khen cho 65 tập thể." in data["versions"][1]["diff"]
    assert data["versions"][1]["record"]["body"] == EDITED_BODY
    assert [e["kind"] for e in data["events"]] == ["new", "changed"]
    compared = client.get(f"/api/v1/articles/{ids['general']}/compare?a=1&b=2").json()
    [changed] = [row for row in compared["rows"] if row["kind"] == "changed"]
    assert [s["text"] for s in changed["new"] if s["changed"]] == ["65 "]
    assert client.get(f"/api/v1/articles/{ids['general']}/compare?a=1&b=9").status_code == 404


def test_api_events_portals_runs_and_rules(site: Any) -> None:
    client, _, _ = site
    events = client.get("/api/v1/events", params={"kind": "changed"}).json()["events"]
    assert [e["kind"] for e in events] == ["changed"] and "65 tập thể" in events[0]["diff"]
    portals = {p["id"]: p for p in client.get("/api/v1/portals").json()["portals"]}
    assert portals["thainguyen"]["family"] == "liferay" and portals["thainguyen"]["healthy"] is True
    assert client.get("/api/v1/runs").json() == {"runs": [], "next_before": None}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    made = client.post("/api/v1/alerts/rules", headers=headers,
                       json={"name": "api", "notify": [SECRET_URL], "events": ["removed"]})
    assert made.status_code == 201 and "s3cr3tTOKENvalue99" not in made.text
    rule_id = made.json()["id"]
    paused = client.post(f"/api/v1/alerts/rules/{rule_id}/pause", headers=headers).json()
    assert paused["paused"] is True
    updated = client.put(f"/api/v1/alerts/rules/{rule_id}", headers=headers,
                         json={"name": "api", "match": "giao thong"}).json()
    assert updated["match"] == "giao thong" and len(updated["notify"]) == 1  # channels kept
    assert client.delete(f"/api/v1/alerts/rules/{rule_id}", headers=headers).json() == {"deleted": "api"}
    assert client.get(f"/api/v1/alerts/rules/{rule_id}").status_code == 404


def test_api_errors_are_json_with_a_message(site: Any) -> None:
    client, _, _ = site
    for path, status in (("/api/v1/articles?cursor=garbage", 400), ("/api/v1/articles/0", 422),
                         ("/api/v1/articles?limit=100000", 422), ("/api/v1/articles?q=%00", 400),
                         ("/api/v1/articles?q=-", 400), ("/api/v1/alerts/rules/77", 404),
                         ("/api/v1/nothing", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        assert isinstance(response.json()["error"], str) and "Traceback" not in response.text
    headers = {"Authorization": f"Bearer {TOKEN}"}
    busy = client.post("/api/v1/portals/nowhere/crawl", headers=headers)
    assert busy.status_code == 404 and "nowhere" in busy.json()["error"]
    bad_url = client.post("/api/v1/alerts/rules", headers=headers, json={"name": "x", "notify": ["nope"]})
    assert bad_url.status_code == 400 and bad_url.json()["error"]
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/articles", "/articles/{article_id}", "/events", "/portals", "/runs",
            "/alerts/rules"} <= {p.removeprefix("/api/v1") for p in schema["paths"]}


def test_a_paused_rule_queues_no_alert_until_it_is_resumed(sqlite_url: str) -> None:
    from crawler.alerts.outbox import queue_alerts
    from crawler.alerts.rules import build_spec, create_rule
    from storage.models import AlertDelivery

    db = open_database(sqlite_url)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        create_rule(s, build_spec(name="all", notify=["json://127.0.0.1:9/x"])).paused = True
    with db.session() as s:
        store_record(s, make_record("while-paused"), on_event=queue_alerts)
        assert s.scalar(select(func.count(AlertDelivery.id))) == 0
        s.scalar(select(AlertRule)).paused = False
    with db.session() as s:
        store_record(s, make_record("after-resume"), on_event=queue_alerts)
        assert s.scalar(select(func.count(AlertDelivery.id))) == 1
    db.dispose()


def test_serve_binds_127_0_0_1_prints_a_sign_in_link_and_keeps_its_generated_token(
        tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    env = {key: value for key, value in os.environ.items() if key != "PORTALWATCH_TOKEN"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token_file = tmp_path / "token"
    command = [sys.executable, "-m", "crawler.cli", "serve", "--port", str(port), "--db",
               f"sqlite:///{tmp_path / 'pw.db'}", "--token-file", str(token_file)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.1)  # polling a starting server, with a deadline
        token = token_file.read_text().strip()
        assert httpx.get(f"http://127.0.0.1:{port}/login?token={token}").status_code in (200, 303)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/login?token={token}" in output and "generated into" in output
    assert resolve_token(token_file).token == token  # the next start reads the same one
    from crawler.cli import main

    assert main(["serve", "--port", "0", "--token-file", str(token_file)]) == 2


def test_portals_page_and_api_show_a_parser_health_incident(site: Any) -> None:
    client, db, _ = site
    with db.session() as s:  # a crawl whose listing came back without one article link
        run = start_run(s, "thainguyen", baseline=False)
        run.listings_fetched = run.listings_without_links = 1
        judge_run(s, finish_run(s, run, status="failed"))
    page = client.get("/portals").text
    assert "pages no longer parse" in page and "1 of 1 listing page(s) yielded no article links" in page
    portal = {p["id"]: p for p in client.get("/api/v1/portals").json()["portals"]}["thainguyen"]
    assert portal["healthy"] is False and portal["parser"]["healthy"] is False
    assert portal["parser"]["problems"] == ["1 of 1 listing page(s) yielded no article links"]
    assert portal["parser"]["last_run"]["listings_without_links"] == 1
