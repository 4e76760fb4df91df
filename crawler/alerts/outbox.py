"""Alert outbox: events that match alert rules become pending alerts in the same transaction.

`queue_alerts` is the event hook the crawl hands the store (`storage.store.store_record(...,
on_event=queue_alerts)`, wired by the PORTALWATCH_EVENT_HOOK setting): it runs for every
non-baseline event inside the crawl's transaction, so the event and its pending deliveries commit
together or not at all, a crash after detection loses no alert, and the (rule_id, event_id)
unique constraint means an event can never be queued twice. Parser-health events (an incident
opened or closed, storage/health.py) come through the same hook, in the transaction that ends the
crawl run, for the rules `--on health`. Sending is dispatch.py's job.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crawler.alerts.rules import digest_due, health_rule_matches, rule_matches
from storage.models import AlertDelivery, AlertRule, Article, ArticleEvent, HealthEvent

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


def queue_alerts(session: Session, event: ArticleEvent | HealthEvent) -> int:
    """Queue one pending alert per rule that the event matches; returns how many were queued."""
    rules = _rules(session)
    if not rules:
        return 0
    if isinstance(event, HealthEvent):
        wanted = [rule for rule in rules if health_rule_matches(rule, event.portal_id)]
        about = {"health_event_id": event.id}
    else:
        article = event.article or session.get(Article, event.article_id)
        if article is None:
            return 0
        wanted = [rule for rule in rules if rule_matches(rule, event.kind, article)]
        about = {"event_id": event.id}
    for rule in wanted:
        due = digest_due(rule, event.occurred_at) if rule.digest_seconds else event.occurred_at
        session.add(AlertDelivery(rule_id=rule.id, status="pending", attempts=0, created_at=event.occurred_at,
                                  next_attempt_at=due, sent_to=[], **about))
    if wanted:
        session.flush()
    return len(wanted)
