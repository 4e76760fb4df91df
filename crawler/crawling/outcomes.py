"""What the spider hands the storage pipeline besides records: the outcome of each fetch.

The spider only routes; these say what it saw so that the pipeline can store it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.core.records import ArticleRecord


@dataclass
class FetchedArticle:
    record: ArticleRecord
    etag: str | None = None
    last_modified: str | None = None
    listing_signature: str | None = None


@dataclass
class ArticleUnchanged:
    """HTTP 304: the page did not change since the validators we sent."""

    canonical_url: str
    etag: str | None = None
    last_modified: str | None = None
    listing_signature: str | None = None


@dataclass
class ArticleGone:
    """The portal says the article no longer exists: 404, 410 or Liferay's soft 404."""

    canonical_url: str
    reason: str


@dataclass
class ListingRead:
    """A listing page came back: how many article links the parser found on it (0 when it could
    not read the page at all). A listing without links is what a theme change looks like."""

    url: str
    links: int


@dataclass
class ListingFound:
    """The crawl found the portal's news listing on its home page: the next crawls start there."""

    url: str


@dataclass
class CrawlProblem:
    """A fetch or parse that failed: an error of the crawl run, never a removal."""

    url: str
    reason: str
    is_listing: bool = False
    is_article: bool = False
    unparsed: bool = False  # the page came back but the parser could not read it (parser health)
