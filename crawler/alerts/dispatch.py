"""THE place alerts are sent: claim pending deliveries, send them through Apprise, record the outcome.

`deliver_pending(database)` is called after each crawl, by the scheduler's alert job and by
`portalwatch alerts send`. Several may run at once (two crawls finishing together, a scheduler and
a manual send): each claims its rows by an UPDATE that only takes rows still due, under a lease
(plus FOR UPDATE SKIP LOCKED on PostgreSQL so they do not queue behind each other).

What "exactly once" means here:
- a pending row is committed with its event (crawler/alerts/outbox.py): a crash before sending loses nothing;
- the (rule, event) unique constraint: a re-crawl never queues an event twice;
- a row is marked sent (per channel, in `sent_to`) right after each successful send, and a retry
  only goes to the channels still missing it;
- the honest edge: if the process dies after a channel accepted a message and before that fact is
  committed, or a send outlives its lease, that one in-flight message is sent again once the lease
  expires (at-least-once for it). Nothing else is ever sent twice.

Failures are retried with exponential backoff (next_attempt_at), up to MAX_ATTEMPTS attempts; then
the row is 'failed' with the (redacted) error kept for `alerts pending --failed`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import apprise
from sqlalchemy import ColumnElement, Update, and_, func, literal_column, or_, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from crawler.alerts.channels import apprise_complaints, fingerprint, guard_secrets, mask_url, redact
from crawler.alerts.messages import AlertItem, format_alert, format_digest, health_item, item_for
from storage.db import Database, affected_rows
from storage.models import AlertDelivery, AlertRule, ArticleEvent, ArticleVersion, Portal, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8... minutes
MAX_RETRY = timedelta(hours=6)
LEASE = timedelta(minutes=10)  # renewed before each message group; Apprise gives up on a channel in ~1 min
CLAIM_CHUNK = 10  # rows claimed per round trip


@dataclass
class DeliveryReport:
    """What one `deliver_pending` call did."""

    sent: int = 0  # alerts now delivered to every channel of their rule
    messages: int = 0  # messages that went out (a digest is one message per channel)
    retrying: int = 0  # alerts that failed this time and will be tried again
    failed: int = 0  # alerts given up on this time (attempts exhausted)
    errors: list[str] = field(default_factory=list)  # masked channel: redacted reason
    # Afterwards, what is queued but not due yet: failed alerts waiting for their retry time, and
    # alerts of digest rules waiting for their period to end (each with the earliest due time).
    waiting_retry: int = 0
    next_retry_at: datetime | None = None
    waiting_digest: int = 0
    next_digest_at: datetime | None = None

    def __str__(self) -> str:
        return (f"{self.sent} alert(s) sent in {self.messages} message(s), "
                f"{self.retrying} to retry, {self.failed} failed")


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 1 min, 2, 4, ... capped at MAX_RETRY."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def send_message(url: str, title: str, body: str) -> str | None:
    """Send one message to one Apprise URL: None when it was accepted, else why not (redacted)."""
    secrets = guard_secrets([url])
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))  # failures stay in our thread
    with apprise_complaints() as complaints:
        try:
            if not notifier.add(url):
                return "Apprise cannot use this URL"
            accepted = notifier.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
        except Exception as exc:  # a plugin bug must not stop the other deliveries
            return redact(f"{type(exc).__name__}: {exc}", secrets)
    if accepted:
        return None
    return redact("; ".join(dict.fromkeys(complaints)) or "the channel did not accept the message", secrets)


def _due(now: datetime) -> ColumnElement[bool]:
    # Pending and due, or claimed by a dispatcher whose lease ran out (it died or hung mid-send).
    return or_(
        and_(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now),
        and_(AlertDelivery.status == "sending", AlertDelivery.lease_until <= now),
    )


def _claim(database: Database, *, now: datetime, lease: timedelta, chunk: int) -> str | None:
    """Mark up to `chunk` due rows (plus the rest of any digest they belong to) as ours."""
    token = uuid.uuid4().hex
    claim = {"status": "sending", "lease_until": now + lease, "claim_token": token,
             "attempts": AlertDelivery.attempts + 1}
    with database.session() as session:
        candidates = select(AlertDelivery.id).where(_due(now)).order_by(AlertDelivery.id).limit(chunk)
        if database.dialect == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        # The ids are read first, in a statement of their own: as a subquery of the UPDATE,
        # PostgreSQL may run the LIMIT once per row it visits (a nested-loop semi join) and one
        # dispatcher then claims every due row instead of `chunk`.
        ids = list(session.scalars(candidates))
        if not ids:
            return None
        # The UPDATE re-checks _due, so a row another dispatcher took meanwhile is not taken again.
        claimed = affected_rows(session.execute(
            update(AlertDelivery).where(AlertDelivery.id.in_(ids), _due(now))
            .values(**claim).execution_options(synchronize_session=False)
        ))
        if not claimed:
            return None
        # A digest leaves as one message: take every due row of the digest rules we touched.
        digest_rules = (select(AlertDelivery.rule_id).join(AlertRule)
                        .where(AlertDelivery.claim_token == token, AlertRule.digest_seconds.is_not(None)))
        session.execute(
            update(AlertDelivery).where(AlertDelivery.rule_id.in_(digest_rules.scalar_subquery()), _due(now))
            .values(**claim).execution_options(synchronize_session=False)
        )
    return token


@dataclass
class _Batch:
    """Claimed rows that leave together: one alert, or one digest rule's due alerts."""

    rule: AlertRule
    rows: list[AlertDelivery]
    items: dict[int, AlertItem]  # delivery id -> what it says


