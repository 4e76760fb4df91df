"""The records portalwatch produces: one article, one listing page.

`ArticleRecord` is a plain dataclass so that Scrapy's item adapters, the storage layer and the
JSON output all read the same fields. Field names are part of the public contract (other tools
read them): do not rename them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None = None


@dataclass(frozen=True)
class Attachment:
    url: str
    title: str


@dataclass
class ArticleRecord:
    url: str
    canonical_url: str
    portal: str
    title: str
    published_at: datetime | None
    lead: str | None
    body: list[str]
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    author: str | None = None
    source: str | None = None
    category: str | None = None
    language: str = "vi"
    updated_at: datetime | None = None
    # The date as the page printed it, kept beside the interpreted `published_at`.
    published_text: str | None = None
    content_hash: str = ""

    def __post_init__(self) -> None:
        self.images = [i if isinstance(i, Image) else Image(**i) for i in self.images]
        self.attachments = [a if isinstance(a, Attachment) else Attachment(**a) for a in self.attachments]
        if not self.content_hash:
            self.content_hash = self.compute_content_hash()

    def visible_content(self) -> dict[str, Any]:
        """What a reader sees of the article: the only input of the hash and of change detection."""
        return {
            "title": self.title,
            "lead": self.lead,
            "body": list(self.body),
            "images": [[i.url, i.caption] for i in self.images],
            "attachments": [[a.url, a.title] for a in self.attachments],
            "author": self.author,
            "source": self.source,
            "published_at": self.published_at.isoformat() if self.published_at else None,
        }

    def compute_content_hash(self) -> str:
        blob = json.dumps(self.visible_content(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: datetimes as ISO 8601 with offset."""
        data = asdict(self)
        for name in ("published_at", "updated_at"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("published_at", "updated_at"):
            if isinstance(values.get(name), str):
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)


@dataclass(frozen=True)
class ListingEntry:
    url: str  # canonical article URL
    title: str | None
    published_text: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class NextRequest:
    """How to ask for a listing's next page when a plain GET of a link is not how: a "see more"
    button that POSTs a form or JSON to an API. The response (an HTML fragment or JSON) is read
    as a listing page again.

    `page_field` names the form or JSON field that counts pages: a fragment does not know which
    page it is, so the crawler asks for the one after by adding one to that field (`advanced`).
    """

    url: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()  # application/x-www-form-urlencoded, in order
    json: str | None = None  # a JSON body, as text (frozen and hashable, unlike a dict)
    headers: tuple[tuple[str, str], ...] = ()
    page_field: str | None = None

    def advanced(self) -> NextRequest | None:
        """The same request for the page after; None when no field says which page it asks for."""
        if not self.page_field:
            return None
        if self.json is not None:
            body = json.loads(self.json)
            value = body.get(self.page_field) if isinstance(body, dict) else None
            if isinstance(value, bool) or not isinstance(value, int | str) or not _is_count(value):
                return None
            body[self.page_field] = int(value) + 1 if isinstance(value, int) else str(int(value) + 1)
            return replace(self, json=json.dumps(body, ensure_ascii=False))
        form = list(self.form)
        for i, (key, value) in enumerate(form):
            if key == self.page_field and _is_count(value):
                form[i] = (key, str(int(value) + 1))
                return replace(self, form=tuple(form))
        return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.form:
            data["form"] = [list(pair) for pair in self.form]
        if self.json is not None:
            data["json"] = json.loads(self.json)
        if self.page_field:
            data["page_field"] = self.page_field
        return data


def _is_count(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


@dataclass
class ListingPage:
    url: str
    portal: str
    entries: list[ListingEntry]
    next_page: str | None  # the next page's URL, shown to users; for a POST, the URL it is sent to
    # Set when the next page is not a GET of `next_page` (a POSTed "see more" API).
    next_request: NextRequest | None = None

    def follow(self) -> NextRequest | None:
        """The request for the next page, whatever its method."""
        if self.next_request is not None:
            return self.next_request
        return NextRequest(self.next_page) if self.next_page else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "portal": self.portal,
            "article_urls": [e.url for e in self.entries],
            "published": [e.published_text for e in self.entries],
            "titles": [e.title for e in self.entries],
            "next_page": self.next_page,
            "next_request": self.next_request.to_dict() if self.next_request else None,
        }


@dataclass(frozen=True)
class NotFoundPage:
    """A page that says the article does not exist, whatever HTTP status it came with (soft 404)."""

    url: str
    message: str
