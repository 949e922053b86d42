"""Markdown captures from clipper and reader tools -> logical lines.

Real example: ../shared/fixtures/pages/trending-markdown.md (`###` headings with
`[title](https://huggingface.co/papers/<id>)`, image alt text `[图片：…]`, a converter's header).
Clippers also write YAML front matter, `![alt](src)` images, Markdown escapes (`\\_`, `\\[`,
`\\\\`, `\\ `) and hard line breaks inside paragraphs (joined with one space, as Markdown reads
them).
"""

from __future__ import annotations

import re

from paperbrowse.pages.content import skip_to_content
from paperbrowse.pages.header import Header
from paperbrowse.pages.inline import MARKDOWN_ESCAPES, logical_line, units
from paperbrowse.pages.lines import Line, iter_physical

_DEFINITION = re.compile(r"\[([^\]\n]{1,100})\]:\s*<?(\S{1,4096}?)>?(?:\s+\"[^\"\n]*\")?")


def markdown_lines(text: str, header: Header) -> list[Line]:
    """A Markdown capture's logical lines, from the page chrome on (front matter, a tool's
    header and the site menu dropped); reference definitions (`[1]: url`) resolve links."""
    physical = [line for line, _ in iter_physical(text)]
    references: dict[str, str] = {}
    for i, text in enumerate(physical):
        if text.startswith("[") and "]:" in text:
            found = _DEFINITION.fullmatch(text)
            if found:
                references[found.group(1)] = found.group(2)
                physical[i] = ""
    front = header.front_matter
    body = physical[front:]
    result: list[Line] = []
    for unit in units(body, first=front + 1, soft_breaks=True, escapes=MARKDOWN_ESCAPES):
        line = logical_line(unit, references, MARKDOWN_ESCAPES)
        if line is not None:
            result.append(line)
    return skip_to_content(result)
