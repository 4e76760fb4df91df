"""Real local channels for the alert tests: an SMTP server (aiosmtpd) and the HTTP webhook receiver
that `portalwatch demo` uses too (crawler/sim/receiver.py).

No tests of its own: the alert test modules import the receivers from here. Both listen on
127.0.0.1 on a free port and record what arrived; `wait_for` waits on a Condition with a deadline.
"""

from __future__ import annotations

import logging
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from crawler.sim.receiver import WEBHOOK_TOKEN, Inbox, WebhookReceiver

SMTP_USER = "canhbao"
SMTP_PASSWORD = "Sm7pS3cretPa55"  # must never show up in output, logs or stored errors



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailReceiver:
    """SMTP on 127.0.0.1 that only takes mail after the test login, as a local relay would."""

    def __init__(self) -> None:
        self.inbox = Inbox()
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


__all__ = ["Inbox", "MailReceiver", "WebhookReceiver", "WEBHOOK_TOKEN", "free_port", "mail_text"]
