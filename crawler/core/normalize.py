"""Text, date and URL normalization shared by parsers, storage, search and alerts."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, tzinfo
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# How portalwatch prints a moment, wherever it prints one (the command line, diffs): the portals'
# own clock, minutes, and the zone named ('2025-09-22 21:28 +07', or '... UTC').
TIME_FORMAT = "%Y-%m-%d %H:%M"

_WHITESPACE = re.compile(r"\s+")  # \s covers no-break spaces (U+00A0) in str patterns
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\ufeff]")
# Control characters that are not whitespace (those \s collapses to a space), lone surrogates and
# the two non-characters XML refuses: an ESC or BEL in a title would reach terminals and break feeds.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def zone_name(moment: datetime) -> str:
    """The zone of an aware moment as printed times name it: 'UTC', '+07', '-03:30'."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"{'+' if minutes > 0 else '-'}{hours:02d}" + (f":{rest:02d}" if rest else "")


def format_moment(moment: datetime, zone: tzinfo, *, named: bool = True) -> str:
    """`moment` (aware) as every printed time: in `zone`, '2025-09-22 21:28 +07'; `named=False`
    leaves the zone out where a column header names it."""
    local = moment.astimezone(zone)
    return local.strftime(TIME_FORMAT) + (f" {zone_name(local)}" if named else "")


class DateParseError(ValueError):
    """A date the page printed that none of the known forms matches."""


def clean_text(text: str | None) -> str:
    """NFC-normalize, drop control characters and collapse every run of whitespace (no-break
    spaces included) to one space."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if text.isprintable() and "  " not in text:
        # Single spaces only: every other space and every zero-width character is unprintable.
        # Stored text is mostly already clean, and the substitutions cost 0.05 ms a paragraph.
        return text.strip()
    return _WHITESPACE.sub(" ", _CONTROL.sub("", _ZERO_WIDTH.sub("", text))).strip()


def escape_controls(text: str) -> str:
    """Text for a terminal: control characters shown as \\xNN (text stored before they were
    stripped at parse time may still hold some); line breaks and tabs kept."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape", "backslashreplace").decode("ascii"),
                        text)


def xml_safe(text: str) -> str:
    """Text XML can hold (an Atom feed): the characters it refuses dropped."""
    return _CONTROL.sub("", text)


_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$")


def language_code(tag: str | None, default: str = "vi") -> str:
    """The primary language of a tag ("vi-VN" -> "vi"); `default` for what is no tag ("vietnamese")."""
    match = _LANGUAGE_TAG.match((tag or "").strip().lower())
    return match.group(1) if match else default


