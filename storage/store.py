"""The write path: every change the crawler makes to the store goes through these functions.

Each function works inside the caller's session/transaction, so that a batch of articles, their
versions, their events and the alerts those events raise commit together or not at all.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.orm import Session

from crawler.changes import Change, ChangeKind, compare
from crawler.core.normalize import language_code
from crawler.core.records import ArticleRecord
from storage.health import count_outcome
from storage.models import Article, ArticleEvent, ArticleVersion, CrawlRun, HealthEvent, Portal, utcnow
from storage.search import search_text_for


@dataclass(frozen=True)
class StoreResult:
    kind: ChangeKind
    article_id: int
    version: int
    changed_fields: tuple[str, ...] = ()
    event_id: int | None = None


@dataclass(frozen=True)
class KnownArticle:
    """What a recrawl needs to know of a stored article to decide whether to fetch it again."""

    canonical_url: str
    listing_signature: str | None
    etag: str | None
    last_modified: str | None
    published_at: datetime | None
    last_checked_at: datetime | None
    removed: bool


def ensure_portal(session: Session, portal_id: str, *, name: str, cms: str, timezone: str) -> Portal:
    portal = session.get(Portal, portal_id)
    if portal is None:
        portal = Portal(id=portal_id, name=name, cms=cms, timezone=timezone, consecutive_failures=0)
        session.add(portal)
    else:
        portal.name, portal.cms, portal.timezone = name, cms, timezone
    session.flush()
    return portal


def is_baseline(session: Session, portal_id: str) -> bool:
    """A portal's crawls are its baseline until one of them completes.

    Not "until something is stored": a first crawl that is killed or stopped by its time limit
    stores part of the archive, and the crawl that completes it must not report the rest as new.
    """
    completed = session.scalar(
        select(CrawlRun.id).where(CrawlRun.portal_id == portal_id, CrawlRun.status == "ok").limit(1))
    return completed is None


def start_run(session: Session, portal_id: str, *, baseline: bool) -> CrawlRun:
    run = CrawlRun(portal_id=portal_id, baseline=baseline, status="running", errors=[],
                   host=socket.gethostname(), pid=os.getpid())
    session.add(run)
    session.flush()
    return run


def claim_portal(session: Session, portal_id: str, *,
                 stale_after: timedelta | None = None, now: datetime | None = None) -> CrawlRun | None:
    """Take the portal's crawl lock for this transaction and say whether another process crawls it.

    Returns that process's run (then crawl nothing), or None: the caller may crawl, and must
    `start_run` in this same transaction; its 'running' run is then what every other claim sees.
    The check and the new run are atomic because the claim begins with a write to the portal's
    row: on PostgreSQL a row lock, on SQLite the database's write lock, held until commit. A
    second claim waits there, then sees the first one's run. The write must be the transaction's
    first statement (on SQLite a transaction that read first cannot take the write lock after
    another writer committed), and the portal's row must exist (`ensure_portal`, committed before).
    """
    session.execute(update(Portal).where(Portal.id == portal_id).values(cms=Portal.cms))
    return crawl_in_progress(session, portal_id, now=now,
                             stale_after=stale_after or UNCHECKABLE_RUN_STALE_AFTER)


def busy_message(portal_id: str, run: CrawlRun) -> str:
    """One line saying which run is crawling the portal, for a crawl that stood aside."""
    return (f"{portal_id}: not crawled: run {run.id} (process {run.pid} on {run.host}, started "
            f"{run.started_at:%Y-%m-%d %H:%M} UTC) is crawling it")


# How long a run that cannot be checked (another machine's, or written before runs recorded
# their process) counts as in progress. The scheduler passes its time limit plus grace instead.
UNCHECKABLE_RUN_STALE_AFTER = timedelta(hours=6)


def crawl_in_progress(session: Session, portal_id: str, *,
                      stale_after: timedelta = UNCHECKABLE_RUN_STALE_AFTER,
                      now: datetime | None = None) -> CrawlRun | None:
    """The portal's run that another process is crawling, if any; the runs on the way that no
    process is crawling any more are closed as failed.

    A run of this machine is in progress while its process lives, however long it takes (killed
    with SIGKILL or out of memory, it is closed at once). A run of another machine, or one from
    before runs recorded their process, cannot be checked: it counts as in progress until it is
    `stale_after` old.
    """
    now = now or utcnow()
    running = session.scalars(
        select(CrawlRun).where(CrawlRun.portal_id == portal_id, CrawlRun.status == "running")
        .order_by(CrawlRun.id.desc())
    ).all()
    in_progress = None
    for run in running:
        if run.pid is not None and run.host == socket.gethostname():
            ended = not _process_alive(run.pid)
            reason = f"abandoned: process {run.pid} ended without finishing the run"
        else:
            ended = run.started_at <= now - stale_after
            reason = (f"abandoned: still 'running' {_hours(now - run.started_at)} after it started "
                      f"(process {run.pid or 'unknown'} on {run.host or 'an unknown machine'})")
        if ended:
            run.errors = [*(run.errors or []), {"url": "", "reason": reason, "source": "portalwatch"}]
            finish_run(session, run, status="failed", now=now)
        elif in_progress is None:
            in_progress = run
    return in_progress


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f} h"


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # elsewhere signal 0 would end the process
        return True
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def finish_run(session: Session, run: CrawlRun, *, status: str, now: datetime | None = None) -> CrawlRun:
    """End the run; the portal's reachability counts it, whoever ran it (storage/health.py)."""
    run = session.merge(run)
    run.status = status
    run.finished_at = now or utcnow()
    portal = session.get(Portal, run.portal_id)
    if portal is not None:
        portal.last_crawl_at = run.finished_at
        count_outcome(portal, run)
    return run


