"""Snippets: the words a search matched, shown and highlighted in the article's printed text."""

from __future__ import annotations

import unicodedata

from crawler.core.textmatch import parse_query
from storage.snippets import Snippet, make_snippet

LONG = " ".join(f"Đoạn {i} nói về việc khác." for i in range(40))  # 200 words without a match


def _marked(snippet: Snippet | None) -> list[str]:
    assert snippet is not None
    return [snippet.text[a:b] for a, b in snippet.highlights]


def test_snippet_keeps_diacritics_and_marks_the_whole_phrase() -> None:
    snippet = make_snippet(["Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị về an ninh Tổ quốc."],
                           parse_query('"to quoc" dai'))
    assert _marked(snippet) == ["Đại", "Tổ quốc"]
    assert make_snippet(["Không liên quan"], parse_query("dai")) is None


def test_only_whole_words_match_and_a_phrase_may_span_punctuation() -> None:
    assert make_snippet(["Đạithắng, tướngquân"], parse_query("dai")) is None
    assert _marked(make_snippet(["Ông Đại, tướng quân"], parse_query('"dai tuong"'))) == ["Đại, tướng"]
    # Printed punctuation of the portals (quotes, dashes, the đồng sign) does not get in the way.
    text = "“Đại tướng” – 5.000 ₫… Tổ\u00a0quốc"
    assert _marked(make_snippet([text], parse_query('"dai tuong" "to quoc"'))) == ["Đại tướng", "Tổ quốc"]
    # A phrase found twice over the same words is marked over all of them.
    assert _marked(make_snippet(["Nam Nam Nam bộ"], parse_query('"nam nam"'))) == ["Nam Nam Nam"]


def test_a_match_deep_in_a_long_text_is_shown_with_the_words_around_it() -> None:
    snippet = make_snippet([f"{LONG} Đại tướng chủ trì hội nghị. {LONG}"], parse_query("dai tuong"))
    assert snippet is not None and _marked(snippet) == ["Đại tướng"]
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    words = snippet.text.strip("…").split()
    assert len(words) == 24 and words[6:8] == ["Đại", "tướng"]  # a quarter of the window before it


def test_a_match_near_the_end_fills_the_window_with_the_words_before_it() -> None:
    snippet = make_snippet([f"{LONG} Đại tướng về dự."], parse_query("dai"))
    assert snippet is not None and not snippet.text.endswith("…")
    assert snippet.text.strip("…").split()[-4:] == ["Đại", "tướng", "về", "dự"]
    assert len(snippet.text.strip("…").split()) == 24


def test_the_window_showing_the_most_terms_wins() -> None:
    text = f"Đại tướng đến. {LONG} Đại tướng dự hội nghị tổng kết. {LONG}"
    snippet = make_snippet([text, "Tổng kết"], parse_query("dai tong ket"))
    assert _marked(snippet) == ["Đại", "tổng kết"]


def test_texts_beyond_latin_letters_are_highlighted_at_the_right_place() -> None:
    # Greek, CJK and a decomposed mark left by NFC: folded one character at a time, offsets kept.
    text = "Σίσυφος 中文 Ǆemal ĐẠI TƯỚNG và x\u0301 đại tướng"
    assert _marked(make_snippet([text], parse_query('"dai tuong"'))) == ["ĐẠI TƯỚNG", "đại tướng"]
    assert _marked(make_snippet([text], parse_query("σισυφος"))) == ["Σίσυφος"]
    decomposed = unicodedata.normalize("NFD", "Lễ hội Tổ quốc")
    assert _marked(make_snippet([decomposed], parse_query("to quoc"))) == ["Tổ quốc"]
