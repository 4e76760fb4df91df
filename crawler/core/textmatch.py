"""Search syntax shared by `items --search` and alert rules' `--match`.

Words are ANDed, "quoted phrases" match as phrases, and case and diacritics never matter
(both sides go through `fold`, so `dai tuong` finds `Đại tướng`). The database search backends
implement the same semantics with their full-text indexes; `matches` is the reference used for
alert rules and to check that both backends agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.core.errors import UserError
from crawler.core.normalize import fold

_TOKEN = re.compile(r"\w+")
_PART = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class TextQuery:
    words: tuple[str, ...]  # folded single words, all required
    phrases: tuple[tuple[str, ...], ...]  # folded word sequences, each required in order

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def parse_query(text: str) -> TextQuery:
    if text.count('"') % 2:
        raise UserError(f"unbalanced quote in search {text!r}: close the phrase with \"")
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for phrase, word in _PART.findall(text):
        parts = tokens(phrase if phrase else word)
        if phrase and len(parts) > 1:
            phrases.append(tuple(parts))
        else:
            words.extend(parts)
    query = TextQuery(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(phrases)))
    if query.empty:
        raise UserError(f"nothing to search for in {text!r}")
    return query


def matches(query: TextQuery, text: str) -> bool:
    haystack = tokens(text)
    present = set(haystack)
    if any(word not in present for word in query.words):
        return False
    joined = f" {' '.join(haystack)} "
    return all(f" {' '.join(phrase)} " in joined for phrase in query.phrases)