def _load_batches(session: Session, token: str) -> list[_Batch]:
    rows = session.scalars(
        select(AlertDelivery).where(AlertDelivery.claim_token == token)
        .options(selectinload(AlertDelivery.rule), selectinload(AlertDelivery.health_event),
                 selectinload(AlertDelivery.event).selectinload(ArticleEvent.article))
        .order_by(AlertDelivery.id)
    ).all()
    portal_names = {pid: name for pid, name in session.execute(select(Portal.id, Portal.name))}
    # The version each event produced, all in one query (it was one query per alert).
    wanted = {(row.event.article_id, row.event.version) for row in rows if row.event is not None}
    versions = {(v.article_id, v.version): v for v in session.scalars(select(ArticleVersion).where(
        tuple_(ArticleVersion.article_id, ArticleVersion.version).in_(wanted)))} if wanted else {}
    batches: dict[tuple[str, int], _Batch] = {}
    for row in sorted(rows, key=lambda r: (_occurred_at(r), r.id)):
        key = ("digest", row.rule_id) if row.rule.digest_seconds else ("alert", row.id)
        batch = batches.setdefault(key, _Batch(row.rule, [], {}))
        batch.rows.append(row)
        event, health = row.event, row.health_event
        if event is not None:
            name = portal_names.get(event.portal_id, event.portal_id)
            batch.items[row.id] = item_for(event, event.article, name,
                                           versions.get((event.article_id, event.version)))
        elif health is not None:
            batch.items[row.id] = health_item(health, portal_names.get(health.portal_id, health.portal_id))
    return list(batches.values())


def _occurred_at(row: AlertDelivery) -> datetime:
    about = row.event or row.health_event
    return about.occurred_at if about is not None else row.created_at


def _ours(row: AlertDelivery, token: str) -> Update:
    # Every write after the claim is guarded by our token: if our lease ran out and another
    # dispatcher took the row over, the row is its business now and our write changes nothing.
    return update(AlertDelivery).where(AlertDelivery.id == row.id, AlertDelivery.claim_token == token)


def _renew_lease(database: Database, token: str, batch: _Batch, until: datetime) -> bool:
    """Extend our claim before sending; False if the rows are no longer ours (then do not send)."""
    with database.session() as session:
        renewed = affected_rows(session.execute(
            update(AlertDelivery).where(AlertDelivery.id.in_([row.id for row in batch.rows]),
                                        AlertDelivery.claim_token == token)
            .values(lease_until=until).execution_options(synchronize_session=False)))
    return renewed > 0


def _record_sent(database: Database, token: str, rows: list[AlertDelivery], channel: str) -> None:
    """Commit at once that `channel` has these alerts: a later retry or crash never resends them."""
    with database.session() as session:
        for row in rows:
            row.sent_to = [*row.sent_to, channel]
            session.execute(_ours(row, token).values(sent_to=row.sent_to))


def _finish(database: Database, token: str, batch: _Batch, errors: list[str], *, now: datetime,
            max_attempts: int, report: DeliveryReport) -> None:
    channels = {fingerprint(url) for url in batch.rule.notify_urls}
    error = "; ".join(errors) or None
    with database.session() as session:
        for row in batch.rows:
            done = {"lease_until": None, "claim_token": None}
            if channels <= set(row.sent_to):
                outcome, values = "sent", {"status": "sent", "sent_at": now, "last_error": None}
            elif row.attempts >= max_attempts:
                outcome, values = "failed", {"status": "failed", "last_error": error}
            else:
                outcome, values = "retrying", {"status": "pending", "last_error": error,
                                               "next_attempt_at": now + retry_delay(row.attempts)}
            if affected_rows(session.execute(_ours(row, token).values(**done, **values))):
                setattr(report, outcome, getattr(report, outcome) + 1)
        if batch.rule.digest_seconds and not errors:
            session.execute(update(AlertRule).where(AlertRule.id == batch.rule.id)
                            .values(last_digest_at=now))


