"""Terminal-browser dumps (`lynx -dump`, `w3m -dump`) -> logical lines.

Real example: ../shared/fixtures/pages/search-lynx-dump.txt (text wrapped at 120 columns, links
as `[text][12]` references, a capture tool's header and a "```text" fence). Plain `lynx -dump`
writes `[12]text` with a numbered `References` list at the end (`   12. https://…`), `w3m -dump`
the same with `[12] https://…` (or no numbers at all). The list gives the links' targets, and so
the arXiv ids.

Wrapped text is joined back with one space: a line is a wrapped one when the next line, at the
same indentation, starts with a word that would not have fitted after it within the page's
width. Neither browser breaks lines at
hyphens (checked on real lynx 2.9 and w3m 0.5.3 output); a word longer than the width is cut
(lynx at the width, w3m after a "/"): two pieces that make a URL longer than the width join
without a space.
"""

from __future__ import annotations

import re

from paperbrowse.pages.content import content_start, skip_to_content
from paperbrowse.pages.inline import NO_ESCAPES, Unit, logical_line
from paperbrowse.pages.lines import Line, raw_lines
from paperbrowse.pages.urls import hf_name_of
from paperbrowse.text import clean_line

_REFERENCE_STYLE = re.compile(r"\]\[\d{1,5}\]")
_DEFINITION = re.compile(r"\[(\d{1,5})\]:\s*(\S+)")
_REFERENCES_HEAD = re.compile(r"References:?")
_NUMBERED_REF = re.compile(r"(?:(\d{1,5})\.|\[(\d{1,5})\])\s+(\S+)")
_MARKER = re.compile(r"\[(\d{1,5})\]")
_HEADING_LINE = re.compile(r"#{1,6}\s")
_BULLET = re.compile(r"[*•+-] ")
_URLISH = re.compile(r"[/.#?=&%~_-]")
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+$")


def _indent(line: str) -> int:
    """How far a line is indented: lynx indents paragraphs by 3, list items by 5."""
    return len(line) - len(line.lstrip(" "))


_LONG_TOKEN = 40  # a line with a token this long may overflow the width (URLs)
# Lines a wrapped paragraph never continues into: a heading, a block link's `[` or `][12]`,
# a lynx/w3m link number alone ("[6]"), a fence. A bullet or a bracket inside the text may start
# a wrapped line (the previous one was full), so those do not count.
_STRUCTURAL = re.compile(r"#{1,6}\s|\[$|\]\[\d{1,5}\]|\[\d{1,5}\]$|```")


def estimate_widths(raw: list[str], *, overflow: bool) -> dict[int, int]:
    """The width the dump was wrapped at, for each indentation (lynx wraps its indented
    paragraphs narrower than its headings): the longest line at that indentation, leaving out
    (with `overflow`, w3m) lines with a word too long to wrap, which overflow the width."""
    widths: dict[int, int] = {}
    for line in raw:
        stripped = line.rstrip()
        indent = _indent(stripped)
        if len(stripped) > widths.get(indent, 0) and " " in stripped[indent:]:
            if overflow and max(len(token) for token in stripped.split()) >= _LONG_TOKEN:
                continue
            widths[indent] = len(stripped)
    return widths


def _join(prev_raw: str, text: str, nxt: str, width: int, w3m: bool) -> str:
    """`text` (the joined line so far) and the next wrapped piece `nxt`: one space, unless the
    browser broke a word. lynx (and the real capture's tool) cut a URL longer than the line at
    the line's full width. w3m also breaks a word right after a "/" or "\\" (`rotating/`
    `moving`), before a "/", and a TeX command before its "{" (`\\textsc` `{AIEV}`)."""
    last = text.rsplit(" ", 1)[-1]
    first = nxt.split(" ", 1)[0]
    if (
        "://" in last
        and len(prev_raw.rstrip()) >= width - 1
        and len(last) + len(first) > width - _indent(prev_raw)
    ):
        return text + nxt
    if w3m and (
        last.endswith("\\")
        or (len(last) > 1 and last.endswith("/"))
        or (first.startswith("/") and len(first) > 1)
        or (first.startswith("{") and _TEX_COMMAND.search(last))
    ):
        return text + nxt
    return f"{text} {nxt}"


