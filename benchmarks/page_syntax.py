"""How each capture syntax writes a papers page: select-all copies, Markdown clips and terminal
dumps, modelled line by line on the real captures in ../shared/fixtures (see benchmarks/pages.py).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
HF = "https://huggingface.co"
WIDTH = 120  # the real terminal dump's wrap width


@dataclass(frozen=True)
class Card:
    """A record on a page, with what the page adds that the API does not record: the user the
    page names after `Submitted by`, and a paper page's `#N Paper of the day` rank."""

    record: dict[str, Any]
    user: str
    rank: int


@dataclass(frozen=True)
class PageSpec:
    """What to render: the page kind, its cards, the day it was captured (the viewer's "today":
    dates in that year show no year), a variant number and the fields the page shows."""

    kind: str
    cards: list[Card]
    captured: date
    variant: int
    shows: frozenset[str]


def collapse(text: str) -> str:
    """Text as a browser lays it out: whitespace runs (arXiv's hard line breaks) are one space."""
    return " ".join(text.split())


def card_date(day: date, today: date) -> str:
    """`May 2, 2022`, or `Jun 10` within the viewer's year (source: the real captures)."""
    shown = f"{MONTHS[day.month - 1]} {day.day}"
    return shown if day.year == today.year else f"{shown}, {day.year}"


