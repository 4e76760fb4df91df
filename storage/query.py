"""Read what the crawler stored: filters, Vietnamese full-text search, paging, streaming.

The one read path for the CLI (`items`, `show`, `export`, `feed`), the alerts and any web API.
Plain functions over a `storage.db.Database`, or an open SQLAlchemy `Session` or `Connection` (reading
in its transaction). Core only, on `storage.tables`: reading never imports the ORM::

    from storage import query
    from storage.db import open_database

    db = open_database("sqlite:///portalwatch.db")
    page = query.search_articles(db, query.ArticleFilter(search="dai tuong", portals=("thainguyen",)))
    for row in page.rows:                      # best match first when searching
        print(row.title, row.rank, row.snippet)
    more = query.search_articles(db, query.ArticleFilter(search="dai tuong"), cursor=page.next_cursor)

    for row in query.iter_articles(db, query.ArticleFilter(status="all")):   # streams, flat memory
        ...
    article = query.get_article(db, "https://thainguyen.gov.vn/...")        # or an id; None if unknown
    versions = query.article_versions(db, article.id)                       # oldest first, with diffs

`ArticleFilter` fields combine with AND; every one is optional:

- `portals`: portal ids (any of them).
- `published_since` / `published_until`, `first_seen_since` / `first_seen_until`,
  `changed_since` / `changed_until` (last edit, removal or restoration): aware datetimes,
  since inclusive, until exclusive.
- `category`, `author`: matched like a search (words, any case, diacritics optional), so
  "tin tuc" finds "Tin tức - Sự kiện".
- `status`: "active" (online), "removed" or "all". Unset: active, unless an event or changed
  filter is given (then all, since removals are changes).
- `events` ("new", "changed", "removed", "restored"): articles that had such an event, since
  `events_since` / until `events_until` if given. A portal's first crawl is a baseline: its
  articles are not "new" unless `include_baseline=True`.
- `search`: words ANDed, "quoted phrases", case and diacritics ignored (`crawler.core.textmatch`).
- `sort`: "published" (newest first, undated last), "first_seen", or "relevance" (the default
  when searching).

Rows are `ArticleRow`s: the `ArticleRecord` fields plus `id`, `first_seen_at`, `last_seen_at`,
`last_changed_at`, `version` (versions stored, 1 for new) and `removed_at` (None while online);
when searching also `rank` (higher is better; bm25 on SQLite, ts_rank on PostgreSQL, so not
comparable across databases; None past the ranked window of a search matching more than
`search.RANK_WINDOW` articles, see there), `snippet` and `highlights` (spans of the matches in `snippet`).
`next_cursor` is an opaque keyset cursor: paging never skips or repeats a row while the store
is unchanged (relevance order may shift when new articles change word statistics).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_args
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crawler.core.errors import UserError
from crawler.core.normalize import canonicalize_url
from crawler.core.records import ArticleRecord
from crawler.core.textmatch import TextQuery, matches, parse_query
from storage import search
from storage.db import Database
from storage.search import search_plan, searchable_parts
from storage.snippets import make_snippet
from storage.tables import article_events as events_table
from storage.tables import article_versions as versions_table
from storage.tables import articles, portals

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Status = Literal["active", "removed", "all"]
EventKind = Literal["new", "changed", "removed", "restored"]
SortOrder = Literal["published", "first_seen", "relevance"]
Source: TypeAlias = "Database | Session | Connection"

RECORD_FIELDS = tuple(ArticleRecord.__dataclass_fields__)
STORE_FIELDS = ("id", "first_seen_at", "last_seen_at", "version", "removed_at")
SEARCH_FIELDS = ("rank", "snippet", "highlights")


@dataclass(frozen=True)
class ArticleFilter:
    portals: tuple[str, ...] = ()
    published_since: datetime | None = None
    published_until: datetime | None = None
    first_seen_since: datetime | None = None
    first_seen_until: datetime | None = None
    changed_since: datetime | None = None
    changed_until: datetime | None = None
    category: str | None = None
    author: str | None = None
    status: Status | None = None
    events: tuple[EventKind, ...] = ()
    events_since: datetime | None = None
    events_until: datetime | None = None
    include_baseline: bool = False
    search: str | None = None
    sort: SortOrder | None = None

    def __post_init__(self) -> None:
        _check("status", self.status, Status, optional=True)
        _check("sort", self.sort, SortOrder, optional=True)
        for kind in self.events:
            _check("event", kind, EventKind)
        if self.sort == "relevance" and not self.search:
            raise UserError("sorting by relevance needs a search")

    @property
    def effective_status(self) -> Status:
        if self.status:
            return self.status
        return "all" if self.events or self.changed_since or self.changed_until else "active"

    @property
    def effective_sort(self) -> SortOrder:
        return self.sort or ("relevance" if self.search else "published")

    @functools.cached_property
    def text_query(self) -> TextQuery | None:
        return parse_query(self.search) if self.search else None


def _check(name: str, value: str | None, allowed: Any, *, optional: bool = False) -> None:
    if (value is None and optional) or value in get_args(allowed):
        return
    raise UserError(f"unknown {name} {value!r}: use one of {', '.join(get_args(allowed))}")


@dataclass(frozen=True)
class ArticleRow:
    """A stored article as of its latest version, with what the store knows about it."""

    id: int
    url: str
    canonical_url: str
    portal: str
    title: str
    published_at: datetime | None
    lead: str | None
    body: list[str]
    images: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    author: str | None
    source: str | None
    category: str | None
    language: str
    updated_at: datetime | None
    published_text: str | None
    content_hash: str
    first_seen_at: datetime
    last_seen_at: datetime
    last_changed_at: datetime | None
    version: int
    removed_at: datetime | None
    rank: float | None = None
    snippet: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()

    def to_record(self) -> ArticleRecord:
        return ArticleRecord(**{name: getattr(self, name) for name in RECORD_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: `ArticleRecord.to_dict` names plus the store's; search fields when searching."""
        searched = self.rank is not None or self.snippet is not None
        names = RECORD_FIELDS + STORE_FIELDS + (SEARCH_FIELDS if searched else ())
        data = {name: getattr(self, name) for name in names}
        for name, value in data.items():
            if isinstance(value, datetime):
                data[name] = value.isoformat()
        if "highlights" in data:
            data["highlights"] = [list(span) for span in self.highlights]
        return data