def is_w3m(raw: list[str]) -> bool:
    """True for a w3m dump: its text starts at the first column, where lynx indents its
    paragraphs by three spaces."""
    lines = [line for line in raw[:2000] if line.strip()]
    indented = sum(1 for line in lines if line.startswith("  "))
    return indented * 2 < len(lines)


def unwrap(raw: list[str], *, w3m: bool = False) -> list[tuple[str, int]]:
    """Join wrapped lines: [(cleaned text or "" for a blank line, first 1-based line number)].
    `w3m` for a w3m dump, which also breaks lines inside URLs and TeX commands."""
    widths = estimate_widths(raw, overflow=w3m)
    widest = max(widths.values(), default=80)
    cleaned = [clean_line(line) for line in raw]
    result: list[tuple[str, int]] = []
    i = 0
    count = len(raw)
    while i < count:
        text = cleaned[i]
        start = i
        if text and not _HEADING_LINE.match(text):
            indent = _indent(raw[i])
            width = widths.get(indent, widest)
            if _BULLET.match(text):
                indent += 2  # a list item's wrapped lines hang under its text
            while i + 1 < count:
                nxt = cleaned[i + 1]
                if not nxt or _STRUCTURAL.match(nxt) or _indent(raw[i + 1]) != indent:
                    break
                first_word = nxt.split(" ", 1)[0]
                if len(raw[i].rstrip()) + 1 + len(first_word) <= width:
                    break
                text = _join(raw[i], text, nxt, width, w3m)
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


_CLOSE = re.compile(r"\]\[(\d{1,5})\]")
_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_LINK_SPAN = 200  # lines a block link may run over (an abstract wrapped at 40 columns)
_TITLE_SPAN = 6  # heading lines a wrapped title may run over


def _whole_link(text: str) -> tuple[str, str] | None:
    """(text, number) when the whole line is one reference link `[text][12]`."""
    if not text.startswith("[") or not text.endswith("]"):
        return None
    closes = list(_CLOSE.finditer(text))
    if len(closes) != 1 or closes[0].end() != len(text):
        return None
    return text[1 : closes[0].start()], closes[0].group(1)


def _block_end(joined: list[tuple[str, int]], start: int) -> tuple[int, str] | None:
    """Where the block link opened by a lone `[` before `start` closes (`][12]`), and its
    number; None when no closing line comes within _LINK_SPAN lines or another block opens."""
    for j in range(start, min(len(joined), start + _LINK_SPAN)):
        piece = joined[j][0]
        if piece == "[":
            return None
        found = _CLOSE.fullmatch(piece)
        if found:
            return j, found.group(1)
    return None


def _reference_units(
    joined: list[tuple[str, int]],
) -> list[tuple[str, int, bool, str | None, int]]:
    """Units of a dump written with reference links, found by its layout: a block link is a
    line `[`, its text, and a line `][12]`; a wrapped title repeats its `###` on every line.
    Brackets inside the text are not counted (the real dump does not escape them).
    Returns (text, line number, blank before, link number or None, heading level)."""
    units: list[tuple[str, int, bool, str | None, int]] = []
    i = 0
    blank = False
    while i < len(joined):
        text, number = joined[i]
        i += 1
        if not text:
            blank = True
            continue
        if text == "[":
            closing = _block_end(joined, i)
            if closing is not None:
                end, link = closing
                inner = " ".join(piece for piece, _ in joined[i:end] if piece)
                units.append((inner, number, blank, link, 0))
                i = end + 1
            blank = False
            continue  # a lone "[" that closes nowhere is junk (a truncated capture)
        heading = _HEADING.fullmatch(text)
        level = 0
        if heading:
            # A wrapped heading repeats its "#"s on every line: the lines right below with the
            # same marks continue it (up to the closing `][12]` of a title link).
            level = len(heading.group(1))
            pieces = [heading.group(2)]
            while i < len(joined) and len(pieces) < _TITLE_SPAN and not _CLOSE.search(pieces[-1]):
                more = _HEADING.fullmatch(joined[i][0])
                if not more or len(more.group(1)) != level:
                    break
                pieces.append(more.group(2))
                i += 1
            text = " ".join(pieces)
        whole = _whole_link(text)
        if whole:
            units.append((whole[0], number, blank, whole[1], level))
        else:
            units.append((text, number, blank, None, level))
        blank = False
    return units


