"""`portalwatch alerts add|list|remove|test|send|pending`: alert rules and their deliveries.

Rules live in the database; alerts are queued when a crawl stores an event and sent by
crawler/alerts/dispatch.py (after each crawl, by the scheduler, or by `alerts send`).
"""

from __future__ import annotations

import argparse

from crawler.cli.common import format_time, open_for_reading, open_for_writing


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "alerts", help="be told once about new or edited news: rules, channels, deliveries",
        description="Alert rules say which events to report (new, changed, removed, restored news "
        "matching filters) and where to send them (Apprise URLs: mailto://, tgram://, slack://, "
        "discord://, msteams://, json://...). Each matching event is sent once per rule.",
    )
    commands = parser.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="add a rule", description="Add an alert rule. Filters combine "
                              "with AND; a rule without --match/--regex/--category takes every event.")
    add.add_argument("--name", required=True, help="the rule's name (letters, digits, . - _)")
    add.add_argument("--portal", action="append", default=[], metavar="ID",
                     help="only this portal (repeat for several; default: all)")
    add.add_argument("--on", default=None, metavar="KINDS",
                     help="comma-separated events: new, changed, removed, restored, and health (a portal's "
                     "pages stop parsing, and parse again: one alert each) (default: new,changed)")
    add.add_argument("--match", metavar="TEXT", help="words that must all appear in title, lead or body, "
                     'case and diacritics ignored; "quoted phrase" for a phrase (same as items --search)')
    add.add_argument("--regex", metavar="RE", help="regular expression over title, lead and body "
                     "(case-insensitive)")
    add.add_argument("--category", metavar="C", help="only articles whose category contains C "
                     "(case and diacritics ignored)")
    add.add_argument("--notify", action="append", default=[], required=True, metavar="URL",
                     help="Apprise URL to send to (repeat for several), e.g. "
                     "mailto://user:pass@smtp.example.org?to=me@example.org or tgram://TOKEN/CHAT_ID")
    add.add_argument("--digest", metavar="PERIOD", help="gather the alerts into one message per PERIOD "
                     "(e.g. 1h, 1d) instead of one message each")
    add.set_defaults(func=run_add)

    listing = commands.add_parser("list", help="list the rules (secrets in URLs masked)")
    listing.set_defaults(func=run_list)

    remove = commands.add_parser("remove", help="remove a rule and its queued alerts")
    remove.add_argument("name")
    remove.set_defaults(func=run_remove)

    test = commands.add_parser("test", help="send a sample alert through each of a rule's channels now")
    test.add_argument("name")
    test.set_defaults(func=run_test)

    send = commands.add_parser("send", help="send the alerts that are due now (exit 1 if one failed)")
    send.add_argument("--limit", type=int, default=None, metavar="N", help="send at most N alerts")
    send.set_defaults(func=run_send)

    pending = commands.add_parser("pending", help="list queued alerts (or, with --failed, given-up ones)")
    pending.add_argument("--failed", action="store_true", help="show alerts given up on, with the error")
    pending.add_argument("--limit", type=int, default=50, metavar="N", help="show at most N (default 50)")
    pending.set_defaults(func=run_pending)


