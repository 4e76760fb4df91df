"""What a page declares about itself for machines: JSON-LD, OpenGraph / article:* and other meta tags.

The generic extractor reads these only where the visible page says nothing (title) or to give a
printed date its zone and seconds; a portal's markup is trusted over its meta, which templates often
fill with the site's name or the time the page was generated.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from crawler.core.normalize import clean_text, fold
from crawler.parsing.base import HtmlElement

ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle", "report",
                           "analysisnewsarticle", "backgroundnewsarticle", "opinionnewsarticle", "webpage",
                           "scholarlyarticle", "techarticle", "liveblogposting"})
PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                  "publish-date", "publish_date", "date", "dc.date", "dc.date.issued", "dcterms.created",
                  "sailthru.date", "parsely-pub-date", "created", "published_time")
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dc.date.modified",
                 "dcterms.modified", "last-modified", "lastmod", "modified_time")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*"
                  r"(Z|[+-]\d{2}:?\d{2})?)?\s*$")


@dataclass(frozen=True)
class DeclaredDate:
    value: datetime
    raw: str
    has_time: bool


def parse_iso(raw: str | None, zone: ZoneInfo) -> DeclaredDate | None:
    """An ISO 8601 date as pages declare it; a time without zone is the portal's local time."""
    if not raw:
        return None
    found = _ISO.match(raw)
    if not found:
        return None
    y, mo, d, h, mi, s, tz = found.groups()
    offset = None
    if tz:
        offset = "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
    try:
        text = f"{y}-{mo}-{d}T{h or '00'}:{mi or '00'}:{s or '00'}{offset or ''}"
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return DeclaredDate(value, raw.strip(), h is not None)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


# Names of organisations: what templates put in the author meta is often the portal itself ("Cổng
# thông tin điện tử tỉnh X", "UBND tỉnh X", "Sở ...", "Báo ..."), its domain or its admin account.
# Read with diacritics: "Báo" is a newspaper, "Bảo" a person's name; "Trường" a school, "Trương" one.
_ORGANISATION = re.compile(
    r"^(cổng (thông tin|ttđt)|trang (thông tin|tin|ttđt)|ttđt\b|ubnd|ủy ban|uỷ ban|hđnd|hội đồng|tỉnh ủy|"
    r"tỉnh uỷ|thành ủy|thành uỷ|huyện ủy|huyện uỷ|sở|bộ|ban|báo|tạp chí|đài|truyền hình|thông tấn xã|"
    r"trung tâm|văn phòng|phòng|cục|chi cục|tổng cục|viện|trường|bệnh viện|công ty|tập đoàn|website|portal|"
    r"admin|administrator|quản trị|webmaster|editor|biên tập viên|ban biên tập)(\s|$)|"
    r"\b(gov|com|net|org|edu)\.vn\b|\.(vn|com|net|org)$|https?:|www\.|@")


def is_person_name(name: str, site_names: Iterable[str] = ()) -> bool:
    """A byline's name (one or a few people, a pen name): not an organisation, a site or its domain."""
    lowered = unicodedata.normalize("NFC", name).lower().strip()
    if not lowered or len(lowered.split()) > 8 or _ORGANISATION.search(lowered):
        return False
    return all(fold(name) != fold(site) for site in site_names if site)


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_text(value) or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