def stars_figure(stars: int) -> str:
    """GitHub stars as the trending page writes them: `843`, `3.29k`, `86.1k`, `110k` (three
    significant figures, source: ../shared/fixtures/pages/trending-markdown.md)."""
    if stars < 1000:
        return str(stars)
    for unit, scale in (("k", 1000), ("M", 1_000_000)):
        value = (Decimal(stars) / scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        digits = len(str(int(value)))
        if digits > 3 and unit == "k":
            continue
        exact = Decimal(stars) / scale
        shown = exact.quantize(Decimal(1).scaleb(digits - 3), rounding=ROUND_HALF_UP)
        if len(str(int(shown))) > 3 and unit == "k":
            continue
        return f"{shown.normalize():f}{unit}"
    return str(stars)


def url_of(spec: PageSpec) -> str:
    """The page's address, as a clipper or a terminal dump's header records it."""
    day = spec.captured
    if spec.kind == "daily":
        return f"{HF}/papers/date/{day.isoformat()}"
    if spec.kind == "weekly":
        year, week, _ = day.isocalendar()
        return f"{HF}/papers/week/{year}-W{week:02d}"
    if spec.kind == "monthly":
        return f"{HF}/papers/month/{day.year}-{day.month:02d}"
    if spec.kind == "search":
        words = collapse(spec.cards[0].record["title"]).split()[:2]
        return f"{HF}/papers?q={quote('+'.join(words), safe='+')}"
    if spec.kind == "trending":
        return f"{HF}/papers/trending"
    return f"{HF}/papers/{spec.cards[0].record['arxiv_id']}"


def page_label(spec: PageSpec) -> str:
    """The line under a list page's chrome: `Nov 13`, `Week 46`, `November 2025`."""
    day = spec.captured
    if spec.kind == "weekly":
        return f"Week {day.isocalendar()[1]}"
    if spec.kind == "monthly":
        return f"{LONG_MONTHS[day.month - 1]} {day.year}"
    return f"{MONTHS[day.month - 1]} {day.day}"


def published(card: Card) -> date:
    """The date a card shows: the record's arXiv publication day (UTC)."""
    return date.fromisoformat(card.record["published_at"][:10])


def upvote_figure(card: Card) -> str:
    """A list card's upvote count: the number, or `-` for none."""
    votes = card.record["upvotes"]
    return str(votes) if votes else "-"


def card_text(spec: PageSpec, card: Card) -> str:
    """What a card shows under its title: on trending, the AI summary when there is one."""
    record = card.record
    if spec.kind == "trending" and record.get("ai_summary"):
        return str(record["ai_summary"])
    return str(record["abstract"])


def comments(card: Card) -> int | None:
    """The comment count after a list card's date (HF shows none for 0)."""
    return card.record["comments"] or None


def submitted_on(card: Card) -> date:
    """The day a paper was submitted to the daily list (a paper page's `on Oct 7`)."""
    stamp = card.record.get("submitted_on_daily_at") or card.record["daily_page"]
    return date.fromisoformat(stamp[:10])


# --- select-all --------------------------------------------------------------------------------

SELECT_ALL_CHROME = (
    "new",
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
    "Subscribe",
)
OLD_CHROME = ("new", "Get trending papers in your email inbox!", "Subscribe")


def _select_all_list(spec: PageSpec) -> str:
    old = spec.variant % 4 == 1
    chrome = OLD_CHROME if old else SELECT_ALL_CHROME
    blocks = list(chrome)
    if not old:
        blocks.append("Daily Papers")
    blocks.append("byAK and the research community" if old else "by AK and the research community")
    if not old:
        blocks.append("Daily\nWeekly\nMonthly")
    blocks.append(page_label(spec))
    for card in spec.cards:
        rec = card.record
        title = collapse(rec["title"])
        if "upvotes" in spec.shows:
            title = f"{upvote_figure(card)}\n{title}"
        blocks += [title, collapse(rec["abstract"])]
        if "published" not in spec.shows:
            continue
        org = collapse(rec["org"] or "")
        who = f"{rec['org_handle']} {org}" if org else f"  • {rec['authors']} authors"
        shown = card_date(published(card), spec.captured)
        if comments(card):
            shown += f" {comments(card)}"
        blocks.append(f"{who}\n·\n{shown}")
    return "\n\n".join(blocks)  # like the real dumps: no newline at the end


def _select_all_trending(spec: PageSpec) -> str:
    lines = [
        *SELECT_ALL_CHROME,
        "Trending Papers",
        "by AK and the research community",
        "Trending Papers",
    ]
    out = ["\n\n".join(lines), ""]
    for card in spec.cards:
        rec = card.record
        for copy in (0, 1):
            day = published(card)
            shown = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
            shown = f"Published on {shown}" if copy == 0 else shown
            if rec["org"]:
                meta = f"{rec['org_handle']} {collapse(rec['org'])} · {shown}"
            else:
                meta = f"  • {rec['authors']} authors\n· {shown}"
            buttons = f"Upvote\n{rec['upvotes']}"
            if rec["github_repo"]:
                stars = rec["github_stars"]
                buttons += "\nGitHub" + (f" {stars_figure(stars)}" if stars is not None else "")
            buttons += "\narXiv Page"
            out.append(
                f"Submitted by\n{card.user}\n{collapse(rec['title'])}\n\n"
                f"{collapse(card_text(spec, card))}\n\n{meta}\n{buttons}"
            )
    return "\n".join(out) + "\n"


def _authors_select_all(names: list[str]) -> str:
    return "\n,\n".join(names)


def _select_all_paper(spec: PageSpec) -> str:
    card = spec.cards[0]
    rec = card.record
    day = published(card)
    lines = ["", collapse(rec["title"]), f"Published on {card_date(day, spec.captured)}"]
    lines += ["Submitted by", card.user, f"on {card_date(submitted_on(card), spec.captured)}"]
    lines += [f"#{card.rank} Paper of the day", "", "Authors:", ""]
    lines.append(_authors_select_all(rec["author_names"]))
    lines.append("Abstract")
    if rec.get("ai_summary"):
        lines += [collapse(rec["ai_summary"]), ""]
    lines += [collapse(rec["abstract"]), "", "View arXiv page", "View PDF"]
    if rec["github_repo"]:
        stars = rec["github_stars"]
        lines.append("GitHub" + (f" {stars_figure(stars)}" if stars is not None else ""))
    lines += ["Add to collection", "", "Community", "", card.user, "Paper submitter", "2 days ago"]
    lines += ["", collapse(rec["abstract"]), "", "Reply", "Tap or paste here to upload images"]
    lines += ["Sign up or log in to comment", "", "Models citing this paper", "0"]
    lines += ["No model linking this paper", ""]
    cite = f"Cite arxiv.org/abs/{rec['arxiv_id']} in a model README.md to link it from this page."
    lines.append(cite)
    lines += ["Collections including this paper", "0", "System theme", "Company", "TOS", "Privacy"]
    return "\n".join(lines)


def select_all(spec: PageSpec) -> str:
    """A select-all copy of the page (source: ../shared/fixtures/dumps/*.txt and
    ../shared/fixtures/pages/paper-page-select-all.txt)."""
    if spec.kind == "trending":
        return _select_all_trending(spec)
    if spec.kind == "paper":
        return _select_all_paper(spec)
    return _select_all_list(spec)


SELECT_ALL: Callable[[PageSpec], str] = select_all


# --- Markdown and terminal: shared helpers ------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])", re.M)


def md_escape(text: str) -> str:
    """Text as a HTML-to-Markdown converter writes it: `\\`, `` ` ``, `*`, `_`, `[`, `]`
    backslash-escaped, and a line start that would read as a heading, quote or list escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def kept_breaks(text: str) -> str:
    """The record's hard line breaks as a converter keeps them (indentation dropped)."""
    return "\n".join(line.strip() for line in text.strip().split("\n") if line.strip())


def wrap(text: str, *, prefix: str = "", indent: str = "") -> list[str]:
    """Text wrapped at the terminal width, long words cut at the width as the real dump does."""
    return textwrap.wrap(
        collapse(text),
        width=WIDTH,
        initial_indent=prefix,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )
