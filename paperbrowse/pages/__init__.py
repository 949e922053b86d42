"""Captures of Hugging Face papers pages -> `Paper` records.

A capture is the text of a papers page saved by a user: a daily, weekly or monthly list, search
results, the trending page or a single paper's page (the page *kind*), saved as a select-all
copy, as Markdown by a clipper or reader tool, or as a terminal browser's dump (the *syntax*).
See ../shared/README.md for the format notes and ../shared/fixtures for real captures.

The pipeline, one module each: `decoding` (bytes -> text; binary and HTML refused), `kinds`
(syntax and page kind), one normaliser per syntax into logical lines (`lines` for select-all,
`markdown`, `terminal`, sharing `inline`), one grammar per page shape (`cards` for lists and
trending, `paper_page`), and `years` (year inference). Damaged input never stops a parse: a
block the grammar cannot read is skipped with a `file:line:` warning.

Public API: `parse_capture` (bytes in, the entry point of `paperbrowse index`), `parse_text`,
`parse_file`, `read_capture`, `decode_dump`, `extract_links`, `ParseResult`, `ParseWarning`,
`DumpError`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from paperbrowse.limits import DEFAULT_MAX_BYTES
from paperbrowse.models import normalise_title
from paperbrowse.pages.cards import CardParser
from paperbrowse.pages.decoding import decode_dump, html_error, is_html_name
from paperbrowse.pages.header import Header, read_header
from paperbrowse.pages.kinds import detect_kind, detect_syntax, year_of_url
from paperbrowse.pages.lines import Line, select_all_lines
from paperbrowse.pages.markdown import markdown_lines
from paperbrowse.pages.metadata import MAX_TITLE_LEN
from paperbrowse.pages.paper_page import parse_paper_page
from paperbrowse.pages.reading import read_capture
from paperbrowse.pages.results import DumpError, NotAPageError, ParseResult, ParseWarning
from paperbrowse.pages.terminal import terminal_lines
from paperbrowse.pages.urls import arxiv_id_of, extract_links
from paperbrowse.pages.years import Dated, YearEvidence, resolve_years

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DumpError",
    "NotAPageError",
    "ParseResult",
    "ParseWarning",
    "decode_dump",
    "extract_links",
    "parse_capture",
    "parse_file",
    "parse_text",
    "read_capture",
]

_NON_SPACE = re.compile(r"[^\s\ufeff]")
_PAPER_ABSTRACT = 200  # characters: real abstracts run to several hundred
_PAPER_SUMMARY = 90  # and AI summaries to about a hundred at least


def _logical_lines(text: str, syntax: str, header: Header) -> list[Line]:
    if syntax == "markdown":
        return markdown_lines(text, header)
    if syntax == "terminal":
        return terminal_lines(text)
    return list(select_all_lines(text))


def _dedupe(dated: list[Dated]) -> list[Dated]:
    """One record per paper of a page that shows each card twice (trending): the first card,
    with what only the second shows filled in."""
    seen: dict[str, Dated] = {}
    kept: list[Dated] = []
    for item in dated:
        paper = item.paper
        key = paper.arxiv_id or normalise_title(paper.title)
        first = seen.get(key)
        if first is None:
            seen[key] = item
            kept.append(item)
            continue
        for name in ("upvotes", "comments", "authors", "org", "org_handle", "github_stars"):
            if getattr(first.paper, name) is None:
                setattr(first.paper, name, getattr(paper, name))
        for name in ("arxiv_id", "summary", "submitted_by"):
            if not getattr(first.paper, name):
                setattr(first.paper, name, getattr(paper, name))
        if len(paper.abstract) > len(first.paper.abstract):
            first.paper.abstract = paper.abstract
        first.paper.links = list(dict.fromkeys([*first.paper.links, *paper.links]))
        if first.raw is None:
            first.raw, first.line = item.raw, item.line
    return kept


# A daily list holds papers published within a few months of its day (at most 130 days in the
# 9,877 API records of ../shared/data); search results reach back years.
_DAILY_REACH = timedelta(days=365)


def _list_kind(dated: list[Dated], page_date: date | None) -> str:
    """A list page without an address: `search` when no card shows metadata (older search
    captures show title and abstract only) or a card is over a year older than the page's day;
    else `daily` (a search page of recent papers looks the same)."""
    papers = [d.paper for d in dated]
    if not any(d.raw is not None or d.paper.authors is not None or d.paper.org for d in dated):
        return "search" if papers else "daily"
    if page_date is not None and any(
        p.published is not None and p.published < page_date - _DAILY_REACH for p in papers
    ):
        return "search"
    return "daily"


def _parse(text: str, source: str, label: str, evidence: YearEvidence) -> tuple[ParseResult, bool]:
    """Parse decoded text; also tell whether the page's own structure was seen (chrome, a page
    date, a paper page's header), which tells a page from notes saved beside it."""
    syntax = detect_syntax(text)
    header = read_header(text.split("\n", 60)[:60])
    lines = _logical_lines(text, syntax, header)
    kind = detect_kind(header.url, lines)
    if header.captured is not None and evidence.captured is None:
        evidence = YearEvidence(evidence.forced, header.captured, evidence.shown, evidence.saved)
    named = year_of_url(header.url)  # the page's own address names its year: it shows it
    if named is not None and evidence.shown is None:
        evidence = YearEvidence(evidence.forced, evidence.captured, named, evidence.saved)
    warnings: list[ParseWarning] = []

    def warn(line: int, message: str) -> None:
        warnings.append(ParseWarning(label, line, message))

    page = None
    page_line = 0
    if kind == "paper":
        url_id = arxiv_id_of(header.url) if header.url else None
        dated = parse_paper_page(lines, source, url_id, warn)
        structured = bool(dated)
    else:
        cards = CardParser(source, label, kind or "daily", syntax)
        cards.feed_all(lines)
        warnings.extend(cards.warnings)
        dated = cards.done
        page, page_line = cards.page, cards.page_line
        if cards.period_year is not None:
            evidence = YearEvidence(
                evidence.forced, evidence.captured, cards.period_year, evidence.saved
            )
        structured = (
            cards.saw_chrome
            or page is not None
            or cards.period is not None
            or header.url is not None
        )
        if kind == "trending":
            dated = _dedupe(dated)
    page_date = resolve_years(dated, page, page_line, evidence, warn)
    if kind is None:
        kind = _list_kind(dated, page_date)
        for item in dated:
            item.paper.page_kinds = {source: kind}
    warnings.sort(key=lambda w: w.line)
    result = ParseResult(
        source, [d.paper for d in dated], warnings, page_date, "utf-8", kind, syntax
    )
    return result, structured


