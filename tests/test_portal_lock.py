"""A portal's crawl lock (storage.store.claim_portal): two crawls started together, one crawls."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

import storage.store
from storage.db import Database, open_database
from storage.models import CrawlRun
from storage.store import claim_portal, ensure_portal, start_run

PORTAL = "thainguyen"


def _claim_and_start(db_url: str, outcome: dict[str, object], name: str) -> None:
    database = open_database(db_url)
    try:
        with database.session() as session:
            busy = claim_portal(session, PORTAL)
            outcome[name] = busy.id if busy is not None else start_run(session, PORTAL, baseline=False).id
    finally:
        database.dispose()


def test_two_claims_at_once_start_one_run_and_the_other_sees_it(
        db: Database, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first claim pauses between its check and its run, giving the second every chance to
    slip in: without the lock the second checks then, finds nothing running, and starts a run too."""
    with db.session() as session:
        ensure_portal(session, PORTAL, name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
    first_checked, second_checked = threading.Event(), threading.Event()
    check: Callable[..., CrawlRun | None] = storage.store.crawl_in_progress

    def paused_check(session: object, portal_id: str, **kwargs: object) -> CrawlRun | None:
        found = check(session, portal_id, **kwargs)
        if threading.current_thread().name == "first":
            first_checked.set()
            # With the lock the second claim waits for this transaction, so this wait runs out
            # (a bound, not a sleep the outcome depends on); without it the second checks at once.
            second_checked.wait(timeout=1.5)
        else:
            second_checked.set()
        return found

    monkeypatch.setattr(storage.store, "crawl_in_progress", paused_check)
    outcome: dict[str, object] = {}
    first = threading.Thread(target=_claim_and_start, args=(db_url, outcome, "first"), name="first")
    second = threading.Thread(target=_claim_and_start, args=(db_url, outcome, "second"), name="second")
    first.start()
    assert first_checked.wait(timeout=30)
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    with db.session() as session:
        runs = session.scalars(select(CrawlRun)).all()
        assert len(runs) == 1, "both claims started a run: the portal would be crawled twice at once"
        assert outcome == {"first": runs[0].id, "second": runs[0].id}  # the second saw the first's run


def test_a_claim_after_the_run_finished_crawls_again(db: Database) -> None:
    with db.session() as session:
        ensure_portal(session, PORTAL, name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
    with db.session() as session:
        assert claim_portal(session, PORTAL) is None
        run = start_run(session, PORTAL, baseline=False)
    with db.session() as session:
        assert claim_portal(session, PORTAL) is not None  # still running
        storage.store.finish_run(session, run, status="ok")
    with db.session() as session:
        assert claim_portal(session, PORTAL) is None
        start_run(session, PORTAL, baseline=False)
    with db.session() as session:
        assert session.scalar(select(func.count(CrawlRun.id))) == 2