@dataclass(frozen=True)
class ArticlePage:
    rows: list[ArticleRow]
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True)
class VersionRow:
    version: int
    created_at: datetime
    record: ArticleRecord
    content_hash: str
    changed_fields: list[str]
    diff: str | None  # unified diff from the previous version; None for the first


@dataclass(frozen=True)
class EventRow:
    id: int
    kind: EventKind
    occurred_at: datetime
    version: int
    baseline: bool


@dataclass(frozen=True)
class FeedEntry:
    event: EventRow
    article: ArticleRow
    diff: str | None = field(default=None)  # for a change: what changed


# --- public functions -------------------------------------------------------------------------

def search_articles(source: Source, filters: ArticleFilter | None = None, *, limit: int = 50,
                    cursor: str | None = None) -> ArticlePage:
    """One page of articles matching `filters`, in `filters.effective_sort` order."""
    filters = filters or ArticleFilter()
    if limit < 1:
        raise UserError(f"limit must be at least 1, not {limit}")
    sort = filters.effective_sort
    with _connection(source) as connection:
        # First the page's ids, sort keys and scores alone: sorting thousands of matches stays cheap
        # when the sort does not carry whole articles. Then those articles.
        key_columns = {"published": articles.c.published_at, "first_seen": articles.c.first_seen_at}
        extra = key_columns.get(sort)  # relevance pages on the score
        columns = (articles.c.id, extra) if extra is not None else (articles.c.id,)
        position = _decode_cursor(cursor, sort) if cursor else None
        cut = position.cut if position else None
        keys: list[Any] = []
        if sort == "relevance" and position is None and filters.text_query is not None:
            keys, cut = _first_ranked_page(connection, filters, limit)
        elif position is None or not position.older:
            stmt, sort_keys = _articles_select(connection, filters, columns, newer_than=cut)
            if position:
                stmt = stmt.where(_after(sort_keys, position.key))
            keys = list(connection.execute(stmt.limit(limit + 1)).all())
        if cut is not None and len(keys) <= limit:
            # Past the ranked window: the older matches, most recently stored first.
            stmt, sort_keys = _articles_select(connection, filters, columns, up_to=cut)
            if position and position.older:
                stmt = stmt.where(articles.c.id < position.key[1])
            keys += connection.execute(stmt.limit(limit + 1 - len(keys))).all()
        scores = {key.id: key.score for key in keys[:limit]}
        found = (connection.execute(_base_select().where(articles.c.id.in_(list(scores)))).all()
                 if scores else [])
        by_id = {r.id: r for r in found}
        rows = [_row(by_id[id_], filters.text_query, scores[id_]) for id_ in scores if id_ in by_id]
        more = len(keys) > limit
        next_cursor = _encode_cursor(sort, keys[limit - 1], cut) if more else None
        return ArticlePage(rows, next_cursor)