def _deliver(database: Database, token: str, batch: _Batch, *, clock: Callable[[], datetime],
             max_attempts: int, report: DeliveryReport, log_failures: bool) -> None:
    errors: list[str] = []
    for url in batch.rule.notify_urls:
        channel = fingerprint(url)
        waiting = [row for row in batch.rows if channel not in row.sent_to]
        if not waiting:
            continue  # an earlier attempt already got through on this channel
        items = [batch.items[row.id] for row in waiting]
        title, body = (format_digest(batch.rule.name, items) if batch.rule.digest_seconds
                       else format_alert(items[0]))
        error = send_message(url, title, body)
        if error is None:
            _record_sent(database, token, waiting, channel)
            report.messages += 1
            log.info("alert %r: %d alert(s) sent to %s", batch.rule.name, len(waiting), mask_url(url))
        else:
            errors.append(f"{mask_url(url)}: {error}")
            log.log(logging.WARNING if log_failures else logging.DEBUG,
                    "alert %r: sending to %s failed: %s", batch.rule.name, mask_url(url), error)
    report.errors.extend(errors)
    _finish(database, token, batch, errors, now=clock(), max_attempts=max_attempts, report=report)


def deliver_pending(database: Database, *, now: datetime | None = None, limit: int | None = None,
                    lease: timedelta = LEASE, max_attempts: int = MAX_ATTEMPTS,
                    log_failures: bool = True) -> DeliveryReport:
    """Send every alert that is due (or up to `limit` of them) and record what happened.

    `now` fixes the clock (tests drive retries and digests with it); by default the real one.
    Never raises for a channel's failure: that is counted in the report and retried later.
    `log_failures=False`: the caller prints the report's errors itself, so a failed send is not
    logged as a warning as well (each error reaches the user once).
    """
    def clock() -> datetime:
        return now or utcnow()

    report = DeliveryReport()
    handled = 0
    while limit is None or handled < limit:
        chunk = CLAIM_CHUNK if limit is None else min(CLAIM_CHUNK, limit - handled)
        token = _claim(database, now=clock(), lease=lease, chunk=chunk)
        if token is None:
            break
        with database.session() as session:
            batches = _load_batches(session, token)
        for batch in batches:
            if not _renew_lease(database, token, batch, clock() + lease):
                continue  # a previous chunk took so long that another dispatcher took these over
            try:
                _deliver(database, token, batch, clock=clock, max_attempts=max_attempts, report=report,
                         log_failures=log_failures)
            except Exception as exc:  # one broken alert must not hold up the others: count it, retry it
                log.exception("alert %r: could not be delivered", batch.rule.name)
                error = redact(f"internal error: {type(exc).__name__}: {exc}", guard_secrets(
                    batch.rule.notify_urls))
                report.errors.append(error)
                _finish(database, token, batch, [error], now=clock(), max_attempts=max_attempts,
                        report=report)
            handled += len(batch.rows)
    if handled:
        log.info("alerts: %s", report)
    _count_waiting(database, clock(), report)
    return report


def _count_waiting(database: Database, now: datetime, report: DeliveryReport) -> None:
    """What stays queued for later: a user who sees "0 sent" learns why, and when they go out."""
    tried = AlertDelivery.attempts > literal_column("0")  # one literal: PostgreSQL groups by the same text
    with database.session() as session:
        for retry, count, earliest in session.execute(
            select(tried, func.count(), func.min(AlertDelivery.next_attempt_at))
            .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at > now)
            .group_by(tried)
        ):
            if retry:
                report.waiting_retry, report.next_retry_at = count, earliest
            else:
                report.waiting_digest, report.next_digest_at = count, earliest


def send_test(rule: AlertRule, item: AlertItem) -> list[tuple[str, str | None]]:
    """`alerts test`: send `item` to each of the rule's channels now, outside the outbox.

    Returns (masked URL, None or why it failed) per channel.
    """
    title, body = format_alert(item)
    title = f"[Thử] {title}"
    return [(mask_url(url), send_message(url, title, body)) for url in rule.notify_urls]
