import pytest

from crawler.core.errors import UserError
from crawler.core.textmatch import matches, parse_query

TEXT = "Đại tướng Tô Lâm phát biểu về phong trào Toàn dân bảo vệ an ninh Tổ quốc"


@pytest.mark.parametrize(
    "query", ["dai tuong", "DAI TUONG", "to quoc", "Đại tướng", '"an ninh to quoc"', "lam dai"]
)
def test_matches_without_diacritics_or_case(query: str) -> None:
    assert matches(parse_query(query), TEXT)


@pytest.mark.parametrize("query", ["dai uy", '"to quoc an ninh"', "tuong quan", '"dai tuong" hanoi'])
def test_words_are_anded_and_phrases_keep_order(query: str) -> None:
    assert not matches(parse_query(query), TEXT)


def test_d_with_stroke_folds_to_d() -> None:
    assert matches(parse_query("dang"), "Bí thư Trung ương Đảng")
    assert not matches(parse_query("dai"), "đạo")


@pytest.mark.parametrize("bad", ['"an ninh', "   ", '""'])
def test_bad_queries_get_clear_errors(bad: str) -> None:
    with pytest.raises(UserError):
        parse_query(bad)
