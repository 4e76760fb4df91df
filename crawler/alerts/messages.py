"""The alert messages, in Vietnamese: one per event, or one digest gathering several.

Parser-health alerts (a portal's pages stopped parsing, or parse again) are in English: they are
for whoever runs portalwatch, not for the readers of the news.

Times are shown in Asia/Ho_Chi_Minh, day first, as the portals print them. A change shows the
lines that changed (the -/+ lines of the stored unified diff, not its headers). Long messages are
cut at a line or word boundary and end with "…", so no channel truncates mid-word for us.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from crawler.changes import AUTHOR, FILE, IMAGE, SOURCE, changed_lines
from crawler.core.normalize import DEFAULT_TIMEZONE, TIME_FORMAT, format_moment
from storage.health import problem_line
from storage.models import AlertDelivery, Article, ArticleEvent, ArticleVersion, HealthEvent

LOCAL = ZoneInfo(DEFAULT_TIMEZONE)
EVENT_LABELS = {
    "new": "Tin mới",
    "changed": "Tin được sửa",
    "removed": "Tin bị gỡ",
    "restored": "Tin đăng lại",
}
HEALTH_LABELS = {"unhealthy": "Parser health incident", "recovered": "Parser health recovered"}
EVENT_LABELS.update(HEALTH_LABELS)
WHEN_LABELS = {"new": "Phát hiện lúc", "changed": "Sửa lúc", "removed": "Gỡ lúc", "restored": "Đăng lại lúc"}
FIELD_LABELS = {
    "title": "tiêu đề", "lead": "sapo", "body": "nội dung", "images": "ảnh",
    "attachments": "tệp đính kèm", "author": "tác giả", "source": "nguồn", "published_at": "ngày đăng",
}
MAX_BODY = 3000  # under Telegram's 4096 and most chat limits, with room for Apprise's framing
MAX_TITLE = 200
MAX_DIGEST_CHANGES = 600  # changed lines per article inside a digest


@dataclass(frozen=True)
class AlertItem:
    """What one alert says about one event."""

    kind: str
    title: str
    portal_name: str
    url: str
    occurred_at: datetime
    published_at: datetime | None = None
    lead: str | None = None
    diff: str | None = None
    changed_fields: tuple[str, ...] = ()
    details: tuple[str, ...] = ()  # a health alert's lines: what broke, the figures, what to do


def item_for(event: ArticleEvent, article: Article, portal_name: str,
             version: ArticleVersion | None) -> AlertItem:
    """The alert of `event`; `version` is the article version the event produced.

    The text comes from that version, not from the article row: by the time a retried alert
    goes out the article may have changed again, and the alert must say what this event saw.
    """
    record = version.record if version is not None else {}
    published = record.get("published_at")
    body = record.get("body", article.body) or []
    changed = event.kind == "changed" and version is not None
    return AlertItem(
        kind=event.kind, title=record.get("title") or article.title, portal_name=portal_name,
        url=record.get("url") or article.url, occurred_at=event.occurred_at,
        published_at=datetime.fromisoformat(published) if published else article.published_at,
        lead=record.get("lead", article.lead) or (str(body[0]) if body else None),
        diff=version.diff if changed and version is not None else None,
        changed_fields=tuple(version.changed_fields or ()) if changed and version is not None else (),
    )


def health_item(event: HealthEvent, portal_name: str) -> AlertItem:
    """The alert of a parser-health event: the incident's problems and the run's figures."""
    details = event.details or {}
    stored = details.get("problems", [])
    problems = [problem_line(problem) for problem in stored]
    # A page that shows the problem: what the alert links to, and what to try the parser on.
    example = next((problem["example"] for problem in stored if problem.get("example")), "")
    figures = details.get("figures") or {}
    run = f"run #{details['run_id']}" if details.get("run_id") else "the last run"
    parsed = (f"{figures.get('pages_parsed', 0)} article page(s) parsed, {figures.get('parse_failures', 0)} "
              f"failed, {figures.get('listings_fetched', 0)} listing page(s) read "
              f"({figures.get('listings_without_links', 0)} without links)")
    opened = datetime.fromisoformat(details["opened_at"]) if details.get("opened_at") else event.occurred_at
    if event.kind == "recovered":
        title = f"{portal_name}: pages parse again"
        lines = [f"Broken since {format_moment(opened, LOCAL)}, recovered "
                 f"{format_moment(event.occurred_at, LOCAL)}.",
                 "What had broken:", *(f"- {text}" for text in problems), f"Now, {run}: {parsed}."]
    else:
        title = f"{portal_name}: pages no longer parse"
        lines = [f"Seen {format_moment(event.occurred_at, LOCAL)}.", "What broke:",
                 *(f"- {text}" for text in problems), f"In {run}: {parsed}.",
                 "The portal may have changed its theme or CMS: check a page with "
                 f"`portalwatch parse {example or 'URL'}` and the portal's selectors. "
                 "One more alert comes when it recovers."]
    return AlertItem(kind=event.kind, title=title, portal_name=portal_name, url=example,
                     occurred_at=event.occurred_at, details=tuple(lines))


def delivery_subject(row: AlertDelivery) -> tuple[str, str, int | None]:
    """What a queued alert is about, for the lists of waiting alerts: (rule kind, title, article id).
    Load row.event.article and row.health_event with it."""
    if row.event is not None:
        return row.event.kind, row.event.article.title, row.event.article_id
    health = row.health_event
    if health is None:
        return "?", "(its event is gone)", None
    what = "pages parse again" if health.kind == "recovered" else "pages no longer parse"
    return "health", f"{health.portal_id}: {what}", None


def local_time(value: datetime) -> str:
    return value.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")


def shorten(text: str, limit: int) -> str:
    """`text` if it fits; otherwise cut at the last line end (or word) that fits, plus "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = text[: limit - 2]
    line_end = room.rfind("\n")
    if line_end >= limit // 2:
        return room[:line_end].rstrip() + "\n…"
    word_end = room.rfind(" ")
    cut = word_end if word_end >= limit // 2 else len(room)  # one endless word: cut it anyway
    return room[:cut].rstrip() + "…"


