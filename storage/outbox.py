"""Alert outbox: events that match alert rules become pending alerts in the same transaction.

Filled in by the alerts step (issue 7); until then an event raises no alert.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import ArticleEvent


def enqueue_alerts(session: Session, event: ArticleEvent) -> int:
    """Queue one pending alert per rule that `event` matches; returns how many were queued."""
    return 0
