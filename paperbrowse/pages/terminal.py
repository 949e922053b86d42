"""Terminal-browser dumps (`lynx -dump`, `w3m -dump`) -> logical lines.

Real example: ../shared/fixtures/pages/search-lynx-dump.txt (text wrapped at 120 columns, links
as `[text][12]` references, a capture tool's header and a "```text" fence). Plain `lynx -dump`
writes `[12]text` with a numbered `References` list at the end (`   12. https://…`), `w3m -dump`
the same with `[12] https://…` (or no numbers at all). The list gives the links' targets, and so
the arXiv ids.

Wrapped text is joined back with one space: a line is a wrapped one when the next line's first
word would not have fitted after it within the page's width. Neither browser breaks lines at
hyphens (checked on real lynx 2.9 and w3m 0.5.3 output); a word longer than the width is cut
(lynx, at the width) or broken after a "/" (w3m, in URLs): those pieces join without a space.
"""

from __future__ import annotations

import re

from paperbrowse.pages.content import skip_to_content
from paperbrowse.pages.inline import BRACKET_ESCAPES, NO_ESCAPES, Unit, logical_line, units
from paperbrowse.pages.lines import Line, raw_lines
from paperbrowse.text import clean_line

_REFERENCE_STYLE = re.compile(r"\]\[\d{1,5}\]")
_DEFINITION = re.compile(r"\[(\d{1,5})\]:\s*(\S+)")
_REFERENCES_HEAD = re.compile(r"References:?")
_NUMBERED_REF = re.compile(r"(?:(\d{1,5})\.|\[(\d{1,5})\])\s+(\S+)")
_MARKER = re.compile(r"\[(\d{1,5})\]")
_LONG_TOKEN = 40  # a line with a token this long may overflow the width (URLs)
_BULLET = re.compile(r"[*•+-] ")


def estimate_width(raw: list[str]) -> int:
    """The width the dump was wrapped at: the longest line made of ordinary words (a line
    holding a long URL may overflow it)."""
    width = 0
    for line in raw:
        stripped = line.rstrip()
        if (
            len(stripped) > width
            and " " in stripped.strip()
            and max(len(token) for token in stripped.split()) < _LONG_TOKEN
        ):
            width = len(stripped)
    return width or 80


def _join(prev_raw: str, text: str, nxt: str, width: int) -> str:
    """`text` (the joined line so far) and the next wrapped piece `nxt`."""
    last = text.rsplit(" ", 1)[-1]
    if "://" in last and (
        last.endswith("/") or len(prev_raw.rstrip()) >= width
    ):
        return text + nxt  # a long URL cut by the browser
    return f"{text} {nxt}"


def unwrap(raw: list[str]) -> list[tuple[str, int]]:
    """Join wrapped lines: [(cleaned text or "" for a blank line, first 1-based line number)]."""
    width = estimate_width(raw)
    cleaned = [clean_line(line) for line in raw]
    result: list[tuple[str, int]] = []
    i = 0
    count = len(raw)
    while i < count:
        text = cleaned[i]
        start = i
        if text and not text.startswith("#"):
            while i + 1 < count:
                nxt = cleaned[i + 1]
                if not nxt or nxt.startswith(("#", "[", "]")) or _BULLET.match(nxt):
                    break
                first_word = nxt.split(" ", 1)[0]
                if len(raw[i].rstrip()) + 1 + len(first_word) <= width:
                    break
                text = _join(raw[i], text, nxt, width)
                i += 1
        result.append((text, start + 1))
        i += 1
    return result


def _references(raw: list[str]) -> tuple[dict[str, str], int]:
    """Link targets by number, and where the reference list starts (len(raw) if none)."""
    targets: dict[str, str] = {}
    end = len(raw)
    for i in range(len(raw) - 1, -1, -1):
        if _REFERENCES_HEAD.fullmatch(raw[i].strip()):
            end = i
            break
    for line in raw[end:]:
        found = _NUMBERED_REF.fullmatch(line.strip())
        if found:
            targets[found.group(1) or found.group(2)] = found.group(3)
    for i, line in enumerate(raw[:end]):
        stripped = line.strip()
        if stripped.startswith("[") and "]:" in stripped:
            found = _DEFINITION.fullmatch(stripped)
            if found:
                targets[found.group(1)] = found.group(2)
                raw[i] = ""
    return targets, end


def terminal_lines(text: str) -> list[Line]:
    """A terminal dump's logical lines, from the page chrome on."""
    raw = raw_lines(text)
    targets, end = _references(raw)
    joined = unwrap(raw[:end])
    result: list[Line] = []
    if len(_REFERENCE_STYLE.findall(text, 0, 200_000)) >= 3:
        pieces = [piece for piece, _ in joined]
        numbers = [number for _, number in joined]
        for unit in units(pieces, first=1, soft_breaks=False, escapes=BRACKET_ESCAPES):
            index = unit.number - 1
            unit = Unit(unit.text, numbers[index], unit.blank_before)
            line = logical_line(unit, targets, BRACKET_ESCAPES)
            if line is not None:
                result.append(line)
        return skip_to_content(result)
    carried: list[str] = []  # links of a line that held only markers ("[6]")
    blank = False
    for piece, number in joined:
        if not piece:
            blank = True
            continue
        links = [targets[m] for m in _MARKER.findall(piece) if m in targets]
        piece = _MARKER.sub("", piece).strip()
        line = logical_line(Unit(piece, number, blank), {}, NO_ESCAPES) if piece else None
        if line is None:
            carried.extend(links)
            continue
        result.append(line._replace(links=tuple(carried + links + list(line.links))))
        carried = []
        blank = False
    return skip_to_content(result)
