"""The shared Thái Nguyên fixtures (../shared/fixtures): every field of every article, the listings,
the soft 404, and what comparing the edited and noise-only variants must say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.core.records import ArticleRecord, ListingPage, NotFoundPage
from crawler.parsing import PageKind, detect_kind, parse_page

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "fixtures"

if not FIXTURES.is_dir():
    pytest.skip(f"shared fixtures not found at {FIXTURES} (they sit beside the project, not in it)",
                allow_module_level=True)

FIELDS = ["url", "canonical_url", "portal", "title", "published_at", "lead", "body", "images", "attachments",
          "author", "source", "category", "language"]


def _cases(kind: str) -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/meta.json")
                  if json.loads(p.read_text(encoding="utf-8"))["kind"] == kind)


def _load(case: Path) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return meta, expected, (case / "page.html").read_bytes()


def _parse(case: Path) -> ArticleRecord | ListingPage | NotFoundPage:
    meta, _, html = _load(case)
    return parse_page(html, meta["url"], portal=case.parent.name)


_parsed: dict[Path, Any] = {}


def parsed(case: Path) -> Any:
    if case not in _parsed:  # one parse per case, however many field tests read it
        _parsed[case] = _parse(case)
    return _parsed[case]


ARTICLE_FIELDS = [
    pytest.param(case, field, id=f"{case.name}-{field}")
    for case in _cases("article")
    for field in FIELDS
    if field in json.loads((case / "expected.json").read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(("case", "field"), ARTICLE_FIELDS)
def test_article_field(case: Path, field: str) -> None:
    _, expected, _ = _load(case)
    record = parsed(case)
    assert isinstance(record, ArticleRecord)
    assert record.to_dict()[field] == expected[field]


EDITS = [case for case in _cases("article") if "change_from" in _load(case)[1]]


@pytest.mark.parametrize("case", EDITS, ids=lambda p: p.name)
def test_change_against_earlier_version(case: Path) -> None:
    _, expected, _ = _load(case)
    before = parsed(case.parent / expected["change_from"])
    after = parsed(case)
    if expected["change"] == "unchanged":
        assert after.content_hash == before.content_hash
    else:
        assert after.content_hash != before.content_hash


@pytest.mark.parametrize("case", _cases("listing"), ids=lambda p: p.name)
def test_listing(case: Path) -> None:
    meta, expected, html = _load(case)
    listing = parsed(case)
    assert isinstance(listing, ListingPage)
    got = listing.to_dict()
    assert got["article_urls"] == expected["article_urls"]
    assert got["published"] == expected["published"]
    assert got["next_page"] == expected["next_page"]
    assert detect_kind(html, meta["url"], "liferay") is PageKind.LISTING


@pytest.mark.parametrize("case", _cases("not_found"), ids=lambda p: p.name)
def test_soft_404_is_not_found(case: Path) -> None:
    meta, expected, html = _load(case)
    result = parsed(case)
    assert isinstance(result, NotFoundPage)
    assert result.url == meta["url"]
    assert "Không tìm thấy" in result.message
    assert detect_kind(html, meta["url"], "liferay") is PageKind.NOT_FOUND
    if expected.get("change") == "removed":
        assert isinstance(parsed(case.parent / expected["change_from"]), ArticleRecord)
