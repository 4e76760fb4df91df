"""The fault suite: a portal whose pages answer 5xx or time out, now and then or every time, is
never taken to have removed an article; once it recovers, everything is as published (issue 15)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from tests.crawling import run_crawl
from tests.faults.harness import BATCH, Site
from tests.receivers import WebhookReceiver

SEED = 15


def test_5xx_and_timeouts_never_mark_an_article_removed(tmp_path: Path, sqlite_url: str,
                                                        hook: WebhookReceiver) -> None:
    # every stored article's recheck is due at each crawl: each crawl fetches all 30 again
    site = Site.open(tmp_path, sqlite_url, hook, recheck_days=100000, recheck_every="1s")
    try:
        site.crawl()
        portal, rng = site.portal, random.Random(SEED)
        urls = [e["url"] for e in portal.expected_articles()]
        for _ in range(2):
            portal.clear_failures()
            for url in rng.sample(urls, 8):  # down for the whole crawl, retries included
                portal.set_failure(url, rng.choice([500, 502, 503, 504]))
            for url in rng.sample(urls, 6):  # flapping: one failure, then the retry answers
                portal.set_failure(url, rng.choice([500, 503, "reset"]), times=1)
            for url in rng.sample(urls, 2):
                portal.set_failure(url, "timeout")
            portal.set_failure(portal.listing_url(2), 503)  # a listing page down: its articles unseen
            result = run_crawl(site.registry, site.db_url, "-s", BATCH, "-s", "DOWNLOAD_TIMEOUT=1")
            assert "0 removed" in result.stdout, result.stdout + result.stderr
        portal.clear_failures()
        site.crawl()
        site.check_store()
        assert [kind for kind, _, baseline in site.events() if not baseline] == []
        assert site.alerted() == Counter()
    finally:
        site.close()
