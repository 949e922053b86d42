"""Where a page's content starts: Markdown and terminal captures carry the site's menu (and a
capture tool's header) above the page chrome; everything before the first chrome line is not
part of any card."""

from __future__ import annotations

from paperbrowse.pages.lines import Line

# Lines that open the content of a list or trending page (source: the real captures in
# ../shared/fixtures): the "new" badge of the subscription box, the box itself, the heading.
_ANCHORS = frozenset(
    (
        "new",
        "get trending papers in your email inbox once a day!",
        "get trending papers in your email inbox!",
        "daily papers",
        "trending papers",
    )
)
_SCAN = 300


def content_start(texts: list[str]) -> int:
    """The index of the first chrome anchor among the first lines of cleaned text, else 0."""
    for i, text in enumerate(texts[:_SCAN]):
        if text.casefold() in _ANCHORS:
            return i
    return 0


def skip_to_content(lines: list[Line]) -> list[Line]:
    """The lines from the first chrome anchor on (all of them when there is none among the first
    lines, as in a paper page or a copy without the page's header)."""
    for i, line in enumerate(lines[:_SCAN]):
        if line.text.casefold() in _ANCHORS:
            return lines[i:]
    return lines
