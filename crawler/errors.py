"""Errors that reach the user as a one-line message and a non-zero exit, never as a traceback."""


class UserError(Exception):
    """Bad input from the user (config, URL, file, date): printed as is, exit code 2."""

    exit_code = 2


class ExtractionError(UserError):
    """A page that could not be turned into a record; the message names the URL and what is missing."""

    exit_code = 3
