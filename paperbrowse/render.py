"""Rich renderables for one paper and for library statistics (used by the CLI and the browser)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from paperbrowse.library import LibraryStats
from paperbrowse.models import Paper, TriageState, link_kind, lookup_urls
from paperbrowse.text import is_safe_url, strip_controls


def byline(paper: Paper) -> str:
    """Organisation, else author count, else empty."""
    if paper.org:
        return paper.org
    if paper.authors is not None:
        return f"{paper.authors} author{'s' if paper.authors != 1 else ''}"
    return ""


def highlight(text: str, terms: Sequence[str], style: str = "bold reverse") -> Text:
    """`text` as Rich Text (never markup) with each query term's word stems highlighted."""
    rich_text = Text(strip_controls(text))
    words = [t for t in terms if len(t) >= 2]
    if words:
        import re

        pattern = r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        rich_text.highlight_regex(pattern + r")\w*", style=style)
        rich_text.highlight_regex(r"(?i)" + pattern + r")\w*", style=style)
    return rich_text


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) for the abstract's links, labelled by kind, then look-ups by title."""
    links = [(link_kind(u), u) for u in paper.links if is_safe_url(u)]
    return links + lookup_urls(paper.title)


def paper_renderable(
    paper: Paper, state: TriageState | None = None, terms: Sequence[str] = ()
) -> RenderableType:
    """One paper in full: title, metadata, abstract, links."""
    state = state or TriageState()
    title = highlight(paper.title, terms)
    title.stylize("bold")
    meta = Text()
    meta.append(paper.published.isoformat() if paper.published else "date unknown", "cyan")
    if byline(paper):
        meta.append("  ·  " + strip_controls(byline(paper)))
    if paper.upvotes is not None:
        meta.append(f"  ·  ▲ {paper.upvotes}")
    flags = [name for name, on in state.as_dict().items() if on]
    if flags:
        meta.append("  ·  " + ", ".join(flags), "yellow")
    sources = ", ".join(strip_controls(s) for s in paper.sources)
    meta.append(f"\nid {paper.id}  ·  from {sources or '—'}", "dim")
    links = Table.grid(padding=(0, 1))
    links.add_column(style="dim", no_wrap=True)
    links.add_column(overflow="fold")
    for label, url in paper_links(paper):
        links.add_row(label, Text(url, style=f"link {url}"))
    return Group(title, meta, Text(""), highlight(paper.abstract, terms), Text(""), links)


def stats_renderable(stats: LibraryStats) -> RenderableType:
    """`paperbrowse stats`: counts, date span, per-month bars, top orgs and link hosts."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    share = f"{stats.dated / stats.papers:.0%}" if stats.papers else "—"
    head.add_row("papers", str(stats.papers))
    head.add_row("dated", f"{stats.dated} ({share})")
    span = f"{stats.first} … {stats.last}" if stats.first else "—"
    head.add_row("date span", span)
    head.add_row("dumps", str(stats.sources))

    months = Table(title="papers per month", title_justify="left", box=None, show_header=False)
    months.add_column(no_wrap=True)
    months.add_column(justify="right")
    months.add_column()
    top = max((n for _, n in stats.months), default=1)
    for month, n in stats.months:
        months.add_row(month, str(n), Text("█" * max(1, round(40 * n / top)), style="cyan"))

    def top_table(title: str, rows: list[tuple[str, int]]) -> Table:
        table = Table(title=title, title_justify="left", box=None, show_header=False)
        table.add_column()
        table.add_column(justify="right")
        for name, n in rows:
            table.add_row(Text(strip_controls(name)), str(n))
        return table

    return Group(
        head,
        Text(""),
        months,
        Text(""),
        top_table("top organisations", stats.orgs),
        Text(""),
        top_table("top link hosts", stats.hosts),
    )
