"""`portalwatch crawl`, `portalwatch portals` and `portalwatch demo`."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from crawler.cli.common import add_db_option, add_portals_option, db_url
from crawler.core.errors import EXIT_BUSY, EXIT_UNREACHABLE, UserError
from crawler.portals import load_registry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    crawl = subparsers.add_parser("crawl", help="crawl portals now and store every article")
    crawl.add_argument("portal_ids", nargs="*", metavar="PORTAL", help="portal id(s) from the registry")
    crawl.add_argument("--all", action="store_true", help="crawl every portal of the registry")
    crawl.add_argument("--pages", type=_positive, help="listing pages to walk at most (default: portal's)")
    crawl.add_argument("--time-limit", type=_positive, metavar="SECONDS",
                       help="stop the crawl after this long; what was fetched is kept")
    crawl.add_argument("--download-timeout", type=_positive, metavar="SECONDS",
                       help="give up on a page after this long (default 30; retried twice)")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="any Scrapy or PORTALWATCH_* setting, as with `scrapy crawl -s`")
    crawl.add_argument("--no-throttle", action="store_true",
                       help="no AutoThrottle or delay (for local or your own servers only)")
    add_db_option(crawl)
    add_portals_option(crawl)
    crawl.set_defaults(func=cmd_crawl)

    portals = subparsers.add_parser("portals", help="list the portals of the registry and their health")
    add_db_option(portals)
    add_portals_option(portals)
    portals.set_defaults(func=cmd_portals)

    demo = subparsers.add_parser("demo", help="crawl a simulated portal on 127.0.0.1, show what was stored")
    demo.add_argument("--articles", type=_positive, default=25)
    demo.set_defaults(func=cmd_demo)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _settings_pairs(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError(f"-s takes NAME=VALUE, not {pair!r}")
        settings[name.strip()] = value
    return settings


def _run(args: argparse.Namespace, portal_ids: list[str], everything: bool, *, url: str,
         portals_file: str | None, throttle: bool) -> int:
    from crawler.crawling.runner import crawl_settings, run_crawls, select_portals

    portals = select_portals(portal_ids, everything, portals_file)
    settings = crawl_settings(url, portals_file, pages=getattr(args, "pages", None),
                              time_limit=getattr(args, "time_limit", None), throttle=throttle,
                              download_timeout=getattr(args, "download_timeout", None),
                              extra=_settings_pairs(getattr(args, "set", [])),
                              log_level="INFO" if getattr(args, "verbose", False) else "WARNING")
    outcomes = run_crawls(portals, settings)
    code = 0
    for outcome in outcomes:
        print(outcome.summary)
        if outcome.status == "busy":
            code = code or EXIT_BUSY
        elif not outcome.reached:
            reason = outcome.first_error or "no answer"
            print(f"portalwatch: {outcome.portal_id} could not be reached: {reason}", file=sys.stderr)
            code = EXIT_UNREACHABLE
    return code


def cmd_crawl(args: argparse.Namespace) -> int:
    return _run(args, args.portal_ids, args.all, url=db_url(args), portals_file=args.portals,
                throttle=not args.no_throttle)


def cmd_portals(args: argparse.Namespace) -> int:
    from storage.db import open_database
    from storage.models import Portal

    registry = load_registry(args.portals)
    health: dict[str, Portal] = {}
    try:
        database = open_database(db_url(args))
        with database.session() as session:
            health = {p.id: p for p in session.query(Portal).all()}
        database.dispose()
    except UserError as exc:
        print(f"portalwatch: (no crawl history: {exc})", file=sys.stderr)
    for portal in registry.values():
        state = health.get(portal.id)
        minutes = int(portal.every.total_seconds() // 60)
        line = f"{portal.id:<16} {portal.cms:<8} every {minutes}m  {portal.start_urls[0]}  {portal.name}"
        if state and state.last_crawl_at:
            line += f"\n{'':<16} last crawl {state.last_crawl_at:%Y-%m-%d %H:%M} UTC"
        if state and state.consecutive_failures:
            line += (f"\n{'':<16} FAILING: {state.consecutive_failures} failed crawl(s) in a row; "
                     f"last error: {state.last_error or 'unknown'}")
        print(line)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.sim.portal import SimulatedPortal
    from storage import query
    from storage.db import open_database

    with tempfile.TemporaryDirectory(prefix="portalwatch-demo-") as tmp, \
            SimulatedPortal(articles=args.articles, per_page=10) as portal:
        registry = Path(tmp) / "portals.toml"
        registry.write_text(
            f'[portals.demo]\nname = "Cổng thông tin mô phỏng"\ncms = "liferay"\n'
            f'start_urls = ["{portal.start_url}"]\npages = {portal.page_count}\n', encoding="utf-8")
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        print(f"Simulated Liferay portal at {portal.start_url}; crawling into {url}", file=sys.stderr)
        code = _run(args, ["demo"], False, url=url, portals_file=str(registry), throttle=False)
        from crawler.cli.output import write_table

        database = open_database(url)
        rows = query.search_articles(database, query.ArticleFilter(), limit=args.articles).rows
        print(f"\n{len(rows)} articles stored; the newest:")
        write_table(rows[:15], sys.stdout, None)
        database.dispose()
    return code
