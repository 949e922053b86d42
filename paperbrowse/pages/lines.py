"""Lines of a capture: physical lines cleaned of control characters, and the logical lines each
capture syntax is turned into before the card grammar reads them.

Line ends are LF, CRLF or a lone CR. Not `str.splitlines`: it also breaks at form feeds, NEL and
U+2028, which would shift line numbers and split titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from paperbrowse.text import clean_line

# A control character other than tab, LF, FF and CR: a line that held one but cleans to nothing
# was content, not a blank separator.
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


class Line(NamedTuple):
    """One logical line: what the card grammar reads.

    `text` is cleaned (controls out, NFC, ends trimmed) and non-empty unless `garbage` (a line
    that held only control characters: content gone empty, not a separator). `number` is the
    1-based physical line it starts on. `blank_before` says a blank line preceded it. `links` are
    the http(s) targets of the links it held (Markdown and terminal captures), in order.
    `heading` is its Markdown heading level (0 for none).
    """

    text: str
    number: int
    blank_before: bool = False
    garbage: bool = False
    links: tuple[str, ...] = ()
    heading: int = 0


def iter_physical(text: str) -> Iterator[tuple[str, bool]]:
    """Yield (cleaned line, is_garbage) for every physical line of `text`.

    `is_garbage` marks a line that held only control characters or escape sequences.
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
            # of a capture: strip() gives the same line some 20 times faster.
            if raw.isascii() and raw.isprintable():
                yield raw.strip(), False
            else:
                line = clean_line(raw)
                yield line, not line and _HAS_CONTROL.search(raw) is not None


def raw_lines(text: str) -> list[str]:
    """The physical lines of `text` uncleaned except for line ends (LF, CRLF, lone CR), so that
    syntaxes that need indentation and line width (terminal dumps) can see them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def select_all_lines(text: str) -> Iterator[Line]:
    """A select-all copy's logical lines: its non-blank physical lines as they are."""
    blank = False
    for number, (line, garbage) in enumerate(iter_physical(text), start=1):
        if line or garbage:
            yield Line(line, number, blank, garbage)
            blank = False
        else:
            blank = True
