"""Year inference, written once for every page kind and syntax.

A list page shows a year only for dates outside its own year (source: ../shared/README.md, "Year
inference"), so its year comes, in order of trust, from: the `--year` option; the capture date
a year the page shows for itself (`June 9, 2024`, `Week 23, 2025`); the capture date a capture
tool wrote into the file (a terminal dump's `Captured (UTC):` line, a clipper's `created:`
front matter);
one more than the largest year the page writes on a card (the year-less dates are later); and
last the file's modification time (the year before, when the page's month and day come later
in the year than the time the file was saved).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from paperbrowse.models import Paper
from paperbrowse.pages.fields import RawDate

_MIN_YEAR, _MAX_YEAR = date.min.year, date.max.year


@dataclass
class Dated:
    """A parsed paper with its date as written (year maybe missing) and the date's line."""

    paper: Paper
    raw: RawDate | None
    line: int

    @staticmethod
    def valid(year: int, month: int, day: int) -> bool:
        """True when the day exists."""
        try:
            date(year, month, day)
        except ValueError:
            return False
        return True


@dataclass(frozen=True)
class YearEvidence:
    """What a capture tells about its page's year, besides the dates on its cards.

    `forced` is the --year option; `captured` a capture date written in the file; `shown` a year
    the page shows for itself; `saved` the file's modification date.
    """

    forced: int | None = None
    captured: date | None = None
    shown: int | None = None
    saved: date | None = None


def _before(page: RawDate | None, when: date) -> int:
    """`when`'s year, or the year before when the page's month and day come later in the year:
    a page is saved after it is shown."""
    if page is not None and (page.month, page.day) > (when.month, when.day):
        return when.year - 1
    return when.year


def resolve_years(
    done: list[Dated],
    page: RawDate | None,
    page_line: int,
    evidence: YearEvidence,
    warn: Callable[[int, str], None],
) -> date | None:
    """Give every paper its published date and page date once the page's year is known.

    `warn(line, message)` records a warning. Returns the page date (None when the page shows
    none or its year is unknown).
    """
    explicit = [d.raw.year for d in done if d.raw is not None and d.raw.year is not None]
    yearless = [d.line for d in done if d.raw is not None and d.raw.year is None]
    page_year: int | None
    if evidence.forced is not None:
        page_year = evidence.forced
    elif page is not None and page.year is not None:
        page_year = page.year
    elif evidence.shown is not None:
        page_year = evidence.shown
    elif evidence.captured is not None:
        page_year = _before(page, evidence.captured)
    elif explicit:
        # The page writes a year only for dates outside its own year, and those are earlier.
        page_year = max(explicit) + 1
    elif evidence.saved is not None:
        page_year = _before(page, evidence.saved)
    else:
        page_year = None

    needs_year = (page is not None and page.year is None) or bool(yearless)
    if page_year is not None and not _MIN_YEAR <= page_year <= _MAX_YEAR:
        warn(page_line or 1, f"page year {page_year} out of range; ignored")
        page_year = None
    elif page_year is None and needs_year:
        line = page_line or min(yearless, default=1)
        warn(line, "no year on the page and none given; dates without a year left empty")

    page_date: date | None = None
    if page is not None and page_year is not None:
        year = page.year if page.year is not None else page_year
        try:
            page_date = date(year, page.month, page.day)
        except ValueError:
            shown = f"{year}-{page.month:02d}-{page.day:02d}"
            warn(page_line, f"invalid page date {shown}; ignored")
    for item in done:
        item.paper.page_date = page_date
        raw = item.raw
        if raw is None:
            continue
        resolved = raw.year if raw.year is not None else page_year
        if resolved is None:
            continue
        try:
            item.paper.published = date(resolved, raw.month, raw.day)
        except ValueError:
            shown = f"{resolved}-{raw.month:02d}-{raw.day:02d}"
            warn(item.line, f"invalid date {shown}; ignored")
    return page_date
