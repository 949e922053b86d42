"""Date bounds typed by users: YYYY, YYYY-MM, YYYY-MM-DD, or relative forms like 7d, 4w, 6m, 1y;
and from/to windows of two of them (the browser's date inputs, `--since` and `--until`)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_ABSOLUTE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_RELATIVE = re.compile(r"^(\d{1,5})([dwmy])$")


class DateError(ValueError):
    """A date bound that cannot be understood; the message names the input."""


def parse_bound(text: str, *, end: bool, today: date | None = None) -> date:
    """Parse a date bound; `end` picks the last day of a partial date (inclusive upper bound).

    Relative forms count back from today: `7d` is seven days ago, `4w` 28 days ago; `6m` and
    `1y` are calendar months and years, the day clamped to the month's length (2026-05-31
    minus `3m` is 2026-02-28; 2024-02-29 minus `1y` is 2023-02-28). The CLI's `--since` /
    `--until`, the query's `date:` and the browser's filter bar all use this one function.
    Raises DateError (its message names the input) for anything else.
    """
    raw = text.strip()
    match = _ABSOLUTE.match(raw)
    if match:
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else None
        day = int(match.group(3)) if match.group(3) else None
        if year < 1:
            raise DateError(f"invalid date {raw!r}: year must be 0001 or later")
        try:
            if month is None:
                return date(year, 12, 31) if end else date(year, 1, 1)
            if day is None:
                last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
                return date(year, month, last if end else 1)
            return date(year, month, day)
        except ValueError as exc:
            raise DateError(f"invalid date {raw!r}: {exc}") from None
    match = _RELATIVE.match(raw.lower())
    if match:
        count, unit = int(match.group(1)), match.group(2)
        today = today or date.today()
        try:
            if unit in "dw":
                return today - timedelta(days=count * (7 if unit == "w" else 1))
            return months_before(today, count * (12 if unit == "y" else 1))
        except (OverflowError, ValueError):
            raise DateError(f"invalid date {raw!r}: too far back") from None
    raise DateError(f"invalid date {raw!r}: use YYYY, YYYY-MM, YYYY-MM-DD or 7d/4w/6m/1y")


class DateOrderError(DateError):
    """The start of a date window is after its end; `since` and `until` are the texts given."""

    def __init__(self, since: str, until: str) -> None:
        super().__init__(f"from {since!r} is after to {until!r}")
        self.since = since
        self.until = until


def date_window(
    since: str | None, until: str | None, *, today: date | None = None
) -> tuple[date | None, date | None]:
    """Inclusive bounds from a from/to pair as typed (the browser's date inputs, `--since` and
    `--until`): each as `parse_bound` reads it, the start's first day and the end's last; None
    or blank text leaves that end open. DateError names a bound that does not parse;
    DateOrderError says when the start is after the end."""
    lo = parse_bound(since, end=False, today=today) if since and since.strip() else None
    hi = parse_bound(until, end=True, today=today) if until and until.strip() else None
    if lo and hi and lo > hi:
        raise DateOrderError((since or "").strip(), (until or "").strip())
    return lo, hi


def months_before(day: date, months: int) -> date:
    """The date `months` calendar months before `day`, its day of the month clamped to the
    target month's last day (2026-05-31, 3 -> 2026-02-28). Raises ValueError before year 1."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    if year < 1:
        raise ValueError("before year 1")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
