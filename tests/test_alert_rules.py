"""Which events a rule queues an alert for, queued in the event's own transaction (both databases)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crawler.alerts.outbox import queue_alerts
from crawler.alerts.rules import build_spec, create_rule
from crawler.core.errors import UserError
from storage.db import Database
from storage.models import AlertDelivery, AlertRule, Article, ArticleEvent, HealthEvent, HealthIncident
from storage.store import ensure_portal
from tests.records import make_record, remove_alerting, store_alerting

CHANNEL = "json://127.0.0.1:9/hook"  # never contacted: these tests only look at the outbox


def _setup(db: Database, **rule: Any) -> None:
    with db.session() as s:
        for portal_id, name in (("thainguyen", "Thái Nguyên"), ("hanoi", "Hà Nội")):
            ensure_portal(s, portal_id, name=name, cms="liferay", timezone="Asia/Ho_Chi_Minh")
        create_rule(s, build_spec(name=rule.pop("name", "watch"), notify=[CHANNEL], **rule))
        # The first crawl of each portal is the baseline: stored, never alerted.
        for portal_id in ("thainguyen", "hanoi"):
            store_alerting(s, make_record("cu", portal=portal_id, body=["Bồi thường cũ."]), baseline=True)


def _queued(db: Database) -> list[tuple[str, str, str]]:
    """(rule, event kind, article slug) of every queued alert, in order."""
    with db.session() as s:
        rows = s.execute(
            select(AlertRule.name, ArticleEvent.kind, ArticleEvent.article_id)
            .join(AlertDelivery, AlertDelivery.rule_id == AlertRule.id)
            .join(ArticleEvent, AlertDelivery.event_id == ArticleEvent.id)
            .order_by(AlertDelivery.id)
        ).all()
        slugs = {a.id: a.canonical_url.rsplit("/", 1)[1] for a in s.scalars(select(Article))}
    return [(name, kind, slugs[article_id]) for name, kind, article_id in rows]


def test_match_ignores_diacritics_and_case_like_search(db: Database) -> None:
    _setup(db, match="boi thuong dat")
    with db.session() as s:
        store_alerting(s, make_record("dat", body=["Phương án BỒI THƯỜNG khi thu hồi đất."]))
        store_alerting(s, make_record("khac", body=["Khai mạc hội chợ."]))
        store_alerting(s, make_record("thieu", body=["Bồi thường tài sản."]))  # no "đất": all words needed
    assert _queued(db) == [("watch", "new", "dat")]


def test_match_looks_where_search_looks_captions_and_file_titles_included(db: Database) -> None:
    _setup(db, match="cau treo")
    with db.session() as s:
        store_alerting(
            s, make_record("anh", images=[{"url": "https://x.gov.vn/1.jpg", "caption": "Cầu treo Bản Mới"}])
        )
        store_alerting(
            s, make_record("tep", attachments=[{"url": "https://x.gov.vn/a.pdf", "title": "Dự án cầu treo"}])
        )
        store_alerting(s, make_record("khong"))
    assert _queued(db) == [("watch", "new", "anh"), ("watch", "new", "tep")]


def test_match_phrase_needs_the_words_in_order(db: Database) -> None:
    _setup(db, match='"thu hoi dat"')
    with db.session() as s:
        store_alerting(s, make_record("dung", lead="Thu hồi đất làm đường."))
        store_alerting(s, make_record("dao", lead="Đất được thu hồi."))
    assert _queued(db) == [("watch", "new", "dung")]


def test_regex_is_case_insensitive_over_the_composed_text(db: Database) -> None:
    # Typed in decomposed form (as some keyboards send it); the articles are stored composed (NFC).
    _setup(db, regex=unicodedata.normalize("NFD", r"quyết định số \d+"))
    with db.session() as s:
        store_alerting(s, make_record("qd", title="QUYẾT ĐỊNH SỐ 1234/QĐ-UBND về giá đất"))
        store_alerting(s, make_record("khong", title="Quyết định khen thưởng"))
    assert _queued(db) == [("watch", "new", "qd")]


def test_portal_category_and_event_kind_filters(db: Database) -> None:
    _setup(db, name="go-o-ha-noi", portals=["hanoi"], category="thong bao", on="removed,restored")
    notice = make_record("tb", portal="hanoi", category="Thông báo - Thông cáo")
    with db.session() as s:
        store_alerting(s, notice)  # new: not asked for
        store_alerting(s, make_record("tn", portal="thainguyen", category="Thông báo"))  # other portal
        store_alerting(s, make_record("tt", portal="hanoi", category="Tin tức"))  # other category
    with db.session() as s:
        remove_alerting(s, notice.canonical_url)
        remove_alerting(s, make_record("tn", portal="thainguyen").canonical_url)
        remove_alerting(s, make_record("tt", portal="hanoi").canonical_url)
    with db.session() as s:
        store_alerting(s, notice)
    assert _queued(db) == [("go-o-ha-noi", "removed", "tb"), ("go-o-ha-noi", "restored", "tb")]


def test_each_event_is_queued_once_per_rule_baseline_and_repeats_never(db: Database) -> None:
    _setup(db)
    with db.session() as s:
        create_rule(s, build_spec(name="second", notify=[CHANNEL]))
    record = make_record("bai")
    with db.session() as s:
        store_alerting(s, record)
        store_alerting(s, record)  # the same page crawled again: nothing new to say
    with db.session() as s:
        store_alerting(s, make_record("bai", body=["Đã sửa nội dung."]))
        store_alerting(s, make_record("bai", body=["Đã sửa nội dung."]))
    assert _queued(db) == [
        ("watch", "new", "bai"),
        ("second", "new", "bai"),
        ("watch", "changed", "bai"),
        ("second", "changed", "bai"),
    ]
    # And the database itself refuses a second alert of one rule for one event.
    with pytest.raises(IntegrityError), db.session() as s:
        first = s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).first()
        assert first is not None
        s.add(AlertDelivery(rule_id=first.rule_id, event_id=first.event_id, sent_to=[]))


def test_an_event_and_its_alerts_commit_together_or_not_at_all(db: Database) -> None:
    _setup(db)
    with pytest.raises(RuntimeError), db.session() as s:
        store_alerting(s, make_record("mat"))
        raise RuntimeError("crawl died before commit")
    assert _queued(db) == []
    with db.session() as s:
        assert s.scalars(select(ArticleEvent).where(ArticleEvent.baseline.is_(False))).all() == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"regex": "(unclosed"}, "--regex '(unclosed' is not a valid regular expression"),
        ({"on": "new,deleted"}, "--on 'new,deleted': unknown event kind deleted"),
        ({"digest": "hourly"}, "--digest: 'hourly' is not a duration"),
        ({"match": '"unbalanced'}, "--match: unbalanced quote"),
        ({"portals": ["quangninh"], "known_portals": ["thainguyen"]}, "--portal quangninh: unknown portal"),
        ({"notify": ["mailto://"]}, "--notify mailto://: not a notification URL Apprise can use"),
        (
            {"notify": ["nosuchservice://u:pw1@host"]},
            "--notify nosuchservice://u:****@host: not a notification",
        ),
        ({"name": "two words"}, "--name 'two words'"),
    ],
)
def test_bad_rule_input_is_refused_with_the_option_named(options: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"name": "watch", "notify": [CHANNEL], **options}
    with pytest.raises(UserError, match="^" + re.escape(message)):
        build_spec(**values)


def test_a_health_rule_takes_health_events_of_its_portals_and_no_article_event(db: Database) -> None:
    _setup(db, name="ops", on="health", portals=["thainguyen"])
    with db.session() as s:
        store_alerting(s, make_record("moi", portal="thainguyen"))  # news: not what it asked for
        for portal_id in ("thainguyen", "hanoi"):
            incident = HealthIncident(portal_id=portal_id, problems=[])
            s.add(incident)
            s.flush()
            event = HealthEvent(incident_id=incident.id, portal_id=portal_id, kind="unhealthy", details={})
            s.add(event)
            s.flush()
            queue_alerts(s, event)
    with db.session() as s:
        queued = s.scalars(select(AlertDelivery)).all()
        about = [(row.event_id, row.health_event.portal_id if row.health_event else None) for row in queued]
    assert about == [(None, "thainguyen")]


def test_health_is_a_kind_a_rule_can_be_on() -> None:
    assert build_spec(name="ops", notify=[CHANNEL], on="health,new").event_kinds == ("health", "new")
    known = "use a comma-separated list of new, changed, removed, restored, health"
    with pytest.raises(UserError, match=known):
        build_spec(name="ops", notify=[CHANNEL], on="healthy")