def last_run_completed(session: Session, portal_id: str) -> bool:
    """Whether the portal's latest finished crawl ran to its end; if not, the next walks the full listing."""
    status = session.scalar(
        select(CrawlRun.status)
        .where(CrawlRun.portal_id == portal_id, CrawlRun.status != "running")
        .order_by(CrawlRun.id.desc()).limit(1)
    )
    return status == "ok"


@dataclass(frozen=True)
class CrawlState:
    """What the store knows of a portal that a crawl of it needs, read once when the crawl opens."""

    known: dict[str, KnownArticle]
    # A first crawl, or one after a crawl that was killed or failed, walks every listing page it
    # may, so that an interrupted backfill is completed.
    full_walk: bool
    found_listing: str | None = None  # the listing an earlier crawl found on the home page


def remember_listing(session: Session, portal_id: str, url: str) -> None:
    """Keep the news listing a crawl found on the portal's home page, for the next crawls."""
    portal = session.get(Portal, portal_id)
    if portal is not None:
        portal.listing_url = url


def load_crawl_state(session: Session, portal_id: str) -> CrawlState:
    known = crawl_state(session, portal_id)
    portal = session.get(Portal, portal_id)
    return CrawlState(known, full_walk=not known or not last_run_completed(session, portal_id),
                      found_listing=portal.listing_url if portal is not None else None)


def crawl_state(session: Session, portal_id: str) -> dict[str, KnownArticle]:
    rows = session.execute(
        select(
            Article.canonical_url, Article.listing_signature, Article.etag, Article.last_modified,
            Article.published_at, Article.last_checked_at, Article.removed_at,
        ).where(Article.portal_id == portal_id)
    )
    return {
        row.canonical_url: KnownArticle(
            row.canonical_url, row.listing_signature, row.etag, row.last_modified,
            row.published_at, row.last_checked_at, row.removed_at is not None,
        )
        for row in rows
    }


def load_record(session: Session, article: Article) -> ArticleRecord:
    """The article's latest stored version as a record (only that version's JSON is read)."""
    stored = session.scalar(select(ArticleVersion.record).where(
        ArticleVersion.article_id == article.id, ArticleVersion.version == article.version))
    return ArticleRecord.from_dict(stored) if stored is not None else _record_of(article)


def _record_of(article: Article) -> ArticleRecord:
    return ArticleRecord(
        url=article.url, canonical_url=article.canonical_url, portal=article.portal_id,
        title=article.title, published_at=article.published_at, lead=article.lead, body=article.body,
        images=article.images, attachments=article.attachments, author=article.author,
        source=article.source, category=article.category, language=article.language,
        updated_at=article.updated_at, published_text=article.published_text,
        content_hash=article.content_hash,
    )


def _apply(article: Article, record: ArticleRecord) -> None:
    data = record.to_dict()
    for name in ("url", "title", "lead", "body", "images", "attachments", "author", "source",
                 "category", "language", "published_text", "content_hash"):
        setattr(article, name, data[name])
    article.published_at = record.published_at
    article.updated_at = record.updated_at
    article.search_text = search_text_for(record)
    article.language = language_code(record.language)
    _fit_columns(article)


# The page's short texts, with the lengths of their columns. URLs are never cut: an over-long one
# fails its own write and the crawl records it as a problem of the run.
_LIMITS = {column.key: column.type.length for column in Article.__table__.columns
           if column.key in ("author", "source", "category", "language", "published_text")
           and isinstance(column.type, String) and column.type.length}


def _fit_columns(article: Article) -> None:
    """Cut what a page printed longer than its column holds (a 400-character "author" is some other
    text anyway): PostgreSQL refuses it outright, and the article with it."""
    for name, limit in _LIMITS.items():
        value = getattr(article, name)
        if isinstance(value, str) and len(value) > limit:
            setattr(article, name, value[:limit - 1] + "…")


# What the caller wants done with each event that is not part of a baseline, inside the event's own
# transaction (the crawl queues its alerts this way: crawler.alerts.outbox.queue_alerts): article
# events, and the parser-health events of storage/health.py.
EventHook = Callable[[Session, ArticleEvent | HealthEvent], object]


def _event(session: Session, article: Article, kind: str, *, run: CrawlRun | None,
           baseline: bool, now: datetime, on_event: EventHook | None) -> ArticleEvent:
    event = ArticleEvent(
        article_id=article.id, portal_id=article.portal_id, kind=kind, version=article.version,
        occurred_at=now, baseline=baseline, crawl_run_id=run.id if run else None,
    )
    session.add(event)
    session.flush()
    if not baseline and on_event is not None:
        on_event(session, event)
    return event


def _count(run: CrawlRun | None, kind: ChangeKind) -> None:
    if run is None:
        return
    field = {
        ChangeKind.NEW: "articles_new", ChangeKind.CHANGED: "articles_changed",
        ChangeKind.RESTORED: "articles_changed", ChangeKind.UNCHANGED: "articles_unchanged",
        ChangeKind.REMOVED: "articles_removed",
    }[kind]
    setattr(run, field, (getattr(run, field) or 0) + 1)


