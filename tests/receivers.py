"""Real local channels for the alert tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver.

No tests of its own: the alert test modules import the receivers from here. Both listen on
127.0.0.1 on a free port and record what arrived; `wait_for` waits on a Condition with a deadline.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

SMTP_USER = "canhbao"
SMTP_PASSWORD = "Sm7pS3cretPa55"  # must never show up in output, logs or stored errors
WEBHOOK_TOKEN = "Wh00kT0kenValue"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.items: list[Any] = []
        self.changed = threading.Condition()

    def add(self, item: Any) -> None:
        with self.changed:
            self.items.append(item)
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The items once at least `count` arrived; AssertionError after `timeout` seconds."""
        with self.changed:
            arrived = self.changed.wait_for(lambda: len(self.items) >= count, timeout)
            assert arrived, f"expected {count} message(s) within {timeout}s, got {len(self.items)}"
            return list(self.items)


class MailReceiver:
    """SMTP on 127.0.0.1 that only takes mail after the test login, as a local relay would."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        # AUTH over plain TCP; mail from a session that did not log in is refused in handle_DATA
        # (aiosmtpd's own auth_required would warn about the missing TLS on every connection).
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     auth_require_tls=False, authenticator=self._authenticate)
        logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's per-session chatter

    @staticmethod
    def _authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
              and auth_data.password == SMTP_PASSWORD.encode())
        return AuthResult(success=ok)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        self.inbox.add(message_from_bytes(envelope.original_content or b"", policy=policy.default))
        return "250 Message accepted for delivery"

    def url(self, to: str = "doc.gia@example.org") -> str:
        # mailto:// (not mailtos://) is Apprise's plain SMTP: no TLS, which a local relay needs.
        return (f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{self.port}"
                f"?from=portalwatch@example.org&to={to}")

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.inbox.items)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        return self.inbox.wait_for(count, timeout)

    def __enter__(self) -> MailReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def mail_text(message: EmailMessage) -> str:
    """Subject and text of a received alert email (Apprise sends text as HTML with <br/>)."""
    body = message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    return f"{message['Subject']}\n{content}"


class WebhookReceiver:
    """HTTP JSON receiver on 127.0.0.1; `fail_next(n)` answers the next n posts with HTTP 500."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.failures_left = 0
        self.refused = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with receiver.lock:
                    fail = receiver.failures_left > 0
                    if fail:
                        receiver.failures_left -= 1
                        receiver.refused += 1
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if not fail:
                    receiver.inbox.add({"path": self.path, "headers": dict(self.headers), **payload})

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        # A short poll so that shutdown() at the end of each test does not wait half a second.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def url(self, path: str = "/hook", secret: bool = True) -> str:
        # The token rides in a header (json:// "+Header=value"): Apprise itself shows it in clear.
        token = f"?+X-Webhook-Token={WEBHOOK_TOKEN}" if secret else ""
        return f"json://127.0.0.1:{self.port}{path}{token}"

    def fail_next(self, count: int) -> None:
        with self.lock:
            self.failures_left = count

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return list(self.inbox.items)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        return self.inbox.wait_for(count, timeout)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

