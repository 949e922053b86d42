"""Text dumps of Hugging Face "Daily Papers" pages -> `Paper` records.

A dump is page chrome, the page date ("Nov 13"), then one block per paper::

    <title>

    <abstract>

      • 5 authors          <- or an organisation line "deepseek-ai DeepSeek", or nothing
    ·                      <- the anchor of the metadata block
    May 2, 2022            <- "Jun 10 9": no year (the page's own year), 9 upvotes

The parser is a line-driven state machine. It never raises on a malformed block: the block gets a
`ParseWarning` naming file and line and is skipped, or its metadata ignored. Only `parse_file` and
`decode_dump` refuse whole files, with a `DumpError`. No I/O outside `parse_file`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from paperbrowse.models import Paper
from paperbrowse.text import clean_line

__all__ = [
    "DumpError",
    "ParseResult",
    "ParseWarning",
    "decode_dump",
    "extract_links",
    "parse_file",
    "parse_text",
]


@dataclass(frozen=True)
class ParseWarning:
    """A problem in one line of a dump that did not stop the parse."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DumpError(Exception):
    """A whole file refused (unreadable, binary, empty); str() is one line naming the file."""


@dataclass
class ParseResult:
    """What one dump yielded."""

    source: str  # file name (basename) used in Paper.sources
    papers: list[Paper]
    warnings: list[ParseWarning] = field(default_factory=list)
    page_date: date | None = None
    encoding: str = "utf-8"  # "utf-8", "utf-16" or the legacy fallback "cp1252"


# --- decoding ---------------------------------------------------------------------------------

