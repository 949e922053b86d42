"""Recognisers for the lines a Hugging Face papers card is made of, whatever the capture syntax.

Source: the real captures in ../shared/fixtures and the format notes in ../shared/README.md.
Each recogniser takes one cleaned logical line and returns what it holds, or None when the line
is not of its kind. They check the length first, so the long abstract lines never reach a regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
DOT = "·"
# Longest possible date line is "· Published on September 30, 2024 123456789" (44 characters).
MAX_DATE_LEN = 60
# "May 2, 2022", "Jun 10 9" (9 comments), "Oct 3, 2024 2", "Published on Oct 4, 2026",
# "· Published on Dec 28, 2024", "on Oct 7" (a paper page's submission date). A year needs its
# comma: a bare trailing number is the comment count.
_DATE = re.compile(
    r"(?:·\s*)?(?:(?:Published|Submitted)\s+on\s+|on\s+)?"
    r"([A-Za-z]{3,9})\.? +(\d{1,2})(?:, *(\d{4}))?(?: +(\d{1,9}))?"
)
# Anything shaped roughly like a date, so a bad one ("Feb 30", "Foo 3, 2024") is reported as a
# bad date rather than taken for the next paper's title.
_DATEISH = re.compile(
    r"(?:·\s*)?(?:Published on\s+)?"
    r"[A-Za-z]{3,9}\.? +\d{1,4}(?:, *\d{1,6})?(?: +[\d.,]{1,12}[kKmM]?)?"
)
_AUTHORS = re.compile(r"(?:[•*+\-]\s*)?(\d{1,9})\s+authors?", re.IGNORECASE)
_UPVOTE_COUNT = re.compile(r"\d{1,9}|-")
# Trending and paper pages: "Upvote" then the count (on the same logical line or the next one),
# "GitHub 3.29k" (repository stars, rounded to three figures), "arXiv Page".
_TRAILER_TOKEN = re.compile(
    r"\s*(?:(Upvote)(?:\s+(\d{1,9}|-))?|GitHub(?:\s+(\d{1,9}(?:\.\d{1,3})?)\s*([kKmM]?))?"
    r"|arXiv Page|View arXiv page|View PDF|Add to collection|Project page)"
)
_MAX_TRAILER_LEN = 120
_SUBMITTED = re.compile(r"Submitted by(?:\s+(\S.*))?")
_PAPER_OF_THE_DAY = re.compile(r"#\d{1,4} Paper of the day")


@dataclass(frozen=True)
class RawDate:
    """A date as written: the year may be missing until the page's year is known.

    `comments` is the number after the date (it links to the paper's #community section).
    `published_on` is True for the "Published on DATE" form of trending and paper pages.
    """

    month: int
    day: int
    year: int | None
    comments: int | None = None
    published_on: bool = False


def month_number(token: str) -> int | None:
    """1-12 for a month name or an abbreviation of at least three letters ("Sept", "Jun")."""
    lowered = token.lower()
    if len(lowered) < 3:
        return None
    for number, name in enumerate(MONTHS, start=1):
        if name.startswith(lowered):
            return number
    return None


def parse_date(text: str) -> RawDate | None:
    """A card's date line, or None when the line is not one (day checked against 1-31 only)."""
    if len(text) > MAX_DATE_LEN:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        return None
    month = month_number(match.group(1))
    day = int(match.group(2))
    if month is None or not 1 <= day <= 31:
        return None
    year = int(match.group(3)) if match.group(3) else None
    comments = int(match.group(4)) if match.group(4) else None
    return RawDate(month, day, year, comments, "Published" in text[:15])


def looks_like_date(text: str) -> bool:
    """True for a line shaped like a date, valid or not."""
    return len(text) <= MAX_DATE_LEN and _DATEISH.fullmatch(text) is not None


def parse_authors(text: str) -> int | None:
    """The count of an author line ("• 5 authors", "- 1 author"), or None."""
    if len(text) > MAX_DATE_LEN or "author" not in text:
        return None
    match = _AUTHORS.fullmatch(text)
    return int(match.group(1)) if match else None


def parse_upvote_count(text: str) -> int | None:
    """The upvote count a list card shows on the line before its title (`101`, `-` for 0)."""
    if len(text) > 9 or not _UPVOTE_COUNT.fullmatch(text):
        return None
    return 0 if text == "-" else int(text)


@dataclass(frozen=True)
class Trailer:
    """What a line of trending/paper-page buttons holds. `upvote_word` is True when the line has
    the word Upvote (its count may follow on the next line)."""

    upvote_word: bool = False
    upvotes: int | None = None
    github_stars: int | None = None


def stars(number: str, suffix: str) -> int:
    """`3.29`, `k` -> 3290; `110`, `k` -> 110000; `843`, `` -> 843 (HF's compact figures)."""
    scale = {"": 1, "k": 1000, "m": 1_000_000}[suffix.lower()]
    whole, _, fraction = number.partition(".")
    # Exact decimal arithmetic: float("3.29") * 1000 is 3289.9999999999995.
    divisor: int = 10 ** len(fraction)
    return (int(whole) * divisor + int(fraction or 0)) * scale // divisor


def parse_trailer(text: str) -> Trailer | None:
    """A line made only of card buttons (`Upvote 117`, `GitHub 3.29k arXiv Page`), or None."""
    if len(text) > _MAX_TRAILER_LEN or not text[:1].isalpha():
        return None
    pos = 0
    found = Trailer()
    while pos < len(text):
        match = _TRAILER_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            return None
        pos = match.end()
        if match.group(1):
            count = match.group(2)
            upvotes = None if count is None else (0 if count == "-" else int(count))
            found = Trailer(True, upvotes, found.github_stars)
        elif match.group(3):
            found = Trailer(found.upvote_word, found.upvotes, stars(match.group(3), match.group(4)))
    return found


def parse_submitted(text: str) -> tuple[bool, str | None]:
    """(True, user or None) for a `Submitted by [user]` line, else (False, None)."""
    if not text.startswith("Submitted by"):
        return False, None
    match = _SUBMITTED.fullmatch(text)
    if not match:
        return False, None
    return True, match.group(1)


def is_paper_of_the_day(text: str) -> bool:
    """True for a paper page's `#3 Paper of the day` line."""
    return len(text) < 40 and _PAPER_OF_THE_DAY.fullmatch(text) is not None


def split_org_date(text: str) -> tuple[str, RawDate] | None:
    """`Kandinsky Lab · Published on Oct 4, 2026` -> ("Kandinsky Lab", date): an organisation (or
    author count) and the date on one line, as trending cards show them; None otherwise."""
    at = text.rfind(" · ")
    if at <= 0 or len(text) - at > MAX_DATE_LEN:
        return None
    raw = parse_date(text[at + 3 :].strip())
    if raw is None:
        return None
    return text[:at].strip(), raw


# A sentence end: . ! or ? (and closing quotes or brackets), then the end of the text or space and
# what starts a sentence.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?:\s+(?=[A-Z0-9(\[\"])|\s*$)")
_SUMMARY_MAX_TWO_SENTENCES = 300


def reads_like_ai_summary(text: str) -> bool:
    """True when a trending card's text reads like HF's one-sentence AI summary, not an abstract.

    The page itself does not say which it shows. Measured on the 9,877 API records of
    ../shared/data (a card shows the summary when there is one, else the abstract): one sentence,
    or two within 300 characters, tells them apart for all but 8 records; 5 of those have a
    "summary" identical to their abstract, which no reading of the page can tell apart.
    """
    count = len(_SENTENCE_END.findall(text))
    return count <= 1 or (count == 2 and len(text) < _SUMMARY_MAX_TWO_SENTENCES)
