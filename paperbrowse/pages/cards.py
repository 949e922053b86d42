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

from collections.abc import Iterable

from paperbrowse.models import Paper
from paperbrowse.pages import chrome
from paperbrowse.pages.draft import Draft, press_finished, reads_like_prose, short
from paperbrowse.pages.fields import (
    DOT,
    RawDate,
    parse_authors,
    parse_date,
    parse_submitted,
    parse_trailer,
    parse_upvote_count,
    split_org_date,
)
from paperbrowse.pages.lines import Line
from paperbrowse.pages.metadata import (
    ABSTRACT,
    AFTER_ABSTRACT,
    CANDIDATE,
    DATE_NEXT,
    DOT_NEXT,
    HEADER,
    MAX_TITLE_LEN,
    SUBMITTER,
    TITLE,
    MetadataStates,
)
from paperbrowse.pages.results import ParseWarning
from paperbrowse.pages.years import Dated

_TRAILER_FIRST = frozenset("UGAVPa")  # first letters of the button lines (see fields.parse_trailer)

# Where an upvote count (a line of digits or "-") starts the next card.
_CARD_START_STATES = frozenset({HEADER, TITLE, ABSTRACT, AFTER_ABSTRACT, CANDIDATE})
_HANDLERS = {
    HEADER: "on_header",
    TITLE: "on_title",
    ABSTRACT: "on_abstract",
    AFTER_ABSTRACT: "on_after_abstract",
    CANDIDATE: "on_candidate",
    DOT_NEXT: "on_dot_next",
    DATE_NEXT: "on_date_next",
    SUBMITTER: "on_submitter",
}


class CardParser(MetadataStates):
    """Feed it logical lines; collect `papers` (with their raw dates) and `warnings`."""

    def __init__(self, source: str, label: str, kind: str, syntax: str = "select-all") -> None:
        self.source = source
        self.label = label  # file name in warnings: the path the user gave, when known
        self.kind = kind
        # A select-all copy writes an avatar's alt text (the handle) before an organisation's
        # name; Markdown and terminal captures write it as an image or not at all.
        self.alt_as_text = syntax == "select-all"
        self.state = HEADER
        self.saw_chrome = False
        self.page: RawDate | None = None
        self.period: str | None = None  # "weekly" or "monthly" when the page names its period
        self.period_year: int | None = None
        self.page_line = 0
        self.pending: Draft | None = None
        self.held: Line | None = None
        self.meta_line = 0  # the last "·" or author line, for warnings about what follows
        self.next_upvotes: int | None = None  # a list card's count, before its title
        self.next_numbers: list[str] = []  # the digit lines read as counts (one may be a title)
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
        if line.garbage or not self.special(line):
            getattr(self, _HANDLERS[self.state])(line)

    def on_submitter(self, line: Line) -> None:
        text = line.text
        if not (text.startswith("[") and text.endswith("]")):  # not an avatar's alt text
            self.next_submitter = text
            self.state = TITLE

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
            if count is not None and state in (TITLE, HEADER):
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
                    self.state = SUBMITTER
                return True
        if state in _CARD_START_STATES and (first.isdigit() or text == "-"):
            count = parse_upvote_count(text)
            if count is not None:
                self.boundary()
                self.next_upvotes = count
                self.next_numbers = [*self.next_numbers, text]
                return True
        if line.heading and state not in (HEADER, TITLE) and not chrome.is_chrome(text):
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
        if self.pending is not None and self.state not in (TITLE, HEADER):
            self.pending.press(upvotes, github_stars, links)
        elif self.last is not None:
            press_finished(self.last, upvotes, github_stars, links)

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
        self.state = TITLE
        self.on_title(line)

    def on_title(self, line: Line) -> None:
        text = line.text
        # Metadata here has no paper to belong to: report it, and let its block be consumed.
        if text == DOT:
            self.warn(line.number, "'·' outside a paper; ignored")
            self.meta_line = line.number
            self.state = DATE_NEXT
        elif parse_authors(text) is not None:
            self.warn(line.number, "author line outside a paper; ignored")
            self.meta_line = line.number
            self.state = DOT_NEXT
        elif parse_date(text) is not None or split_org_date(text) is not None:
            self.warn(line.number, "date line outside a paper; ignored")
        elif chrome.is_chrome(text) and not line.links:
            self.saw_chrome = True
        else:
            self.pending = Draft(text, line.number, upvotes=self.next_upvotes)
            self.pending.submitted_by = self.next_submitter
            self.pending.numbers, self.next_numbers = self.next_numbers, []
            self.next_upvotes = self.next_submitter = None
            self.pending.take_ids(line.links, title=True)
            self.state = ABSTRACT

    def on_abstract(self, line: Line) -> None:
        text = line.text
        # A metadata line instead of an abstract: read the block (so it is not taken for the next
        # titles) and let `finish` drop the paper with a warning (or keep a trending card).
        if text == DOT:
            self.meta_line = line.number
            self.state = DATE_NEXT
            return
        authors = parse_authors(text)
        if authors is not None:
            assert self.pending is not None
            self.pending.authors = authors  # kept if the card stands (a numeric title)
            self.meta_line = line.number
            self.state = DOT_NEXT
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
        if (
            len(title) > MAX_TITLE_LEN
            and text
            and len(text) < len(title)
            and (reads_like_prose(title) or not reads_like_prose(text))
        ):
            # A "title" too long for one and longer than the line after it: an abstract whose
            # title line was lost, unless it is not written as prose (no sentence ends in it,
            # as one does in every abstract of the HF API archive) and the line after it is.
            # Drop it, and take this line as the next title. A long real title followed by its
            # abstract stays one paper.
            self.warn(self.pending.line, f"abstract without a title: {short(title)}; skipped")
            self.pending = Draft(text, line.number)
            self.pending.take_ids(line.links, title=True)
            return
        self.pending.abstract = text
        self.pending.abstract_line = line.number
        self.pending.take_ids(line.links, title=False)
        self.state = AFTER_ABSTRACT

    def set_org(self, text: str, links: tuple[str, ...] = ()) -> None:
        """An organisation line for the card being read (see draft.organisation)."""
        assert self.pending is not None
        self.pending.set_org(text, links, self.alt_as_text)

    def boundary(self) -> None:
        """A new card starts (or the content ends): complete whatever the last card left."""
        if self.state == CANDIDATE:
            assert self.held is not None
            if len(self.held.text) > MAX_TITLE_LEN and self.abstract_was_title():
                self.resync()  # the last paper's abstract line was lost
            else:
                self.finish()
                self.start_held()
        elif self.state == DATE_NEXT:
            self.warn(self.meta_line, "'·' not followed by a date; no date for this paper")
        elif self.state == DOT_NEXT:
            self.warn(self.meta_line, "author line not followed by '·' and a date; no date")
        if self.state not in (HEADER, SUBMITTER):
            self.finish()

    def finish(self) -> None:
        """Complete the pending paper (if any) and expect a title next."""
        pending, self.pending = self.pending, None
        self.state = TITLE
        if pending is None:
            return
        paper = pending.complete(self.source, self.kind)
        if isinstance(paper, str):
            self.warn(pending.line, f"{paper}; skipped")
            return
        self.last = paper
        self.done.append(Dated(paper, pending.date, pending.date_line))

    def end(self) -> None:
        """Handle end of input in whatever state the last block left."""
        self.boundary()
        self.finish()
