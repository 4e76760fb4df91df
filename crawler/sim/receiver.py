"""A local webhook receiver: Apprise's json:// posts land here and are kept in order.

`portalwatch demo` delivers its alert to one and prints what arrived; the alert tests use it as a
real channel (tests/receivers.py).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WEBHOOK_TOKEN = "Wh00kT0kenValue"  # a made-up secret: output, logs and stored errors must never show it


class Inbox:
    """What arrived, and a wait for it with a deadline (never a sleep)."""

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
            if not arrived:
                raise AssertionError(f"expected {count} message(s) within {timeout}s, got {len(self.items)}")
            return list(self.items)



class WebhookReceiver:
    """HTTP JSON receiver on 127.0.0.1; `fail_next(n)` answers the next n posts with HTTP 500."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.failures_left = 0
        self.refused = 0
        self.answer_delay = 0.0  # seconds between a message's arrival and the answer to it
        self.stopping = threading.Event()
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
                message = {"path": self.path, "headers": dict(self.headers), **payload}
                delay = receiver.answer_delay
                if not fail and delay:
                    # A slow channel: the message has arrived, the answer comes late; a sender that
                    # dies meanwhile has delivered it without knowing (the "message in flight").
                    receiver.inbox.add(message)
                    receiver.stopping.wait(delay)
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if not fail and not delay:
                    receiver.inbox.add(message)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        # A short poll so that shutdown() at the end of each test does not wait half a second.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def url(self, path: str = "/hook", secret: bool = True) -> str:
        """The Apprise json:// URL of this receiver; `secret`: with a token in a header, as a
        protected webhook has (Apprise itself shows it in clear: secrets must be masked by us)."""
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
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

