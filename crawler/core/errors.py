"""Errors that reach the user as a one-line message and a non-zero exit, never as a traceback,
and the one table of exit codes every command uses (the README and `portalwatch --help` print it).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNREACHABLE = 1
    USAGE = 2
    NOT_EXTRACTED = 3
    BUSY = 4
    NOT_FOUND = 5
    NO_DATABASE = 6
    INTERRUPTED = 130


EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "done",
    ExitCode.UNREACHABLE: "a portal or an alert channel could not be reached "
                          "(crawl, schedule --once, alerts send, alerts test, portals probe/add)",
    ExitCode.USAGE: "bad input: an option, a file, a URL, a date or an unknown portal id "
                    "(the message says what)",
    ExitCode.NOT_EXTRACTED: "parse: the page is no article or listing; portals probe/add: no news listing "
                            "found on the home page",
    ExitCode.BUSY: "crawl: another live process is crawling the portal (nothing done)",
    ExitCode.NOT_FOUND: "what was asked for does not exist: show: no such stored article; "
                        "parse: the portal says the page does not exist (soft 404)",
    ExitCode.NO_DATABASE: "the database is missing or its schema is not current: "
                          "a read-only command never creates or upgrades it (run `portalwatch db upgrade`)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}

# The names the rest of the code uses.
EXIT_UNREACHABLE = ExitCode.UNREACHABLE
EXIT_BUSY = ExitCode.BUSY
EXIT_NOT_FOUND = ExitCode.NOT_FOUND


def exit_code_table() -> str:
    """The table as plain text, one code a line."""
    return "\n".join(f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())


class UserError(Exception):
    """Bad input from the user (config, URL, file, date): printed as is, exit code 2."""

    exit_code: int = ExitCode.USAGE


class ExtractionError(UserError):
    """A page that could not be turned into a record; the message names the URL and what is missing."""

    exit_code = ExitCode.NOT_EXTRACTED


class Unreachable(UserError):
    """A portal that cannot be reached (network error, timeout, an error status): exit code 1."""

    exit_code = ExitCode.UNREACHABLE


class NotFound(UserError):
    """What the user asked for does not exist (an article id or URL): exit code 5."""

    exit_code = ExitCode.NOT_FOUND


class DatabaseNotReady(UserError):
    """A read-only command met a missing database or one whose schema is behind: exit code 6."""

    exit_code = ExitCode.NO_DATABASE