def run_add(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from crawler.alerts.channels import mask_url
    from crawler.alerts.rules import build_spec, create_rule, describe
    from crawler.portals import load_registry
    from storage.models import Portal

    database = open_for_writing(args)
    with database.session() as session:
        known = set(load_registry(args.portals)) | set(session.scalars(select(Portal.id)))
    spec = build_spec(name=args.name, notify=args.notify, on=args.on, portals=args.portal,
                      known_portals=sorted(known), match=args.match, regex=args.regex,
                      category=args.category, digest=args.digest)
    with database.session() as session:
        rule = create_rule(session, spec)
        print(f"alert rule {rule.name!r} added: {describe(rule)}")
        for url in rule.notify_urls:
            print(f"  -> {mask_url(url)}")
    print("It reports events from the next crawls on (a portal's first crawl is never alerted). "
          f"Check the channels now with: portalwatch alerts test {spec.name}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from crawler.alerts.channels import mask_url
    from crawler.alerts.rules import all_rules, describe
    from storage.models import AlertDelivery

    database = open_for_reading(args)
    with database.session() as session:
        rules = all_rules(session)
        counts: dict[tuple[int, str], int] = {
            (rule_id, status): n for rule_id, status, n in session.execute(
                select(AlertDelivery.rule_id, AlertDelivery.status, func.count())
                .group_by(AlertDelivery.rule_id, AlertDelivery.status))
        }
    if not rules:
        print("no alert rules yet; add one with: portalwatch alerts add --name NAME --notify URL ...")
        return 0
    for rule in rules:
        print(f"{rule.name}: {describe(rule)}")
        for url in rule.notify_urls:
            print(f"  -> {mask_url(url)}")
        queued = counts.get((rule.id, "pending"), 0) + counts.get((rule.id, "sending"), 0)
        line = (f"  {queued} pending, {counts.get((rule.id, 'sent'), 0)} sent, "
                f"{counts.get((rule.id, 'failed'), 0)} failed")
        if rule.last_digest_at:
            line += f"; last digest {format_time(rule.last_digest_at)}"
        print(line)
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from sqlalchemy import delete

    from crawler.alerts.rules import get_rule
    from storage.db import affected_rows
    from storage.models import AlertDelivery

    with open_for_writing(args).session() as session:
        rule = get_rule(session, args.name)
        # Deleted explicitly: the ON DELETE CASCADE would do it too, but not on an SQLite database
        # opened without foreign keys by some other tool.
        dropped = affected_rows(session.execute(delete(AlertDelivery).where(
            AlertDelivery.rule_id == rule.id, AlertDelivery.status != "sent")))
        session.execute(delete(AlertDelivery).where(AlertDelivery.rule_id == rule.id))
        session.delete(rule)
    print(f"alert rule {args.name!r} removed ({dropped} queued alert(s) dropped)")
    return 0


def run_test(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from crawler.alerts.dispatch import send_test
    from crawler.alerts.messages import item_for, sample_item
    from crawler.alerts.rules import get_rule, rule_matches
    from storage.models import Article, ArticleEvent, Portal

    with open_for_reading(args).session() as session:
        rule = get_rule(session, args.name)
        item = None
        # Show a real article the rule would report, when the store has one; else a sample.
        for article in session.scalars(select(Article).order_by(Article.first_seen_at.desc()).limit(200)):
            if rule_matches(rule, rule.event_kinds[0], article):
                portal = session.get(Portal, article.portal_id)
                event = ArticleEvent(kind="new", occurred_at=article.first_seen_at,
                                     portal_id=article.portal_id)
                item = item_for(event, article, portal.name if portal else article.portal_id, None)
                break
        item = item or sample_item()
    results = send_test(rule, item)
    for channel, error in results:
        print(f"{channel}: {'OK, sent' if error is None else f'FAILED: {error}'}")
    failed = sum(error is not None for _, error in results)
    print(f"alerts test {rule.name}: {len(results) - failed} of {len(results)} channel(s) work")
    return 1 if failed else 0


def run_send(args: argparse.Namespace) -> int:
    from crawler.alerts.dispatch import deliver_pending
    from crawler.core.errors import UserError

    if args.limit is not None and args.limit < 1:
        raise UserError("--limit must be at least 1")
    report = deliver_pending(open_for_writing(args), limit=args.limit, log_failures=False)
    waiting = [f"{count} waiting for {what} {'at' if count == 1 else '(the next at'} {format_time(when)}"
               + ("" if count == 1 else ")")
               for count, what, when in ((report.waiting_retry, "retry", report.next_retry_at),
                                         (report.waiting_digest, "their digest", report.next_digest_at))
               if count]
    print(f"alerts send: {'; '.join([str(report), *waiting])}")
    for error in report.errors:  # printed here only: the send's log line says it under -v
        print(f"  {error}")
    return 1 if report.failed or report.retrying else 0


def run_pending(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from crawler.alerts.messages import delivery_subject
    from storage.models import AlertDelivery, ArticleEvent

    statuses = ("failed",) if args.failed else ("pending", "sending")
    with open_for_reading(args).session() as session:
        rows = session.scalars(
            select(AlertDelivery).where(AlertDelivery.status.in_(statuses))
            .options(selectinload(AlertDelivery.rule), selectinload(AlertDelivery.health_event),
                     selectinload(AlertDelivery.event).selectinload(ArticleEvent.article))
            .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id).limit(args.limit)
        ).all()
        subjects = [delivery_subject(row) for row in rows]
    if not rows:
        print("no failed alerts" if args.failed else "no alerts waiting")
        return 0
    for row, (kind, title, _) in zip(rows, subjects, strict=True):
        when = ("given up" if row.status == "failed" else "being sent" if row.status == "sending"
                else f"due {format_time(row.next_attempt_at)}")
        print(f"{row.rule.name}: {kind}: {title} [{when}, {row.attempts} attempt(s)]")
        if row.last_error:
            print(f"  last error: {row.last_error}")
    return 0
