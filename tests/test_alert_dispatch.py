"""Delivery to real local channels (SMTP and an HTTP webhook): each alert arrives exactly once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from crawler.alerts import dispatch
from crawler.alerts.dispatch import LEASE, DeliveryReport, deliver_pending
from crawler.alerts.rules import build_spec, create_rule
from storage.db import Database, open_database
from storage.models import AlertDelivery
from storage.store import ensure_portal
from tests.conftest import REPO
from tests.receivers import SMTP_PASSWORD, WEBHOOK_TOKEN, MailReceiver, WebhookReceiver, mail_text
from tests.records import make_record, store_alerting

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _watch(db: Database, *urls: str, created_at: datetime = T0, **options: Any) -> None:
    """Portal, its baseline crawl (two old articles) and one rule sending to `urls`."""
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Cổng TTĐT tỉnh Thái Nguyên", cms="liferay",
                      timezone="Asia/Ho_Chi_Minh")
        create_rule(s, build_spec(name=options.pop("name", "bd"), notify=list(urls), **options),
                    now=created_at)
        for slug in ("cu-1", "cu-2"):
            store_alerting(s, make_record(slug, title=f"Tin cũ {slug}"), baseline=True, now=T0)


def _store(db: Database, slug: str, at: datetime = T0, **fields: Any) -> None:
    with db.session() as s:
        store_alerting(s, make_record(slug, **fields), now=at)


def _statuses(db: Database) -> list[tuple[str, int]]:
    with db.session() as s:
        return [(r.status, r.attempts) for r in s.scalars(select(AlertDelivery).order_by(AlertDelivery.id))]


def test_each_new_or_changed_article_is_sent_once_by_mail_and_webhook(
    db: Database, mail: MailReceiver, hook: WebhookReceiver
) -> None:
    _watch(db, mail.url(), hook.url())
    assert deliver_pending(db, now=T0).messages == 0  # the baseline crawl alerts nobody
    _store(db, "moi", title="Phê duyệt phương án bồi thường")
    _store(db, "moi", title="Phê duyệt phương án bồi thường")  # crawled again, unchanged
    report = deliver_pending(db, now=T0)
    assert (report.sent, report.messages) == (1, 2)  # one alert, on both channels
    _store(db, "moi", title="Phê duyệt phương án bồi thường",
           body=["Chiều 11/3.", "Tổng kinh phí 12 tỷ đồng."])
    deliver_pending(db, now=T0)
    assert deliver_pending(db, now=T0 + timedelta(days=1)).messages == 0  # nothing left to send

    mails = [mail_text(m) for m in mail.wait_for(2)]
    payloads = hook.wait_for(2)
    assert [p["title"] for p in payloads] == ["Tin mới: Phê duyệt phương án bồi thường",
                                              "Tin được sửa: Phê duyệt phương án bồi thường"]
    assert [m.splitlines()[0] for m in mails] == [p["title"] for p in payloads]
    assert "Phát hiện lúc: 25/11/2026 09:00" in payloads[0]["message"]
    assert "+ Tổng kinh phí 12 tỷ đồng." in payloads[1]["message"]
    assert "+ Tổng kinh phí 12 tỷ đồng." in mails[1]
    assert (len(mail.messages), len(hook.payloads)) == (2, 2)
    assert _statuses(db) == [("sent", 1), ("sent", 1)]


def test_a_webhook_failing_twice_then_recovering_gets_each_alert_once(
    db: Database, mail: MailReceiver, hook: WebhookReceiver
) -> None:
    _watch(db, mail.url(), hook.url())
    _store(db, "a", title="Tin A")
    _store(db, "b", title="Tin B")
    hook.fail_next(2)
    first = deliver_pending(db, now=T0)
    assert (first.sent, first.retrying) == (0, 2)
    assert deliver_pending(db, now=T0 + timedelta(seconds=30)).messages == 0  # backing off: 1 min
    second = deliver_pending(db, now=T0 + timedelta(minutes=1))
    assert (second.sent, second.messages) == (2, 2)  # the webhook only: mail already had them
    assert deliver_pending(db, now=T0 + timedelta(hours=1)).messages == 0
    assert hook.refused == 2
    assert sorted(p["title"] for p in hook.wait_for(2)) == ["Tin mới: Tin A", "Tin mới: Tin B"]
    assert sorted(m["Subject"] for m in mail.wait_for(2)) == ["Tin mới: Tin A", "Tin mới: Tin B"]
    assert (len(hook.payloads), len(mail.messages)) == (2, 2)
    assert _statuses(db) == [("sent", 2), ("sent", 2)]


def test_a_delayed_alert_still_says_what_its_event_saw(db: Database, hook: WebhookReceiver) -> None:
    _watch(db, hook.url())
    _store(db, "a", title="Lịch tiếp công dân tháng 12")
    hook.fail_next(1)
    deliver_pending(db, now=T0)
    _store(db, "a", T0 + timedelta(minutes=5), title="Lịch tiếp công dân tháng 12 (đã sửa)")
    deliver_pending(db, now=T0 + timedelta(minutes=5))  # the retry is due: both go, in order
    assert [p["title"] for p in hook.wait_for(2)] == [
        "Tin mới: Lịch tiếp công dân tháng 12", "Tin được sửa: Lịch tiếp công dân tháng 12 (đã sửa)"]


def test_a_channel_that_never_answers_is_given_up_with_the_error_kept(
    db: Database, hook: WebhookReceiver
) -> None:
    _watch(db, hook.url())
    _store(db, "a")
    hook.fail_next(100)
    now, reports = T0, []
    for _ in range(4):
        reports.append(deliver_pending(db, now=now, max_attempts=4))
        now += timedelta(hours=7)  # past any backoff
    assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (1, 0), (0, 1)]
    assert deliver_pending(db, now=now + timedelta(days=30)) == DeliveryReport()  # given up for good
    with db.session() as s:
        row = s.scalars(select(AlertDelivery)).one()
    assert (row.status, row.attempts) == ("failed", 4)
    assert "error=500" in (row.last_error or "") and WEBHOOK_TOKEN not in (row.last_error or "")


def test_retries_back_off_exponentially(db: Database, hook: WebhookReceiver) -> None:
    _watch(db, hook.url())
    _store(db, "a")
    hook.fail_next(100)
    waits = []
    now = T0
    for _ in range(4):
        deliver_pending(db, now=now)
        with db.session() as s:
            due = s.scalars(select(AlertDelivery.next_attempt_at)).one()
        waits.append(due - now)
        now = due
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]


CRASH_AFTER_DETECTION = """
import os, sys
from storage.db import open_database
from tests.records import make_record, store_alerting
with open_database(sys.argv[1]).session() as session:
    store_alerting(session, make_record("truoc-su-co", title="Tin phát hiện trước sự cố"))
