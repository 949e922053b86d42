"""Year inference, written once for every page kind and syntax.

A list page shows a year only for dates outside its own year (source: ../shared/README.md, "Year
inference"), so its year comes, in order of trust, from: the `--year` option; a year the page
shows for itself (`June 9, 2024`, `Week 23, 2025`, or its own address in a capture's header:
`…/papers/date/2024-11-29`, kinds.year_of_url); the capture date a capture
tool wrote into the file (a terminal dump's `Captured (UTC):` line, a clipper's `created:`
front matter);
one more than the largest year the page writes on a card (the year-less dates are later); and
last the file's modification time (the year before, when the page's month and day come later
in the year than the time the file was saved).

A card whose date shows no year but whose paper has a new-style arXiv id (YYMM.NNNNN), on a page
that nothing but the file's date can date (a paper page, which shows no page date), takes its
year from the id instead (`year_from_arxiv_id`): a paper is published on arXiv in its id's month,
and a file's date may be that of a later copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from paperbrowse.models import Paper
from paperbrowse.pages.fields import RawDate

_MIN_YEAR, _MAX_YEAR = date.min.year, date.max.year
# A new-style arXiv id: YYMM.NNNN (2007-2014) or YYMM.NNNNN (from 2015), any version.
# Source: arxiv.org/help/arxiv_identifier.
_NEW_STYLE_ID = re.compile(r"^([0-9]{2})(0[1-9]|1[0-2])\.[0-9]{4,5}(?:v[0-9]+)?$")
# How long before its id's month a Hugging Face date may fall: HF dates are mostly in the id's
# month or the one before (9,826 of 9,877 records of the HF API archive), a few up to two months
# before (a paper submitted late in a month, or re-dated).
_EARLIEST_BEFORE_ID = timedelta(days=62)


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


def year_from_arxiv_id(arxiv_id: str | None, month: int, day: int) -> int | None:
    """The year of a card's `month`/`day` (shown without a year) from its paper's new-style
    arXiv id; None for no id or an old-style one (`hep-th/9901001`).

    Of the id's year and the years around it, the earliest that does not put the date more than
    two months before the id's month: the date nearest the id's month, except that a later year
    wins over a date far before the paper existed. `Oct 6` with 2510.04618 is 2025-10-06;
    `Dec 30` with 2501.00001 is 2024-12-30. Checked against the 9,877 records of the HF API
    archive (see the README's year rules).
    """
    match = _NEW_STYLE_ID.match(arxiv_id or "")
    if match is None:
        return None
    year, id_month = 2000 + int(match.group(1)), int(match.group(2))
    earliest = date(year, id_month, 1) - _EARLIEST_BEFORE_ID
    for candidate in (year - 1, year, year + 1, year + 2):
        if Dated.valid(candidate, month, day) and date(candidate, month, day) >= earliest:
            return candidate
    return None


def evidence_is_weak(evidence: YearEvidence, page: RawDate | None, explicit: list[int]) -> bool:
    """True when nothing but the file's modification date (or nothing at all) dates a page that
    shows no page date either (a paper page): such a date says only that the paper came out
    before the file was written (or copied). A list page's own date, its year from the file's
    date, dates its cards well: they are days or weeks older than the page."""
    return (
        evidence.forced is None
        and page is None
        and evidence.shown is None
        and evidence.captured is None
        and not explicit
    )


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
    # A file's date alone is the weakest evidence: a card's arXiv id beats it.
    by_id = evidence_is_weak(evidence, page, explicit)

    page_yearless = page is not None and page.year is None
    if page_year is not None and not _MIN_YEAR <= page_year <= _MAX_YEAR:
        warn(page_line or 1, f"page year {page_year} out of range; ignored")
        page_year = None
    elif page_year is None:
        # Only dates left empty are worth a warning: a card's arXiv id gives its year (a paper
        # page's "Published on Oct 6" under 2510.04618 is 2025-10-06).
        empty = [
            d.line
            for d in done
            if d.raw is not None
            and d.raw.year is None
            and not (by_id and year_from_arxiv_id(d.paper.arxiv_id, d.raw.month, d.raw.day))
        ]
        if page_yearless or empty:
            line = page_line if page_yearless and page_line else min(empty, default=1)
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
        resolved = raw.year
        if resolved is None:
            from_id = year_from_arxiv_id(item.paper.arxiv_id, raw.month, raw.day)
            resolved = from_id if by_id and from_id is not None else page_year
        if resolved is None:
            continue
        try:
            item.paper.published = date(resolved, raw.month, raw.day)
        except ValueError:
            shown = f"{resolved}-{raw.month:02d}-{raw.day:02d}"
            warn(item.line, f"invalid date {shown}; ignored")
    return page_date
