"""A portal's health in words: one text for `portals` and `schedule --list` alike.

Both read storage.health.PortalHealth, which every crawl writes as its run ends, manual or
scheduled: whether the portal answers (failed crawls in a row, the scheduler's backoff) and whether
its pages still parse (an open parser-health incident, the latest run's figures).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from crawler.cli.common import format_time
from crawler.core.durations import format_duration

if TYPE_CHECKING:  # `portalwatch --help` imports no database code
    from storage.health import PortalHealth


def relative_time(moment: datetime, now: datetime) -> str:
    delta = (moment - now).total_seconds()
    if abs(delta) < 1:
        return "now"
    return f"in {format_duration(delta)}" if delta > 0 else f"{format_duration(-delta)} ago"


def is_failing(health: PortalHealth | None) -> bool:
    return health is not None and bool(health.consecutive_failures or health.parser_broken)


def health_text(health: PortalHealth | None, now: datetime, *, with_last_crawl: bool = True) -> str:
    if health is None or health.last_crawl_at is None:
        return "never crawled"
    last = f", last crawl {relative_time(health.last_crawl_at, now)}" if with_last_crawl else ""
    if health.consecutive_failures:
        text = f"FAILING: {health.consecutive_failures} failed crawl(s) in a row{last}"
        if health.backoff_until and health.backoff_until > now:
            text += f", backing off until {format_time(health.backoff_until)}"
        if health.last_error:
            text += f"; last error: {health.last_error.splitlines()[0][:160]}"
    else:
        text = f"ok{last}"
    if health.incident_since is not None:
        text += (f"; PARSER BROKEN since {format_time(health.incident_since)}: "
                 + "; ".join(health.incident_problems))
    if health.last_run is not None and (health.last_run.article_pages or health.last_run.listings_fetched):
        figures = health.last_run
        text += f"; last run: {figures.pages_parsed} page(s) parsed, {figures.parse_failures} failed"
    return text
