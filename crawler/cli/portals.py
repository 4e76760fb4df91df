"""`portalwatch portals probe URL`, `portals add ID URL`, `portals remove ID`: a portal by its home
URL. The listing itself (`portalwatch portals`) is in crawler/cli/crawl.py.

Added portals are kept in the user's portals file (`--portals FILE`, else $PORTALWATCH_PORTALS,
else ~/.config/portalwatch/portals.toml), which every command, the scheduler and `scrapy crawl`
read, so `--portals` need not be repeated.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from crawler.cli.common import note

if TYPE_CHECKING:
    from crawler.crawling.discovery import ProbeResult


def register_actions(portals: argparse.ArgumentParser) -> None:
    actions = portals.add_subparsers(dest="portals_action", metavar="{probe,add,remove}")
    probe = actions.add_parser(
        "probe", help="what a crawl of the portal at URL would get (nothing saved)",
        description="Fetch the home page at URL, find its news listing (links named like 'Tin tức', RSS/Atom "
                    "feeds, the family's news paths), detect the CMS family, and read the listing and one "
                    "article, as a crawl would (robots.txt obeyed). Nothing is saved. Exit 1: the home page "
                    "cannot be reached; 3: no news listing found.")
    probe.add_argument("url", metavar="URL", help="the portal's home page")
    _probe_options(probe)
    probe.set_defaults(func=cmd_probe)

    add = actions.add_parser(
        "add", help="probe the portal at URL and add it to your portals file as ID",
        description="As `portals probe`, then save the portal (its home page, family and the listing found) "
                    "to your portals file: --portals FILE, else $PORTALWATCH_PORTALS, else "
                    "~/.config/portalwatch/portals.toml. Then `portalwatch crawl ID`.")
    add.add_argument("portal_id", metavar="ID", help="lower-case letters, digits, '-' and '_'")
    add.add_argument("url", metavar="URL", help="the portal's home page")
    add.add_argument("--name", help="display name (default: the home page's title)")
    add.add_argument("--every", help="scheduler interval, e.g. 30m (default 30m)")
    _probe_options(add)
    add.set_defaults(func=cmd_add)

    remove = actions.add_parser("remove", help="remove a portal you added from your portals file",
                                description="Remove portal ID from your portals file. Stored articles stay.")
    remove.add_argument("portal_id", metavar="ID")
    remove.set_defaults(func=cmd_remove)


def _probe_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cms", default="auto",
                        help="the parser family (default auto: the pages' markers decide)")
    parser.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                        help="give up on a page after this long (default 20)")


def _probe(args: argparse.Namespace) -> ProbeResult:
    from crawler.crawling.discovery import HttpClient, probe
    from crawler.parsing import AUTO, get_parser

    if args.cms.strip().lower() != AUTO:
        get_parser(args.cms)  # an unknown family fails before any request
    return probe(args.url, cms=args.cms, client=HttpClient(timeout=args.timeout),
                 progress=None if args.quiet else note)


def print_probe(result: ProbeResult) -> None:
    listing = result.listing
    print(f"home page: {result.home_url}")
    says = f" (the site says it runs {result.generator})" if result.generator else ""
    print(f"family:    {result.family}{says}")
    print(f"listing:   {result.listing_url} ({result.listing_why}): {result.listing_size} articles"
          + (f", next page {listing.next_page}" if listing.next_page else ", no next page"))
    if result.feeds:
        print(f"feeds:     {', '.join(result.feeds)}")
    article = result.article
    if article is None:
        print(f"article:   none read: {result.article_problem}")
        return
    print(f"article:   {article.canonical_url}")
    print(f"  title:   {article.title}")
    if article.published_at is not None:
        from crawler.cli.common import format_time

        print(f"  date:    {format_time(article.published_at)} (printed {article.published_text!r})")
    else:
        print("  date:    none found")
    print(f"  body:    {len(article.body)} paragraph(s); author: {article.author or '-'}; "
          f"category: {article.category or '-'}")


def cmd_probe(args: argparse.Namespace) -> int:
    print_probe(_probe(args))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from crawler.core.durations import parse_duration
    from crawler.crawling.discovery import portal_entry
    from crawler.portals import save_portal, user_registry_path, validate_id

    validate_id(args.portal_id)
    if args.every is not None:
        parse_duration(args.every, what="--every")
    result = _probe(args)
    print_probe(result)
    entry = portal_entry(result, args.portal_id, name=args.name, cms=args.cms, every=args.every)
    path = user_registry_path(args.portals, for_writing=True)
    assert path is not None  # for writing, there always is one
    replaced_builtin = save_portal(path, entry)
    note(f"saved portal {args.portal_id!r} to {path}"
         + (" (it replaces the built-in entry of that id)" if replaced_builtin else ""))
    note(f"crawl it: portalwatch crawl {args.portal_id}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from crawler.portals import remove_portal, user_registry_path

    path = user_registry_path(args.portals, for_writing=True)
    remove_portal(path, args.portal_id)
    note(f"removed portal {args.portal_id!r} from {path} (its stored articles stay)")
    return 0
