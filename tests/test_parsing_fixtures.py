"""The shared Thái Nguyên fixtures (../shared/fixtures) through `--cms auto`: every field of every
article, the listings, the soft 404, and what comparing the edited and noise-only variants must say.
Same folder form and loader as the project's own pages (tests/page_fixtures.py)."""

from __future__ import annotations

import pytest

from crawler.core.records import ArticleRecord, ListingPage, NotFoundPage
from tests.page_fixtures import SHARED_FIXTURES, PageCase, case_params, field_params, kind_of, load_cases

if not SHARED_FIXTURES.is_dir():
    pytest.skip(f"shared fixtures not found at {SHARED_FIXTURES} (they sit beside the project, not in it)",
                allow_module_level=True)

CASES = load_cases(SHARED_FIXTURES, family="liferay")
BY_NAME = {case.name: case for case in CASES}


@pytest.mark.parametrize(("case", "name"), field_params(CASES))
def test_field(case: PageCase, name: str) -> None:
    assert case.got(name) == case.expected[name]


@pytest.mark.parametrize("case", case_params(CASES))
def test_page_is_read_as_its_kind_by_liferay(case: PageCase) -> None:
    family, result = case.parse()
    assert (kind_of(result), family) == (case.kind, "liferay")


EDITS = [c for c in CASES if c.kind == "article" and "change_from" in c.expected]


@pytest.mark.parametrize("case", case_params(EDITS))
def test_change_against_earlier_version(case: PageCase) -> None:
    before = BY_NAME[case.expected["change_from"]].parse()[1]
    after = case.parse()[1]
    assert isinstance(before, ArticleRecord) and isinstance(after, ArticleRecord)
    if case.expected["change"] == "unchanged":
        assert after.content_hash == before.content_hash
    else:
        assert after.content_hash != before.content_hash


@pytest.mark.parametrize("case", case_params([c for c in CASES if c.kind == "listing"]))
def test_listing_urls_dates_and_next_page(case: PageCase) -> None:
    listing = case.parse()[1]
    assert isinstance(listing, ListingPage)
    got = listing.to_dict()
    assert {k: got[k] for k in ("article_urls", "published", "next_page")} == \
        {k: case.expected[k] for k in ("article_urls", "published", "next_page")}


@pytest.mark.parametrize("case", case_params([c for c in CASES if c.kind == "not_found"]))
def test_soft_404_is_not_found(case: PageCase) -> None:
    result = case.parse()[1]
    assert isinstance(result, NotFoundPage)
    assert result.url == case.url
    assert "Không tìm thấy" in result.message
    if case.expected.get("change") == "removed":
        assert isinstance(BY_NAME[case.expected["change_from"]].parse()[1], ArticleRecord)
