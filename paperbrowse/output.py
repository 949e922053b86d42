"""Papers written out in the formats of `paperbrowse search` (and of the browser's selection).

Every string that reaches the output passes through `strip_controls`, and only http(s) URLs are
written as URLs: the dumps are untrusted, and an escape sequence must never reach the terminal.
This module must not import Textual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TextIO

from paperbrowse.bibtex import bib_entry
from paperbrowse.citation import csl_item, issued, ris_lines
from paperbrowse.citekeys import DEFAULT_TEMPLATE, KeyMaker
from paperbrowse.links import exact_urls, primary_url, safe_links
from paperbrowse.models import COMMENT, UPVOTE, Paper, TriageState, authors_text
from paperbrowse.text import (
    ascii_json,
    is_utf8_stream,
    json_line_safe,
    one_line,
    strip_controls,
)

if TYPE_CHECKING:  # Rich is loaded by the table format only: the CLI reads FORMATS at start
    from rich.console import Console
    from rich.table import Table

# Every format `search --format`, `show --format` and the browser's selection can write.
FORMATS = (
    "table",
    "tsv",
    "jsonl",
    "json",
    "md",
    "bibtex",
    "csljson",
    "ris",
    "titles",
    "urls",
    "links",
)
CITATION_FORMATS = ("bibtex", "csljson", "ris")  # the formats `--key` names entries in

Item = tuple[Paper, TriageState]

# Characters that end a line somewhere (tab included: it separates TSV columns).
# --- cleaning helpers -----------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """Untrusted text with terminal controls removed ('' for None)."""
    return strip_controls(text or "")


def _one_line(text: str | None) -> str:
    """Untrusted text cleaned and folded onto one line (tabs and line breaks become spaces)."""
    return one_line(text)


def _primary(paper: Paper) -> str:
    """`primary_url` computed over the safe links and the cleaned title only."""
    return primary_url(replace(paper, title=_one_line(paper.title), links=safe_links(paper)))


def _byline(paper: Paper) -> str:
    """The organisation, else the author count, else ''."""
    return _one_line(paper.org) or authors_text(paper.authors)


# --- JSON -----------------------------------------------------------------------------------


def paper_to_dict(paper: Paper, state: TriageState) -> dict[str, Any]:
    """The JSON object for one paper (the `jsonl` and `json` formats), strings cleaned.

    Keys, in order (README.md, "jsonl keys", says what each holds and where it comes from):
    id, title, abstract, summary, published ("YYYY-MM-DD" or None), authors, author_names
    (list or None), org, org_handle, upvotes, comments, github_stars, arxiv_id, submitted_by,
    links (http(s) URLs only), sources, page_kinds ({source: kind}), state ({read, starred,
    hidden}), tags (sorted lower-case words), note ('' = none; from state.db, see tags.py).
    Counts are None where no capture shows them.
    """

    def text(value: str | None) -> str | None:
        return _clean(value) if value is not None else None

    return {
        "id": paper.id,
        "title": _clean(paper.title),
        "abstract": _clean(paper.abstract),
        "summary": text(paper.summary),
        "published": paper.published.isoformat() if paper.published else None,
        "authors": paper.authors,
        "author_names": (
            [_clean(n) for n in paper.author_names] if paper.author_names is not None else None
        ),
        "org": text(paper.org),
        "org_handle": text(paper.org_handle),
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "github_stars": paper.github_stars,
        "arxiv_id": text(paper.arxiv_id),
        "submitted_by": text(paper.submitted_by),
        "links": safe_links(paper),
        "sources": [_clean(s) for s in paper.sources],
        "page_kinds": {_clean(k): _clean(v) for k, v in paper.page_kinds.items()},
        "state": state.as_dict(),
        "tags": list(state.tags),
        "note": _clean(state.note),
    }


def _dumps(obj: Any, **kwargs: Any) -> str:
    """JSON text; cleaned once more so no control character can slip through, and U+2028 /
    U+2029 escaped (`text.json_line_safe`) so a JSON-lines record is one line to any reader."""
    return json_line_safe(strip_controls(json.dumps(obj, ensure_ascii=False, **kwargs)))


def write_json_array(
    objects: Iterable[Any], out: TextIO, exact: Callable[[str], str] | None = None
) -> int:
    """Write `objects` to `out` as one JSON array, each written as soon as it is read; return
    how many. The text is exactly `json.dumps(list(objects), indent=2, ensure_ascii=False)`
    plus a newline (`[]` when there are none), cleaned of control characters and with U+2028 /
    U+2029 escaped as `_dumps` does,
    and passed through `exact` (json_for: ASCII escapes on a stream that is not UTF-8).

    Python's json module has no incremental encoder for a sequence, so each element is
    encoded alone and indented one level: an encoded element holds no raw line break (JSON
    escapes them inside strings), so every line of it moves in by two spaces.
    """
    fix = exact or _same
    count = 0
    for obj in objects:
        body = fix(_dumps(obj, indent=2)).replace("\n", "\n  ")
        out.write(("[\n  " if not count else ",\n  ") + body)
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def json_for(out: TextIO | None) -> Callable[[str], str]:
    """What JSON text needs before it is written to `out`: nothing on a UTF-8 stream, else
    its non-ASCII characters as `\\u` escapes (text.ascii_json), so JSON stays exact on any
    stream where the other formats write `?` for what the stream cannot hold."""
    return _same if out is None or is_utf8_stream(out) else ascii_json


def _same(text: str) -> str:
    return text


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _md_escape(text: str) -> str:
    """Backslash-escape the characters Markdown would interpret in link text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_url(url: str) -> str:
    """A URL made safe inside a Markdown link destination."""
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def md_line(paper: Paper) -> str:
    """`- [Title](url) — date · org · N ▲ · M 💬` (upvotes ▲, comments 💬; absent parts
    skipped)."""
    meta = []
    if paper.published:
        meta.append(paper.published.isoformat())
    byline = _byline(paper)
    if byline:
        meta.append(_md_escape(byline))
    if paper.upvotes is not None:
        meta.append(f"{paper.upvotes} {UPVOTE}")
    if paper.comments is not None:
        meta.append(f"{paper.comments} {COMMENT}")
    line = f"- [{_md_escape(_one_line(paper.title))}]({_md_url(_primary(paper))})"
    return f"{line} — {' · '.join(meta)}" if meta else line


