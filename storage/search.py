"""Full-text search over stored articles, the same on SQLite and PostgreSQL.

What is indexed: `articles.search_text`, the folded words of an article's title, lead, body,
image captions and attachment titles (`search_text_for`), one space between words. Folding
happens here in Python (`crawler.core.normalize.fold`, which also turns đ into d), so both databases
index the very same words and `crawler.core.textmatch.matches` stays the reference for what matches:

- SQLite: an FTS5 table (`articles_fts`) with `articles` as external content, kept current by
  triggers. Its `ascii` tokenizer splits on spaces only (every stored character is a word
  character), so FTS5 sees exactly the words Python saw. Ranked by bm25.
- PostgreSQL: a generated `search_vector` column built by `portalwatch_search_vector(search_text)`
  (one lexeme per stored word, with its position) and a GIN index. The stock parser is not used
  because it splits words that Python keeps whole (`foo_bar`, `x²`). Phrases match by position
  (`<->`); a tsvector keeps at most 256 positions per word and none past 16,383, so articles that
  long are flagged and their phrases checked on `search_text` itself. Ranked by ts_rank.

Words longer than `MAX_WORD_LENGTH` are left out of the index on both (PostgreSQL refuses
lexemes over 2 KB; nobody searches for them).

The index itself (FTS5 table and triggers, the vector function, column and GIN index) is built by
migration 0002, which keeps its own frozen copy of the DDL and of the folding it backfilled with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from crawler.core.records import ArticleRecord
from crawler.core.textmatch import TextQuery, tokens

MAX_WORD_LENGTH = 100
# A search matching more articles than this ranks by relevance only the RANK_WINDOW most recently
# stored of them (highest ids); the older matches follow, most recently stored first, unranked.
# Ranking reads every match's word statistics (bm25 on SQLite, ts_rank on PostgreSQL), which
# for a word in most articles ("tinh": 100,000 of 100,000) took 140-210 ms; the newest matches
# are found in index order (FTS5 rowids, the primary key) without ranking the rest. Each ranked
# match costs 2.5-6 us on SQLite (bm25), and on PostgreSQL a search matching a tenth of the
# articles reads about ten articles per ranked match: 5,000 kept the first page under 50 ms on one
# machine and not on one 2.5 times slower (p95 74-80 ms); on this one, 2,000 gave a PostgreSQL p95
# of 45-52 ms and 1,000 gives 34-41 (bench/query.py). 1,000 matches of a word in a tenth of the news
# are two weeks of sixty portals' news, months or years of one portal's: the first page is the
# most relevant of recent news, which is what a reporter typing a common word wants. Searches
# matching fewer are ranked whole.
RANK_WINDOW = 1_000
# How PostgreSQL finds the ranked window (`storage.query._window_plans`): from the share of the
# newest PG_PROBE articles that match, it walks the primary key backwards, testing each article,
# or visits every match the full-text index names; a visit (a random page) cost PG_VISIT_COST
# times an article read in the walk (bench/query.py: 3-4 us against 1-1.5 us).
PG_PROBE = 500
PG_VISIT_COST = 3

FTS_TABLE = "articles_fts"
PG_VECTOR_COLUMN = "search_vector"
PG_VECTOR_FUNCTION = "portalwatch_search_vector"
TRUNCATED = "pw-positions-truncated"  # a lexeme no folded word can be: "-" is not a word character


# --- what is searched -------------------------------------------------------------------------

def searchable_parts(
    title: str | None, lead: str | None, body: Sequence[str] | None,
    images: Iterable[Mapping[str, Any] | Any] | None, attachments: Iterable[Mapping[str, Any] | Any] | None,
) -> list[str]:
    """The texts a search looks in, in reading order (captions and file titles after the body)."""
    parts = [title or "", lead or "", *(body or [])]
    parts += [_get(image, "caption") or "" for image in images or ()]
    parts += [_get(attachment, "title") or "" for attachment in attachments or ()]
    return [part for part in parts if part]


class Searchable(Protocol):
    """Anything with an article's texts: a parsed record, a stored article, a query's row."""

    @property
    def title(self) -> str | None: ...
    @property
    def lead(self) -> str | None: ...
    @property
    def body(self) -> Sequence[str] | None: ...
    @property
    def images(self) -> Iterable[Any] | None: ...
    @property
    def attachments(self) -> Iterable[Any] | None: ...


def searchable_text(article: Searchable) -> str:
    """The text `crawler.core.textmatch.matches` must be given to agree with the database search:
    the same texts `items --search` looks in (captions and file titles too), for alert rules too."""
    return "\n".join(searchable_parts(article.title, article.lead, article.body, article.images,
                                      article.attachments))


def search_text_for(record: ArticleRecord) -> str:
    """The value of `articles.search_text`: folded words, one space apart."""
    return fold_words(searchable_text(record))


def fold_words(text: str) -> str:
    return " ".join(word for word in tokens(text) if len(word) <= MAX_WORD_LENGTH)


def _get(item: Mapping[str, Any] | Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


# --- how each database is asked ---------------------------------------------------------------

def fts5_match(query: TextQuery) -> str:
    """An FTS5 MATCH expression: every word and phrase quoted (so `and`/`or` stay words), ANDed."""
    terms = [f'"{word}"' for word in query.words] + [f'"{" ".join(p)}"' for p in query.phrases]
    return " AND ".join(terms)


def pg_tsquery(query: TextQuery, *, phrases: bool) -> str:
    """A tsquery literal: every word, and every phrase as words in a row (`<->`) or, without
    `phrases`, as words anywhere. Literal lexemes: no parser, no dictionary, the words we folded."""
    words = [f"'{word}'" for word in query.words]
    if phrases:
        words += ["(" + " <-> ".join(f"'{word}'" for word in phrase) + ")" for phrase in query.phrases]
    else:
        words += [f"'{word}'" for phrase in query.phrases for word in phrase]
    return " & ".join(dict.fromkeys(words))


def pg_phrase_needles(query: TextQuery) -> list[str]:
    """Space-padded phrases to find in space-padded `search_text`: the reference's own test."""
    return [f" {' '.join(phrase)} " for phrase in query.phrases]


