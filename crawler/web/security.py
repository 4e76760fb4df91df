"""Who may change things: the token, the browser's session cookie, CSRF, and safe links.

Reading needs nothing (the server binds 127.0.0.1 unless told otherwise). Anything that changes
state needs the token: an API client sends `Authorization: Bearer TOKEN`; a browser signs in
once with it (`/login`, or the `/login?token=...` link `serve` prints) and gets a session cookie
that is an HMAC of the token (never the token itself), HttpOnly and SameSite=Strict. Every form
also carries a CSRF value derived from that session, checked on submission.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SESSION_COOKIE = "pw_session"
TOKEN_ENV = "PORTALWATCH_TOKEN"
SAFE_SCHEMES = ("http", "https")


def default_token_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "portalwatch" / "web-token"


@dataclass(frozen=True)
class TokenSource:
    token: str
    origin: str  # "environment", "file PATH", "generated into PATH": what `serve` prints


def resolve_token(token_file: Path | None = None) -> TokenSource:
    """$PORTALWATCH_TOKEN; else the token stored at `token_file`; else a new one, stored there
    (mode 0600) so that it stays the same across restarts."""
    if os.environ.get(TOKEN_ENV, "").strip():
        return TokenSource(os.environ[TOKEN_ENV].strip(), "environment")
    path = token_file or default_token_file()
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return TokenSource(stored, f"file {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    return TokenSource(token, f"generated into {path}")


class Guard:
    """Checks tokens, sessions and CSRF values for one server token."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")
        self.session_value = self._sign("session")

    def _sign(self, purpose: str) -> str:
        return hmac.new(self._token, purpose.encode("utf-8"), hashlib.sha256).hexdigest()

    def token_ok(self, given: str | None) -> bool:
        return given is not None and given != "" and _same(given, self._token.decode("utf-8"))

    def bearer_ok(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())

    def session_ok(self, cookie: str | None) -> bool:
        return cookie is not None and cookie != "" and _same(cookie, self.session_value)

    @property
    def csrf_value(self) -> str:
        return self._sign("csrf:" + self.session_value)

    def csrf_ok(self, cookie: str | None, given: str | None) -> bool:
        if given is None or given == "" or not self.session_ok(cookie):
            return False
        return _same(given, self.csrf_value)


def _same(given: str, expected: str) -> bool:
    """Constant-time equality; as bytes, since compare_digest refuses non-ASCII str (a forged value)."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def safe_href(url: str | None) -> str | None:
    """The URL if a browser may follow it (http, https); None for javascript:, data: and the rest."""
    if not url:
        return None
    text = url.strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    # Browsers drop tabs and newlines inside a scheme ("java\tscript:"): refuse any control character.
    if scheme not in SAFE_SCHEMES or any(ord(char) < 32 for char in text):
        return None
    return text