def iter_articles(source: Source, filters: ArticleFilter | None = None, *,
                  batch_size: int = 500) -> Iterator[ArticleRow]:
    """Every matching article, streamed (a server-side cursor on PostgreSQL): memory stays flat."""
    filters = filters or ArticleFilter()
    with _connection(source) as connection:
        cut = _relevance_cut(connection, filters) if filters.effective_sort == "relevance" else None
        parts: list[dict[str, Any]] = [{"newer_than": cut}] + ([{"up_to": cut}] if cut is not None else [])
        text_query = filters.text_query
        for part in parts:
            stmt, _ = _articles_select(connection, filters, _ARTICLE_COLUMNS, **part)
            result = connection.execute(stmt.execution_options(yield_per=batch_size))
            for row in result:
                yield _row(row, text_query, row.score)


def count_articles(source: Source, filters: ArticleFilter | None = None) -> int:
    filters = filters or ArticleFilter()
    with _connection(source) as connection:
        stmt, _ = _articles_select(connection, filters, (articles.c.id,), ranked=False)
        return connection.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0


def get_article(source: Source, url_or_id: str | int) -> ArticleRow | None:
    """The article with this id, URL or canonical URL (tracking parameters ignored), or None."""
    with _connection(source) as connection:
        stmt = _base_select()
        if isinstance(url_or_id, int) or str(url_or_id).strip().isdigit():
            stmt = stmt.where(articles.c.id == int(url_or_id))
        else:
            url = str(url_or_id).strip()
            stmt = stmt.where(sa.or_(articles.c.canonical_url.in_({url, canonicalize_url(url)}),
                                     articles.c.url == url))
        found = connection.execute(stmt.limit(1)).first()
        return _row(found, None, None) if found else None


def article_versions(source: Source, article_id: int) -> list[VersionRow]:
    """Every stored version of an article, oldest first."""
    with _connection(source) as connection:
        versions = connection.execute(
            sa.select(versions_table).where(versions_table.c.article_id == article_id)
            .order_by(versions_table.c.version)
        )
        return [VersionRow(v.version, v.created_at, ArticleRecord.from_dict(v.record), v.content_hash,
                           list(v.changed_fields or []), v.diff or None) for v in versions]


def article_events(source: Source, article_id: int) -> list[EventRow]:
    """What happened to an article (new, changed, removed, restored), oldest first."""
    with _connection(source) as connection:
        events = connection.execute(
            sa.select(events_table).where(events_table.c.article_id == article_id)
            .order_by(events_table.c.id)
        )
        return [EventRow(e.id, e.kind, e.occurred_at, e.version, e.baseline) for e in events]


