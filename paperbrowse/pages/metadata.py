"""The metadata block of a list card, after its abstract: an author count or organisation line,
the "·" anchor, the date with its comment count (source: ../shared/README.md)::

      • 5 authors          <- or "deepseek-ai DeepSeek", or "Org · Published on Oct 4, 2026"
    ·
    May 2, 2022 7

An organisation line and the next card's title look alike: only the "·" right after tells them
apart, so the grammar holds the line until then. A lost title or abstract line shows itself in
lengths (titles are short, abstracts long), and the grammar resynchronises on it.
"""

from __future__ import annotations

from paperbrowse.pages.draft import Draft
from paperbrowse.pages.fields import (
    DOT,
    RawDate,
    looks_like_date,
    parse_authors,
    parse_date,
    split_org_date,
)
from paperbrowse.pages.lines import Line
from paperbrowse.pages.years import Dated

# States of the card grammar: what the next line is expected to be.
HEADER = "header"  # chrome and the page date
TITLE = "title"  # a paper's title
ABSTRACT = "abstract"  # the current paper's abstract
AFTER_ABSTRACT = "after-abstract"  # metadata, or the next title
CANDIDATE = "candidate"  # a line was held: an org line if "·" follows, else the next title
DOT_NEXT = "dot-next"  # after "• N authors": the "·"
DATE_NEXT = "date-next"  # after "·": the date line
SUBMITTER = "submitter"  # after "Submitted by": the user name

# Resynchronising after a lost title or abstract line. Titles are short (at most 227 characters
# in the fixtures) and abstracts long (7 times their title at least): a "title" over
# MAX_TITLE_LEN that is longer than its "abstract" is an abstract, and a held "title" three times
# the "abstract" before it means that abstract was really a title.
MAX_TITLE_LEN = 300
SWAPPED_RATIO = 3


class MetadataStates:
    """The states of the card grammar (cards.CardParser) that read a card's metadata block."""

    state: str
    pending: Draft | None
    held: Line | None
    meta_line: int
    next_upvotes: int | None
    next_numbers: list[str]

    def warn(self, line: int, message: str) -> None:
        """Record a warning (the grammar's own)."""
        raise NotImplementedError

    def finish(self) -> None:
        """Complete the pending card (the grammar's own)."""
        raise NotImplementedError

    def on_title(self, line: Line) -> None:
        """Read a title (the grammar's own)."""
        raise NotImplementedError

    def on_abstract(self, line: Line) -> None:
        """Read an abstract (the grammar's own)."""
        raise NotImplementedError

    def set_org(self, text: str, links: tuple[str, ...] = ()) -> None:
        """Set the pending card's organisation (the grammar's own)."""
        raise NotImplementedError

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

    def on_after_abstract(self, line: Line) -> None:
        assert self.pending is not None
        text = line.text
        if text == DOT:  # "·" with no author line: tolerated
            self.meta_line = line.number
            self.state = DATE_NEXT
            return
        authors = parse_authors(text)
        if authors is not None:
            self.pending.authors = authors
            self.meta_line = line.number  # where a missing "·" would be reported
            self.state = DOT_NEXT
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
            self.state = DATE_NEXT
            return
        # An org line and a title look alike; only the "·" right after tells them apart.
        self.held = line
        self.state = CANDIDATE

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
                self.state = DATE_NEXT
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
        self.pending = Draft(held.text, held.number, upvotes=self.next_upvotes)
        self.pending.numbers, self.next_numbers = self.next_numbers, []
        self.next_upvotes = None
        self.pending.take_ids(held.links, title=True)
        self.state = ABSTRACT

    def abstract_was_title(self) -> bool:
        """True when the held line is several times longer than the pending paper's abstract:
        that "abstract" reads like a title, and the held line like its abstract."""
        assert self.pending is not None and self.held is not None
        abstract = self.pending.abstract
        return bool(abstract) and len(self.held.text) > SWAPPED_RATIO * len(abstract)

    def resync(self) -> None:
        """Drop the pending paper as abstract-less; its "abstract" and the held line become the
        next paper's title and abstract."""
        assert self.pending is not None and self.held is not None
        title, line = self.pending.abstract, self.pending.abstract_line
        self.pending.abstract = ""
        self.pending.abstract_line = 0
        self.finish()
        held, self.held = self.held, None
        self.pending = Draft(title, line, held.text, held.number)
        self.state = AFTER_ABSTRACT

    def on_dot_next(self, line: Line) -> None:
        text = line.text
        if text == DOT:
            self.meta_line = line.number
            self.state = DATE_NEXT
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
