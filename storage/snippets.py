"""Snippets: where a search matched an article, shown in the article's own printed text.

A search matches folded words (`crawler.core.textmatch`: no case, no diacritics, đ is d); a reader
wants to see "Đại tướng", not "dai tuong". Each term of the search is found in the printed text
itself by a regular expression that spells each letter as every character folding to it
(`[dDđĐ][aAàáảãạ…]…`): the regex engine's C loop, where folding every text and a Python loop
over its words cost 0.3 ms a row, 6 ms a page of 20. A text with characters beyond the Latin and
punctuation blocks the portals print (Greek, CJK, decomposed marks) is folded a character at a
time instead, offsets kept.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from crawler.core.normalize import clean_text, fold
from crawler.core.textmatch import TextQuery

_WORD = re.compile(r"\w+")  # the word of crawler.core.textmatch.tokens
# Basic Latin to Latin Extended-B, Latin Extended Additional (Vietnamese), General Punctuation and
# Currency Symbols (“ ” – … ₫).
_BLOCKS = ((0x0000, 0x0250), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x20A0, 0x20D0))
MAX_ANCHORS = 64  # matches tried as the place of the excerpt: enough for a long article


@dataclass(frozen=True)
class Snippet:
    text: str  # an excerpt of the original text, diacritics and case as printed
    highlights: tuple[tuple[int, int], ...]  # [start, end) of each match within `text`


def make_snippet(texts: Sequence[str], query: TextQuery, *, window: int = 24) -> Snippet | None:
    """The `window` words of `texts` that show the most different terms of `query`, highlighted.

    The text showing the most terms wins, the earlier one on a tie (callers put the body before
    the title, which is printed anyway); None when no text holds a match. The excerpt starts a
    quarter of the window before the match it is built around, earlier when the text ends first.
    """
    patterns = _term_patterns(query)
    _, irregular = _folding()
    best: tuple[int, str, list[int] | None, _Words, list[tuple[int, int, int]], int, int] | None = None
    for candidate in texts:
        text = clean_text(candidate)
        folded, origin = _folded(text) if irregular.search(text) else (text, None)
        found = sorted((start, end, n) for n, pattern in enumerate(patterns)
                       for start, end in _matches(pattern, folded))
        present = len({term for _, _, term in found})  # no window of this text shows more
        if best is not None and present <= best[0]:
            continue
        words = _Words(folded)
        found_starts = [a for a, _, _ in found]
        for anchor, _, _ in found[:MAX_ANCHORS]:
            first = words.index_at(anchor)
            split = words.split(max(window, first + window - window // 4))  # fewer where the text ends
            start = max(0, min(first - window // 4, split - window))
            past = min(start + window, split)
            begin, end = words.spans[start][0], words.spans[past - 1][1]
            inside = found[bisect.bisect_left(found_starts, begin):bisect.bisect_left(found_starts, end)]
            terms = len({term for _, stop, term in inside if stop <= end})
            if best is None or terms > best[0]:
                best = (terms, text, origin, words, inside, start, past)
            if terms == present:
                break
        if best is not None and best[0] == len(patterns):
            break
    if best is None:
        return None
    _, text, origin, words, inside, start, past = best
    prefix = "…" if start > 0 else ""
    suffix = "…" if words.split(past + 1) > past else ""
    begin, end = _in_original(text, origin, words.spans[start][0], words.spans[past - 1][1])
    shift = len(prefix) - begin
    marks = []
    for a, b, _ in inside:
        a, b = _in_original(text, origin, a, b)
        if b <= end:
            marks.append((a + shift, b + shift))
    excerpt = prefix + text[begin:end] + suffix
    return Snippet(excerpt, _merge(excerpt, marks))


class _Words:
    """The word spans of a text, split only as far as asked: the excerpt is near the first match
    more often than not, and splitting a whole article cost as much as the rest of a snippet."""

    def __init__(self, text: str) -> None:
        self.spans: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._rest = _WORD.finditer(text)
        self._done = False

    def split(self, count: int) -> int:
        """Split at least `count` words, or all there are; how many are split."""
        missing = count - len(self.spans)
        if missing > 0 and not self._done:
            new = [word.span() for word in itertools.islice(self._rest, missing)]
            self._done = len(new) < missing
            self.spans += new
            self._starts += [start for start, _ in new]
        return len(self.spans)

    def index_at(self, offset: int) -> int:
        """The number of the word starting at `offset` (a match always starts a word)."""
        while (not self._starts or self._starts[-1] < offset) and not self._done:
            self.split(len(self.spans) + 32)
        return bisect.bisect_left(self._starts, offset)


@functools.lru_cache(maxsize=256)
def _term_patterns(query: TextQuery) -> tuple[re.Pattern[str], ...]:
    """One pattern per word and phrase of `query`: the words whole, a phrase's words in a row with
    anything but word characters between them (as `tokens` splits them). The boundary before the
    first word is checked behind its first letter, so that the engine scans for that letter's
    class as fast as for a literal."""
    spell, _ = _folding()
    patterns = []
    for words in [(word,) for word in query.words] + list(query.phrases):
        first_letter = spell(words[0][0])
        spelled = ["".join(spell(char) for char in word) for word in words]
        head = first_letter + r"(?<!\w.)" + spelled[0][len(first_letter):]
        patterns.append(re.compile(head + "".join(r"\W+" + word for word in spelled[1:]) + r"(?!\w)", re.S))
    return tuple(patterns)


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Where `pattern` matches, overlaps included: "Đại Đại Đại" holds the phrase "dai dai" twice."""
    found = pattern.search(text)
    while found is not None:
        yield found.span()
        found = pattern.search(text, found.start() + 1)


@functools.cache
def _folding() -> tuple[Callable[[str], str], re.Pattern[str]]:
    """How to spell a folded character as a class of the printed ones (`d` -> `[dDđĐ]`), and the
    characters that need `_folded`: any outside `_BLOCKS`, and those inside that fold to other
    than one character of the same kind (word character or not). About 1,700 characters, folded
    once."""
    printed: dict[str, list[str]] = {}
    irregular: list[str] = []
    for first, past in _BLOCKS:
        for char in map(chr, range(first, past)):
            if char.isspace():
                continue  # kept as it is: no word character either way
            folded = fold(char)
            if len(folded) == 1 and _is_word(char) == _is_word(folded):
                printed.setdefault(folded, []).append(char)
            else:
                irregular.append(char)

    @functools.cache
    def spell(char: str) -> str:
        return "[" + "".join(re.escape(c) for c in printed.get(char, [char])) + "]"

    outside = "".join(f"{chr(first)}-{chr(past - 1)}" for first, past in _BLOCKS)
    inside = "".join(re.escape(c) for c in irregular)
    return spell, re.compile(f"[^{outside}]" + (f"|[{inside}]" if inside else ""))


def _is_word(char: str) -> bool:
    return bool(_WORD.fullmatch(char))


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` folded a character at a time, and where each folded character came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded_char in _fold_char(char):
            chars.append(folded_char)
            origin.append(index)
    return "".join(chars), origin


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return " " if char.isspace() else fold(char)


def _in_original(text: str, origin: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if origin is None:
        return start, end
    start, end = origin[start], origin[end - 1] + 1
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1  # a decomposed mark belongs to the letter before it
    return start, end


def _merge(text: str, marks: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Join overlapping marks, and marks only a space apart ("Đại tướng" reads as one match)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marks):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