# --- BibTeX (safe TeX: see bibtex.py) ------------------------------------------------------


def _bib_entry(paper: Paper, keys: KeyMaker) -> str:
    """One `@misc` entry for a paper, its key from `keys` (unique among the keys it made)."""
    title = _one_line(paper.title)
    key = keys.key(replace(paper, title=title))
    names = [_one_line(n) for n in paper.author_names or []]
    note = [_one_line(paper.org), authors_text(paper.authors), "Hugging Face Daily Papers"]
    return bib_entry(
        key,
        title,
        paper.published,
        _primary(paper),
        "; ".join(n for n in note if n),
        eprint=paper.arxiv_id,
        authors=[n for n in names if n],
        year=parts[0] if (parts := issued(paper)) else None,
    )


# --- table ----------------------------------------------------------------------------------


def _table(items: Iterable[Item], query_terms: Sequence[str]) -> tuple[Table, int]:
    """A Rich table of the papers, with query terms highlighted in titles."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    table.add_column("ID", no_wrap=True, style="dim")
    table.add_column("Date", no_wrap=True)
    table.add_column(UPVOTE, justify="right", no_wrap=True)
    table.add_column(COMMENT, justify="right", no_wrap=True)
    table.add_column("Title", ratio=1, overflow="fold")
    table.add_column("Org/authors")
    terms = [t for t in (_one_line(q) for q in query_terms) if t]
    count = 0
    for paper, state in items:
        title = Text(_one_line(paper.title), style="dim" if state.read else "")
        if terms:
            title.highlight_words(terms, style="bold yellow", case_sensitive=False)
        if state.starred:
            title = Text.assemble(("★ ", "yellow"), title)
        table.add_row(
            Text(paper.id),
            Text(paper.published.isoformat() if paper.published else "—"),
            Text("" if paper.upvotes is None else str(paper.upvotes)),
            Text("" if paper.comments is None else str(paper.comments)),
            title,
            Text(_byline(paper)),
        )
        count += 1
    return table, count


# --- line formats ---------------------------------------------------------------------------


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


# A cell starting with one of these is a formula when the file is opened in a spreadsheet;
# OWASP's CSV-injection advice: prefix such a cell with a single quote.
# Source: https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def tsv_cell(text: str) -> str:
    """A TSV cell that a spreadsheet shows as text: a leading `'` before =, +, -, @, tab or CR."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _tsv_lines(paper: Paper, state: TriageState) -> Iterator[str]:
    """id, published, upvotes, title, org or author count, url, comments (empty: none shown).

    Comments come last so that the columns of earlier versions keep their places.
    """
    fields = [
        paper.id,
        paper.published.isoformat() if paper.published else "",
        _count(paper.upvotes),
        _one_line(paper.title),
        _byline(paper),
        _primary(paper),
        _count(paper.comments),
    ]
    yield "\t".join(tsv_cell(_one_line(f)) for f in fields)


