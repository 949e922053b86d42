"""Markdown-style inline syntax shared by clipper captures and terminal dumps: links (inline
`[text](url)` and reference `[text][12]`), images and their alt text, backslash escapes, and the
line prefixes of headings and list items. Turns a capture into logical `Line`s.

Everything here is linear in the input's length: one left-to-right scan with a bounded stack of
open brackets, and bounded look-ahead where a link may span blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from paperbrowse.pages.lines import Line
from paperbrowse.text import clean_line

# Image alt text a clipper writes when the page gave none ("无替代文本": "no alternative text").
_PLACEHOLDER_ALTS = frozenset(("", "无替代文本", "image", "img", "图片", "avatar", "no alt text"))
_CJK_IMAGE = re.compile(r"\[(?:图片|Image|image)[：:]\s?([^\[\]\n]{0,300})\]")
_MD_IMAGE = re.compile(
    r"!\[([^\[\]\n]{0,300})\]\(\s*[^\s()]{0,4096}(?:\s+\"[^\"\n]{0,300}\")?\s*\)"
)
_SPECIAL = re.compile(r"[\\\[\]]")
_ANY_TARGET = re.compile(r"\(\s*<?([^\s()<>]{0,4096})>?(?:\s+\"[^\"\n]{0,300}\")?\s*\)")
_REFERENCE = re.compile(r"\[(\d{1,5})\]")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MAX_DEPTH = 16  # nested brackets deeper than this are text (keeps the scan linear)
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?")
_TAGS_ONLY = re.compile(r"(?:<[^<>\n]{0,300}>\s*)+")
_FENCE = re.compile(r"(?:```|~~~)[\w-]*")
_RULE = re.compile(r"(?:-{3,}|\*{3,}|_{3,})")
_WHITESPACE = re.compile(r"\s+")
# How many physical lines a link's text may run over blank lines ("[Upvote\n\n117](...)", a
# terminal dump's abstract inside "[ ... ][33]").
_LINK_SPAN = 80


def _alt(text: str) -> str:
    text = text.strip()
    return "" if text.casefold() in _PLACEHOLDER_ALTS else f"[{text}]"


def replace_images(text: str) -> str:
    """Images become their alt text in brackets, as terminal browsers write them (`![alt](src)`,
    a clipper's `[图片：alt]`), placeholders nothing: `[[图片：kandinskylab] Kandinsky Lab](…)`
    -> `[[kandinskylab] Kandinsky Lab](…)`, whose text is `[kandinskylab] Kandinsky Lab`."""
    if "[" not in text:
        return text
    text = _CJK_IMAGE.sub(lambda m: _alt(m.group(1)), text)
    return _MD_IMAGE.sub(lambda m: _alt(m.group(1)), text)


@dataclass(frozen=True)
class Escapes:
    """What inline syntax a capture has: which backslash escapes (Markdown's: any ASCII
    punctuation, and `\\ `), and whether `[text](url)` is a link (Markdown) or literal text (a
    terminal dump prints an abstract's own "[link](url)" as it is; its links are `[text][12]`)."""

    chars: frozenset[str]
    space: bool
    inline_links: bool = True


MARKDOWN_ESCAPES = Escapes(_ASCII_PUNCT, True)
NO_ESCAPES = Escapes(frozenset(), False, inline_links=False)


def resolve_inline(
    text: str, references: dict[str, str], escapes: Escapes
) -> tuple[str, list[str]]:
    """The text with link syntax replaced by link text and escapes undone, and the http(s) link
    targets in order. Unresolved references (`[text][99]` past a truncated list) keep their
    text; brackets that make no link stay as they are."""
    out: list[str] = []
    links: list[str] = []
    stack: list[int] = []  # indexes in `out` of "[" still open
    pos = 0
    size = len(text)
    for match in _SPECIAL.finditer(text):
        at = match.start()
        if at < pos:
            continue  # inside a link target already consumed
        out.append(text[pos:at])
        char = text[at]
        pos = at + 1
        if char == "\\":
            nxt = text[at + 1 : at + 2]
            if nxt and nxt in escapes.chars:
                out.append(nxt)
                pos = at + 2
            elif nxt == " " and escapes.space:
                out.append(" ")
                pos = at + 2
            else:
                out.append("\\")
            continue
        if char == "[":
            if len(stack) < _MAX_DEPTH:
                stack.append(len(out))
            out.append("[")
            continue
        # "]": a link when a target follows and a "[" is open; else it closes plain brackets.
        if not stack or at + 1 >= size or text[at + 1] not in "([":
            if stack:
                stack.pop()
            out.append("]")
            continue
        target: str | None = None
        end = -1
        if text[at + 1] == "(":
            found = _ANY_TARGET.match(text, at + 1) if escapes.inline_links else None
            if found:
                target, end = found.group(1), found.end()
        else:
            found = _REFERENCE.match(text, at + 1)
            if found:
                target, end = references.get(found.group(1), ""), found.end()
        if target is None:
            stack.pop()
            out.append("]")
            continue
        opened = stack.pop()
        label = "".join(out[opened + 1 :])
        del out[opened:]
        out.append(_WHITESPACE.sub(" ", label).strip())
        if target.lower().startswith(("http://", "https://")):
            links.append(target)
        pos = end
    out.append(text[pos:])
    return "".join(out), links


def _depth_after(text: str, depth: int, escapes: Escapes) -> int:
    """The count of open "[" after `text`, starting from `depth` (escaped brackets do not
    count); -1 when a "]" closes the last one without a link target after it."""
    if "[" not in text and "]" not in text:
        return depth
    at = 0
    size = len(text)
    while at < size:
        char = text[at]
        at += 1
        if char == "\\" and "[" in escapes.chars:
            at += 1
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
            if depth:
                continue
            # The outer bracket closed: a link only when a target follows, which is skipped.
            target = _ANY_TARGET.match(text, at) or _REFERENCE.match(text, at)
            if target is None:
                return -1
            at = target.end()
    return depth


@dataclass
class Unit:
    """Physical lines that form one logical line: text joined with spaces, first line number,
    whether a blank line preceded it."""

    text: str
    number: int
    blank_before: bool


def units(
    lines: Sequence[str], *, first: int, soft_breaks: bool, escapes: Escapes
) -> Iterator[Unit]:
    """Group cleaned physical lines into logical units.

    A unit is one line, or (with `soft_breaks`, Markdown) a paragraph of consecutive lines; a
    block-starting line (heading, list item, fence) starts a unit of its own. A "[" left open
    continues the unit over the following lines, blank ones too, when a link target closes it
    ("](" or "][") within _LINK_SPAN lines. `first` is the 1-based number of lines[0].
    """
    i = 0
    count = len(lines)
    blank = False
    while i < count:
        line = lines[i]
        if not line:
            blank = True
            i += 1
            continue
        start = i
        parts = [line]
        depth = max(0, _depth_after(line, 0, escapes))
        block = _starts_block(line)
        i += 1
        while i < count:
            if depth:
                close = _closing_line(lines, i, depth, escapes)
                if close is None:
                    break
                parts.extend(_strip_heading(piece) for piece in lines[i : close + 1] if piece)
                i = close + 1
                depth = 0
                continue
            nxt = lines[i]
            if not soft_breaks or not nxt or block or _starts_block(nxt):
                break
            parts.append(nxt)
            depth = max(0, _depth_after(nxt, 0, escapes))
            i += 1
        yield Unit(" ".join(parts), first + start, blank)
        blank = False


def _closing_line(lines: Sequence[str], i: int, depth: int, escapes: Escapes) -> int | None:
    """The index of the line, within _LINK_SPAN lines from `i`, whose link target closes the
    `depth` open brackets; None when none does (the "[" is then text)."""
    for j in range(i, min(len(lines), i + _LINK_SPAN)):
        piece = lines[j]
        if _FENCE.fullmatch(piece):
            return None
        depth = _depth_after(piece, depth, escapes)
        if depth <= 0:
            return j if depth == 0 else None
    return None


def _starts_block(line: str) -> bool:
    first = line[:1]
    if first == "#":
        return _HEADING.fullmatch(line) is not None
    if first in "-*+" or first.isdigit():
        return _LIST_ITEM.fullmatch(line) is not None or _RULE.fullmatch(line) is not None
    if first == "<":
        return _TAGS_ONLY.fullmatch(line) is not None
    if first in "`~":
        return _FENCE.fullmatch(line) is not None
    return first == ">" or (first == "_" and _RULE.fullmatch(line) is not None)


def _strip_heading(line: str) -> str:
    """A heading's continuation inside a link keeps only its text (`### Approaches][106]`)."""
    if line.startswith("#"):
        found = _HEADING.fullmatch(line)
        if found:
            return found.group(2)
    return line


def logical_line(unit: Unit, references: dict[str, str], escapes: Escapes) -> Line | None:
    """A unit as a logical line: heading and list prefixes read, links resolved, whitespace
    collapsed; None for units with no text (image-only links, empty list items, HTML anchors,
    fences, rules, lone brackets)."""
    text = unit.text
    heading = 0
    if text.startswith("#"):
        found = _HEADING.fullmatch(text)
        if found:
            heading, text = len(found.group(1)), found.group(2)
    elif _starts_block(text):
        first = text[:1]
        if first in "<" and _TAGS_ONLY.fullmatch(text):
            return None
        if first in "`~" and _FENCE.fullmatch(text):
            return None
        if first == ">":
            text = text.lstrip("> ")
        elif _RULE.fullmatch(text):
            return None
        else:
            item = _LIST_ITEM.fullmatch(text)
            if item and not text[:1].isdigit():
                text = "• " + (item.group(1) or "")
    links: list[str] = []
    if "[" in text or "\\" in text:
        text, links = resolve_inline(replace_images(text), references, escapes)
    if "  " in text or not text.isprintable():
        text = _WHITESPACE.sub(" ", text)
    text = clean_line(text)
    if text in ("", "•", "[", "]", "[ ]") or text.startswith("][") and text.endswith("]"):
        return None
    return Line(text, unit.number, unit.blank_before, False, tuple(links), heading)
