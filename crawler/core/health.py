"""Parser health: whether a crawl run's figures say the portal's pages no longer parse.

A portal that changes its theme keeps answering 200 while its listing yields no links, or its
article pages stop giving an article, or give one without a body or a date. Pure rule: the run's
figures (and those of the portal's earlier healthy runs) in, the problems seen out. The store keeps
the incidents (storage/health.py); this module only judges one run.

Each aspect is judged on its own: `broken` when the run shows it broken, `ok` when the run had
enough pages of that kind to say it works, and neither when it had too few (a recrawl that fetched
no article says nothing about the article pages). An incident closes when every aspect that broke
is seen working again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

# Fewer article pages than this in a run say nothing about the article parser (one odd page fails).
MIN_ARTICLE_PAGES = 4
# A share of unreadable pages (or records without a body / date) at least this high is broken...
BROKEN_SHARE = 0.5
# ...when it is also this much higher than in the portal's recent healthy runs (a portal whose
# records never had a date is not "broken" on that account: that is how it is).
JUMP = 0.3
# The healthy runs a share is compared with.
HISTORY_RUNS = 5

ASPECTS = ("listing", "articles", "body", "date")


@dataclass(frozen=True)
class RunFigures:
    """What one crawl run's pages gave the parser."""

    listings_fetched: int = 0  # listing pages that came back (any page the walk reached)
    listings_without_links: int = 0  # of those, the ones that yielded no article link
    pages_parsed: int = 0  # article pages read as an article
    parse_failures: int = 0  # article pages that came back but could not be read as one
    missing_date: int = 0  # records without a publication date
    missing_author: int = 0
    missing_body: int = 0

    @property
    def article_pages(self) -> int:
        return self.pages_parsed + self.parse_failures

    @property
    def failure_share(self) -> float:
        return self.parse_failures / self.article_pages if self.article_pages else 0.0

    def missing_share(self, field: str) -> float:
        missing: int = getattr(self, f"missing_{field}")
        return missing / self.pages_parsed if self.pages_parsed else 0.0

    def describe(self) -> str:
        """The figures in one line, as `portals` and the alerts show them."""
        parts = [f"{self.pages_parsed} article page(s) parsed, {self.parse_failures} failed"]
        if self.pages_parsed:
            parts.append(f"without a date {self.missing_date}, author {self.missing_author}, "
                         f"body {self.missing_body}")
        parts.append(f"{self.listings_fetched} listing page(s), {self.listings_without_links} without links")
        return "; ".join(parts)


@dataclass(frozen=True)
class Problem:
    aspect: str  # one of ASPECTS
    text: str  # what broke, with the figures, in a sentence

    def to_dict(self) -> dict[str, str]:
        return {"aspect": self.aspect, "text": self.text}


@dataclass(frozen=True)
class Verdict:
    problems: tuple[Problem, ...] = ()
    working: frozenset[str] = frozenset()  # aspects the run had enough pages to see working

    @property
    def broken(self) -> frozenset[str]:
        return frozenset(problem.aspect for problem in self.problems)

    @property
    def judged(self) -> bool:
        """Whether the run said anything about the parser (an unreachable portal says nothing)."""
        return bool(self.problems or self.working)

    def recovers(self, broken_aspects: Sequence[str]) -> bool:
        """Whether an incident about `broken_aspects` is over: nothing broken, each of them working."""
        return not self.problems and set(broken_aspects) <= self.working


def judge(run: RunFigures, history: Sequence[RunFigures] = ()) -> Verdict:
    """The problems `run` shows, against the portal's recent healthy runs (`history`)."""
    problems: list[Problem] = []
    working: set[str] = set()
    if run.listings_without_links:
        problems.append(Problem("listing", f"{run.listings_without_links} of {run.listings_fetched} listing "
                                           "page(s) yielded no article links"))
    elif run.listings_fetched:
        working.add("listing")
    if run.article_pages >= MIN_ARTICLE_PAGES:
        usual = _usual(history, lambda figures: figures.failure_share)
        if _jumped(run.failure_share, usual):
            problems.append(Problem("articles", f"{run.parse_failures} of {run.article_pages} article pages "
                                                f"could not be parsed ({run.failure_share:.0%}; "
                                                f"usually {usual:.0%})"))
        else:
            working.add("articles")
    if run.pages_parsed >= MIN_ARTICLE_PAGES:
        for field in ("body", "date"):
            share = run.missing_share(field)
            usual = _usual(history, partial(RunFigures.missing_share, field=field))
            if _jumped(share, usual):
                missing = getattr(run, f"missing_{field}")
                problems.append(Problem(field, f"{missing} of {run.pages_parsed} parsed articles had no "
                                               f"{field} ({share:.0%}; usually {usual:.0%})"))
            else:
                working.add(field)
    return Verdict(tuple(problems), frozenset(working))


def _usual(history: Sequence[RunFigures], share_of: Callable[[RunFigures], float]) -> float:
    """The highest share among the recent healthy runs that had enough article pages; 0 without any."""
    shares = [share_of(figures) for figures in history[:HISTORY_RUNS]
              if figures.article_pages >= MIN_ARTICLE_PAGES]
    return max(shares, default=0.0)


def _jumped(share: float, usual: float) -> bool:
    return share >= BROKEN_SHARE and share >= usual + JUMP