def _events_select() -> sa.Select[Any]:
    """Events, newest first, each with its article row and, for an edit, the diff it made."""
    return (
        _base_select()
        .add_columns(events_table.c.id.label("event_id"), events_table.c.kind, events_table.c.occurred_at,
                     events_table.c.version.label("event_version"), events_table.c.baseline,
                     versions_table.c.diff)
        .join(events_table, events_table.c.article_id == articles.c.id)
        .outerjoin(versions_table, sa.and_(events_table.c.kind == "changed",
                                           versions_table.c.article_id == articles.c.id,
                                           versions_table.c.version == events_table.c.version))
        .order_by(events_table.c.occurred_at.desc(), events_table.c.id.desc())
    )


def feed_entries(source: Source, filters: ArticleFilter | None = None, *, limit: int = 50,
                 kinds: Sequence[EventKind] = ("new", "changed"),
                 keep: Callable[[FeedEntry], bool] | None = None) -> list[FeedEntry]:
    """The latest non-baseline events of `kinds` on articles matching `filters`, newest first.

    `keep`, when given, is asked about each entry, newest first, until `limit` are kept: for what
    the database cannot decide, such as an alert rule's regex.
    """
    filters = filters or ArticleFilter(status="all")
    with _connection(source) as connection:
        matching, _ = _articles_select(connection, filters, (articles.c.id,), ranked=False)
        matching_ids = matching.order_by(None)
        stmt = _events_select().where(events_table.c.kind.in_(kinds), events_table.c.baseline.is_(False),
                                      articles.c.id.in_(matching_ids))
        if keep is None:
            result = connection.execute(stmt.limit(limit))
        else:  # streamed: how many events must be read to keep `limit` of them is unknown
            result = connection.execute(stmt.execution_options(yield_per=200))
        entries: list[FeedEntry] = []
        with result:
            for r in result:
                event = EventRow(r.event_id, r.kind, r.occurred_at, r.event_version, r.baseline)
                entry = FeedEntry(event, _row(r, None, None), r.diff)
                if keep is None or keep(entry):
                    entries.append(entry)
                    if len(entries) == limit:
                        break
        return entries


# --- building the query -----------------------------------------------------------------------

@contextmanager
def _connection(source: Source) -> Iterator[Connection]:
    if isinstance(source, Database):
        with source.reading() as connection:
            yield connection
    elif isinstance(source, Connection):
        yield source
    else:  # an ORM Session: read in its transaction, seeing what it holds (as its own queries would)
        source.flush()
        yield source.connection()


_ARTICLE_COLUMNS = (
    articles.c.id, articles.c.url, articles.c.canonical_url, articles.c.portal_id, articles.c.title,
    articles.c.published_at, articles.c.lead, articles.c.body, articles.c.images, articles.c.attachments,
    articles.c.author, articles.c.source, articles.c.category, articles.c.language, articles.c.updated_at,
    articles.c.published_text, articles.c.content_hash, articles.c.first_seen_at, articles.c.last_seen_at,
    articles.c.last_changed_at, articles.c.version, articles.c.removed_at, portals.c.timezone,
)


def _base_select() -> sa.Select[Any]:
    return sa.select(*_ARTICLE_COLUMNS).join(portals, portals.c.id == articles.c.portal_id)


def _relevance_cut(connection: Connection, f: ArticleFilter) -> int | None:
    """When a search matches more than `search.RANK_WINDOW` articles, the id of the newest match
    left out of the ranked window (ranked: the matches with a higher id); None when all are ranked.

    Found in id order, which both indexes walk without ranking: FTS5 returns rowids in order, and
    PostgreSQL walks the primary key backwards, testing each vector.
    """
    if f.text_query is None:
        return None
    stmt, (id_column,) = _articles_select(connection, f, (articles.c.id,), ranked=False)
    return connection.scalar(stmt.order_by(id_column.desc()).offset(search.RANK_WINDOW).limit(1))


