"""Parser health: the rule that judges a run, the incidents the store keeps with their alerts, and a
theme change of a simulated portal seen end to end (one alert, one recovery alert)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.alerts.outbox import queue_alerts
from crawler.alerts.rules import build_spec, create_rule
from crawler.cli import main
from crawler.core.health import MIN_ARTICLE_PAGES, RunFigures, judge
from crawler.sim.portal import SimulatedPortal
from storage.db import Database, open_database
from storage.health import judge_run, read_portal_health
from storage.models import AlertDelivery, CrawlRun, HealthEvent, HealthIncident, Portal
from storage.store import ensure_portal, finish_run, start_run
from tests.crawling import run_crawl, write_registry
from tests.receivers import WebhookReceiver

HEALTHY = RunFigures(listings_fetched=2, pages_parsed=20, missing_author=20)
NO_LINKS = RunFigures(listings_fetched=1, listings_without_links=1)
UNREADABLE_ARTICLES = RunFigures(listings_fetched=1, pages_parsed=2, parse_failures=8)


# -- the rule ------------------------------------------------------------------------------------

def test_a_listing_that_yields_no_links_is_a_problem() -> None:
    verdict = judge(NO_LINKS, [HEALTHY])
    assert verdict.broken == {"listing"}
    assert verdict.problems[0].text == "1 of 1 listing page(s) yielded no article links"
    assert judge(HEALTHY).broken == frozenset() and "listing" in judge(HEALTHY).working


def test_a_failure_share_that_jumps_is_a_problem_but_a_portal_s_usual_share_is_not() -> None:
    verdict = judge(UNREADABLE_ARTICLES, [HEALTHY])
    assert verdict.broken == {"articles"}
    assert verdict.problems[0].text == "8 of 10 article pages could not be parsed (80%; usually 0%)"
    # A portal whose pages always failed this much did not just change: no incident for it.
    always_bad = RunFigures(listings_fetched=1, pages_parsed=3, parse_failures=7)
    assert judge(UNREADABLE_ARTICLES, [always_bad]).broken == frozenset()


def test_too_few_article_pages_say_nothing_about_the_article_parser() -> None:
    few = RunFigures(listings_fetched=1, pages_parsed=0, parse_failures=MIN_ARTICLE_PAGES - 1)
    verdict = judge(few, [HEALTHY])
    assert verdict.broken == frozenset() and "articles" not in verdict.working
    assert not judge(RunFigures()).judged  # an unreachable portal says nothing at all


def test_records_that_lost_their_body_or_date_are_a_problem_but_a_missing_author_is_not() -> None:
    bodiless = RunFigures(listings_fetched=1, pages_parsed=10, missing_body=9, missing_date=1,
                          missing_author=10)
    verdict = judge(bodiless, [HEALTHY])
    assert verdict.broken == {"body"}
    assert verdict.problems[0].text == "9 of 10 parsed articles had no body (90%; usually 0%)"


def test_an_incident_recovers_only_when_every_part_that_broke_works_again() -> None:
    listing_only = RunFigures(listings_fetched=1)  # links again, but no article fetched to check
    assert judge(listing_only).recovers(["listing"])
    assert not judge(listing_only).recovers(["listing", "articles"])
    assert judge(HEALTHY).recovers(["listing", "articles"])


# -- incidents and their alerts in the store -------------------------------------------------------

def _run(database: Database, figures: RunFigures, status: str = "ok", **examples: str) -> None:
    """A crawl run of `thainguyen` with these figures, ended as the crawl pipeline ends it."""
    with database.session() as session:
        run = start_run(session, "thainguyen", baseline=False)
        for name, value in figures.__dict__.items():
            setattr(run, name, value)
        if status == "failed":
            run.errors = [{"url": "https://thainguyen.gov.vn/", "reason": "HTTP 503 after retries",
                           "listing": True}]
        run = finish_run(session, run, status=status)
        judge_run(session, run, on_event=queue_alerts, examples=examples)


def _deliveries(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        rows = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).all()
        return [(row.rule.name, row.health_event.kind if row.health_event else "article") for row in rows]


def test_an_incident_opens_once_raises_one_alert_and_one_when_it_recovers(db: Database) -> None:
    with db.session() as session:
        ensure_portal(session, "thainguyen", name="Cổng TTĐT tỉnh Thái Nguyên", cms="liferay",
                      timezone="Asia/Ho_Chi_Minh")
        ensure_portal(session, "hanoi", name="Hà Nội", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        create_rule(session, build_spec(name="ops", notify=["json://127.0.0.1:9/hook"], on="health"))
        create_rule(session, build_spec(name="news", notify=["json://127.0.0.1:9/hook"]))
        create_rule(session, build_spec(name="hanoi-ops", notify=["json://127.0.0.1:9/hook"], on="health",
                                        portals=["hanoi"]))
    _run(db, HEALTHY)
    assert _deliveries(db) == []
    _run(db, NO_LINKS)
    assert _deliveries(db) == [("ops", "unhealthy")]  # not the news rule, not another portal's
    _run(db, NO_LINKS)
    # Another part breaks: still the same incident, no new alert; the part is kept with a page showing it.
    _run(db, UNREADABLE_ARTICLES, articles="https://thainguyen.gov.vn/tin/1", listing="https://thainguyen.gov.vn/x")
    _run(db, RunFigures(), status="failed")  # unreachable: says nothing, the incident stays open
    with db.session() as session:
        health = read_portal_health(session)["thainguyen"]
    assert health.parser_broken and health.consecutive_failures == 1
    assert health.incident_problems == ("1 of 1 listing page(s) yielded no article links",
                                        "8 of 10 article pages could not be parsed (80%; usually 0%) "
                                        "(e.g. https://thainguyen.gov.vn/tin/1)")
    _run(db, RunFigures(listings_fetched=1))  # links again, articles unchecked: not over yet
    assert _deliveries(db) == [("ops", "unhealthy")]
    _run(db, HEALTHY)
    assert _deliveries(db) == [("ops", "unhealthy"), ("ops", "recovered")]
    _run(db, HEALTHY)
    with db.session() as session:
        incidents = session.scalars(select(HealthIncident)).all()
        assert [(i.closed_at is not None) for i in incidents] == [True]
        kinds = session.scalars(select(HealthEvent.kind).order_by(HealthEvent.id)).all()
        assert kinds == ["unhealthy", "recovered"]
        assert not read_portal_health(session)["thainguyen"].parser_broken


def test_a_manual_crawl_counts_toward_the_health_the_scheduler_shows(db: Database) -> None:
    with db.session() as session:
        ensure_portal(session, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
    _run(db, RunFigures(), status="failed")
    _run(db, RunFigures(), status="failed")
    with db.session() as session:
        portal = session.get(Portal, "thainguyen")
        assert portal is not None and portal.consecutive_failures == 2
        assert portal.last_error == "https://thainguyen.gov.vn/: HTTP 503 after retries"
    _run(db, HEALTHY)
    with db.session() as session:
        portal = session.get(Portal, "thainguyen")
        assert portal is not None and (portal.consecutive_failures, portal.last_error) == (0, None)


# -- a theme change on a simulated portal, end to end ---------------------------------------------

def _texts(payloads: list[dict[str, Any]]) -> list[str]:
    return [f"{message.get('title', '')}\n{message.get('message', '')}" for message in payloads]


def test_a_theme_change_raises_exactly_one_health_alert_and_one_recovery_alert(
    tmp_path: Path, sqlite_url: str, hook: WebhookReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    with SimulatedPortal(articles=12, per_page=5) as portal:
        registry = write_registry(tmp_path, portal)
        assert run_crawl(registry, sqlite_url).returncode == 0  # the baseline, healthy
        assert main(["alerts", "add", "--db", sqlite_url, "--name", "ops", "--on", "health",
                     "--notify", hook.url()]) == 0
        portal.set_family("custom")  # the portal changes its theme: Liferay's markup is gone
        broken = run_crawl(registry, sqlite_url)
        assert "parser health: BROKEN" in broken.stdout, broken.stdout + broken.stderr
        [alert] = hook.wait_for(1)
        run_crawl(registry, sqlite_url)  # still broken: no second alert
        capsys.readouterr()
        assert main(["portals", "--db", sqlite_url, "--portals", str(registry)]) == 0
        listing = " ".join(capsys.readouterr().out.split())  # the table wraps its cells
        assert "PARSER BROKEN since" in listing and "yielded no article links" in listing
        # With the page of the portal that shows it, to open and try the parser on.
        shown = re.search(r"\(e\.g\. (\S+)\)", listing)
        assert shown and shown[1].startswith(portal.start_url.rsplit("/", 1)[0] + "/"), listing
        example = shown[1]
        portal.set_family("liferay")  # the theme is put back (or the selectors follow it)
        assert run_crawl(registry, sqlite_url).returncode == 0
        [_, recovery] = hook.wait_for(2)
    first, second = _texts([alert, recovery])
    assert "Cổng mô phỏng: pages no longer parse" in first and "yielded no article links" in first
    # The alert links to a page that shows the problem, and says how to try the parser on it.
    assert f"Link: {example}" in first and f"`portalwatch parse {example}`" in first
    assert "Cổng mô phỏng: pages parse again" in second and "Broken since" in second
    assert len(hook.payloads) == 2
    database = open_database(sqlite_url)
    with database.session() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [run.health for run in runs] == ["ok", "broken", "broken", "ok"]
        assert runs[0].pages_parsed == 12 and runs[0].listings_fetched == 3
    database.dispose()
