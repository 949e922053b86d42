"""Which page a capture holds (daily, weekly, monthly, search, trending, paper) and in which
syntax it was saved (select-all, markdown, terminal).

The page's address, when the capture has it (a clipper's front matter, a terminal dump's header),
decides the kind; otherwise the page's own lines do (source: ../shared/README.md, "Page kinds").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

from paperbrowse.pages import chrome
from paperbrowse.pages.fields import is_paper_of_the_day, parse_date
from paperbrowse.pages.lines import Line
from paperbrowse.pages.urls import ARXIV_ID

_PAPER_PATH = re.compile(rf"/papers/{ARXIV_ID}(?:v\d+)?/?$")
# How far into a capture its kind shows: the chrome and the first cards.
_SCAN_LINES = 400

# Syntax detection: reference links `[text][12]` (a terminal dump), inline links
# `[text](https://...)` (Markdown), lynx/w3m link numbers `[12]text` with a References list.
_REFERENCE_LINK = re.compile(r"\]\[\d{1,5}\]")
_INLINE_LINK = re.compile(r"\]\(https?://")
# Markdown for sure: a heading that is a link (every card title of a clipper's list page), a
# clipper's image placeholder, front matter. Inline links alone are not enough: abstracts copied
# with select-all can hold Markdown links of their own.
_HEADING_LINK = re.compile(r"#{1,6} \[[^\n]*\]\(https?://")
_HEADING = re.compile(r"#{1,6} \S")
_NUMBERED_LINK = re.compile(r"\[\d{1,5}\][^\s\d\],.;:)]")
_REFERENCES = re.compile(r"(?m)^\s*References:?\s*$")
_SNIFF = 200_000  # characters: enough for the chrome and dozens of cards
_PAPER_MARKS = frozenset(("Authors:", "Authors", "Abstract"))


def kind_of_url(url: str) -> str | None:
    """The page kind a huggingface.co address names, or None when it names none."""
    parts = urlsplit(url)
    if not parts.netloc.lower().endswith(("huggingface.co", "hf.co")):
        return None
    path = parts.path.rstrip("/")
    if path == "/papers/trending":
        return "trending"
    if path.startswith("/papers/week"):
        return "weekly"
    if path.startswith("/papers/month"):
        return "monthly"
    if "q=" in parts.query or path == "/papers/search":
        return "search"
    if path.startswith("/papers/date") or path == "/papers":
        return "daily"
    if _PAPER_PATH.search(path):
        return "paper"
    return None


# A list page's own address names its period: /papers/date/2024-11-29, /papers/week/2024-W48,
# /papers/month/2024-11 (the addresses of huggingface.co's daily, weekly and monthly pages).
_DATED_PATH = re.compile(
    r"/papers/(?:date/(?P<day>\d{4}-\d{2}-\d{2})|week/(?P<week>\d{4})-W(?P<w>\d{1,2})"
    r"|month/(?P<month>\d{4})-(?P<m>\d{2}))"
)


def year_of_url(url: str | None) -> int | None:
    """The year a list page's address names (`…/papers/date/2024-11-29` -> 2024, also a week
    or a month page's), or None: no such address, an impossible date, or an ISO week that
    spans two calendar years (its cards' year-less dates could be in either)."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.netloc.lower().endswith(("huggingface.co", "hf.co")):
        return None
    found = _DATED_PATH.fullmatch(parts.path.rstrip("/"))
    if not found:
        return None
    try:
        if found.group("day"):
            return date.fromisoformat(found.group("day")).year
        if found.group("month"):
            return date(int(found.group("month")), int(found.group("m")), 1).year
        year, week = int(found.group("week")), int(found.group("w"))
        first, last = date.fromisocalendar(year, week, 1), date.fromisocalendar(year, week, 7)
    except ValueError:
        return None
    return first.year if first.year == last.year else None


def _line_starts(text: str, pattern: re.Pattern[str]) -> bool:
    """True when a line of `text` that starts with "#" starts with `pattern` (only those lines
    are looked at: most captures have few)."""
    if text.startswith("#") and pattern.match(text):
        return True
    pos = text.find("\n#")
    while pos != -1:
        if pattern.match(text, pos + 1):
            return True
        pos = text.find("\n#", pos + 1)
    return False


def detect_syntax(text: str) -> str:
    """`markdown`, `terminal` or `select-all` for a capture's text."""
    head = text[:_SNIFF]
    # Substring checks first: a select-all copy has none of these, and the regexes then never
    # run over its long lines.
    references = len(_REFERENCE_LINK.findall(head)) if "][" in head else 0
    inline = len(_INLINE_LINK.findall(head)) if "](" in head else 0
    if references >= 3 and references > inline:
        return "terminal"
    if head.startswith("---\n") or "[图片" in head or _line_starts(head, _HEADING_LINK):
        return "markdown"
    if inline >= 2 and _line_starts(head, _HEADING):
        return "markdown"
    if "[" in head and len(_NUMBERED_LINK.findall(head)) >= 3 and _REFERENCES.search(text):
        return "terminal"
    if wrapped_at_fixed_width(head):
        return "terminal"
    return "select-all"


def wrapped_at_fixed_width(text: str) -> bool:
    """True when most long lines end near one width (a terminal browser's `-dump`): a select-all
    copy keeps each abstract on one line of hundreds of characters."""
    lengths = [len(line.rstrip()) for line in text.split("\n", 2000)[:2000] if " " in line]
    long = [n for n in lengths if n >= 40]
    if len(long) < 8:
        return False
    width = max(long)
    if width > 200:
        return False
    near = sum(1 for n in long if n >= width - 12)
    return near * 3 >= len(long)


def detect_kind(url: str | None, lines: Sequence[Line]) -> str | None:
    """The page kind from the address if it names one, else from the page's lines; None for a
    list page whose kind the cards will tell (daily, or search when no card has metadata)."""
    if url:
        kind = kind_of_url(url)
        if kind is not None:
            return kind
    published = False
    for line in lines[:_SCAN_LINES]:
        text = line.text
        if text in ("Trending Papers", "Trending") or text.startswith("Trending Papers"):
            return "trending"
        found = chrome.period(text)
        if found is not None:
            return found[0]
        if text.startswith("Published on") and parse_date(text) is not None:
            published = True
        elif published and (text in _PAPER_MARKS or is_paper_of_the_day(text)):
            # Lines only a paper page has, below its "Published on" (trending cards have
            # "Published on" and "Submitted by", but no author list or abstract heading).
            return "paper"
    return None
