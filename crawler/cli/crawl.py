"""`portalwatch crawl`, `portalwatch portals` and `portalwatch demo`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from crawler.cli.common import db_url, format_time, note, open_for_reading, open_for_writing, zone_label
from crawler.cli.console import new_table, print_table
from crawler.core.durations import format_duration
from crawler.core.errors import EXIT_BUSY, EXIT_UNREACHABLE, DatabaseNotReady, UserError

if TYPE_CHECKING:
    from crawler.portals import PortalConfig
    from storage.health import PortalHealth


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
    crawl.set_defaults(func=cmd_crawl)

    portals = subparsers.add_parser(
        "portals", help="list the portals of the registry and their health",
        description="List the portals (the built-in registry and yours) with their CMS family, whether "
                    "the entry was checked against the live site, and their health; or probe, add or "
                    "remove a portal by its home URL.")
    portals.set_defaults(func=cmd_portals)
    from crawler.cli.portals import register_actions

    register_actions(portals)


def _family(portal: PortalConfig) -> str:
    """The family the portal runs, and the parser when it is not that family's: "sharepoint (read: auto)"."""
    if portal.cms in (portal.family, "auto") and portal.family != "auto":
        return portal.family if portal.cms == portal.family else f"{portal.family} (read: auto)"
    return portal.cms if portal.family == "auto" else f"{portal.family} (read: {portal.cms})"


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
    from crawler.crawling.runner import select_portals

    select_portals(args.portal_ids, args.all, args.portals)  # a typo fails before the database opens
    open_for_writing(args).dispose()  # created or upgraded here, and the user told so
    return _run(args, args.portal_ids, args.all, url=db_url(args), portals_file=args.portals,
                throttle=not args.no_throttle)


def cmd_portals(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from crawler.cli.health import health_text, is_failing
    from crawler.portals import load_registry

    registry = load_registry(args.portals)
    health: dict[str, PortalHealth] = {}
    try:
        database = open_for_reading(args)
    except DatabaseNotReady as exc:
        note(f"no crawl history shown: {exc}")
    else:
        from storage.health import read_portal_health

        with database.session() as session:
            health = read_portal_health(session)
        database.dispose()
    now = datetime.now(UTC)
    table = new_table("PORTAL", "FAMILY", "VERIFIED", "EVERY", "NEWS LISTING", "NAME",
                      f"LAST CRAWL ({zone_label()})", "HEALTH", wrap=("NEWS LISTING", "NAME", "HEALTH"))
    for portal in registry.values():
        state = health.get(portal.id)
        last = format_time(state.last_crawl_at, zone=False) if state else "-"
        listing = portal.start_urls[0] if portal.start_urls else f"found on {portal.home_url}"
        if portal.discovers_listing and state and state.found_listing:
            listing = f"{state.found_listing} (found on the home page)"
        table.add_row(portal.id, _family(portal), "yes" if portal.verified else "no",
                      format_duration(portal.every), listing, portal.name, last,
                      health_text(state, now, with_last_crawl=False),
                      style="bold red" if is_failing(state) else None)
    print_table(table)
    return 0
