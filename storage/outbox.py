"""Alert outbox: events that match alert rules become pending alerts in the same transaction.

`storage.store._event` calls `enqueue_alerts` for every non-baseline event, inside the crawl's
transaction: the event and its pending deliveries commit together or not at all, so a crash
after detection loses no alert, and the (rule_id, event_id) unique constraint means an event
can never be queued twice. Sending is crawler/alerts/dispatch.py's job.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AlertDelivery, AlertRule, Article, ArticleEvent


def enqueue_alerts(session: Session, event: ArticleEvent) -> int:
    """Queue one pending alert per rule that `event` matches; returns how many were queued."""
    from crawler.alerts.rules import digest_due, rule_matches  # rules import storage.models

    rules = session.scalars(select(AlertRule).order_by(AlertRule.id)).all()
    if not rules:
        return 0
    article = event.article or session.get(Article, event.article_id)
    if article is None:
        return 0
    queued = 0
    for rule in rules:
        if not rule_matches(rule, event.kind, article):
            continue
        due = digest_due(rule, event.occurred_at) if rule.digest_seconds else event.occurred_at
        session.add(AlertDelivery(
            rule_id=rule.id, event_id=event.id, status="pending", attempts=0,
            created_at=event.occurred_at, next_attempt_at=due, sent_to=[],
        ))
        queued += 1
    if queued:
        session.flush()
    return queued
