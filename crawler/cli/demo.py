"""`portalwatch demo` (the whole story offline) and `portalwatch sim` (the simulated portal, yours to
edit). The only commands that import crawler.sim."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.cli.common import note

if TYPE_CHECKING:
    from crawler.sim.portal import SimulatedPortal

DEMO_PORTAL = "demo"
DEMO_RULE = "demo-edits"
# crawler.sim.skins, named here so that --help imports no simulator
SIM_FAMILIES = ("liferay", "nukeviet", "sharepoint", "baochinhphu", "hanoi", "custom")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo", help="the whole story offline in under a minute: crawl, edits, diff, one alert",
        description="Start a simulated Liferay portal on 127.0.0.1 and a local webhook receiver, crawl the "
                    "portal once (the baseline), let it publish, edit and delete articles, crawl again, and "
                    "show the events, a diff and the alert that arrived.")
    demo.add_argument("--articles", type=_positive, default=25, help="articles on the portal (default 25)")
    demo.add_argument("--keep", metavar="DIR",
                      help="keep the database (and the portals file) in DIR and print commands to explore it")
    demo.set_defaults(func=run_demo)

    sim = subparsers.add_parser(
        "sim", help="serve the simulated portal and edit it from stdin or its control URL",
        description="Serve a simulated provincial portal (Liferay, or --family) on 127.0.0.1 until Ctrl-C. "
                    "Type commands on stdin, or POST them to the control URL (curl -d 'edit 0' URL): "
                    "publish [N], edit TARGET [TITLE], delete TARGET, restore SLUG, fail PATTERN [STATUS] "
                    "[TIMES], slow PATTERN SECONDS, family NAME (switch the markup), list, help.")
    sim.add_argument("--articles", type=_positive, default=30, help="articles on the portal (default 30)")
    sim.add_argument("--port", type=int, default=8080, help="port of the portal (default 8080; 0: any free)")
    sim.add_argument("--family", default="liferay", choices=SIM_FAMILIES,
                     help="the CMS whose markup it serves (default liferay); `family NAME` switches it later")
    sim.add_argument("--control-port", type=int, default=0,
                     help="port of the control URL (default: any free one, printed at start)")
    sim.add_argument("--write-portals", metavar="FILE",
                     help="write a portals file for it, to crawl with --portals FILE")
    sim.set_defaults(func=run_sim)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def portals_toml(portal: SimulatedPortal, portal_id: str) -> str:
    # Liferay is named; other families are left to the pages' markers ("auto"), as a user would.
    cms = "liferay" if portal.family == "liferay" else "auto"
    # The whole registry: `schedule --portals FILE` then crawls the simulated portal alone, offline.
    return (f'builtin_portals = false\n\n[portals.{portal_id}]\nname = "Cổng thông tin mô phỏng"\n'
            f'cms = "{cms}"\n'
            f'start_urls = ["{portal.start_url}"]\npages = {portal.page_count}\nevery = "1m"\n')


# --- demo ---------------------------------------------------------------------------------------

def run_demo(args: argparse.Namespace) -> int:
    from crawler.sim.portal import SimulatedPortal
    from crawler.sim.receiver import WebhookReceiver

    started = time.monotonic()
    keep = Path(args.keep).resolve() if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        if (keep / "demo.db").exists():
            from crawler.core.errors import UserError

            raise UserError(f"--keep {keep}: it already holds a demo.db; give an empty folder")
    folder = keep or Path(tempfile.mkdtemp(prefix="portalwatch-demo-"))
    try:
        with SimulatedPortal(articles=args.articles, per_page=10) as portal, WebhookReceiver() as receiver:
            registry = folder / "portals.toml"
            registry.write_text(portals_toml(portal, DEMO_PORTAL), encoding="utf-8")
            url = f"sqlite:///{folder / 'demo.db'}"
            step = _Steps()
            step(f"a simulated Liferay portal with {args.articles} articles at {portal.start_url}")
            code = _crawl(registry, url)
            if code:
                return code
            step("first crawl done: this is the baseline, stored and never reported")
            _add_rule(url, receiver.url("/alerts", secret=False))
            step(f"alert rule {DEMO_RULE!r}: edited articles go to a webhook on 127.0.0.1:{receiver.port}")
            edited = portal.edit_article(2, title=portal.expected_article(2)["title"] + " (đã sửa)",
                                         add_paragraph="Nội dung được cập nhật sau khi đăng.")
            removed = portal.expected_article(5)["title"]
            portal.remove_article(5)
            published = portal.add_articles(2)
            step(f"the portal published {len(published)} articles, edited “{edited['title']}”, "
                 f"deleted “{removed}”")
            code = _crawl(registry, url)
            if code:
                return code
            step("second crawl done; what it found:")
            _show_events(url)
            arrived = receiver.wait_for(1, timeout=30.0)
            step(f"the webhook received {len(arrived)} alert:")
            for payload in arrived:
                print(f"  title: {payload.get('title', '')}")
                for line in str(payload.get("message", "")).splitlines():
                    print(f"  | {line}")
        print(f"\ndone in {time.monotonic() - started:.0f}s.")
        if keep is not None:
            _explore_hint(url, registry)
        else:
            print("Run `portalwatch demo --keep DIR` to keep the database, or `portalwatch sim` to try "
                  "your own edits.")
        return 0
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


class _Steps:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, text: str) -> None:
        self.count += 1
        print(f"\n{self.count}. {text}", flush=True)


def _crawl(registry: Path, url: str) -> int:
    """One crawl in its own process (Scrapy's reactor runs once per process)."""
    command = [sys.executable, "-m", "crawler.cli", "crawl", DEMO_PORTAL, "--portals", str(registry),
               "--db", url, "--no-throttle"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    print("   " + (result.stdout.strip().splitlines() or ["(no summary)"])[-1])
    if result.returncode:
        sys.stderr.write(result.stderr)
    return result.returncode


def _add_rule(url: str, notify: str) -> None:
    from crawler.alerts.rules import build_spec, create_rule
    from storage.db import open_database

    database = open_database(url)
    try:
        spec = build_spec(name=DEMO_RULE, notify=[notify], on="changed", portals=[DEMO_PORTAL],
                          known_portals=[DEMO_PORTAL], match=None, regex=None, category=None, digest=None)
        with database.session() as session:
            create_rule(session, spec)
    finally:
        database.dispose()


def _show_events(url: str) -> None:
    from crawler.changes import changed_lines
    from crawler.cli.events import write_events
    from storage.db import open_database
    from storage.events import recent_events

    database = open_database(url, read_only=True)
    try:
        entries = recent_events(database, limit=100).entries
    finally:
        database.dispose()
    write_events(entries, diff=False)
    changed = next((entry for entry in entries if entry.event.kind == "changed" and entry.diff), None)
    if changed is not None:
        print(f"\n   the diff of “{changed.article.title}” (portalwatch show {changed.article.id} --diff):")
        for line in changed_lines(changed.diff):
            print(f"     {line[0]} {line[1:]}")


def _explore_hint(url: str, registry: Path) -> None:
    print(f"\nThe database is kept: {url}. Explore it:")
    for command in (f"portalwatch events --db {url} --since 1d --diff",
                    f"portalwatch items --db {url} --status all",
                    f"portalwatch show 1 --db {url} --versions --diff",
                    f"portalwatch alerts list --db {url}",
                    f"portalwatch feed --db {url} --portal {DEMO_PORTAL} --portals {registry}"):
        print(f"  {command}")
    print("(the simulated portal stopped with the demo; `portalwatch sim` serves one to crawl again)")


# --- sim ----------------------------------------------------------------------------------------

def run_sim(args: argparse.Namespace) -> int:
    import signal

    from crawler.core.errors import UserError
    from crawler.sim.control import CommandError, Controller, ControlServer
    from crawler.sim.portal import SimulatedPortal

    try:
        portal = SimulatedPortal(args.articles, per_page=10, port=args.port, family=args.family)
    except OSError as exc:
        raise UserError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc} "
                        "(another sim running? try --port 0)") from None
    controller = Controller(portal)
    try:
        control = ControlServer(controller, args.control_port)
    except OSError as exc:
        portal.stop()
        raise UserError(f"cannot listen on 127.0.0.1:{args.control_port}: {exc.strerror or exc}") from None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a supervisor's stop is as clean as Ctrl-C
    try:
        if args.write_portals:  # before the URL is printed: whoever reads the URL may read the file
            Path(args.write_portals).write_text(portals_toml(portal, "sim"), encoding="utf-8")
        print(portal.start_url, flush=True)  # first line: scripts read the URL here
        portals = args.write_portals or "FILE"
        note(f"simulated {portal.family} portal: {args.articles} articles at {portal.start_url} "
             f"(home page {portal.home_url})")
        note(f"control: type commands here, or curl -d 'edit 0' {control.url}")
        note(f"crawl it: portalwatch crawl sim --portals {portals} --db sqlite:///sim.db --no-throttle"
             + ("" if args.write_portals else " (--write-portals FILE writes that file)"))
        note("commands: publish [N] | edit TARGET [TITLE] | delete TARGET | restore SLUG | "
             "fail PATTERN [STATUS] [TIMES] | slow PATTERN SECONDS | family NAME | list | help; Ctrl-C stops")
        for line in sys.stdin:
            if line.strip().lower() in ("quit", "exit"):
                return 0
            try:
                answer = controller.execute(line.strip())
            except CommandError as exc:
                print(f"error: {exc}", flush=True)
            else:
                if answer:
                    print(answer, flush=True)
        portal.serve_until_stopped()  # stdin closed (started in the background): serve on
    except KeyboardInterrupt:
        pass
    finally:
        control.stop()
        portal.stop()
    return 0