def readable_changes(diff: str | None) -> list[str]:
    """The changed lines of a diff as a reader reads them ('- Tiêu đề: ...'), for alerts and the web."""
    return [_readable_change(line) for line in changed_lines(diff)]


# The diff's labels (crawler/changes.py) as a Vietnamese reader reads them (diffs stored before the
# labels were English have these already).
_LABELS = {IMAGE: "[ảnh]", FILE: "[tệp]", AUTHOR: "Tác giả:", SOURCE: "Nguồn:"}


def _readable_change(line: str) -> str:
    """One diff line as a reader reads it: '-# Old title' -> '- Tiêu đề: Old title'."""
    sign, text = line[0], line[1:]
    if text.startswith("# "):
        text = f"Tiêu đề: {text[2:]}"
    elif text.startswith("@ "):
        text = f"Ngày đăng: {_diff_date(text[2:])}"
    else:
        label = text.split(" ", 1)[0]
        if label in _LABELS:
            text = _LABELS[label] + text[len(label):]
    return f"{sign} {text}"


def _diff_date(text: str) -> str:
    """The diff's date line, day first: '2025-09-22 21:28 +07' (in the portals' zone), or ISO in
    diffs stored before."""
    try:
        return local_time(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return datetime.strptime(text[:16], TIME_FORMAT).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return text


def _facts(item: AlertItem) -> list[str]:
    if item.kind in HEALTH_LABELS:
        return [item.title, f"Link: {item.url}"] if item.url else [item.title]
    lines = [item.title]
    if item.published_at is not None:
        lines.append(f"Đăng lúc: {local_time(item.published_at)}")
    lines.append(f"{WHEN_LABELS.get(item.kind, 'Lúc')}: {local_time(item.occurred_at)}")
    if item.changed_fields:
        lines.append("Phần đã sửa: " + ", ".join(FIELD_LABELS.get(f, f) for f in item.changed_fields))
    lines.append(f"Link: {item.url}")
    return lines


def _details(item: AlertItem) -> list[str]:
    if item.details:
        return list(item.details)
    if item.kind == "changed":
        changes = readable_changes(item.diff)
        return ["Những dòng đã sửa:", *changes] if changes else []
    if item.kind in ("new", "restored") and item.lead:
        return [item.lead]
    return []


def format_alert(item: AlertItem) -> tuple[str, str]:
    """(title, body) of the message for one event."""
    label = EVENT_LABELS.get(item.kind, item.kind)
    title = shorten(f"{label}: {item.title}", MAX_TITLE)
    body = "\n".join([f"{label} — {item.portal_name}", *_facts(item)])
    details = _details(item)
    if details:
        body += "\n\n" + "\n".join(details)
    return title, shorten(body, MAX_BODY)


def format_digest(rule_name: str, items: Sequence[AlertItem]) -> tuple[str, str]:
    """(title, body) of one message gathering a digest period's alerts, oldest first."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    summary = ", ".join(f"{n} {EVENT_LABELS.get(kind, kind).lower()}" for kind, n in counts.items())
    title = shorten(f"Bản tin “{rule_name}”: {len(items)} tin ({summary})", MAX_TITLE)
    sections: list[str] = []
    used = 0
    for index, item in enumerate(items):
        section = "\n".join([f"{index + 1}. {EVENT_LABELS.get(item.kind, item.kind)} — {item.portal_name}",
                             *_facts(item)])
        details = _details(item)
        if details:
            section += "\n" + shorten("\n".join(details), MAX_DIGEST_CHANGES)
        left = len(items) - index
        # Keep room for the closing line that says how many did not fit.
        if sections and used + len(section) + 2 > MAX_BODY - 40:
            sections.append(f"… và {left} tin khác")
            break
        sections.append(section)
        used += len(section) + 2
    return title, shorten("\n\n".join(sections), MAX_BODY)


def sample_item(portal_name: str = "Cổng thông tin điện tử (thử)") -> AlertItem:
    """What `alerts test` sends when the store has no article to show yet."""
    now = datetime.now(LOCAL)
    return AlertItem(
        kind="new", title="Tin thử nghiệm của portalwatch", portal_name=portal_name,
        url="https://example.gov.vn/tin-thu-nghiem", occurred_at=now, published_at=now,
        lead="Nếu bạn đọc được tin này, kênh nhận cảnh báo đã hoạt động.",
    )