def _check_is_page(result: ParseResult, structured: bool, shown: str) -> None:
    """Refuse text that is no papers page (notes, a README saved beside the captures): no page
    chrome, date or address, and most of its blocks (papers, and blocks skipped with a
    warning) lack an abstract of a paper's length; a Markdown or terminal capture must also link
    a title of a title's length to its paper (a document's paragraphs run long once its wrapped
    lines are joined)."""
    if structured or not result.papers:
        return
    # A "title" longer than any real one (a document's table row citing a paper) is no sign.
    linked = any(p.arxiv_id and len(p.title) <= MAX_TITLE_LEN for p in result.papers)
    if result.syntax != "select-all" and not linked:
        raise NotAPageError(
            f"{shown}: not a Daily Papers dump (a {result.syntax} document without the page's "
            "header or links to papers); skipped"
        )
    real = sum(
        1
        for paper in result.papers
        if len(paper.abstract) >= _PAPER_ABSTRACT or len(paper.summary or "") >= _PAPER_SUMMARY
    )
    blocks = len(result.papers) + len(result.warnings)  # a skipped block is a block too
    if real * 2 < blocks:
        raise NotAPageError(
            f"{shown}: not a Daily Papers dump (no page header, and {blocks - real} "
            f"of its {blocks} blocks have no abstract); skipped"
        )


def parse_text(
    text: str,
    source: str,
    *,
    label: str | None = None,
    year: int | None = None,
    fallback_year: int | None = None,
    saved: date | None = None,
    refuse_prose: bool = False,
) -> ParseResult:
    """Parse a capture's decoded text into papers, with warnings naming `label` (default
    `source`) and the line.

    `year` (the --year option) forces the page's year; `saved` (the file's modification date) or
    `fallback_year` is the last resort for a page that shows no year (see years.py). Never
    raises on malformed content: bad blocks are skipped with a warning. With `refuse_prose`,
    text that is not a papers page at all (see `_check_is_page`) raises DumpError.
    """
    if saved is None and fallback_year is not None:
        saved = date(fallback_year, 12, 31)
    evidence = YearEvidence(year, None, None, saved)
    result, structured = _parse(text, source, label or source, evidence)
    if refuse_prose:
        _check_is_page(result, structured, label or source)
    return result


def _saved_date(mtime: float | None) -> date | None:
    if mtime is None:
        return None
    try:
        return date.fromtimestamp(mtime)
    except (OverflowError, OSError, ValueError):
        return None


def parse_capture(
    data: bytes,
    source: str,
    *,
    label: str | None = None,
    mtime: float | None = None,
    year: int | None = None,
) -> ParseResult:
    """Decode and parse one capture's bytes: the entry point of `paperbrowse index`.

    `source` is the name recorded in `Paper.sources`; `label` the name shown in messages (the
    path the user gave; default `source`); `mtime` the file's modification time (seconds since
    the epoch) for a page that shows no year; `year` the --year option. Returns the result with
    its encoding and every warning (decoding ones first). Raises `DumpError`, naming `label`,
    for a saved HTML page, binary data, an empty capture, a capture with neither papers nor page
    structure, and prose (notes saved beside the captures).
    """
    shown = label or source
    if is_html_name(source):
        raise html_error(shown)
    text, encoding, decode_warnings = decode_dump(data, shown)
    if not _NON_SPACE.search(text):
        raise DumpError(f"{shown}: empty file")
    evidence = YearEvidence(year, None, None, _saved_date(mtime))
    result, structured = _parse(text, source, shown, evidence)
    if not result.papers and not structured:
        raise DumpError(f"{shown}: no papers found (not a Daily Papers dump?)")
    _check_is_page(result, structured, shown)
    result.encoding = encoding
    result.warnings = decode_warnings + result.warnings
    return result


def display_path(path: Path) -> str:
    """A path for a one-line message: repr() when it holds control characters."""
    shown = str(path)
    return shown if shown.isprintable() else repr(shown)


def parse_file(
    path: Path, *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Read one capture file once (see `read_capture`) and parse those bytes.

    Without `year`, a page that shows no year takes it from the file's modification time.
    Raises `DumpError`, naming the path, as `read_capture` and `parse_capture` do.
    """
    path = Path(path)
    shown = display_path(path)
    data, mtime = read_capture(path, shown, max_bytes)
    return parse_capture(data, path.name, label=shown, mtime=mtime, year=year)
