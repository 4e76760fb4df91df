"""Alert rules: checking what the user typed, storing it, and matching an event against a rule.

A rule matches an article event when every filter it has agrees: the event kind (`--on`), the
portal, the category (contains, case and diacritics ignored), `--match` (the search syntax of
crawler/core/textmatch.py over title + lead + body) and `--regex` (case-insensitive, over the NFC text).
`--on health` takes a portal's parser-health incidents and recoveries (storage/health.py): only the
portal filter applies to them, as they are about no article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.alerts.channels import check_notify_url
from crawler.core.choices import parse_choice_list
from crawler.core.durations import format_duration, parse_duration
from crawler.core.errors import UserError
from crawler.core.normalize import fold
from crawler.core.textmatch import matches, parse_query
from storage.models import AlertRule, Article, utcnow
from storage.query import ArticleRow
from storage.search import searchable_text

EVENT_KINDS = ("new", "changed", "removed", "restored")
HEALTH = "health"  # a portal's pages stopped parsing, or parse again
RULE_KINDS = (*EVENT_KINDS, HEALTH)
DEFAULT_KINDS = ("new", "changed")
_NAME = re.compile(r"^[\w.-]{1,100}$")


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the user asked for it, checked: what `alerts add` stores."""

    name: str
    notify_urls: tuple[str, ...]
    event_kinds: tuple[str, ...] = DEFAULT_KINDS
    portal_ids: tuple[str, ...] = ()
    match_text: str | None = None
    match_regex: str | None = None
    category: str | None = None
    digest: timedelta | None = None


def parse_kinds(text: str) -> tuple[str, ...]:
    return parse_choice_list(text, RULE_KINDS, "--on", "event kind")


def check_regex(pattern: str) -> str:
    """The pattern, composed (NFC) like the stored text, so a decomposed "ế" typed in still matches."""
    pattern = unicodedata.normalize("NFC", pattern)
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise UserError(f"--regex {pattern!r} is not a valid regular expression: {exc}") from exc
    return pattern


def build_spec(*, name: str, notify: Sequence[str], on: str | None = None,
               portals: Sequence[str] = (), known_portals: Sequence[str] | None = None,
               match: str | None = None, regex: str | None = None, category: str | None = None,
               digest: str | None = None) -> RuleSpec:
    """Check every option of `alerts add`; the first problem is a UserError that names it."""
    if not _NAME.match(name):
        raise UserError(f"--name {name!r}: use up to 100 letters, digits, '.', '-' or '_'")
    if not notify:
        raise UserError("--notify URL is required: where should the alerts go?")
    if known_portals is not None:
        unknown = [portal for portal in portals if portal not in known_portals]
        if unknown:
            raise UserError(f"--portal {', '.join(unknown)}: unknown portal "
                            f"(known: {', '.join(sorted(known_portals))})")
    if match is not None:
        try:
            parse_query(match)
        except UserError as exc:
            raise UserError(f"--match: {exc}") from exc
    return RuleSpec(
        name=name,
        notify_urls=tuple(dict.fromkeys(check_notify_url(url) for url in notify)),
        event_kinds=parse_kinds(on) if on is not None else DEFAULT_KINDS,
        portal_ids=tuple(dict.fromkeys(portals)),
        match_text=match,
        match_regex=check_regex(regex) if regex is not None else None,
        category=category.strip() if category and category.strip() else None,
        digest=parse_duration(digest, what="--digest") if digest is not None else None,
    )


def create_rule(session: Session, spec: RuleSpec, *, now: datetime | None = None) -> AlertRule:
    if find_rule(session, spec.name) is not None:
        raise UserError(f"an alert rule named {spec.name!r} already exists "
                        "(`portalwatch alerts remove` it first, or pick another --name)")
    rule = AlertRule(
        name=spec.name, portal_ids=list(spec.portal_ids), event_kinds=list(spec.event_kinds),
        match_text=spec.match_text, match_regex=spec.match_regex, category=spec.category,
        notify_urls=list(spec.notify_urls),
        digest_seconds=int(spec.digest.total_seconds()) if spec.digest else None,
        created_at=now or utcnow(),
    )
    session.add(rule)
    session.flush()
    return rule


def find_rule(session: Session, name: str) -> AlertRule | None:
    return session.scalar(select(AlertRule).where(AlertRule.name == name))


def get_rule(session: Session, name: str) -> AlertRule:
    rule = find_rule(session, name)
    if rule is None:
        names = session.scalars(select(AlertRule.name).order_by(AlertRule.name)).all()
        raise UserError(f"no alert rule named {name!r} (rules: {', '.join(names) or 'none yet'})")
    return rule


def all_rules(session: Session) -> list[AlertRule]:
    return list(session.scalars(select(AlertRule).order_by(AlertRule.name)))


def rule_matches(rule: AlertRule, kind: str, article: Article) -> bool:
    """Does the event (`kind` of `article`, as stored after the event) interest this rule?"""
    return rule_accepts(rule, kind, article.portal_id, article)


def rule_accepts(rule: AlertRule, kind: str, portal_id: str, article: Article | ArticleRow) -> bool:
    """rule_matches() for an article as stored or as `storage.query` reads it (`portal_id` apart)."""
    if kind not in rule.event_kinds:
        return False
    if rule.portal_ids and portal_id not in rule.portal_ids:
        return False
    if rule.category and fold(rule.category) not in fold(article.category):
        return False
    if not rule.match_text and not rule.match_regex:
        return True
    text = searchable_text(article)
    if rule.match_text and not matches(parse_query(rule.match_text), text):
        return False
    return not rule.match_regex or bool(
        re.search(rule.match_regex, unicodedata.normalize("NFC", text), re.IGNORECASE))


def health_rule_matches(rule: AlertRule, portal_id: str) -> bool:
    """Does the rule want to hear of the parser health of `portal_id` (incident or recovery)?"""
    return HEALTH in rule.event_kinds and (not rule.portal_ids or portal_id in rule.portal_ids)


def digest_due(rule: AlertRule, occurred_at: datetime) -> datetime:
    """When the digest holding an alert of `occurred_at` goes: the end of its period.

    Periods run back to back from the rule's creation, so every alert of one period leaves in
    the same message and a rule sends at most one message per period.
    """
    assert rule.digest_seconds
    period = timedelta(seconds=rule.digest_seconds)
    elapsed = occurred_at - rule.created_at
    return rule.created_at + (elapsed // period + 1) * period


def describe(rule: AlertRule) -> str:
    """The rule's filters in one line, as `alerts list` shows them."""
    parts = (["paused"] if rule.paused else []) + [f"on {','.join(rule.event_kinds)}"]
    if rule.portal_ids:
        parts.append(f"portal {','.join(rule.portal_ids)}")
    if rule.category:
        parts.append(f"category ~ {rule.category!r}")
    if rule.match_text:
        parts.append(f"match {rule.match_text!r}")
    if rule.match_regex:
        parts.append(f"regex {rule.match_regex!r}")
    if rule.digest_seconds:
        parts.append(f"digest every {format_duration(rule.digest_seconds)}")
    return "; ".join(parts)

