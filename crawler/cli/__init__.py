"""`portalwatch` command line: one module per command group, each with a `register(subparsers)`.

Fast start: only the module of the command being run is imported (COMMANDS says which module
holds which command, and the one-line help `portalwatch --help` lists); and command modules import
the database, Scrapy and the parsers inside the functions that run a command. So `--help` and
`--version` import none of them.
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
COMMAND_MODULES = ["parse", "crawl", "items", "events", "alerts", "schedule", "worker", "serve", "db",
                   "demo"]
# command -> (its module, its line in `portalwatch --help`: the same as the module's own help, which
# tests/test_cli_rules.py checks). A module none of whose commands is listed here is always imported.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "the whole story offline in under a minute: crawl, edits, diff, one alert"),
    "sim": ("demo", "serve the simulated portal and edit it from stdin or its control URL"),
    "crawl": ("crawl", "crawl portals now and store every article"),
    "portals": ("crawl", "list the portals of the registry and their health"),
    "items": ("items", "list or search stored articles, newest first"),
    "events": ("events", "what happened: new, changed, removed and restored articles, newest first"),
    "show": ("items", "one stored article, its versions and their diffs"),
    "export": ("items", "stream stored articles to JSON lines or CSV"),
    "feed": ("items", "an Atom feed of new and changed articles"),
    "alerts": ("alerts", "be told once about new or edited news: rules, channels, deliveries"),
    "schedule": ("schedule",
                 "crawl every portal on its interval until stopped (same as `python scheduler.py`)"),
    "worker": ("worker", "crawl the portals `schedule --broker` queues (start one on every crawl machine)"),
    "parse": ("parse", "parse pages (files or URLs) and print their records as JSON"),
    "serve": ("serve", "web pages and a JSON API: today's news, search, diffs, portals, alerts"),
    "db": ("db", "the database's schema: status, upgrade"),
}
_VALUE_OPTIONS = ("--db", "--portals")  # global options that take the next word as their value


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


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of `argv` (the first word that is no option nor an option's value)."""
    words = iter(argv)
    for word in words:
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the module of the command it names is imported (None: all)."""
    parser = argparse.ArgumentParser(
        prog="portalwatch",
        description="Crawl, store, search and watch the news of Vietnam's provincial portals.",
        epilog=f"exit codes:\n{exit_code_table()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    add_global_options(parser, top=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listed = {module for module, _ in COMMANDS.values()}
    wanted = _command_in(argv) if argv is not None else None
    needed = {name for name in COMMAND_MODULES if name not in listed or argv is None
              or (wanted in COMMANDS and COMMANDS[wanted][0] == name)}
    for command, (module_name, summary) in COMMANDS.items():
        if command in subparsers.choices:
            continue
        if module_name in needed:
            _register(module_name, subparsers)
        if command not in subparsers.choices:  # a line in --help; parsed only by its own module
            subparsers.add_parser(command, help=summary, add_help=False)
    for name in COMMAND_MODULES:
        if name not in listed:
            _register(name, subparsers)
    for leaf in _leaf_parsers(subparsers):
        add_global_options(leaf, top=False)
    return parser


def _register(module_name: str, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        module = importlib.import_module(f"crawler.cli.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"crawler.cli.{module_name}":
            return  # command group not built yet
        raise
    module.register(subparsers)


def _leaf_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) \
        -> list[argparse.ArgumentParser]:
    """Every parser that runs a command (`alerts add`, not `alerts`), so that global options work
    after the full command too."""
    leaves: list[argparse.ArgumentParser] = []
    for parser in dict.fromkeys(subparsers.choices.values()):  # aliases share a parser
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            leaves += _leaf_parsers(action)
        if not nested or not all(action.required for action in nested):  # `portals` runs, as `portals add`
            leaves.append(parser)
    return leaves


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
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
    except Exception as exc:
        if not _expected_failure(exc):
            raise
        # Expected failures of the surroundings (a database that is read-only, not a database, or
        # gone; a value out of range): one line, never a traceback, which would print the SQL
        # and its parameters, secrets of the notify URLs included.
        logging.getLogger("portalwatch").debug("failed", exc_info=True)  # the whole story with -v
        print(f"portalwatch: error: {failure_line(exc)}", file=sys.stderr)
        return UserError.exit_code


def _expected_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError | OverflowError):
        return True
    if "sqlalchemy" not in sys.modules:  # `--help` and the like never import it
        return False
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError)


def failure_line(exc: BaseException) -> str:
    """One line saying what failed, without the statement or its parameters."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        return f"the database refused the operation: {reason}"
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {type(exc).__name__}"
    if isinstance(exc, OverflowError):
        return f"a value is out of range ({(str(exc).splitlines() or [''])[0]})"
    return (str(exc).splitlines() or [type(exc).__name__])[0]


if __name__ == "__main__":
    sys.exit(main())