_SNIFF_BYTES = 8192
# Control bytes that never occur in a text dump (tab, LF, FF, CR excluded; ESC included: a few
# escape sequences are plausible in a hostile dump, a third of the bytes is not).
_BINARY_CONTROLS = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) | {0x7F}
_BINARY_SHARE = 0.30
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# cp1252 leaves five bytes undefined; read those as latin-1 (a C1 control that clean_line later
# drops) instead of failing, so decoding a legacy file can never raise.
_CP1252_TABLE = {
    b: bytes([b]).decode("cp1252", errors="strict")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _binary_error(source: str) -> DumpError:
    return DumpError(f"{source}: not a text dump (binary data)")


def decode_dump(data: bytes, source: str) -> tuple[str, str, list[ParseWarning]]:
    """Decode a dump's bytes into (text, encoding, warnings).

    UTF-8 with or without BOM. A UTF-16 file with a BOM (Windows Notepad's "Unicode") is read as
    UTF-16. Binary data (NUL bytes, or a high share of control bytes in the first 8 KiB) raises
    `DumpError`. A UTF-8 file with a few invalid bytes (more valid non-ASCII characters than
    invalid sequences: a stray byte, a file cut inside a character) stays UTF-8 with the invalid
    sequences replaced by U+FFFD; otherwise invalid UTF-8 is read as Windows-1252 (latin-1 for its
    five undefined bytes). Either way a warning names the line of the first invalid byte.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise _binary_error(source) from None
    if b"\x00" in data:
        raise _binary_error(source)
    sample = data[:_SNIFF_BYTES]
    if sample:
        controls = sum(1 for b in sample if b in _BINARY_CONTROLS)
        if controls / len(sample) > _BINARY_SHARE:
            raise _binary_error(source)
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # a BOM, then bad bytes
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid  # non-ASCII characters
    if valid > invalid:
        # Mostly UTF-8: reading it all as Windows-1252 would garble every "·" and "•" on the page
        # (metadata lines would become titles) for the sake of a few damaged bytes.
        bad = f"{invalid} invalid byte sequence" + ("s" if invalid != 1 else "")
        message = f"not valid UTF-8 ({bad}); replaced with U+FFFD"
        return text, "utf-8", [ParseWarning(source, line, message)]
    text = body.decode("latin-1").translate(_CP1252_TABLE)
    warning = ParseWarning(source, line, "not valid UTF-8; read as Windows-1252")
    return text, "cp1252", [warning]


# --- line classification ----------------------------------------------------------------------

_CHROME = frozenset(
    s.casefold()
    for s in (
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    )
)
_DOT = "·"
# Resynchronising after a lost title or abstract line. Titles are short (at most 227 characters
# in the fixtures) and abstracts long (7 times their title at least): a "title" over
# _MAX_TITLE_LEN that is longer than its "abstract" is an abstract, and a held "title" three times
# the "abstract" before it means that abstract was really a title.
_MAX_TITLE_LEN = 300
_SWAPPED_RATIO = 3
_MONTHS = (
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
# Longest possible date line is "September 30, 2024 123456789" (28 chars); checking the length
# first keeps the regexes off the long abstract lines altogether.
_MAX_DATE_LEN = 40
# "May 2, 2022", "Jun 10 9" (9 upvotes), "Oct 3, 2024 2". A year needs its comma: a bare trailing
# number is the upvote count.
_DATE = re.compile(r"([A-Za-z]{3,9})\.? +(\d{1,2})(?:, *(\d{4}))?(?: +(\d{1,9}))?")
# Anything shaped roughly like a date, so a bad one ("Feb 30", "Foo 3, 2024") is reported as a
# bad date rather than taken for the next paper's title.
_DATEISH = re.compile(r"[A-Za-z]{3,9}\.? +\d{1,4}(?:, *\d{1,6})?(?: +[\d.,]{1,12}[kKmM]?)?")
_AUTHORS = re.compile(r"•\s*(\d{1,9})\s+authors?", re.IGNORECASE)
_PAGE_DATE = re.compile(r"([A-Za-z]{3,9})\.? +(\d{1,2})(?:, *(\d{4}))?")

# After its scheme, a URL runs to whitespace or to a character that cannot appear unescaped in
# one (quotes, angle and curly brackets: LaTeX `\url{...}`); trailing punctuation is trimmed later.
_URL_TAIL = re.compile(r"[^\s<>\"{}|\\^`\u201c\u201d\u2018\u2019\u00ab\u00bb]+")
_TRAILING_PUNCT = frozenset(".,;:!?")
_TRIMMABLE = _TRAILING_PUNCT | frozenset(")]'")
# "https://." trimmed to "https://" is no link: the host needs a letter or digit.
_HAS_HOST = re.compile(r"https?://[^/?#]*[^\W_]", re.I)


@dataclass(frozen=True)
class _RawDate:
    """A date as written: the year may be missing until the page's year is known."""

    month: int
    day: int
    year: int | None
    upvotes: int | None


def _month(token: str) -> int | None:
    """1-12 for a month name or an abbreviation of at least three letters ("Sept", "Jun")."""
    lowered = token.lower()
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(lowered):
            return number
    return None


def _parse_date(text: str) -> _RawDate | None:
    """A metadata date line, or None when the line is not one (day checked against 1-31 only)."""
    if len(text) > _MAX_DATE_LEN:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        return None
    month = _month(match.group(1))
    day = int(match.group(2))
    if month is None or not 1 <= day <= 31:
        return None
    year = int(match.group(3)) if match.group(3) else None
    upvotes = int(match.group(4)) if match.group(4) else None
    return _RawDate(month, day, year, upvotes)


def _looks_like_date(text: str) -> bool:
    return len(text) <= _MAX_DATE_LEN and _DATEISH.fullmatch(text) is not None


def _parse_authors(text: str) -> int | None:
    if not text.startswith("•") or len(text) > _MAX_DATE_LEN:
        return None
    match = _AUTHORS.fullmatch(text)
    return int(match.group(1)) if match else None


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets or quotes from a URL's end.

    Counts are kept incrementally so a pathological URL ending in a million `)` stays linear.
    """
    if url[-1] not in _TRIMMABLE:  # the usual case: nothing to count
        return url
    opens = {")": url.count("("), "]": url.count("[")}
    closes = {")": url.count(")"), "]": url.count("]")}
    quotes = url.count("'")
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING_PUNCT:
            end -= 1
        elif ch in closes and closes[ch] > opens[ch]:
            closes[ch] -= 1
            end -= 1
        elif ch == "'" and quotes % 2:
            quotes -= 1
            end -= 1
        else:
            break
    return url[:end]


def extract_links(text: str) -> list[str]:
    """The http(s) URLs in a text, in order, deduplicated, without trailing punctuation."""
    # Jump from "://" to "://" (a fast substring search) rather than run a case-insensitive
    # regex over every character of every abstract.
    links: dict[str, None] = {}
    pos = text.find("://")
    while pos != -1:
        scheme = text[max(0, pos - 5) : pos].lower()
        if scheme.endswith("https"):
            start = pos - 5
        elif scheme.endswith("http"):
            start = pos - 4
        else:
            start = -1
        before = text[start - 1] if start > 0 else " "
        tail = _URL_TAIL.match(text, pos + 3) if start >= 0 else None
        if tail is None or before.isalnum() or before == "_":
            pos = text.find("://", pos + 3)
            continue
        url = _trim_url(text[start : tail.end()])
        if _HAS_HOST.match(url):
            links.setdefault(url, None)
        pos = text.find("://", tail.end())
    return list(links)


# A control character other than tab, LF, FF and CR: a line that held one but cleans to nothing
# was content, not a blank separator.
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _iter_lines(text: str) -> Iterator[tuple[str, bool]]:
    """Yield (cleaned line, is_garbage) for LF, CRLF and lone-CR line ends.

    Not `str.splitlines`: it also breaks at form feeds, NEL and U+2028, which would shift line
    numbers and split titles. `is_garbage` marks a line that held only control characters or
    escape sequences: it is content gone empty (an abstract reduced to nothing), not a separator.
    """
    start = 0
    size = len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        segment = text[start:end]
        start = end + 1
        if segment.endswith("\r"):
            segment = segment[:-1]
        pieces = segment.split("\r") if "\r" in segment else (segment,)
        for raw in pieces:
            # Printable ASCII holds nothing clean_line removes but edge spaces, and it is most
            # of a dump: strip() gives the same line some 20 times faster at 100,000 papers.
            if raw.isascii() and raw.isprintable():
                yield raw.strip(), False
            else:
                line = clean_line(raw)
                yield line, not line and _HAS_CONTROL.search(raw) is not None


# --- the state machine ------------------------------------------------------------------------

# States: what the next non-blank line is expected to be.
_HEADER = "header"  # chrome and the page date
_TITLE = "title"  # a paper's title
_ABSTRACT = "abstract"  # the current paper's abstract
_AFTER_ABSTRACT = "after-abstract"  # metadata, or the next title
_CANDIDATE = "candidate"  # a line was held: an org line if "·" follows, else the next title
_DOT_NEXT = "dot-next"  # after "• N authors": the "·"
_DATE_NEXT = "date-next"  # after "·": the date line


@dataclass
class _Pending:
    """The paper being read; turned into a Paper (or dropped with a warning) when complete."""

    title: str
    line: int
    abstract: str = ""
    abstract_line: int = 0
    authors: int | None = None
    org: str | None = None
    org_handle: str | None = None
    upvotes: int | None = None
    date: _RawDate | None = None
    date_line: int = 0


class _Parser:
    """Feed it non-blank lines; it keeps at most one paper and one held line in memory."""

    def __init__(self, source: str, label: str) -> None:
        self.source = source
        self.label = label  # file name in warnings: the path the user gave, when known
        self.state = _HEADER
        self.saw_chrome = False
        self.page: _RawDate | None = None
        self.page_line = 0
        self.pending: _Pending | None = None
        self.held = ""
        self.held_line = 0
        self.meta_line = 0  # the last "·" or author line, for warnings about what follows
        # Papers with the raw date still to resolve once the page's year is known.
        self.done: list[tuple[Paper, _RawDate | None, int]] = []
        self.warnings: list[ParseWarning] = []

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ParseWarning(self.label, line, message))

    # Each handler takes one non-blank line; a handler that finds the line belongs to the next
    # state hands it on by calling that state's handler (never loops back).

    def feed(self, lineno: int, text: str, garbage: bool, after_blank: bool) -> None:
        """Take one non-blank (or garbage) line; `after_blank` says a blank line preceded it."""
        if self.state == _HEADER:
            self.on_header(lineno, text, garbage)
        elif self.state == _TITLE:
            self.on_title(lineno, text)
        elif self.state == _ABSTRACT:
            self.on_abstract(lineno, text, garbage)
        elif self.state == _AFTER_ABSTRACT:
            self.on_after_abstract(lineno, text)
        elif self.state == _CANDIDATE:
            self.on_candidate(lineno, text, garbage, after_blank)
        elif self.state == _DOT_NEXT:
            self.on_dot_next(lineno, text)
        else:
            self.on_date_next(lineno, text, after_blank)

    def on_header(self, lineno: int, text: str, garbage: bool) -> None:
        if text.casefold() in _CHROME:
            self.saw_chrome = True
            return
        if self.page is None and not garbage and len(text) <= _MAX_DATE_LEN:
            match = _PAGE_DATE.fullmatch(text)
            month = _month(match.group(1)) if match else None
            if match and month is not None and 1 <= int(match.group(2)) <= 31:
                year = int(match.group(3)) if match.group(3) else None
                self.page = _RawDate(month, int(match.group(2)), year, None)
                self.page_line = lineno
                return
        self.state = _TITLE
        self.on_title(lineno, text)

    def on_title(self, lineno: int, text: str) -> None:
        # Metadata here has no paper to belong to: report it, and let its block be consumed.
        if text == _DOT:
            self.warn(lineno, "'·' outside a paper; ignored")
            self.pending = None
            self.meta_line = lineno
            self.state = _DATE_NEXT
        elif _parse_authors(text) is not None:
            self.warn(lineno, "author line outside a paper; ignored")
            self.pending = None
            self.meta_line = lineno
            self.state = _DOT_NEXT
        elif _parse_date(text) is not None:
            self.warn(lineno, "date line outside a paper; ignored")
        else:
            self.pending = _Pending(text, lineno)
            self.state = _ABSTRACT

    def on_abstract(self, lineno: int, text: str, garbage: bool) -> None:
        # A metadata line instead of an abstract: read the block (so it is not taken for the next
        # titles) and let `finish` drop the paper with a warning.
        if text == _DOT:
            self.meta_line = lineno
            self.state = _DATE_NEXT
            return
        if _parse_authors(text) is not None:
            self.meta_line = lineno
            self.state = _DOT_NEXT
            return
        if not garbage and _parse_date(text) is not None:
            self.finish()
            return
        assert self.pending is not None
        title = self.pending.title
        if len(title) > _MAX_TITLE_LEN and text and len(text) < len(title):
            # A "title" too long for one and longer than its abstract is an abstract whose title
            # line was lost: drop it, and take this line as the next title.
            self.warn(
                self.pending.line,
                f"abstract without a title: {_short(self.pending.title)}; skipped",
            )
            self.pending = _Pending(text, lineno)
            return
        self.pending.abstract = text
        self.pending.abstract_line = lineno
        self.state = _AFTER_ABSTRACT

    def on_after_abstract(self, lineno: int, text: str) -> None:
        assert self.pending is not None
        if text == _DOT:  # "·" with no author line: tolerated
            self.meta_line = lineno
            self.state = _DATE_NEXT
            return
        authors = _parse_authors(text)
        if authors is not None:
            self.pending.authors = authors
            self.meta_line = lineno  # where a missing "·" would be reported
            self.state = _DOT_NEXT
            return
        raw = _parse_date(text)
        if raw is not None:  # a date without its "·": still clearly this paper's
            self.set_date(lineno, raw)
            self.finish()
            return
        # An org line and a title look alike; only the "·" right after tells them apart.
        self.held = text
        self.held_line = lineno
        self.state = _CANDIDATE

    def on_candidate(self, lineno: int, text: str, garbage: bool, after_blank: bool) -> None:
        assert self.pending is not None
        raw = None if garbage else _parse_date(text)
        is_dot = text == _DOT
        # Metadata after the held line, which is longer than the "abstract" before it: a title
        # lacked its abstract, so the "abstract" was the next title and the held line its
        # abstract. An author line never follows an org line, so it is a safe signal; a "·"
        # only when a blank line separates it from the held line (org lines sit right on it).
        metadata = (is_dot and after_blank) or _parse_authors(text) is not None
        if metadata and self.abstract_was_title():
            self.resync()
            self.on_after_abstract(lineno, text)
            return
        if is_dot or raw is not None:
            handle, _, name = self.held.partition(" ")
            name = name.strip()
            self.pending.org = name or handle or None
            self.pending.org_handle = handle if name else None
            if raw is not None:  # org line then date, "·" lost: keep both
                self.set_date(lineno, raw)
                self.finish()
            else:
                self.meta_line = lineno
                self.state = _DATE_NEXT
            return
        # A held "title" longer than the line after it, and several times longer than the
        # pending abstract: the pending paper lost its abstract line, so its "abstract" was the
        # next title and the held line that title's abstract.
        if (
            not garbage
            and len(self.held) > max(len(text), _MAX_TITLE_LEN)
            and self.abstract_was_title()
        ):
            self.resync()
            self.on_after_abstract(lineno, text)
            return
        # The held line was the next paper's title; this line is that paper's abstract.
        self.finish()
        self.pending = _Pending(self.held, self.held_line)
        self.state = _ABSTRACT
        self.on_abstract(lineno, text, garbage)

    def abstract_was_title(self) -> bool:
        """True when the held line is several times longer than the pending paper's abstract:
        that "abstract" reads like a title, and the held line like its abstract."""
        assert self.pending is not None
        abstract = self.pending.abstract
        return bool(abstract) and len(self.held) > _SWAPPED_RATIO * len(abstract)

    def resync(self) -> None:
        """Drop the pending paper as abstract-less; its "abstract" and the held line become the
        next paper's title and abstract."""
        assert self.pending is not None
        title, line = self.pending.abstract, self.pending.abstract_line
        self.pending.abstract = ""
        self.pending.abstract_line = 0
        self.finish()
        self.pending = _Pending(title, line, self.held, self.held_line)
        self.state = _AFTER_ABSTRACT

    def on_dot_next(self, lineno: int, text: str) -> None:
        if text == _DOT:
            self.meta_line = lineno
            self.state = _DATE_NEXT
            return
        raw = _parse_date(text)
        if raw is not None:  # authors then date, "·" lost: keep both
            self.set_date(lineno, raw)
            self.finish()
            return
        self.warn(
            self.meta_line, "author line not followed by '·' and a date; no date for this paper"
        )
        self.finish()
        self.on_title(lineno, text)

    def on_date_next(self, lineno: int, text: str, after_blank: bool) -> None:
        raw = _parse_date(text)
        if raw is not None:
            self.set_date(lineno, raw)
            self.finish()
        elif _looks_like_date(text) or not after_blank:
            # Date-shaped, or right under the "·" where titles never are (a blank line precedes
            # every title): a broken date line, not the next paper.
            self.warn(lineno, f"unrecognised date {text!r}; ignored")
            self.finish()
        else:
            self.warn(self.meta_line, "'·' not followed by a date; no date for this paper")
            self.finish()
            self.on_title(lineno, text)

    def set_date(self, lineno: int, raw: _RawDate) -> None:
        if self.pending is None:
            return
        self.pending.upvotes = raw.upvotes
        if raw.year is not None and not _valid(raw.year, raw.month, raw.day):
            self.warn(lineno, f"invalid date {raw.year}-{raw.month:02d}-{raw.day:02d}; ignored")
            return
        self.pending.date = raw
        self.pending.date_line = lineno

    def finish(self) -> None:
        """Complete the pending paper (if any) and expect a title next."""
        pending, self.pending = self.pending, None
        self.state = _TITLE
        if pending is None:
            return
        if not pending.title:
            self.warn(pending.line, "title empty after removing control characters; skipped")
            return
        if not pending.abstract:
            if pending.abstract_line:
                problem = "empty abstract (only control characters)"
            else:
                problem = "title without an abstract"
            self.warn(pending.line, f"{problem}: {_short(pending.title)}; skipped")
            return
        paper = Paper(
            title=pending.title,
            abstract=pending.abstract,
            authors=pending.authors,
            org=pending.org,
            org_handle=pending.org_handle,
            upvotes=pending.upvotes,
            links=extract_links(pending.abstract),
            sources=[self.source],
            line=pending.line,
        )
        self.done.append((paper, pending.date, pending.date_line))

    def end(self) -> None:
        """Handle end of input in whatever state the last block left."""
        if self.state == _CANDIDATE:
            if len(self.held) > _MAX_TITLE_LEN and self.abstract_was_title():
                self.resync()  # the last paper's abstract line was lost
            else:
                self.finish()
                self.pending = _Pending(self.held, self.held_line)
        elif self.state == _DATE_NEXT:
            self.warn(self.meta_line, "'·' not followed by a date; no date for this paper")
        elif self.state == _DOT_NEXT:
            self.warn(self.meta_line, "author line not followed by '·' and a date; no date")
        self.finish()


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _short(title: str, width: int = 60) -> str:
    return repr(title if len(title) <= width else title[: width - 1] + "…")


# --- years and the public entry points ---------------------------------------------------------

_MIN_YEAR, _MAX_YEAR = date.min.year, date.max.year
_NON_SPACE = re.compile(r"[^\s\ufeff]")


def _resolve_years(
    parser: _Parser, year: int | None, fallback_year: int | None, not_after: date | None
) -> date | None:
    """Give every paper its published date and page date once the page's year is known."""
    page = parser.page
    explicit = [raw.year for _, raw, _ in parser.done if raw is not None and raw.year is not None]
    yearless_lines = [line for _, raw, line in parser.done if raw is not None and raw.year is None]
    page_year: int | None
    if year is not None:
        page_year = year
    elif page is not None and page.year is not None:
        page_year = page.year
    elif explicit:
        # The page writes a year only for dates outside its own year, and those are earlier.
        page_year = max(explicit) + 1
    elif fallback_year is not None:
        page_year = fallback_year
        # A page is saved after it is shown: a page date later in the year than the file's
        # mtime belongs to the year before.
        if (
            not_after is not None
            and page is not None
            and (page.month, page.day) > (not_after.month, not_after.day)
        ):
            page_year -= 1
    else:
        page_year = None

    needs_year = (page is not None and page.year is None) or bool(yearless_lines)
    if page_year is not None and not _MIN_YEAR <= page_year <= _MAX_YEAR:
        parser.warn(parser.page_line or 1, f"page year {page_year} out of range; ignored")
        page_year = None
    elif page_year is None and needs_year:
        line = parser.page_line or min(yearless_lines, default=1)
        parser.warn(line, "no year on the page and none given; dates without a year left empty")

    page_date: date | None = None
    if page is not None and page_year is not None:
        try:
            page_date = date(page_year, page.month, page.day)
        except ValueError:
            shown = f"{page_year}-{page.month:02d}-{page.day:02d}"
            parser.warn(parser.page_line, f"invalid page date {shown}; ignored")
    for paper, raw, line in parser.done:
        paper.page_date = page_date
        if raw is None:
            continue
        resolved = raw.year if raw.year is not None else page_year
        if resolved is None:
            continue
        try:
            paper.published = date(resolved, raw.month, raw.day)
        except ValueError:
            parser.warn(line, f"invalid date {resolved}-{raw.month:02d}-{raw.day:02d}; ignored")
    return page_date


def _parse(
    text: str,
    source: str,
    label: str,
    year: int | None,
    fallback_year: int | None,
    not_after: date | None,
) -> tuple[ParseResult, bool]:
    """Parse text; also tell whether any page chrome was seen (parse_file refuses chrome-less
    files without papers)."""
    parser = _Parser(source, label)
    after_blank = False
    for lineno, (line, garbage) in enumerate(_iter_lines(text), start=1):
        if line or garbage:
            parser.feed(lineno, line, garbage, after_blank)
            after_blank = False
        else:
            after_blank = True
    parser.end()
    page_date = _resolve_years(parser, year, fallback_year, not_after)
    # Year problems are found after the pass; report everything in file order.
    parser.warnings.sort(key=lambda w: w.line)
    papers = [paper for paper, _, _ in parser.done]
    result = ParseResult(source, papers, parser.warnings, page_date, "utf-8")
    return result, parser.saw_chrome or parser.page is not None


_PAPER_ABSTRACT = 200  # characters: real abstracts run to several hundred


def _check_is_dump(result: ParseResult, saw_chrome: bool, shown: str) -> None:
    """Refuse text that is no Daily Papers page: no page chrome or date, and most of its
    blocks lack an abstract of a paper's length (notes, a README saved beside the dumps)."""
    if saw_chrome or not result.papers:
        return
    real = sum(1 for paper in result.papers if len(paper.abstract or "") >= _PAPER_ABSTRACT)
    if real * 2 < len(result.papers):
        raise DumpError(
            f"{shown}: not a Daily Papers dump (no page header, and {len(result.papers) - real} "
            f"of its {len(result.papers)} blocks have no abstract); skipped"
        )


def parse_text(
    text: str,
    source: str,
    *,
    year: int | None = None,
    fallback_year: int | None = None,
    refuse_prose: bool = False,
) -> ParseResult:
    """Parse a dump's text into papers, with warnings naming `source` and the line.

    `year` (the --year option) forces the page's year. Otherwise the page year is one more than
    the largest explicit year on the page; if the page has no explicit year, `fallback_year` is
    used; if that is None too, year-less dates stay None and page_date is None, with one warning.
    Never raises on malformed content: bad blocks are skipped with a warning. With
    `refuse_prose`, text that is not a dump at all (see `_check_is_dump`) raises DumpError.
    """
    result, saw_chrome = _parse(text, source, source, year, fallback_year, None)
    if refuse_prose:
        _check_is_dump(result, saw_chrome, source)
    return result


def _display(path: Path) -> str:
    """The path for a one-line message: repr() when it holds control characters."""
    shown = str(path)
    return shown if shown.isprintable() else repr(shown)


def parse_file(path: Path, *, year: int | None = None) -> ParseResult:
    """Read, decode and parse one dump file.

    Without `year`, a page with no explicit year takes its year from the file's mtime (the year
    before, when the page's month and day come later in the year than the mtime). Raises
    `DumpError`, naming the path, for unreadable, binary or empty files, for files with
    neither papers nor page chrome, and for prose (see `_check_is_dump`).
    """
    path = Path(path)
    shown = _display(path)
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DumpError(f"{shown}: {reason}") from None
    text, encoding, warnings = decode_dump(data, shown)
    if not _NON_SPACE.search(text):
        raise DumpError(f"{shown}: empty file")
    try:
        saved: date | None = date.fromtimestamp(mtime)
    except (OverflowError, OSError, ValueError):
        saved = None
    fallback_year = saved.year if saved is not None else None
    result, saw_chrome = _parse(text, path.name, shown, year, fallback_year, saved)
    if not result.papers and not saw_chrome:
        raise DumpError(f"{shown}: no papers found (not a Daily Papers dump?)")
    _check_is_dump(result, saw_chrome, shown)
    result.encoding = encoding
    result.warnings = warnings + result.warnings
    return result