def _link_numbers(piece: str, targets: dict[str, str]) -> tuple[str, list[str]]:
    """A lynx/w3m line without its link numbers, and their targets. "[12]" is a link number
    only when the list has it and link text follows (or nothing: a block link; or, at the start
    of a line, a space: w3m leaves out a link's image); a citation ("[23],", "[2022] showed",
    "[4].") stays text."""
    links: list[str] = []

    def marker(found: re.Match[str]) -> str:
        number, after = found.group(1), found.string[found.end() : found.end() + 1]
        # w3m writes "[8] Microsoft" where a link began with an image it leaves out.
        first = found.start() == 0 and after == " "
        if number in targets and (
            first or not after or not (after.isspace() or after in ",.;:)]}")
        ):
            links.append(targets[number])
            return ""
        return found.group(0)

    return _MARKER.sub(marker, piece).strip(), links


def _bracket_alt(piece: str, links: list[str]) -> str:
    """lynx writes a linked avatar's alt text (the organisation's handle) before the name:
    `microsoft Microsoft Research` -> `[microsoft] Microsoft Research`, as the other captures
    write it. (w3m leaves the image out: its line is the name alone.)"""
    for url in links:
        handle = hf_name_of(url)
        if handle and piece.startswith(handle + " "):
            return f"[{handle}] {piece[len(handle) + 1 :]}"
    return piece


def terminal_lines(text: str) -> list[Line]:
    """A terminal dump's logical lines, from the page chrome on."""
    raw = raw_lines(text)
    targets, end = _references(raw)
    # The site menu and the tool's header come before the chrome: not read at all.
    start = content_start([line.strip() for line in raw[: min(end, 400)]])
    references = len(_REFERENCE_STYLE.findall(text, 0, 200_000)) >= 3
    w3m = not references and is_w3m(raw[start:end])
    joined = [(piece, number + start) for piece, number in unwrap(raw[start:end], w3m=w3m)]
    result: list[Line] = []
    if references:
        for piece, number, blank, link, level in _reference_units(joined):
            if link is None:
                line = logical_line(Unit(piece, number, blank), targets, NO_ESCAPES)
            else:
                inner = clean_line(" ".join(piece.split()))
                target = targets.get(link, "")
                found = (target,) if target.startswith(("http://", "https://")) else ()
                line = Line(inner, number, blank, False, found, level) if inner else None
            if line is not None:
                result.append(line._replace(heading=level) if level else line)
        return skip_to_content(result)
    carried: list[str] = []  # links of a line that held only markers ("[6]")
    blank = False
    for piece, number in joined:
        if not piece:
            blank = True
            continue
        piece, links = _link_numbers(piece, targets)
        if not w3m:
            piece = _bracket_alt(piece, links)
        if piece[:2] in ("* ", "+ "):
            piece = "• " + piece[2:]  # lynx's list bullet; a lone "-" is an upvote count
        if not piece:
            carried.extend(links)
            continue
        result.append(Line(piece, number, blank, False, tuple(carried + links)))
        carried = []
        blank = False
    return skip_to_content(result)
