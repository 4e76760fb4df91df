"""`portalwatch` command line: one module per command group, each with a `register(subparsers)`.

Command modules import only what building their parser needs; the database, Scrapy and the
parsers are imported inside the functions that run a command, so that `--help` and `--version`
start fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from crawler.cli.common import add_global_options, settings
from crawler.core.errors import ExitCode, UserError, exit_code_table

# Command modules, each defining register(subparsers). Listed here so `portalwatch --help` shows all.
COMMAND_MODULES = ["parse", "crawl", "items", "events", "alerts", "schedule", "serve", "db", "demo"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("portalwatch")
    except PackageNotFoundError:
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """--version, without reading the package metadata unless asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"portalwatch {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portalwatch",
        description="Crawl, store, search and watch the news of Vietnam's provincial portals.",
        epilog=f"exit codes:\n{exit_code_table()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    add_global_options(parser, top=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"crawler.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"crawler.cli.{name}":
                continue  # command group not built yet
            raise
        module.register(subparsers)
    for command in _leaf_parsers(subparsers):
        add_global_options(command, top=False)
    return parser


def _leaf_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) \
        -> list[argparse.ArgumentParser]:
    """Every parser that runs a command (`alerts add`, not `alerts`), so that global options work
    after the full command too."""
    leaves: list[argparse.ArgumentParser] = []
    for parser in dict.fromkeys(subparsers.choices.values()):  # aliases share a parser
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                leaves += _leaf_parsers(action)
        else:
            leaves.append(parser)
    return leaves


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose and args.quiet:
        parser.error("-v/--verbose and -q/--quiet say opposite things: give one")
    settings.utc, settings.quiet, settings.verbose = args.utc, args.quiet, args.verbose
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    # Our own loggers say what a long command is doing; libraries only speak up under -v.
    logging.getLogger("portalwatch").setLevel(logging.DEBUG if args.verbose else level if args.quiet
                                              else logging.INFO)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"portalwatch: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