@dataclass(frozen=True)
class SearchPlan:
    """How to narrow a select of `articles` to the matches of a search, and score them."""

    join: sa.Subquery | None  # join it on join.c.id == articles.id (SQLite)
    where: sa.ColumnElement[bool] | None  # or add this condition on articles itself (PostgreSQL)
    score: sa.ColumnElement[Any] | None  # higher is better: -bm25 on SQLite, ts_rank on PostgreSQL


def search_plan(dialect: str, query: TextQuery, articles: sa.Table, *, scored: bool,
                indexed: bool = True) -> SearchPlan:
    """`indexed=False` words the PostgreSQL condition so that no index can serve it (`IS TRUE`),
    for a plan that must test articles in primary-key order (`storage.query._window_plans`)."""
    if dialect == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
        fts_column: sa.ColumnElement[Any] = sa.literal_column(FTS_TABLE)
        columns: list[Any] = [fts.c.rowid.label("id")]
        if scored:
            columns.append((-sa.func.bm25(fts_column)).label("score"))
        matches = sa.select(*columns).select_from(fts).where(
            fts_column.op("MATCH")(sa.literal(fts5_match(query)))).subquery("matches")
        return SearchPlan(matches, None, matches.c.score if scored else None)
    if dialect == "postgresql":
        # Imported here: the PostgreSQL dialect costs a quarter of a second to import, which every
        # `portalwatch items` on SQLite would pay.
        from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

        # On the outer table itself: a self-join made PostgreSQL sort whole vectors, not scores.
        vector = sa.literal_column(f"{articles.name}.{PG_VECTOR_COLUMN}", TSVECTOR)
        all_words = sa.cast(sa.literal(pg_tsquery(query, phrases=False)), TSQUERY)
        condition: sa.ColumnElement[bool] = vector.bool_op("@@")(all_words)
        if query.phrases:
            # Phrases by position, through the index; in the rare article whose positions PostgreSQL
            # cut short (see install_postgres_index), by looking for them in the text itself. One
            # tsquery: one index scan and one test of the phrase per match, where an OR of two
            # conditions scanned the index twice and tested the phrase again in a filter.
            words = pg_tsquery(query, phrases=False)
            either = f"({pg_tsquery(query, phrases=True)}) | ('{TRUNCATED}' & {words})"
            truncated = vector.bool_op("@@")(sa.cast(sa.literal(f"'{TRUNCATED}'"), TSQUERY))
            padded = sa.literal(" ") + articles.c.search_text + sa.literal(" ")
            in_text = [sa.func.strpos(padded, needle) > 0 for needle in pg_phrase_needles(query)]
            condition = sa.and_(vector.bool_op("@@")(sa.cast(sa.literal(either), TSQUERY)),
                                sa.or_(sa.not_(truncated), sa.and_(*in_text)))
        if not indexed:
            condition = condition.is_(sa.true())
        # Ranked on the words ORed: for an AND, ts_rank weighs every pair of positions of different
        # words (4 times slower on two common words) where bm25, on SQLite, counts each word.
        # float8, not ts_rank's float4: the cursor carries the score and must compare equal.
        any_word = sa.cast(sa.literal(pg_tsquery(query, phrases=False).replace(" & ", " | ")), TSQUERY)
        score = sa.cast(sa.func.ts_rank(vector, any_word, 1), sa.Double) if scored else None
        return SearchPlan(None, condition, score)
    raise NotImplementedError(f"no full-text search for the {dialect} database")
