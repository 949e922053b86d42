"""The page chrome of Hugging Face papers pages: lines around the cards that are not papers.

Source: the real captures in ../shared/fixtures (select-all, Markdown and terminal-browser) and
the format notes in ../shared/README.md.
"""

from __future__ import annotations

import re

from paperbrowse.pages.fields import RawDate, month_number

_CHROME = frozenset(
    " ".join(s.casefold().split())
    for s in (
        "new",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "by AK and the research community",
        "Daily",
        "Weekly",
        "Monthly",
        "• Daily",
        "• Weekly",
        "• Monthly",
        "Trending Papers",
        "Trending",
    )
)
# Lines after which no card follows: the site footer, and a capture tool's truncation mark.
_END = frozenset(("system theme", "[content truncated]", "content truncated"))
_MAX_CHROME = 60
_PAGE_DATE = re.compile(r"([A-Za-z]{3,9})\.? +(\d{1,2})(?:, *(\d{4}))?")
# Weekly and monthly pages name their period instead of a day: "Week 23", "Week 23, 2025",
# "2025-W23"; "June 2025", "2025-06".
_WEEK = re.compile(r"(?:Week +(\d{1,2})(?:, *(\d{4}))?|(\d{4})-W(\d{1,2}))", re.I)
_MONTH = re.compile(r"(?:([A-Za-z]{3,9})\.? +(\d{4})|(\d{4})-(\d{2}))")


def is_chrome(text: str) -> bool:
    """True for a line of page chrome (menu tabs, the subscription box, the page heading)."""
    return len(text) <= _MAX_CHROME and " ".join(text.casefold().split()) in _CHROME


def ends_content(text: str) -> bool:
    """True for the first line of the site footer or of a capture tool's truncation mark."""
    return len(text) <= _MAX_CHROME and text.casefold() in _END


def page_date(text: str) -> RawDate | None:
    """The day a list page shows under its chrome ("Nov 13", "June 9, 2024"), or None."""
    if len(text) > 20:
        return None
    match = _PAGE_DATE.fullmatch(text)
    if not match:
        return None
    month = month_number(match.group(1))
    day = int(match.group(2))
    if month is None or not 1 <= day <= 31:
        return None
    year = int(match.group(3)) if match.group(3) else None
    return RawDate(month, day, year)


def period(text: str) -> tuple[str, int | None] | None:
    """("weekly" or "monthly", the year it shows or None) for a weekly or monthly page's period
    line, else None."""
    if len(text) > 20:
        return None
    week = _WEEK.fullmatch(text)
    if week:
        year = week.group(2) or week.group(3)
        return "weekly", int(year) if year else None
    month = _MONTH.fullmatch(text)
    if month:
        if month.group(1) and month_number(month.group(1)) is None:
            return None
        return "monthly", int(month.group(2) or month.group(3))
    return None