def _first_ranked_page(connection: Connection, f: ArticleFilter, limit: int) -> tuple[list[Any], int | None]:
    """The keys (id, score) of the first `limit` + 1 rows of a relevance search, and its cut
    (see `_relevance_cut`), found in one pass over the matches.

    The RANK_WINDOW + 1 most recently stored matches are scored as they are found and ranked
    among themselves; the oldest of them is the cut when there are that many. Finding the cut
    first and ranking after read every match twice, which on PostgreSQL (a stored vector to
    check per match) cost 50-60 ms for searches matching 10,000 articles.
    """
    for plan, complete in _window_plans(connection, f):
        window = plan.limit(search.RANK_WINDOW + 1).subquery("ranked_window")
        stmt = (
            sa.select(window.c.id, window.c.score, sa.func.count().over().label("window_size"),
                      sa.func.min(window.c.id).over().label("oldest"))
            .order_by(window.c.score.desc(), window.c.id.desc())
            .limit(limit + 2)  # one more than asked, and the cut, which is no part of the ranked page
        )
        keys = list(connection.execute(stmt).all())
        full = bool(keys) and keys[0].window_size > search.RANK_WINDOW
        if full or complete:
            break
    if not full:
        return keys[:limit + 1], None
    cut = keys[0].oldest
    return [key for key in keys if key.id != cut][:limit + 1], cut


def _window_plans(connection: Connection, f: ArticleFilter) -> Iterator[tuple[sa.Select[Any], bool]]:
    """Ways to select the matches of a search, scored, most recently stored first, each with
    whether it holds them all (if not and it holds fewer than the window, try the next).

    FTS5 hands matches over in rowid order from the index itself. PostgreSQL must read a match's
    row to learn its id, and has two ways to find the newest: walk the primary key backwards,
    testing each article, or take every match from the index and visit each (a random read per
    match). Its planner guesses how many articles match from word statistics that assume words
    independent ("to" and "quoc" are not: 2,343 guessed, 11,261 found), so it walked where it
    should have visited and the other way round: 40-70 ms for searches matching a tenth of the
    articles. Here the share of the newest `search.PG_PROBE` articles that match decides.
    """
    if connection.dialect.name != "postgresql":
        yield _articles_select(connection, f, (articles.c.id,), in_id_order="planner")[0], True
        return
    where = _conditions(connection, f)  # once: a category or author filter reads the stored values
    walk, _ = _articles_select(connection, f, (articles.c.id,), in_id_order="walk", where=where)
    newest = sa.select(sa.func.max(articles.c.id)).scalar_subquery()
    recent = (walk.with_only_columns(articles.c.id).order_by(None)
              .where(articles.c.id > newest - search.PG_PROBE))
    probe = connection.execute(sa.select(newest, sa.select(sa.func.count()).select_from(recent.subquery())
                                      .scalar_subquery())).one()
    stored, density = probe[0] or 0, (probe[1] or 0) / search.PG_PROBE
    wanted = search.RANK_WINDOW + 1
    # Walking reads about `wanted / density` articles side by side; visiting reads every match,
    # `stored * density` of them, each costing PG_VISIT_COST times a row read side by side.
    if density and wanted / density < search.PG_VISIT_COST * stored * density:
        # Bounded at twice the expected walk, so that the planner sees it short (unbounded, a seq
        # scan could look cheaper to it); a window not found in it is looked for by visiting.
        yield walk.where(articles.c.id > stored - int(2 * wanted / density)), False
    yield _articles_select(connection, f, (articles.c.id,), in_id_order="visit", where=where)[0], True