os._exit(1)  # killed after the crawl committed what it found, before any delivery
"""


def test_alerts_found_by_a_process_killed_before_delivery_go_out_on_the_next_run(
    db: Database, db_url: str, hook: WebhookReceiver
) -> None:
    _watch(db, hook.url(), created_at=datetime.now(UTC))
    crashed = subprocess.run([sys.executable, "-c", CRASH_AFTER_DETECTION, db_url], cwd=REPO,
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert crashed.returncode == 1, crashed.stderr
    assert hook.payloads == []
    assert deliver_pending(db).sent == 1
    assert deliver_pending(db).sent == 0
    assert [p["title"] for p in hook.wait_for(1)] == ["Tin mới: Tin phát hiện trước sự cố"]


def test_a_digest_gathers_a_periods_alerts_into_one_message(db: Database, mail: MailReceiver) -> None:
    _watch(db, mail.url(), digest="1h")
    for minutes, slug in ((10, "mot"), (20, "hai"), (30, "ba")):
        _store(db, slug, T0 + timedelta(minutes=minutes), title=f"Tin {slug}")
    _store(db, "bon", T0 + timedelta(minutes=70), title="Tin bon")  # the next period
    assert deliver_pending(db, now=T0 + timedelta(minutes=59)).messages == 0  # the hour is not over
    report = deliver_pending(db, now=T0 + timedelta(hours=1))
    assert (report.sent, report.messages) == (3, 1)
    [digest] = mail.wait_for(1)
    text = mail_text(digest)
    assert digest["Subject"] == "Bản tin “bd”: 3 tin (3 tin mới)"
    assert all(f"Tin {slug}" in text for slug in ("mot", "hai", "ba")) and "Tin bon" not in text
    assert deliver_pending(db, now=T0 + timedelta(minutes=119)).messages == 0
    assert deliver_pending(db, now=T0 + timedelta(hours=2)).sent == 1
    assert "Tin bon" in mail_text(mail.wait_for(2)[1]) and len(mail.messages) == 2


def test_two_dispatchers_at_once_send_each_alert_once(
    db: Database, db_url: str, hook: WebhookReceiver
) -> None:
    _watch(db, hook.url())
    for n in range(12):
        _store(db, f"tin-{n}", title=f"Tin {n}")
    start = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def run() -> None:
        other = open_database(db_url)
        try:
            start.wait()
            reports.append(deliver_pending(other, now=T0))
        finally:
            other.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    titles = [p["title"] for p in hook.wait_for(12)]
    assert sorted(titles) == sorted(f"Tin mới: Tin {n}" for n in range(12))  # none twice


def test_an_alert_cut_off_mid_send_goes_out_again_after_its_lease(
    db: Database, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented at-least-once edge: a dispatcher dies while sending, another resends later."""
    _watch(db, hook.url())
    _store(db, "a", title="Tin A")
    real_send = dispatch.send_message

    def send_then_die(url: str, title: str, body: str) -> str | None:
        real_send(url, title, body)
        raise KeyboardInterrupt  # the process dies before it can record the send

    monkeypatch.setattr(dispatch, "send_message", send_then_die)
    with pytest.raises(KeyboardInterrupt):
        deliver_pending(db, now=T0)
    monkeypatch.setattr(dispatch, "send_message", real_send)
    assert deliver_pending(db, now=T0 + LEASE - timedelta(seconds=1)).messages == 0  # still leased
    assert deliver_pending(db, now=T0 + LEASE).sent == 1
    assert [p["title"] for p in hook.wait_for(2)] == ["Tin mới: Tin A"] * 2
    assert deliver_pending(db, now=T0 + 2 * LEASE).messages == 0


def test_secrets_never_reach_the_logs_or_stored_errors(
    sqlite_url: str, mail: MailReceiver, hook: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # Apprise and urllib3 quote URLs and headers at debug level
    db = open_database(sqlite_url)
    _watch(db, mail.url(), hook.url())
    _store(db, "a")
    hook.fail_next(1)
    report = deliver_pending(db, now=T0)
    assert (report.messages, report.retrying) == (1, 1)
    with db.session() as s:
        stored_error = s.scalars(select(AlertDelivery.last_error)).one() or ""
    assert "127.0.0.1" in stored_error and "error=500" in stored_error
    assert "sent to mailto://canhbao:****@127.0.0.1" in caplog.text
    for secret in (SMTP_PASSWORD, WEBHOOK_TOKEN):
        assert secret not in caplog.text and secret not in stored_error and secret not in str(report.errors)
    db.dispose()
