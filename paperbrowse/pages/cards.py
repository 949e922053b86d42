"""The card grammar of list pages (daily, weekly, monthly, search) and trending pages, read from
logical lines whatever the capture syntax. A card (source: ../shared/README.md)::

    Submitted by / <user>           <- trending: before the card
    101                             <- optional: the UPVOTE count ("-" for none)
    <title>
    <abstract, or on trending the one-sentence AI summary>
      • 5 authors                   <- or an organisation line "deepseek-ai DeepSeek", or nothing
    ·                               <- the anchor of the metadata block
    May 2, 2022 7                   <- the published date (no year: the page's year); 7 COMMENTS
    Upvote 117 / GitHub 3.29k / arXiv Page   <- trending: buttons after the date

Trending cards write `Org · Published on Oct 4, 2026` on one line. The grammar is a line-driven
state machine that keeps one card and one held line in memory. It never raises on a malformed
block: the block gets a `ParseWarning` naming file and line and is skipped, or its metadata
ignored. Years are resolved afterwards (see years.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from paperbrowse.models import Paper
from paperbrowse.pages import chrome
from paperbrowse.pages.fields import (
    DOT,
    RawDate,
    looks_like_date,
    parse_authors,
    parse_date,
    parse_submitted,
    parse_trailer,
    parse_upvote_count,
    reads_like_ai_summary,
    split_org_date,
)
from paperbrowse.pages.lines import Line
from paperbrowse.pages.results import ParseWarning
from paperbrowse.pages.urls import arxiv_id_of, extract_links, hf_name_of, paper_page_id
from paperbrowse.pages.years import Dated

# Resynchronising after a lost title or abstract line. Titles are short (at most 227 characters
# in the fixtures) and abstracts long (7 times their title at least): a "title" over
# MAX_TITLE_LEN that is longer than its "abstract" is an abstract, and a held "title" three times
# the "abstract" before it means that abstract was really a title.
MAX_TITLE_LEN = 300
_SWAPPED_RATIO = 3
# A terminal browser's image alt text before an organisation's name: "[microsoft] Microsoft".
_ALT_HANDLE = re.compile(r"\[([^\]\s]{1,100})\]\s+(\S.*)")

_TRAILER_FIRST = frozenset("UGAVPa")  # first letters of the button lines (see fields.parse_trailer)

# States: what the next line is expected to be.
_HEADER = "header"  # chrome and the page date
_TITLE = "title"  # a paper's title
_ABSTRACT = "abstract"  # the current paper's abstract
_AFTER_ABSTRACT = "after-abstract"  # metadata, or the next title
_CANDIDATE = "candidate"  # a line was held: an org line if "·" follows, else the next title
_DOT_NEXT = "dot-next"  # after "• N authors": the "·"
_DATE_NEXT = "date-next"  # after "·": the date line
_SUBMITTER = "submitter"  # after "Submitted by": the user name
# Where an upvote count (a line of digits or "-") starts the next card.
_CARD_START_STATES = frozenset({_HEADER, _TITLE, _ABSTRACT, _AFTER_ABSTRACT, _CANDIDATE})


@dataclass
class _Pending:
    """The card being read; turned into a Paper (or dropped with a warning) when complete."""

    title: str
    line: int
    abstract: str = ""
    abstract_line: int = 0
    authors: int | None = None
    org: str | None = None
    org_handle: str | None = None
    upvotes: int | None = None
    submitted_by: str | None = None
    comments: int | None = None
    github_stars: int | None = None
    date: RawDate | None = None
    date_line: int = 0
    ids: list[str] = field(default_factory=list)  # arXiv ids from the card's own links
    code: list[str] = field(default_factory=list)  # GitHub button links


def _short(title: str, width: int = 60) -> str:
    return repr(title if len(title) <= width else title[: width - 1] + "…")


class CardParser:
    """Feed it logical lines; collect `papers` (with their raw dates) and `warnings`."""

    def __init__(self, source: str, label: str, kind: str, syntax: str = "select-all") -> None:
        self.source = source
        self.label = label  # file name in warnings: the path the user gave, when known
        self.kind = kind
        # A select-all copy writes an avatar's alt text (the handle) before an organisation's
        # name; Markdown and terminal captures write it as an image or not at all.
        self.alt_as_text = syntax == "select-all"
        self.state = _HEADER
        self.saw_chrome = False
        self.page: RawDate | None = None
        self.period: str | None = None  # "weekly" or "monthly" when the page names its period
        self.period_year: int | None = None
        self.page_line = 0
        self.pending: _Pending | None = None
        self.held: Line | None = None
        self.meta_line = 0  # the last "·" or author line, for warnings about what follows
        self.next_upvotes: int | None = None  # a list card's count, before its title
        self.next_submitter: str | None = None
        self.upvote_word = False  # "Upvote" seen; its count may be the next line
        self.last: Paper | None = None  # the last card finished, for the buttons after its date
        self.stopped = False  # the site footer or a truncation mark: no cards after it
        self.done: list[Dated] = []
        self.warnings: list[ParseWarning] = []

    def warn(self, line: int, message: str) -> None:
        """Record a warning at a 1-based line."""
        self.warnings.append(ParseWarning(self.label, line, message))

    def feed_all(self, lines: Iterable[Line]) -> None:
        """Read every line, then the end of input."""
        for line in lines:
            if self.stopped:
                break
            self.feed(line)
        self.end()

    # Each handler takes one line; a handler that finds the line belongs to the next state hands
    # it on by calling that state's handler (never loops back).

    def feed(self, line: Line) -> None:
        """Take one logical line."""
        text = line.text
        if not line.garbage and self.special(line):
            return
        state = self.state
        if state == _HEADER:
            self.on_header(line)
        elif state == _TITLE:
            self.on_title(line)
        elif state == _ABSTRACT:
            self.on_abstract(line)
        elif state == _AFTER_ABSTRACT:
            self.on_after_abstract(line)
        elif state == _CANDIDATE:
            self.on_candidate(line)
        elif state == _DOT_NEXT:
            self.on_dot_next(line)
        elif state == _DATE_NEXT:
            self.on_date_next(line)
        elif not (text.startswith("[") and text.endswith("]")):  # _SUBMITTER; not an avatar
            self.next_submitter = text
            self.state = _TITLE

    def special(self, line: Line) -> bool:
        """Lines that mean the same in every state: the footer, buttons, "Submitted by", an
        upvote count before a title, and headings (always a title). True when consumed."""
        text = line.text
        if chrome.ends_content(text):
            self.boundary()
            self.stopped = True
            return True
        state = self.state
        if self.upvote_word:  # "Upvote", then its count on a line of its own
            self.upvote_word = False
            count = parse_upvote_count(text)
            if count is not None and state in (_TITLE, _HEADER):
                self.button(upvotes=count)
                return True
        first = text[:1]
        trailer = parse_trailer(text) if first in _TRAILER_FIRST else None
        if trailer is not None:
            self.upvote_word = trailer.upvote_word and trailer.upvotes is None
            self.button(trailer.upvotes, trailer.github_stars, line.links)
            return True
        if first == "S":
            submitted, user = parse_submitted(text)
            if submitted:
                self.boundary()
                self.next_submitter = user
                if not user:
                    self.state = _SUBMITTER
                return True
        if state in _CARD_START_STATES and (first.isdigit() or text == "-"):
            count = parse_upvote_count(text)
            if count is not None:
                self.boundary()
                self.next_upvotes = count
                return True
        if line.heading and state not in (_HEADER, _TITLE) and not chrome.is_chrome(text):
            self.boundary()
        return False

    def button(
        self,
        upvotes: int | None = None,
        github_stars: int | None = None,
        links: tuple[str, ...] = (),
    ) -> None:
        """A card button (Upvote N, GitHub N, arXiv Page): it belongs to the card being read, or
        after the date, to the card just finished."""
        pending = self.pending if self.state not in (_TITLE, _HEADER) else None
        if pending is not None:
            if upvotes is not None:
                pending.upvotes = upvotes
            if github_stars is not None:
                pending.github_stars = github_stars
            for url in links:
                if "github.com/" in url:
                    pending.code.append(url)
                found = arxiv_id_of(url)
                if found:
                    pending.ids.append(found)
            return
        last = self.last
        if last is None:
            return
        if upvotes is not None:
            last.upvotes = upvotes
        if github_stars is not None:
            last.github_stars = github_stars
        for url in links:
            if "github.com/" in url and url not in last.links:
                last.links.append(url)
            found = arxiv_id_of(url)
            if found and last.arxiv_id is None:
                last.arxiv_id = found

    def on_header(self, line: Line) -> None:
        text = line.text
        if chrome.is_chrome(text):
            self.saw_chrome = True
            return
        if self.page is None and self.period is None and not line.garbage:
            page = chrome.page_date(text)
            if page is not None:
                self.page = page
                self.page_line = line.number
                return
            period = chrome.period(text)
            if period is not None:
                self.period, self.period_year = period
                self.page_line = line.number
                return
        self.state = _TITLE
        self.on_title(line)

    def on_title(self, line: Line) -> None:
        text = line.text
        # Metadata here has no paper to belong to: report it, and let its block be consumed.
        if text == DOT:
            self.warn(line.number, "'·' outside a paper; ignored")
            self.meta_line = line.number
            self.state = _DATE_NEXT
        elif parse_authors(text) is not None:
            self.warn(line.number, "author line outside a paper; ignored")
            self.meta_line = line.number
            self.state = _DOT_NEXT
        elif parse_date(text) is not None or split_org_date(text) is not None:
            self.warn(line.number, "date line outside a paper; ignored")
        elif chrome.is_chrome(text) and not line.links:
            self.saw_chrome = True
        else:
            self.pending = _Pending(text, line.number, upvotes=self.next_upvotes)
            self.pending.submitted_by = self.next_submitter
            self.next_upvotes = self.next_submitter = None
            self.take_ids(line, title=True)
            self.state = _ABSTRACT

    def take_ids(self, line: Line, *, title: bool) -> None:
        """The arXiv ids a card's line links to: a title's paper page first."""
        assert self.pending is not None
        for url in line.links:
            found = paper_page_id(url) if not title else arxiv_id_of(url)
            if found:
                if title:
                    self.pending.ids.insert(0, found)
                else:
                    self.pending.ids.append(found)

    def on_abstract(self, line: Line) -> None:
        text = line.text
        # A metadata line instead of an abstract: read the block (so it is not taken for the next
        # titles) and let `finish` drop the paper with a warning (or keep a trending card).
        if text == DOT:
            self.meta_line = line.number
            self.state = _DATE_NEXT
            return
        if parse_authors(text) is not None:
            self.meta_line = line.number
            self.state = _DOT_NEXT
            return
        raw = None if line.garbage else parse_date(text)
        if raw is not None:
            self.set_date(line.number, raw)
            self.finish()
            return
        if not line.garbage and self.org_date(line):
            self.finish()
            return
        assert self.pending is not None
        title = self.pending.title
        if len(title) > MAX_TITLE_LEN and text and len(text) < len(title):
            # A "title" too long for one and longer than its abstract is an abstract whose title
            # line was lost: drop it, and take this line as the next title.
            self.warn(self.pending.line, f"abstract without a title: {_short(title)}; skipped")
            self.pending = _Pending(text, line.number)
            self.take_ids(line, title=True)
            return
        self.pending.abstract = text
        self.pending.abstract_line = line.number
        self.take_ids(line, title=False)
        self.state = _AFTER_ABSTRACT

    def org_date(self, line: Line) -> bool:
        """`Org · Published on DATE` (or `N authors · DATE`): set both and finish. True if so."""
        found = split_org_date(line.text)
        if found is None or self.pending is None:
            return False
        who, raw = found
        authors = parse_authors(who)
        if authors is not None:
            self.pending.authors = authors
        elif who:
            self.set_org(who, line.links)
        self.set_date(line.number, raw)
        return True

    def set_org(self, text: str, links: tuple[str, ...] = ()) -> None:
        """An organisation line: `handle Name` (select-all: the avatar's alt text, then the name),
        `[handle] Name` (the alt text as Markdown and terminal captures write it), `Name` with a
        link to huggingface.co/<handle>, or the name alone (a dump that drops images and links)."""
        assert self.pending is not None
        linked = next((n for n in map(hf_name_of, links) if n), None)
        alt = _ALT_HANDLE.fullmatch(text)
        if alt:
            handle, name = alt.group(1), alt.group(2).strip()
        elif linked:
            handle, name = linked, text
        elif self.alt_as_text:
            handle, _, name = text.partition(" ")
            name = name.strip()
            if not name:
                handle, name = "", handle
        else:
            handle, name = "", text
        self.pending.org = name or None
        self.pending.org_handle = handle or None

    def on_after_abstract(self, line: Line) -> None:
        assert self.pending is not None
        text = line.text
        if text == DOT:  # "·" with no author line: tolerated
            self.meta_line = line.number
            self.state = _DATE_NEXT
            return
        authors = parse_authors(text)
        if authors is not None:
            self.pending.authors = authors
            self.meta_line = line.number  # where a missing "·" would be reported
            self.state = _DOT_NEXT
            return
        raw = parse_date(text)
        if raw is not None:  # a date without its "·": still clearly this paper's
            self.set_date(line.number, raw)
            self.finish()
            return
        if self.org_date(line):
            self.finish()
            return
        if text.endswith(" ·") and len(text) <= MAX_TITLE_LEN:
            # "deepseek-ai DeepSeek ·": an organisation with its "·" on the same line.
            self.set_org(text[:-2].strip(), line.links)
            self.meta_line = line.number
            self.state = _DATE_NEXT
            return
        # An org line and a title look alike; only the "·" right after tells them apart.
        self.held = line
        self.state = _CANDIDATE

    def on_candidate(self, line: Line) -> None:
        assert self.pending is not None and self.held is not None
        text, held = line.text, self.held
        raw = None if line.garbage else parse_date(text)
        is_dot = text == DOT
        # Metadata after the held line, which is longer than the "abstract" before it: a title
        # lacked its abstract, so the "abstract" was the next title and the held line its
        # abstract. An author line never follows an org line, so it is a safe signal; a "·"
        # only when a blank line separates it from the held line (org lines sit right on it).
        metadata = (is_dot and line.blank_before) or parse_authors(text) is not None
        if metadata and self.abstract_was_title():
            self.resync()
            self.on_after_abstract(line)
            return
        if is_dot or raw is not None:
            self.set_org(held.text, held.links)
            if raw is not None:  # org line then date, "·" lost: keep both
                self.set_date(line.number, raw)
                self.finish()
            else:
                self.meta_line = line.number
                self.state = _DATE_NEXT
            return
        # A held "title" longer than the line after it, and several times longer than the
        # pending abstract: the pending paper lost its abstract line, so its "abstract" was the
        # next title and the held line that title's abstract.
        if (
            not line.garbage
            and len(held.text) > max(len(text), MAX_TITLE_LEN)
            and self.abstract_was_title()
        ):
            self.resync()
            self.on_after_abstract(line)
            return
        # The held line was the next paper's title; this line is that paper's abstract.
        self.finish()
        self.start_held()
        self.on_abstract(line)

    def start_held(self) -> None:
        """The held line becomes the next card's title."""
        assert self.held is not None
        held, self.held = self.held, None
        self.pending = _Pending(held.text, held.number, upvotes=self.next_upvotes)
        self.next_upvotes = None
        self.take_ids(held, title=True)
        self.state = _ABSTRACT

    def abstract_was_title(self) -> bool:
        """True when the held line is several times longer than the pending paper's abstract:
        that "abstract" reads like a title, and the held line like its abstract."""
        assert self.pending is not None and self.held is not None
        abstract = self.pending.abstract
        return bool(abstract) and len(self.held.text) > _SWAPPED_RATIO * len(abstract)

    def resync(self) -> None:
        """Drop the pending paper as abstract-less; its "abstract" and the held line become the
        next paper's title and abstract."""
        assert self.pending is not None and self.held is not None
        title, line = self.pending.abstract, self.pending.abstract_line
        self.pending.abstract = ""
        self.pending.abstract_line = 0
        self.finish()
        held, self.held = self.held, None
        self.pending = _Pending(title, line, held.text, held.number)
        self.state = _AFTER_ABSTRACT

    def on_dot_next(self, line: Line) -> None:
        text = line.text
        if text == DOT:
            self.meta_line = line.number
            self.state = _DATE_NEXT
            return
        raw = parse_date(text)
        if raw is not None:  # authors then date, "·" lost: keep both
            self.set_date(line.number, raw)
            self.finish()
            return
        self.warn(
            self.meta_line, "author line not followed by '·' and a date; no date for this paper"
        )
        self.finish()
        self.on_title(line)

    def on_date_next(self, line: Line) -> None:
        text = line.text
        raw = parse_date(text)
        if raw is not None:
            self.set_date(line.number, raw)
            self.finish()
        elif looks_like_date(text) or not line.blank_before:
            # Date-shaped, or right under the "·" where titles never are (a blank line precedes
            # every title): a broken date line, not the next paper.
            self.warn(line.number, f"unrecognised date {text!r}; ignored")
            self.finish()
        else:
            self.warn(self.meta_line, "'·' not followed by a date; no date for this paper")
            self.finish()
            self.on_title(line)

    def set_date(self, lineno: int, raw: RawDate) -> None:
        """A card's date: its comment count, and the date unless it cannot exist."""
        if self.pending is None:
            return
        self.pending.comments = raw.comments
        if raw.year is not None and not Dated.valid(raw.year, raw.month, raw.day):
            self.warn(lineno, f"invalid date {raw.year}-{raw.month:02d}-{raw.day:02d}; ignored")
            return
        self.pending.date = raw
        self.pending.date_line = lineno

    def boundary(self) -> None:
        """A new card starts (or the content ends): complete whatever the last card left."""
        if self.state == _CANDIDATE:
            assert self.held is not None
            if len(self.held.text) > MAX_TITLE_LEN and self.abstract_was_title():
                self.resync()  # the last paper's abstract line was lost
            else:
                self.finish()
                self.start_held()
        elif self.state == _DATE_NEXT:
            self.warn(self.meta_line, "'·' not followed by a date; no date for this paper")
        elif self.state == _DOT_NEXT:
            self.warn(self.meta_line, "author line not followed by '·' and a date; no date")
        if self.state not in (_HEADER, _SUBMITTER):
            self.finish()

    def finish(self) -> None:
        """Complete the pending paper (if any) and expect a title next."""
        pending, self.pending = self.pending, None
        self.state = _TITLE
        if pending is None:
            return
        if not pending.title:
            self.warn(pending.line, "title empty after removing control characters; skipped")
            return
        summary = None
        abstract = pending.abstract
        if self.kind == "trending" and abstract and reads_like_ai_summary(abstract):
            summary, abstract = abstract, ""
        if not abstract and summary is None:
            if pending.abstract_line:
                problem = "empty abstract (only control characters)"
            else:
                problem = "title without an abstract"
            self.warn(pending.line, f"{problem}: {_short(pending.title)}; skipped")
            return
        paper = Paper(
            title=pending.title,
            abstract=abstract,
            authors=pending.authors,
            org=pending.org,
            org_handle=pending.org_handle,
            upvotes=pending.upvotes,
            links=list(dict.fromkeys([*extract_links(abstract or summary or ""), *pending.code])),
            sources=[self.source],
            line=pending.line,
            comments=pending.comments,
            github_stars=pending.github_stars,
            arxiv_id=pending.ids[0] if pending.ids else None,
            summary=summary,
            submitted_by=pending.submitted_by,
            page_kinds={self.source: self.kind},
        )
        self.last = paper
        self.done.append(Dated(paper, pending.date, pending.date_line))

    def end(self) -> None:
        """Handle end of input in whatever state the last block left."""
        self.boundary()
        self.finish()