def _articles_select(connection: Connection, f: ArticleFilter, columns: Sequence[Any], *,
                     ranked: bool = True, newer_than: int | None = None,
                     up_to: int | None = None,
                     in_id_order: Literal["planner", "walk", "visit"] | None = None,
                     where: list[sa.ColumnElement[bool]] | None = None,
                     ) -> tuple[sa.Select[Any], list[Any]]:
    """`columns` (plus `score`) of the matching articles, sorted; and the keys the cursor pages on.

    Without `ranked`, no score is computed, the order is left to the caller and the keys are just
    the id column to sort on (the FTS5 rowid on SQLite: sorting on it needs no lookup in articles).
    `newer_than`: only articles with a higher id (the ranked window of a large search). `up_to`:
    only those with this id or lower, unscored and most recently stored first (what follows it).
    `in_id_order`: scored, but most recently stored first (the ranked window itself), by the
    plan the database prefers; on PostgreSQL "walk" keeps the full-text index out of the plan
    (the primary key walked backwards) and "visit" keeps the primary key's order out of it
    (every match from the index). `where`: `_conditions(connection, f)`, when the caller has them.
    """
    stmt = sa.select(*columns).where(*(_conditions(connection, f) if where is None else where))
    if portals.c.timezone in columns:
        stmt = stmt.join(portals, portals.c.id == articles.c.portal_id)
    score: sa.ColumnElement[Any] = sa.null()
    id_column: Any = articles.c.id
    if f.text_query is not None:
        scored = ranked and f.effective_sort == "relevance" and up_to is None
        plan = search_plan(connection.dialect.name, f.text_query, articles,
                           scored=scored,
                           indexed=in_id_order != "walk")
        if plan.join is not None:
            stmt = stmt.join(plan.join, plan.join.c.id == articles.c.id)
            id_column = plan.join.c.id  # FTS5 takes a rowid range: it reads and ranks only those
        if plan.where is not None:
            stmt = stmt.where(plan.where)
        if plan.score is not None:
            score = plan.score
        if newer_than is not None:
            stmt = stmt.where(id_column > newer_than)
        if up_to is not None:
            stmt = stmt.where(id_column <= up_to)
    if not ranked:
        return stmt, [id_column]
    stmt = stmt.add_columns(score.label("score"))
    sort = f.effective_sort
    if in_id_order:
        keys: list[Any] = [score, id_column]
        stmt = stmt.order_by((id_column + 0 if in_id_order == "visit" else id_column).desc())
    elif up_to is not None:
        keys = [score, articles.c.id]
        stmt = stmt.order_by(articles.c.id.desc())
    elif sort == "relevance":
        keys = [score, articles.c.id]
        stmt = stmt.order_by(score.desc(), articles.c.id.desc())
    elif sort == "first_seen":
        keys = [articles.c.first_seen_at, articles.c.id]
        stmt = stmt.order_by(articles.c.first_seen_at.desc(), articles.c.id.desc())
    else:
        keys = [articles.c.published_at, articles.c.id]
        stmt = stmt.order_by(articles.c.published_at.desc().nulls_last(), articles.c.id.desc())
    return stmt, keys


def _conditions(connection: Connection, f: ArticleFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if f.portals:
        where.append(articles.c.portal_id.in_(f.portals))
    dated: tuple[tuple[Any, datetime | None, datetime | None], ...] = (
        (articles.c.published_at, f.published_since, f.published_until),
        (articles.c.first_seen_at, f.first_seen_since, f.first_seen_until),
        (articles.c.last_changed_at, f.changed_since, f.changed_until),
    )
    for column, since, until in dated:
        if since is not None:
            where.append(column >= since)
        if until is not None:
            where.append(column < until)
    texts: tuple[tuple[Any, str | None], ...] = (
        (articles.c.category, f.category), (articles.c.author, f.author))
    for column, wanted in texts:
        if wanted:
            where.append(column.in_(_values_like(connection, column, wanted)))
    status = f.effective_status
    if status == "active":
        where.append(articles.c.removed_at.is_(None))
    elif status == "removed":
        where.append(articles.c.removed_at.is_not(None))
    if f.events or f.events_since or f.events_until:
        event = sa.select(events_table.c.id).where(events_table.c.article_id == articles.c.id)
        if f.events:
            event = event.where(events_table.c.kind.in_(f.events))
        if not f.include_baseline:
            event = event.where(events_table.c.baseline.is_(False))
        if f.events_since:
            event = event.where(events_table.c.occurred_at >= f.events_since)
        if f.events_until:
            event = event.where(events_table.c.occurred_at < f.events_until)
        where.append(event.exists())
    return where


def _values_like(connection: Connection, column: Any, wanted: str) -> list[str]:
    """Stored values of `column` that `wanted` matches as a search would ("tin tuc" ~ "Tin tức")."""
    try:
        text_query = parse_query(wanted)
    except UserError:  # nothing word-like in it ("-"): compare as typed
        return [wanted]
    values = connection.scalars(sa.select(column).where(column.is_not(None)).distinct())
    return [value for value in values if matches(text_query, value)]


def _after(keys: list[Any], cursor_key: list[Any]) -> sa.ColumnElement[bool]:
    """Rows after the cursor in (key DESC, id DESC) order; a null published date sorts last."""
    column, id_column = keys
    value, last_id = cursor_key
    if value is None:
        return sa.and_(column.is_(None), id_column < last_id)
    later = sa.or_(column < value, sa.and_(column == value, id_column < last_id))
    return sa.or_(later, column.is_(None)) if column is articles.c.published_at else later


_SORT_KEY = {"relevance": "score", "first_seen": "first_seen_at", "published": "published_at"}


@dataclass(frozen=True)
class _Position:
    key: list[Any]  # [sort value, id] of the last row shown
    cut: int | None = None  # relevance: see _relevance_cut, fixed by the first page
    older: bool = False  # relevance: the last row shown was past the ranked window


def _encode_cursor(sort: SortOrder, row: Any, cut: int | None = None) -> str:
    value = getattr(row, _SORT_KEY[sort])
    if isinstance(value, datetime):
        value = value.isoformat()
    data: dict[str, Any] = {"sort": sort, "key": [value, row.id]}
    if cut is not None:
        data["cut"] = cut
        if row.id <= cut:
            data["older"] = True
    blob = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(blob.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: SortOrder) -> _Position:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value, last_id = data["key"]
        if data["sort"] != sort:
            raise UserError(f"this cursor pages results sorted by {data['sort']}, not by {sort}: "
                            "repeat the command that printed it")
        if sort != "relevance" and value is not None:
            value = datetime.fromisoformat(value)
        cut = data.get("cut")
        return _Position([value, int(last_id)], None if cut is None else int(cut), bool(data.get("older")))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise UserError(f"not a cursor printed by portalwatch: {cursor!r}") from exc


def _row(r: Any, text_query: TextQuery | None, score: float | None) -> ArticleRow:
    zone = ZoneInfo(r.timezone or "Asia/Ho_Chi_Minh")
    snippet = None
    if text_query is not None:
        # A lead often repeats the first paragraph: show it once.
        after_title = dict.fromkeys(searchable_parts(None, r.lead, r.body, r.images, r.attachments))
        snippet = make_snippet([" ".join(after_title), r.title], text_query)
    return ArticleRow(
        id=r.id, url=r.url, canonical_url=r.canonical_url, portal=r.portal_id, title=r.title,
        published_at=r.published_at.astimezone(zone) if r.published_at else None,
        lead=r.lead, body=list(r.body or []), images=list(r.images or []),
        attachments=list(r.attachments or []), author=r.author, source=r.source, category=r.category,
        language=r.language, updated_at=r.updated_at.astimezone(zone) if r.updated_at else None,
        published_text=r.published_text, content_hash=r.content_hash, first_seen_at=r.first_seen_at,
        last_seen_at=r.last_seen_at, last_changed_at=r.last_changed_at, version=r.version,
        removed_at=r.removed_at,
        rank=float(score) if text_query is not None and score is not None else None,
        snippet=snippet.text if snippet else None, highlights=snippet.highlights if snippet else (),
    )