def store_record(
    session: Session,
    record: ArticleRecord,
    *,
    run: CrawlRun | None = None,
    baseline: bool = False,
    etag: str | None = None,
    last_modified: str | None = None,
    listing_signature: str | None = None,
    now: datetime | None = None,
    on_event: EventHook | None = None,
) -> StoreResult:
    """Store a freshly parsed record: a new article, a new version of a changed one, or a touch."""
    now = now or utcnow()
    # No autoflush for the lookup: the earlier records' pending updates never change which row a
    # URL names (a new article is flushed as it is added), and a batch's updates then go out
    # together at its commit instead of one flush per record.
    with session.no_autoflush:
        article = session.scalar(select(Article).where(Article.canonical_url == record.canonical_url))
    if article is None:
        article = Article(
            portal_id=record.portal, canonical_url=record.canonical_url, version=1,
            first_seen_at=now, last_seen_at=now, last_checked_at=now,
            etag=etag, last_modified=last_modified, listing_signature=listing_signature,
        )
        _apply(article, record)
        session.add(article)
        session.flush()
        session.add(ArticleVersion(article_id=article.id, version=1, record=record.to_dict(),
                                   content_hash=record.content_hash, changed_fields=[],
                                   created_at=now, crawl_run_id=run.id if run else None))
        event = _event(session, article, ChangeKind.NEW, run=run, baseline=baseline, now=now,
                       on_event=on_event)
        _count(run, ChangeKind.NEW)
        return StoreResult(ChangeKind.NEW, article.id, 1, event_id=event.id)

    article.last_seen_at = article.last_checked_at = now
    article.etag, article.last_modified = etag or article.etag, last_modified or article.last_modified
    if listing_signature:
        article.listing_signature = listing_signature
    # Most rechecks find the page as stored: the hash of what a reader sees says so without
    # reading the stored version back.
    if article.content_hash == record.content_hash:
        change = Change(ChangeKind.UNCHANGED)
    else:
        change = compare(load_record(session, article), record)
    was_removed = article.removed_at is not None
    article.removed_at = None
    if change.kind == ChangeKind.UNCHANGED and not was_removed:
        _count(run, ChangeKind.UNCHANGED)
        return StoreResult(ChangeKind.UNCHANGED, article.id, article.version)

    if change.kind == ChangeKind.CHANGED:
        article.version += 1
        article.last_changed_at = now
        _apply(article, record)
        session.add(ArticleVersion(article_id=article.id, version=article.version, record=record.to_dict(),
                                   content_hash=record.content_hash, diff=change.diff,
                                   changed_fields=change.changed_fields, created_at=now,
                                   crawl_run_id=run.id if run else None))
    kind = ChangeKind.RESTORED if was_removed else ChangeKind.CHANGED
    if was_removed:
        article.last_changed_at = now
    # A change seen while the portal is still in its baseline (the crawl completing an interrupted
    # first crawl) is part of that baseline: nobody was told of the article's earlier state.
    event = _event(session, article, kind, run=run, baseline=baseline, now=now, on_event=on_event)
    _count(run, kind)
    return StoreResult(kind, article.id, article.version, tuple(change.changed_fields), event.id)


def touch_unchanged(session: Session, canonical_url: str, *, run: CrawlRun | None = None,
                    etag: str | None = None, last_modified: str | None = None,
                    listing_signature: str | None = None, now: datetime | None = None) -> bool:
    """The page answered 304 (or was known unchanged): record that it was checked, nothing else."""
    now = now or utcnow()
    article = session.scalar(select(Article).where(Article.canonical_url == canonical_url))
    if article is None:
        return False
    article.last_seen_at = article.last_checked_at = now
    article.etag, article.last_modified = etag or article.etag, last_modified or article.last_modified
    if listing_signature:
        article.listing_signature = listing_signature
    _count(run, ChangeKind.UNCHANGED)
    return True


def mark_removed(session: Session, canonical_url: str, *, run: CrawlRun | None = None,
                 baseline: bool = False, now: datetime | None = None,
                 on_event: EventHook | None = None) -> StoreResult | None:
    """The portal says the article is gone (404, 410, soft 404): mark it, never delete it."""
    now = now or utcnow()
    article = session.scalar(select(Article).where(Article.canonical_url == canonical_url))
    if article is None or article.removed_at is not None:
        return None
    article.removed_at = article.last_checked_at = article.last_changed_at = now
    event = _event(session, article, ChangeKind.REMOVED, run=run, baseline=baseline, now=now,
                   on_event=on_event)
    _count(run, ChangeKind.REMOVED)
    return StoreResult(ChangeKind.REMOVED, article.id, article.version, event_id=event.id)
