"""`portalwatch db status` and `portalwatch db upgrade`: the schema, looked at or brought up to date
on purpose (commands that only read never change it; commands that write upgrade it and say so)."""

from __future__ import annotations

import argparse

from crawler.cli.common import db_url, note


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="the database's schema: status, upgrade")
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    status = commands.add_parser("status", help="which schema revision the database is at, and the code's")
    status.set_defaults(func=run_status)
    upgrade = commands.add_parser("upgrade", help="create the database or bring its schema up to date")
    upgrade.set_defaults(func=run_upgrade)


def run_status(args: argparse.Namespace) -> int:
    from crawler.core.errors import DatabaseNotReady
    from storage.db import schema_status

    url = db_url(args)
    current, heads = schema_status(url)
    needed = ", ".join(sorted(heads))
    if current == heads:
        print(f"{url}: schema {needed}, current")
        return 0
    have = ", ".join(sorted(current)) if current else "none (not a portalwatch database yet)"
    print(f"{url}: schema {have}; this portalwatch needs {needed}")
    raise DatabaseNotReady(f"run `portalwatch db upgrade --db {url}`")


def run_upgrade(args: argparse.Namespace) -> int:
    from storage.db import open_database, schema_heads

    messages: list[str] = []
    open_database(db_url(args), announce=messages.append).dispose()
    for message in messages:
        note(message)
    if not messages:
        print(f"{db_url(args)}: schema {', '.join(sorted(schema_heads()))}, already current")
    return 0
