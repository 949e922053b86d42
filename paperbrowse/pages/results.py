"""What a parse yields: papers, warnings naming file and line, and the errors that refuse a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from paperbrowse.models import Paper


@dataclass(frozen=True)
class ParseWarning:
    """A problem in one line of a capture that did not stop the parse.

    `file` is the name shown to the user (the path given, or the source name), `line` 1-based.
    """

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DumpError(Exception):
    """A whole capture refused (unreadable, not a regular file, too big, binary, HTML, empty, not a
    papers page); str() is one line naming the file."""


class NotAPageError(DumpError):
    """A text file that is no papers page at all (notes, a README saved beside the captures):
    `index DIR` skips it, where a file named on the command line fails."""


@dataclass
class ParseResult:
    """What one capture yielded.

    `source` is the name recorded in `Paper.sources` (the file's base name); `kind` the page kind
    (one of `models.PAGE_KINDS`), `syntax` the capture syntax (`select-all`, `markdown`,
    `terminal`), `encoding` what the bytes were read as (`utf-8`, `utf-16` or the legacy
    fallback `cp1252`). `warnings` are in line order, decoding warnings first.
    """

    source: str
    papers: list[Paper]
    warnings: list[ParseWarning] = field(default_factory=list)
    page_date: date | None = None
    encoding: str = "utf-8"
    kind: str = "daily"
    syntax: str = "select-all"
