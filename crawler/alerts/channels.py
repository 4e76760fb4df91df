"""Notification channels are Apprise URLs: checking them, showing them, keeping their secrets out.

An Apprise URL carries the channel's credentials (SMTP password, bot token, webhook key). They
are stored as given (the dispatcher needs them) but never shown: `mask_url` is the only way a
URL reaches the screen, and `redact` scrubs them from any text that might quote them (errors
we store, Apprise's and urllib3's own log lines, which do quote tokens at debug level).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import apprise

from crawler.core.errors import UserError

MASK = "****"
# Pieces of a URL: what lies between its delimiters. Masking works piece by piece, so a secret
# that happens to be a substring of a host name never mangles the host.
_DELIMITERS = r"/:@?&=#,;+ "
_PIECE = re.compile(rf"[^{re.escape(_DELIMITERS)}]+")
# Query parameters whose value is a credential whatever the service (Apprise shows some in clear,
# e.g. json:// headers given as ?+Authorization=...).
_SECRET_PARAM = re.compile(r"token|key|secret|pass|pwd|auth|sig|cred", re.I)
# A long run of letters mixed with digits is a webhook token even where Apprise shows it (paths).
_TOKEN_LIKE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-.~%]{20,}$")
# Loggers that quote request URLs: Apprise itself, and urllib3 under requests (Telegram, Slack...).
QUOTING_LOGGERS = ("apprise", "urllib3.connectionpool")


def _pieces(text: str) -> set[str]:
    return set(_PIECE.findall(text)) | set(_PIECE.findall(unquote(text)))


def _plugin(url: str) -> apprise.plugins.NotifyBase | None:
    try:
        with quiet_apprise():
            plugin = apprise.Apprise.instantiate(url)
    except Exception:  # a URL Apprise cannot parse has no plugin; the fallbacks below still apply
        return None
    return plugin or None


def secrets_in(url: str) -> set[str]:
    """The credentials in an Apprise URL, in the forms they may be quoted (raw and %-decoded)."""
    certain: set[str] = set()  # credentials by their place in the URL
    parts = urlsplit(url.strip())
    try:
        if parts.password:
            certain.add(parts.password)
    except ValueError:  # a port that is not a number: still look at the rest
        pass
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if _SECRET_PARAM.search(key.lstrip("+-:")):
            certain.add(value)
    guessed: set[str] = set()
    plugin = _plugin(url)
    if plugin is not None:
        # Whatever Apprise hides in its privacy form is a secret by Apprise's own knowledge of the
        # service (bot tokens, webhook ids, API keys...).
        shown = _pieces(plugin.url(privacy=True))
        guessed |= {piece for piece in _pieces(url) if piece not in shown}
        password = getattr(plugin, "password", None)
        if isinstance(password, str) and password:
            certain.add(password)
    guessed |= {piece for piece in _pieces(url) if _TOKEN_LIKE.match(piece)}
    # The privacy form also leaves out what is no secret (the SMTP port, the names of query
    # parameters): the user must still recognise the channel, and redact() must not blank "587"
    # in every log line.
    found = certain | (guessed - _structure(parts))
    expanded = found | {unquote(secret) for secret in found}
    return {secret for secret in expanded if len(secret) >= 3}


def _structure(parts: SplitResult) -> set[str]:
    """What is not a credential in any URL: the port of a host name, the names of its parameters."""
    names = {key.lstrip("+-:") for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    names |= {unquote(name) for name in names}
    try:
        port = parts.port
    except ValueError:  # tgram://bot_id:token: the "port" is half a token
        port = None
    if port is not None and parts.hostname and "." in parts.hostname:
        names.add(str(port))
    return names


def mask_url(url: str) -> str:
    """The URL as the user typed it, each secret piece replaced by ****.

    The password of `user:password@host` is masked by its place, whatever its length: the
    piece-by-piece pass below skips secrets too short to redact safely from free text.
    """
    url = _mask_password_field(url.strip())
    secrets = secrets_in(url)
    return _PIECE.sub(lambda m: MASK if m.group(0) in secrets or unquote(m.group(0)) in secrets
                      else m.group(0), url)


def _mask_password_field(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, host = authority.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:{MASK}@{host}{tail}"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (longest first, so a token's parts go with it) replaced by ****."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def fingerprint(url: str) -> str:
    """A stable id of a channel that reveals nothing of it (kept in deliveries' `sent_to`)."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


class _RedactingFilter(logging.Filter):
    """Rewrites log records of the quoting loggers with every known secret masked."""

    def __init__(self) -> None:
        super().__init__("portalwatch-redact")
        self.secrets: set[str] = set()
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self.lock:
            secrets = tuple(self.secrets)
        if secrets:
            message = record.getMessage()
            cleaned = redact(message, secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_FILTER = _RedactingFilter()
for _name in QUOTING_LOGGERS:
    logging.getLogger(_name).addFilter(_FILTER)


def guard_secrets(urls: Iterable[str]) -> set[str]:
    """Register the URLs' secrets with the log filter (for the life of the process); return them."""
    secrets: set[str] = set()
    for url in urls:
        secrets |= secrets_in(url)
    with _FILTER.lock:
        _FILTER.secrets |= secrets
    return secrets


class _Collector(logging.Filter):
    """Apprise says why a send failed only in its log: keep this thread's warnings and errors, and
    keep them off the screen (our own report says what failed, once)."""

    def __init__(self) -> None:
        super().__init__("portalwatch-complaints")
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread or record.levelno < logging.WARNING:
            return True
        self.messages.append(record.getMessage())
        return False


@contextmanager
def apprise_complaints() -> Iterator[list[str]]:
    """Collect what Apprise logs at WARNING and above in this thread (already redacted), instead
    of letting it reach the log: the caller reports it, as part of its own error."""
    collector = _Collector()
    logger = logging.getLogger("apprise")
    logger.addFilter(collector)  # after the redacting filter: what it collects is redacted
    try:
        yield collector.messages
    finally:
        logger.removeFilter(collector)


@contextmanager
def quiet_apprise() -> Iterator[None]:
    """Keep Apprise's complaints off the screen where we report the problem ourselves."""
    logger = logging.getLogger("apprise")
    before = logger.propagate
    logger.propagate = False
    try:
        yield
    finally:
        logger.propagate = before


def check_notify_url(url: str) -> str:
    """The URL stripped, or a UserError naming (masked) what Apprise cannot use and why."""
    url = url.strip()
    guard_secrets([url])
    with quiet_apprise(), apprise_complaints() as complaints:
        accepted = apprise.Apprise().add(url)
    if not accepted:
        why = f" ({'; '.join(dict.fromkeys(complaints))})" if complaints else ""
        raise UserError(
            f"--notify {mask_url(url)}: not a notification URL Apprise can use{why}; "
            "examples: mailto://user:pass@smtp.example.org?to=me@example.org, tgram://BOT_TOKEN/CHAT_ID, "
            "json://host/path (see https://github.com/caronc/apprise/wiki)"
        )
    return url
