"""Rich text for one paper and for library statistics, shared by the CLI and the browser.

Lines are built whole, never padded: printed to a pipe they have no trailing spaces and a URL
is never broken (`paper_lines`, `stats_text(...).plain`); on a terminal the CLI lets the
terminal wrap them (Rich's soft wrap) and the browser's detail pane wraps the prose itself and
crops a URL too long for it with an ellipsis (never folds it).
Colours come from a `PaperStyles` (the browser passes its theme's; the CLI a default).
This module must not import Textual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.style import Style
from rich.text import Text

from paperbrowse.links import paper_links
from paperbrowse.models import COMMENT, UPVOTE, Paper, TriageState, authors_text
from paperbrowse.text import one_line, strip_controls

if TYPE_CHECKING:
    from paperbrowse.results import LibraryStats

SEP = "  ·  "


@dataclass(frozen=True)
class PaperStyles:
    """The styles of a paper's parts (Rich styles or style strings)."""

    title: Style | str = "bold"
    date: Style | str = "cyan"
    meta: Style | str = ""
    flags: Style | str = "yellow"
    dim: Style | str = "dim"
    heading: Style | str = "bold"
    highlight: Style | str = "bold reverse"
    bar: Style | str = "cyan"


def highlight(text: str, terms: Sequence[str], style: Style | str = "bold reverse") -> Text:
    """`text` as Rich Text (never markup) with each query term's word stems highlighted."""
    rich_text = Text(one_line(text))
    words = [t for t in terms if len(t) >= 2]
    if words:
        pattern = r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        rich_text.highlight_regex(pattern + r")\w*", style=style)
        rich_text.highlight_regex(r"(?i)" + pattern + r")\w*", style=style)
    return rich_text


def _stars(count: int) -> str:
    return f"{count:,} GitHub star{'s' if count != 1 else ''}"


def paper_header(
    paper: Paper, state: TriageState, terms: Sequence[str] = (), styles: PaperStyles | None = None
) -> list[Text]:
    """The title line and the metadata lines of one paper (no trailing newline in any).

    Line 2: date · organisation · authors · ▲ upvotes · 💬 comments · triage flags.
    Line 3 (when known): arXiv id · GitHub stars · who submitted it. Then the author names
    (when a paper page listed them), then the id and the dumps it came from."""
    st = styles or PaperStyles()
    title = highlight(paper.title, terms, st.highlight)
    title.stylize(st.title)
    meta = Text(style=st.meta)
    meta.append(paper.published.isoformat() if paper.published else "date unknown", st.date)
    for part in (paper.org, authors_text(paper.authors)):
        if part:
            meta.append(SEP + one_line(part))
    if paper.upvotes is not None:
        meta.append(f"{SEP}{UPVOTE} {paper.upvotes}")
    if paper.comments is not None:
        meta.append(f"{SEP}{COMMENT} {paper.comments}")
    flags = [name for name, on in state.as_dict().items() if on]
    if flags:
        meta.append(SEP + ", ".join(flags), st.flags)
    lines = [title, meta]
    extra = []
    if paper.arxiv_id:
        extra.append(f"arXiv {one_line(paper.arxiv_id)}")
    if paper.github_stars is not None:
        extra.append(_stars(paper.github_stars))
    if paper.submitted_by:
        extra.append(f"submitted by {one_line(paper.submitted_by)}")
    if extra:
        lines.append(Text(SEP.join(extra), style=st.meta))
    if paper.author_names:
        names = ", ".join(one_line(n) for n in paper.author_names)
        lines.append(Text.assemble(("Authors: ", st.heading), names))
    if state.tags:
        lines.append(Text.assemble(("Tags: ", st.heading), (" ".join(state.tags), st.flags)))
    sources = ", ".join(one_line(s) for s in paper.sources)
    lines.append(Text(f"id {paper.id}{SEP}from {sources or '—'}", style=st.dim))
    return lines


def paper_body(
    paper: Paper,
    terms: Sequence[str] = (),
    styles: PaperStyles | None = None,
    state: TriageState | None = None,
) -> list[Text]:
    """The user's note (labelled, from `state`), the AI summary (labelled, apart from the
    abstract) and the abstract, as paragraphs."""
    st = styles or PaperStyles()
    body = []
    if state is not None and state.note:
        body.append(Text.assemble(("Note: ", st.heading), strip_controls(state.note)))
    if paper.summary:
        summary = highlight(paper.summary, terms, st.highlight)
        body.append(Text.assemble(("AI summary: ", st.heading), summary))
    if paper.abstract:
        body.append(highlight(paper.abstract, terms, st.highlight))
    elif not paper.summary:
        body.append(Text("No abstract in the captures.", style=st.dim))
    return body


