"""Every fixture folder of tests/pages/<family>/ (tests/page_fixtures.py): a test per field of the
expected record, and one that the page is read as its kind by its family (or fails as it must)."""

from __future__ import annotations

import pytest

from crawler.core.errors import ExtractionError
from tests.page_fixtures import PROJECT_PAGES, PageCase, case_params, field_params, kind_of, load_cases

CASES = load_cases(PROJECT_PAGES)


@pytest.mark.parametrize(("case", "name"), field_params(CASES))
def test_field(case: PageCase, name: str) -> None:
    assert case.got(name) == case.expected[name]


@pytest.mark.parametrize("case", case_params([c for c in CASES if c.gives_record]))
def test_page_is_read_as_its_kind_by_its_family(case: PageCase) -> None:
    family, result = case.parse()
    assert kind_of(result) == case.kind
    if case.cms == "auto":
        assert family == case.family  # --cms auto found the family from the page's own markers


@pytest.mark.parametrize("case", case_params([c for c in CASES if not c.gives_record]))
def test_page_that_gives_no_record_says_why_naming_the_url(case: PageCase) -> None:
    with pytest.raises(ExtractionError) as err:
        case.parse()
    assert case.url in str(err.value)
    assert case.expected["error"] in str(err.value)
    assert err.value.exit_code == case.expected["exit_code"]


def test_article_lead_is_the_first_paragraph_of_the_body() -> None:
    for case in CASES:
        if case.gives_record and case.kind == "article":
            record = case.parse()[1].to_dict()
            assert record["body"][:1] == ([record["lead"]] if record["lead"] else []), case.id


def test_listing_article_urls_are_canonical() -> None:
    for case in CASES:
        if case.gives_record and case.kind == "listing":
            urls = case.parse()[1].to_dict()["article_urls"]
            assert urls and all("redirect=" not in u and "p_auth" not in u for u in urls), case.id
