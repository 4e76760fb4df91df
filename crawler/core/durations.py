"""The one duration grammar of portalwatch, read and written: `30s`, `15m`, `2h`, `1d`, `1w`, `1h30m`.

Everything that takes a duration reads it here (a portal's `every`, `items --since 7d`, `alerts
add --digest 1w`, `events --since 24h`), and everything that prints one writes it here, in the same
grammar, so that what the CLI prints can be typed back.
"""

from __future__ import annotations

import re
from datetime import timedelta

from crawler.core.errors import UserError

UNIT_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
MAX_DURATION = timedelta(days=3660)  # ten years: a longer one is a typo, not a schedule
FORMS = "a number and a unit: 30s, 15m, 2h, 1d, 1w, or combined: 1h30m"
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?\s*[wdhms]\s*)+")


def is_duration(text: str) -> bool:
    """Whether `text` is written in the duration grammar (whatever its value)."""
    return bool(_WHOLE.fullmatch(text.strip().lower()))


def parse_duration(text: str | int | float, *, what: str = "duration", allow_zero: bool = False) -> timedelta:
    """'15m', '2h', '1d', '1w', '1h30m', '30s' (or a number of seconds) -> timedelta; else UserError."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    elif isinstance(text, str) and is_duration(text):
        seconds = sum(float(n) * UNIT_SECONDS[unit] for n, unit in _PART.findall(text.strip().lower()))
    else:
        raise UserError(f"{what}: {text!r} is not a duration ({FORMS})")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise UserError(f"{what}: {text!r} is not a duration longer than zero ({FORMS})")
    if seconds > MAX_DURATION.total_seconds():  # timedelta() would raise OverflowError past 999,999,999 days
        raise UserError(f"{what}: {text!r} is longer than the longest duration, {MAX_DURATION.days} days")
    return timedelta(seconds=seconds)


def format_duration(value: float | timedelta) -> str:
    """A duration in the same grammar, to its two largest units: 0.5 -> '0.5s', 5400 -> '1h30m',
    90000 -> '1d1h', 1209600 -> '2w'. Below ten seconds it keeps a tenth (never '0s' for 0.4 s)."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    if seconds < 10:
        tenths = round(seconds, 1)
        return f"{sign}{tenths:g}s" if tenths or not seconds else f"{sign}{seconds:.2g}s"
    whole = round(seconds)
    units = list(UNIT_SECONDS.items())
    for index, (unit, size) in enumerate(units):
        if whole >= size:
            count, rest = divmod(whole, size)
            text = f"{count}{unit}"
            if index + 1 < len(units):
                smaller, smaller_size = units[index + 1]
                if rest // smaller_size:
                    text += f"{rest // smaller_size}{smaller}"
            return sign + text
    return f"{sign}{whole}s"
