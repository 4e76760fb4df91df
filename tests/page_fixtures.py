"""Fixture folders in the web-poet sense, one loader for every CMS family.

    <root>/<family>/<case>/page.html       the page as served (bytes)
                          /meta.json       {"url": ..., "kind": article | listing | not_found | unknown,
                                            optional "cms" (a family to force instead of auto-detection),
                                            "selectors" (per-portal CSS overrides), "portal", "status"}
                          /expected.json   what the parser must give: an article's record fields (any
                                            subset), a listing's article_urls / published / titles /
                                            next_page / next_request, a not-found page's message; for a
                                            page that gives no record, the error text and exit_code

The project's own folders are tests/pages/<family>/ (tests/test_page_fixtures.py tests every one of
them, a test per field); the shared Thái Nguyên fixtures (../shared/fixtures) use the same form. A
new family adds folders and gets its tests without writing a loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pytest

from crawler.core.errors import ExtractionError
from crawler.core.records import ArticleRecord, ListingPage, NotFoundPage
from crawler.parsing import AUTO, parse_page_with_family

PROJECT_PAGES = Path(__file__).resolve().parent / "pages"
SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
# The fields each kind of result has; other keys of expected.json are notes on the case
# ("change_from", "change", "error", "exit_code", ...).
RESULT_FIELDS = {
    "article": frozenset(f.name for f in fields(ArticleRecord)),
    "listing": frozenset({"url", "portal", "article_urls", "published", "titles", "next_page",
                          "next_request"}),
    "not_found": frozenset({"url", "message"}),
}

Result = ArticleRecord | ListingPage | NotFoundPage


@dataclass
class PageCase:
    folder: Path
    family: str  # the family that must read the page when `cms` is auto
    meta: dict[str, Any] = field(repr=False)
    expected: dict[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def id(self) -> str:
        return f"{self.folder.parent.name}/{self.folder.name}"

    @property
    def url(self) -> str:
        return str(self.meta["url"])

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    @property
    def cms(self) -> str:
        return str(self.meta.get("cms", AUTO))

    @property
    def gives_record(self) -> bool:
        return "error" not in self.expected and self.kind != "unknown"

    @property
    def fields(self) -> list[str]:
        known = RESULT_FIELDS.get(self.kind, frozenset()) if self.gives_record else frozenset()
        return [key for key in self.expected if key in known]

    def html(self) -> bytes:
        return (self.folder / "page.html").read_bytes()

    def parse(self) -> tuple[str, Result]:
        """(family that read it, result), parsed once however many tests ask."""
        if self.folder not in _parsed:
            try:
                _parsed[self.folder] = parse_page_with_family(
                    self.html(), self.url, portal=self.portal, cms=self.cms,
                    selectors=self.meta.get("selectors"))
            except ExtractionError as exc:
                _parsed[self.folder] = exc
        found = _parsed[self.folder]
        if isinstance(found, ExtractionError):
            raise found
        return found

    @property
    def portal(self) -> str:
        return str(self.meta.get("portal") or self.expected.get("portal") or self.folder.parent.name)

    def got(self, name: str) -> Any:
        """One field of the result, as JSON would show it."""
        result = self.parse()[1]
        if isinstance(result, NotFoundPage):
            return {"url": result.url, "message": result.message}[name]
        return result.to_dict()[name]


_parsed: dict[Path, tuple[str, Result] | ExtractionError] = {}


def load_cases(root: Path, family: str | None = None) -> list[PageCase]:
    """Every <root>/<family>/<case>/ folder; `family` names the family that must read them all
    (default: the name of the folder they sit in)."""
    cases = []
    for meta_path in sorted(root.glob("*/*/meta.json")):
        folder = meta_path.parent
        expected_path = folder / "expected.json"
        cases.append(PageCase(
            folder=folder, family=family or folder.parent.name,
            meta=json.loads(meta_path.read_text(encoding="utf-8")),
            expected=json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else {},
        ))
    return cases


def field_params(cases: list[PageCase]) -> list[Any]:
    """One pytest param a (case, field) the case's expected.json names."""
    return [pytest.param(case, name, id=f"{case.id}-{name}") for case in cases for name in case.fields]


def case_params(cases: list[PageCase]) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in cases]


def kind_of(result: Result) -> str:
    if isinstance(result, ArticleRecord):
        return "article"
    return "listing" if isinstance(result, ListingPage) else "not_found"