def fold(text: str | None) -> str:
    """Lower-case and strip Vietnamese diacritics, đ/Đ included: 'Đại tướng' -> 'dai tuong'.

    Search and alert matching compare folded text on both sides, so that readers can type without
    diacritics. NFD alone leaves đ untouched (it is a letter of its own, not d + a mark).
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return clean_text(stripped).lower()


# Day-first forms the portals print, each with named groups. The lookarounds keep a date from being
# read out of a longer number ("Quyết định 125/11-2018" is no 25 November).
# A 12-hour clock's half of the day: Vietnamese Windows and SharePoint print SA (sáng, morning)
# and CH (chiều, afternoon), English ones AM and PM, writers the words: "8:15 CH" is 20:15.
_HALF_DAY = r"(?:\s*(?P<half>SA|CH|AM|PM|sáng|chiều|tối)\b)?"
_AFTERNOON = ("ch", "pm", "chiều", "tối")
_DATE_PATTERNS = [
    # 21:28 22/09/2025  (time before date)
    re.compile(r"(?<!\d)(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?" + _HALF_DAY +
               r"\s*[,|\-–]?\s*(?:ngày\s*)?(?P<d>\d{1,2})[/\-.](?P<m>\d{1,2})[/\-.](?P<y>\d{4})(?!\d)", re.I),
    # 11-03-2019 21:31 / 11/03/2019 21:31 / Thứ hai, 11/03/2019 - 21:31 / Ngày 11/3/2019 / 22/09/2025 8:15 CH
    re.compile(r"(?<!\d)(?P<d>\d{1,2})[/\-.](?P<m>\d{1,2})[/\-.](?P<y>\d{4})(?!\d)"
               r"(?:\s*(?:[-|,]|lúc)?\s*(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?(?!\d)"
               + _HALF_DAY + ")?", re.I),
]


def _hour(printed: str | None, half: str | None) -> int:
    """The hour on a 24-hour clock: 12 SA is 0 h, 1-11 CH are 13-23 h; a 24-hour time stays."""
    hour = int(printed or 0)
    if half and hour <= 12:
        return hour % 12 + (12 if half.lower() in _AFTERNOON else 0)
    return hour


def find_datetime(text: str, tz: str | tzinfo = DEFAULT_TIMEZONE) -> tuple[datetime, str] | None:
    """Find the first day-first date (with optional time) in `text`.

    Returns the aware datetime in the portal's zone and the exact text matched, or None when the
    text holds no date. Raises DateParseError when something shaped like a date is impossible
    (31/02/2019, 25:00).
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    text = clean_text(text)
    # The earliest date in the text wins, whichever form it has: trying the forms in turn would
    # return "08:00 12/03/2019" from "Đăng 11/03/2019 21:31, sửa 08:00 12/03/2019".
    matches = [m for m in (p.search(text) for p in _DATE_PATTERNS) if m]
    if matches:
        match = min(matches, key=lambda m: (m.start(), -len(m.group(0))))
        parts = match.groupdict()
        try:
            value = datetime(
                int(parts["y"]), int(parts["m"]), int(parts["d"]),
                _hour(parts["H"], parts["half"]), int(parts["M"] or 0), int(parts["S"] or 0), tzinfo=zone,
            )
        except ValueError as exc:
            raise DateParseError(f"not a valid date: {match.group(0)!r} ({exc})") from exc
        return value, match.group(0).strip()
    return None


def parse_datetime(text: str, tz: str | tzinfo = DEFAULT_TIMEZONE) -> datetime:
    """Parse a printed day-first date; raise DateParseError naming the text when it is not one."""
    found = find_datetime(text, tz)
    if found is None:
        raise DateParseError(f"no date found in {clean_text(text)[:80]!r}")
    return found[0]


# Query parameters that never select content: session, tracking and portlet-state noise.
_NOISE_PARAMS = {"redirect", "p_auth", "p_p_auth", "jsessionid", "fbclid", "gclid", "_ga"}
_NOISE_PREFIXES = ("utm_",)
# Liferay portlet parameters that only say how the portlet is drawn, not what it shows; 7.x
# namespaces them by portlet (_com_liferay_..._INSTANCE_x_redirect=...): the listing page a reader
# came from must not make one article two URLs.
_LIFERAY_STATE = re.compile(r"^(p_p_(lifecycle|state|mode|col_id|col_pos|col_count)|p_r_p_.*resetCur|"
                            r"_.+_(redirect|backURL))$")


def canonicalize_url(url: str) -> str:
    """One URL for one page, whichever way a link wrote it: session, tracking and portlet-state
    parameters dropped (those that select content kept), the query sorted, percent-encoding and
    case of scheme and host made uniform, no fragment, no trailing slash (w3lib's canonical form,
    the one Scrapy's duplicate filter uses, plus the portals' own rules)."""
    parts = urlsplit(url.strip())
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.I)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _NOISE_PARAMS
        and not k.lower().startswith(_NOISE_PREFIXES)
        and not _LIFERAY_STATE.match(k)
    ]
    from w3lib.url import canonicalize_url as w3lib_canonicalize_url  # urllib.request, http: not for reads

    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    default_port = {"http": ":80", "https": ":443"}.get(scheme)
    if default_port and netloc.endswith(default_port):
        netloc = netloc[:-len(default_port)]  # SharePoint writes its canonical links with ":443"
    return w3lib_canonicalize_url(urlunsplit((scheme, netloc, path, urlencode(kept), "")))


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
