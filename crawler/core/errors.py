"""Errors that reach the user as a one-line message and a non-zero exit, never as a traceback.

Exit codes of the commands: 0 done, 1 a portal could not be reached, 2 bad input, 3 a page that
is no article or listing (`parse`), 4 another process is crawling the portal (`crawl`).
"""

EXIT_UNREACHABLE = 1
EXIT_BUSY = 4


class UserError(Exception):
    """Bad input from the user (config, URL, file, date): printed as is, exit code 2."""

    exit_code = 2


class ExtractionError(UserError):
    """A page that could not be turned into a record; the message names the URL and what is missing."""

    exit_code = 3
