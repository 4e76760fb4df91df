"""The Atom feed of new and changed articles: what `portalwatch feed` prints and the web serves.

One feed per portal set and search (or per alert rule, see `crawler/cli/items.py`), newest event
first; an edit's entry says what changed, in the changed lines of its diff.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from crawler.changes import changed_lines
from crawler.core.normalize import xml_safe
from storage import query
from storage.query import ArticleFilter, FeedEntry, Source


def search_feed(source: Source, portals: Sequence[str] = (), search: str | None = None, *,
                limit: int = 50) -> tuple[list[FeedEntry], str, str]:
    """The entries, id and title of the feed of `portals` (all when empty) and `search`."""
    filters = ArticleFilter(portals=tuple(portals), search=search, status="all", sort="published")
    entries = query.feed_entries(source, filters, limit=limit)
    scope = ", ".join(portals) or "all portals"
    title = f"portalwatch: {scope}" + (f" — “{search}”" if search else "")
    # A stable id per portal set and search, so that readers keep their read marks across runs.
    feed_id = "urn:portalwatch:feed:" + quote(",".join(portals or ["all"])) + (
        f":search:{quote(search)}" if search else "")
    return entries, feed_id, title


# The feed is read by Vietnamese readers: an edit, a removal or a return says so in the title.
_FEED_TITLE_PREFIX = {"new": "", "changed": "[đã sửa] ", "removed": "[đã gỡ] ", "restored": "[đăng lại] "}


def write_atom(entries: Sequence[FeedEntry], out: TextIO, *, feed_id: str, title: str,
               link: str | None = None) -> int:
    """An Atom feed, newest event first: one entry per event (new article, change, removal, return)."""
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(xml_safe(title))  # XML refuses control characters: one ESC broke a whole feed
    feed.author({"name": "portalwatch"})
    feed.link(href=link or feed_id, rel="self")
    feed.updated(max((e.event.occurred_at for e in entries), default=datetime.now(UTC)))
    for entry in entries:
        article, event = entry.article, entry.event
        item = feed.add_entry(order="append")
        item.id(f"{article.canonical_url}#{event.kind}-v{event.version}")
        item.title(xml_safe(_FEED_TITLE_PREFIX[event.kind] + article.title))
        item.link(href=article.url)
        item.published(article.published_at or article.first_seen_at)
        item.updated(event.occurred_at)
        if article.author:
            item.author({"name": xml_safe(article.author)})
        if article.category:
            item.category(term=xml_safe(article.category))
        if event.kind == "changed":  # the -/+ lines, each sign apart from its text
            summary = "\n".join(f"{line[0]} {line[1:]}" for line in changed_lines(entry.diff))
        else:
            summary = article.lead or ""
        if summary:
            item.summary(xml_safe(summary))
    out.write(feed.atom_str(pretty=True).decode("utf-8"))
    return len(entries)
