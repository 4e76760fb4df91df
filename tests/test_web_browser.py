"""The real server (uvicorn on 127.0.0.1, a random port) driven by headless Debian Chromium.

A reader signs in with the link `serve` prints, reads Today, searches `dai tuong`, compares two
versions of an article, adds an alert rule through the form and starts a crawl of a simulated
portal from the Portals page, whose results then appear there. Each page is photographed into
test-artifacts/web/ (ignored by git). Skipped, with the reason, without /usr/bin/chromium.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.sim.portal import SimulatedPortal
from storage.db import Database, open_database
from storage.models import AlertRule
from tests.conftest import REPO
from tests.crawling import write_registry
from tests.test_web import TOKEN, fill

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)",
                allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api")


@dataclass
class Served:
    base: str
    db: Database


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    import uvicorn

    from crawler.web.app import create_app
    from crawler.web.context import WebSettings

    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'portalwatch.db'}"
    db = open_database(url)
    fill(db)
    with SimulatedPortal(articles=6) as portal:
        registry = write_registry(folder, portal, pages=1)
        app = create_app(WebSettings(
            db_url=url, token=TOKEN, portals_file=str(registry),
            crawl_command=(sys.executable, "-m", "crawler.cli", "crawl", "--no-throttle")))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 120
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)  # polling the server's own flag, with a deadline
        try:
            yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}", db)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()
            db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_reader_goes_through_every_page_in_chromium(served: Served, browser: object) -> None:
    expect = playwright_sync.expect
    expect.set_options(timeout=60_000)  # a loaded 2-core machine: waits are deadlines, not delays
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(60_000)
    # Nothing leaves the machine: the stored articles' images live on the portals' hosts.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served.base)
                  else route.abort())
    page = context.new_page()
    problems: list[str] = []  # script errors and what the CSP refused (aborted images aside)
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)

    # Signed in by the link `serve` prints; Today in Vietnamese, newest first, with the changed lines.
    page.goto(f"{served.base}/login?token={TOKEN}")
    expect(page.locator("h1")).to_have_text("Hôm nay")
    expect(page.locator(".events .title").nth(1)).to_contain_text("Hội nghị trực tuyến về an ninh Tổ quốc")
    expect(page.locator(".changes .ins").first).to_have_text("+ Tặng Bằng khen cho 65 tập thể.")
    expect(page.locator(".events .title").first).to_contain_text("<script>alert('x')</script>")
    shot(page, "today")

    # Search without diacritics finds "Đại tướng", marked.
    page.get_by_role("link", name="Tìm kiếm").click()
    page.fill("input[name=q]", "dai tuong")
    page.press("input[name=q]", "Enter")
    expect(page.locator(".results mark").first).to_have_text("Đại tướng")
    expect(page.locator("a", has_text="Nguồn Atom")).to_have_attribute("href", "/feed.atom?search=dai+tuong")
    shot(page, "search")

    # The article, and its two versions side by side with the changed word marked.
    page.locator(".results .title").first.click()
    expect(page.locator("article h1")).to_have_text("Hội nghị trực tuyến về an ninh Tổ quốc")
    page.select_option("select[name=a]", "1")
    page.select_option("select[name=b]", "2")
    page.get_by_role("button", name="So sánh").click()
    expect(page.locator("table.sbs del")).to_have_text("64 ")
    expect(page.locator("table.sbs ins")).to_have_text("65 ")
    shot(page, "article")

    # An alert rule added through the form; its channel's secret never reaches the page.
    page.goto(f"{served.base}/alerts")
    form = page.locator("form.rule-form")
    form.locator("input[name=name]").fill("dai-tuong")
    form.locator("input[name=match]").fill("dai tuong")
    form.locator("textarea[name=notify]").fill("json://127.0.0.1:9/hook?+X-Token=abcDEF1234567890secret")
    form.get_by_role("button", name="Tạo").click()
    expect(page.locator(".notice")).to_have_text("Đã lưu quy tắc")
    expect(page.locator("#rules, .rules").locator(".rule-name")).to_have_text(["dai-tuong"])
    assert "abcDEF1234567890secret" not in page.content()
    with served.db.session() as session:
        match = session.scalar(select(AlertRule.match_text).where(AlertRule.name == "dai-tuong"))
    assert match == "dai tuong"
    shot(page, "alerts")

    # "Crawl now" runs a crawl of the simulated portal; the page refreshes itself until it is done.
    page.goto(f"{served.base}/portals")
    page.locator("#portal-sim").get_by_role("button", name="Thu thập ngay").click()
    expect(page.locator(".notice")).to_have_text("Đã bắt đầu thu thập")
    expect(page.locator("#portal-sim .run-summary")).to_contain_text("ok: 6 mới", timeout=120_000)
    shot(page, "portals")

    # The crawl's articles on Today (a first crawl is a baseline: shown when asked for), on a phone.
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{served.base}/?portal=sim&baseline=1")
    expect(phone.locator(".events .title")).to_have_count(6)
    shot(phone, "today-phone")
    assert not problems, problems  # no script error, no resource the CSP had to block
    context.close()