@dataclass
class PageMeta:
    """The page's machine-readable claims, read once."""

    root: HtmlElement
    zone: ZoneInfo
    _meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for tag in self.root.iterfind(".//meta"):
            key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
            content = tag.get("content")
            if key and content and key not in self._meta:
                self._meta[key] = content.strip()
        for tag in self.root.iterfind(".//time[@itemprop]"):  # microdata on a visible <time>
            key = tag.get("itemprop", "").strip().lower()
            if key and tag.get("datetime") and key not in self._meta:
                self._meta[key] = tag.get("datetime", "").strip()

    def time_element(self, updated: bool) -> tuple[DeclaredDate, str] | None:
        """A visible <time datetime> of the publication (or update: class "updated" / "modified"),
        with the words it prints ("14/09/2023"), as WordPress and HTML5 themes mark their dates."""
        for tag in self.root.iter("time"):
            names = f"{tag.get('class') or ''} {tag.get('itemprop') or ''}".lower()
            is_update = "updated" in names or "modified" in names
            if is_update != updated:
                continue
            declared = parse_iso(tag.get("datetime"), self.zone)
            if declared is not None:
                return declared, clean_text(tag.text_content()) or declared.raw
        return None

    def meta(self, *keys: str) -> str | None:
        for key in keys:
            value = self._meta.get(key)
            if value:
                return clean_text(value)
        return None

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Article-like JSON-LD objects, the most article-like first."""
        found: list[dict[str, Any]] = []
        for script in self.root.iterfind(".//script[@type]"):
            if "ld+json" not in script.get("type", "").lower() or not script.text:
                continue
            try:
                data = json.loads(script.text, strict=False)
            except ValueError:
                continue
            found.extend(obj for obj in _walk(data) if _types(obj) & ARTICLE_TYPES
                         or "datePublished" in obj or "headline" in obj)
        # a NewsArticle before the WebPage that wraps it
        found.sort(key=lambda obj: "webpage" in _types(obj))
        return found

    def _ld(self, key: str) -> Any:
        return next((obj[key] for obj in self.json_ld if obj.get(key)), None)

    def headline(self) -> str | None:
        value = self._ld("headline") or self._ld("name")
        return clean_text(value) if isinstance(value, str) else None

    def title(self) -> str | None:
        return self.meta("og:title", "twitter:title") or self.headline()

    def published(self) -> DeclaredDate | None:
        value = self._ld("datePublished") or self._ld("dateCreated")
        declared = parse_iso(value if isinstance(value, str) else None, self.zone)
        return declared or self._first_meta_date(PUBLISHED_META)

    def modified(self) -> DeclaredDate | None:
        value = self._ld("dateModified")
        declared = parse_iso(value if isinstance(value, str) else None, self.zone)
        return declared or self._first_meta_date(MODIFIED_META)

    def _first_meta_date(self, keys: tuple[str, ...]) -> DeclaredDate | None:
        return next((d for d in (parse_iso(self.meta(k), self.zone) for k in keys) if d), None)

    def site_names(self) -> list[str]:
        """What the page calls its site: og:site_name, the publisher, the last part of <title>."""
        names = [self.meta("og:site_name", "application-name", "apple-mobile-web-app-title") or ""]
        names.append(_name(self._ld("publisher")) or "")
        title = self.root.find(".//title")
        if title is not None and title.text:
            names.append(re.split(r"\s+[|–—-]\s+", clean_text(title.text))[-1])
        return [n for n in names if n]

    def author(self) -> str | None:
        """The author the page declares, when it names people: a site name, an organisation (JSON-LD
        author of type Organization) or a domain is no author."""
        sites = self.site_names()
        for obj in self.json_ld:
            value = obj.get("author")
            people = [v for v in (value if isinstance(value, list) else [value])
                      if not (isinstance(v, dict) and "organization" in _types(v))]
            name = _name(people)
            if value and name and is_person_name(name, sites):
                return name
        value = self.meta("author", "article:author", "dc.creator", "byl")
        if value and is_person_name(value, sites):
            return value
        return None

    def section(self) -> str | None:
        value = self._ld("articleSection")
        if isinstance(value, list):
            value = value[0] if value else None
        return clean_text(value) if isinstance(value, str) and value.strip() else self.meta("article:section")

    def description(self) -> str | None:
        return self.meta("og:description", "description", "twitter:description")

    def is_article(self) -> bool:
        """The page says it is one article (not a home page, section or search)."""
        if any(_types(obj) & (ARTICLE_TYPES - {"webpage"}) for obj in self.json_ld):
            return True
        return (self.meta("og:type") or "").lower() == "article" or bool(self.meta("article:published_time"))

    def canonical(self) -> str | None:
        return self.meta("og:url")

    def locale(self) -> str | None:
        return self.meta("og:locale", "content-language", "language", "dc.language")