def _jsonl_lines(paper: Paper, state: TriageState) -> Iterator[str]:
    yield _dumps(paper_to_dict(paper, state))


def _md_lines(paper: Paper, state: TriageState) -> Iterator[str]:
    yield md_line(paper)


def _titles_lines(paper: Paper, state: TriageState) -> Iterator[str]:
    yield _one_line(paper.title)


def _urls_lines(paper: Paper, state: TriageState) -> Iterator[str]:
    """One line per paper (for `xargs -n1 xdg-open`): the link tsv, md and bibtex write (see
    `links.primary_url`)."""
    yield _primary(paper)


def _links_lines(paper: Paper, state: TriageState) -> Iterator[str]:
    """Every http(s) link of the paper, one a line, then (its arXiv id known) its arXiv
    abstract page and Hugging Face paper page, each link once; with none at all, the `urls`
    line (an arXiv title search)."""
    links = safe_links(paper)
    if paper.arxiv_id:
        own = dict(exact_urls(paper.arxiv_id))
        links += [own["arXiv"], own["Hugging Face paper"]]
    yield from dict.fromkeys(links) or [_primary(paper)]


_LINE_FORMATS: dict[str, Callable[[Paper, TriageState], Iterator[str]]] = {
    "tsv": _tsv_lines,
    "jsonl": _jsonl_lines,
    "md": _md_lines,
    "titles": _titles_lines,
    "urls": _urls_lines,
    "links": _links_lines,
}


# --- entry point ----------------------------------------------------------------------------


def write_papers(
    items: Iterable[tuple[Paper, TriageState]],
    fmt: str,
    out: TextIO,
    *,
    console: Console | None = None,
    query_terms: Sequence[str] = (),
    key_template: str = DEFAULT_TEMPLATE,
) -> int:
    """Write papers in `fmt` (one of FORMATS) to `out`; return how many papers were written.

    Streams: the iterable is consumed one paper at a time and each paper is written before the
    next is read, in every format but `table` (a Rich table is laid out whole: the CLI limits it
    to TABLE_LIMIT rows); memory does not grow with the number of papers. `key_template` makes
    the citation keys of `bibtex`, `csljson` and `ris` (citekeys.py; raises
    citekeys.KeyTemplateError when it is bad). `table` renders a Rich Table to `console` (a
    `Console(file=out)` when None), with `query_terms` highlighted in titles; nothing is printed
    when there are no papers.
    `json` writes one array (`[]` when empty). Raises ValueError for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")

    if fmt == "table":
        table, count = _table(items, query_terms)
        if count:
            if console is None:
                from rich.console import Console

                console = Console(file=out)
            console.print(table)
        return count

    exact = json_for(out)
    if fmt == "json":
        return write_json_array((paper_to_dict(paper, state) for paper, state in items), out, exact)

    count = 0
    if fmt in CITATION_FORMATS:
        keys = KeyMaker(key_template)
        if fmt == "csljson":
            return write_json_array((csl_item(p, keys.key(p)) for p, _state in items), out, exact)
        for paper, _state in items:
            if fmt == "bibtex":
                out.write(("\n" if count else "") + _bib_entry(paper, keys))
            else:
                out.write(
                    ("\n" if count else "")
                    + "".join(f"{x}\n" for x in ris_lines(paper, keys.key(paper)))
                )
            count += 1
        return count

    line_writer = _LINE_FORMATS[fmt]
    lines = exact if fmt == "jsonl" else _same
    for paper, state in items:
        for line in line_writer(paper, state):
            out.write(lines(line) + "\n")
        count += 1
    return count