def link_lines(paper: Paper, styles: PaperStyles | None = None) -> list[Text]:
    """`label  url` lines: the abstract's links by kind, then look-ups by title. Labels are
    padded by cells to one width, so URLs line up; a URL is never padded or broken."""
    st = styles or PaperStyles()
    links = paper_links(paper)
    width = max((cell_len(label) for label, _ in links), default=0)
    lines = []
    for label, url in links:
        pad = " " * (width - cell_len(label) + 2)
        lines.append(Text.assemble((label + pad, st.dim), (url, f"link {url}")))
    return lines


def paper_renderable(
    paper: Paper,
    state: TriageState | None = None,
    terms: Sequence[str] = (),
    styles: PaperStyles | None = None,
) -> RenderableType:
    """One paper in full for a pane of any width: header, summary, abstract, links."""
    state = state or TriageState()
    st = styles or PaperStyles()
    parts: list[RenderableType] = [*paper_header(paper, state, terms, st)]
    for paragraph in paper_body(paper, terms, st, state):
        parts += [Text(""), paragraph]
    parts += [Text(""), LinkLines(paper_links(paper), st.dim)]
    return Group(*parts)


class LinkLines:
    """`label  url` lines for a pane of any width: a URL is never folded onto a second line (a
    piece of it could not be clicked, copied or read). Where the label and 40 cells of the URL
    do not fit, the label goes on a line of its own; a URL still too long is cropped with an
    ellipsis and stays one whole link (Rich's `link` style covers what is shown)."""

    MIN_URL_CELLS = 40

    def __init__(self, links: Sequence[tuple[str, str]], label_style: Style | str) -> None:
        self.links = list(links)
        self.label_style = label_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        label_width = max((cell_len(label) for label, _ in self.links), default=0)
        stacked = label_width + 1 + self.MIN_URL_CELLS > width
        for label, url in self.links:
            link = Text(url, style=f"link {url}")
            if stacked:
                yield Text(label, style=self.label_style, no_wrap=True, overflow="ellipsis")
                line = link
            else:
                pad = " " * (label_width - cell_len(label) + 1)
                line = Text.assemble((label + pad, self.label_style), link)
            line.no_wrap = True
            line.overflow = "ellipsis"
            yield line


def paper_lines(paper: Paper, state: TriageState | None = None) -> list[str]:
    """`paperbrowse show` in plain text: one line per header line, paragraph and link, no
    trailing spaces, nothing wrapped."""
    state = state or TriageState()
    lines = [t.plain for t in paper_header(paper, state)]
    for paragraph in paper_body(paper, state=state):
        lines += ["", " ".join(paragraph.plain.split())]
    lines.append("")
    lines += [t.plain for t in link_lines(paper)]
    return [line.rstrip() for line in lines]


def print_paper(console: Console, paper: Paper, state: TriageState | None = None) -> None:
    """`paperbrowse show` on a terminal: prose word-wrapped, link lines left to the terminal
    (soft wrap) so a URL is never broken by a newline."""
    state = state or TriageState()
    for line in paper_header(paper, state):
        console.print(line, soft_wrap=True)
    for paragraph in paper_body(paper, state=state):
        console.print()
        console.print(paragraph)
    console.print()
    for line in link_lines(paper):
        console.print(line, soft_wrap=True)


def stats_text(stats: LibraryStats, styles: PaperStyles | None = None) -> Text:
    """`paperbrowse stats`: counts, date span, per-month bars, top orgs and link hosts, as one
    Text whose lines carry no trailing spaces and whose headings are never wrapped."""
    st = styles or PaperStyles()
    out = Text()

    def line(*parts: tuple[str, Style | str] | str) -> None:
        out.append_text(Text.assemble(*parts))
        out.append("\n")

    share = f"{stats.dated / stats.papers:.0%}" if stats.papers else "—"
    head = [
        ("papers", str(stats.papers)),
        ("dated", f"{stats.dated} ({share})"),
        ("date span", f"{stats.first} … {stats.last}" if stats.first else "—"),
        ("dumps", str(stats.sources)),
    ]
    key_w = max(len(k) for k, _ in head) + 2
    for key, value in head:
        line((key.ljust(key_w), st.heading), value)

    def table(title: str, rows: list[tuple[str, int]], bars: bool = False) -> None:
        line("")
        line((title, st.heading))
        names = [one_line(name) for name, _ in rows]
        name_w = max((cell_len(n) for n in names), default=0)
        num_w = max((len(str(n)) for _, n in rows), default=0)
        top = max((n for _, n in rows), default=1)
        for name, (_, n) in zip(names, rows, strict=True):
            pad = " " * (name_w - cell_len(name))
            parts: list[tuple[str, Style | str] | str] = [f"  {name}{pad}  {str(n).rjust(num_w)}"]
            if bars:
                parts.append(("  " + "█" * max(1, round(40 * n / top)), st.bar))
            line(*parts)

    table("papers per month", stats.months, bars=True)
    table("top organisations", stats.orgs)
    table("top link hosts", stats.hosts)
    out.rstrip()
    return out
