"""Alert outbox: events that match alert rules become pending alerts in the same transaction.

`queue_alerts` is the event hook the crawl hands the store (`storage.store.store_record(...,
on_event=queue_alerts)`, wired by the PORTALWATCH_EVENT_HOOK setting): it runs for every
non-baseline event inside the crawl's transaction, so the event and its pending deliveries commit
together or not at all, a crash after detection loses no alert, and the (rule_id, event_id)
unique constraint means an event can never be queued twice. Sending is dispatch.py's job.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crawler.alerts.rules import digest_due, rule_matches
from storage.models import AlertDelivery, AlertRule, Article, ArticleEvent

# Rules are read once per transaction (a crawl's batch), not once per event; a rule added while a
# crawl runs applies from its next batch.
_RULES_KEY = "portalwatch.alert_rules"


def _rules(session: Session) -> list[AlertRule]:
    rules = session.info.get(_RULES_KEY)
    if rules is None:
        # A paused rule queues nothing: the events stored while it is paused are never sent.
        rules = session.info[_RULES_KEY] = list(session.scalars(
            select(AlertRule).where(AlertRule.paused.is_(False)).order_by(AlertRule.id)))
    return rules


@event.listens_for(Session, "before_flush")
def _forget_changed_rules(session: Session, _context: object, _instances: object) -> None:
    """A rule added, edited or removed in this transaction applies to the events after it."""
    if any(isinstance(obj, AlertRule) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_RULES_KEY, None)


def queue_alerts(session: Session, article_event: ArticleEvent) -> int:
    """Queue one pending alert per rule that the event matches; returns how many were queued."""
    rules = _rules(session)
    if not rules:
        return 0
    article = article_event.article or session.get(Article, article_event.article_id)
    if article is None:
        return 0
    queued = 0
    for rule in rules:
        if not rule_matches(rule, article_event.kind, article):
            continue
        occurred_at = article_event.occurred_at
        due = digest_due(rule, occurred_at) if rule.digest_seconds else occurred_at
        session.add(AlertDelivery(
            rule_id=rule.id, event_id=article_event.id, status="pending", attempts=0,
            created_at=article_event.occurred_at, next_attempt_at=due, sent_to=[],
        ))
        queued += 1
    if queued:
        session.flush()
    return queued
