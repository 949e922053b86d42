"""Tests for paperbrowse.output: every format of `paperbrowse search`."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from io import StringIO

import pytest
from rich.console import Console

from paperbrowse.links import lookup_urls
from paperbrowse.models import Paper, TriageState
from paperbrowse.output import FORMATS, paper_to_dict, write_papers

JSON_KEYS = [
    "id",
    "title",
    "abstract",
    "summary",
    "published",
    "authors",
    "author_names",
    "org",
    "org_handle",
    "upvotes",
    "comments",
    "github_stars",
    "arxiv_id",
    "submitted_by",
    "links",
    "sources",
    "page_kinds",
    "state",
    "tags",
    "note",
]
OSC52 = "\x1b]52;c;SGVsbG8=\x07"
CLEAR = "\x1b[2J"


def lite_pose() -> Paper:
    return Paper(
        title="Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation",
        abstract="Pose estimation plays a critical role in human-centered vision applications.",
        published=date(2022, 5, 2),
        authors=5,
        links=["https://github.com/mit-han-lab/litepose"],
        sources=["004_a.txt"],
    )


def hyperz() -> Paper:
    return Paper(
        title="HyperZ$\\cdot$Z$\\cdot$W Operator Connects Slow-Fast Networks & More",
        abstract="We present HyperZ.",
        org="DeepSeek",
        org_handle="deepseek-ai",
        upvotes=42,
        links=["https://hyperz.example.org/", "https://huggingface.co/hyperz"],
        sources=["001_b.txt", "004_a.txt"],
    )


def bare() -> Paper:
    return Paper(title="A Paper Without Links [v2]", abstract="Nothing to see.")


def evil() -> Paper:
    return Paper(
        title=f"Evil{OSC52} Title{CLEAR}\twith\ttabs\nand lines",
        abstract=f"Abstract {OSC52}{CLEAR}\x9b2J end",
        published=date(2024, 10, 3),
        authors=3,
        org=f"Org{CLEAR}\tName",
        org_handle=f"handle{OSC52}",
        upvotes=7,
        links=[
            f"https://example.com/{OSC52}",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://ok.example.com/page",
        ],
        sources=[f"005_{CLEAR}.txt"],
    )


def items(*papers: Paper, state: TriageState | None = None) -> list[tuple[Paper, TriageState]]:
    return [(p, state or TriageState()) for p in papers]


def render(papers: list[tuple[Paper, TriageState]], fmt: str, **kwargs: object) -> str:
    out = StringIO()
    n = write_papers(papers, fmt, out, **kwargs)  # type: ignore[arg-type]
    assert n == len(papers)
    return out.getvalue()


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def bib_entries(text: str) -> list[dict[str, str]]:
    """Parse `@misc{key, field = {value}, ...}` entries by brace matching."""
    entries = []
    for chunk in text.strip().split("\n\n"):
        assert chunk.startswith("@misc{"), chunk
        assert chunk.endswith("}"), chunk
        assert balanced(chunk), chunk
        body = chunk[len("@misc{") : -1]
        key, _, rest = body.partition(",")
        fields = {"key": key.strip()}
        pos = 0
        while True:
            m = re.compile(r"\s*(\w+) = \{").match(rest, pos)
            if not m:
                break
            depth, i = 1, m.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(rest[i], 0)
                i += 1
            fields[m.group(1)] = rest[m.end() : i - 1]
            pos = i + 1 if i < len(rest) and rest[i] == "," else i
        assert rest[pos:].strip() == "", rest[pos:]
        entries.append(fields)
    return entries


# --- paper_to_dict / jsonl / json ---------------------------------------------------------


def test_paper_to_dict_keys_and_types() -> None:
    d = paper_to_dict(lite_pose(), TriageState(read=True, starred=True))
    assert list(d) == JSON_KEYS
    assert d["id"] == lite_pose().id and re.fullmatch(r"[0-9a-f]{12}", d["id"])
    assert d["title"].startswith("Lite Pose:")
    assert d["published"] == "2022-05-02"
    assert d["authors"] == 5
    assert d["org"] is None and d["org_handle"] is None and d["upvotes"] is None
    assert d["links"] == ["https://github.com/mit-han-lab/litepose"]
    assert d["sources"] == ["004_a.txt"]
    assert d["state"] == {"read": True, "starred": True, "hidden": False}
    assert d["tags"] == [] and d["note"] == ""
    tagged = paper_to_dict(lite_pose(), TriageState(tags=("a", "b"), note=f"x{CLEAR}y"))
    assert tagged["tags"] == ["a", "b"] and tagged["note"] == "xy"  # controls stripped


def test_jsonl_one_object_per_line_exact_keys() -> None:
    text = render(items(lite_pose(), hyperz(), bare()), "jsonl")
    lines = text.splitlines()
    assert len(lines) == 3 and text.endswith("\n")
    objs = [json.loads(line) for line in lines]
    for obj in objs:
        assert list(obj) == JSON_KEYS
        assert isinstance(obj["id"], str)
        assert isinstance(obj["title"], str) and isinstance(obj["abstract"], str)
        assert obj["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", obj["published"])
        assert obj["authors"] is None or isinstance(obj["authors"], int)
        assert obj["upvotes"] is None or isinstance(obj["upvotes"], int)
        assert isinstance(obj["links"], list) and isinstance(obj["sources"], list)
        assert list(obj["state"]) == ["read", "starred", "hidden"]
        assert all(isinstance(v, bool) for v in obj["state"].values())
    assert objs[1]["org"] == "DeepSeek" and objs[1]["org_handle"] == "deepseek-ai"
    assert objs[1]["upvotes"] == 42 and objs[1]["published"] is None
    assert objs[1]["title"] == hyperz().title
    assert objs[2]["links"] == []


def test_jsonl_keeps_non_ascii() -> None:
    p = Paper(title="PanGu-$π$: Enhancing Language Models", abstract="café")
    text = render(items(p), "jsonl")
    assert "π" in text and "café" in text


def test_json_is_one_array() -> None:
    papers = items(lite_pose(), hyperz(), state=TriageState(hidden=True))
    data = json.loads(render(papers, "json"))
    assert isinstance(data, list) and len(data) == 2
    assert [list(o) for o in data] == [JSON_KEYS, JSON_KEYS]
    assert data[0]["state"]["hidden"] is True
    assert data == [paper_to_dict(p, s) for p, s in papers]


def test_json_empty() -> None:
    out = StringIO()
    assert write_papers([], "json", out) == 0
    assert json.loads(out.getvalue()) == []


@pytest.mark.parametrize("count", [1, 2, 3])
def test_json_streamed_is_the_standard_librarys_indented_array(count: int) -> None:
    # Written one paper at a time, the text is still what json.dumps gives for the whole list.
    papers = items(lite_pose(), hyperz(), bare())[:count]
    expected = json.dumps([paper_to_dict(p, s) for p, s in papers], indent=2, ensure_ascii=False)
    assert render(papers, "json") == expected + "\n"


# --- tsv ----------------------------------------------------------------------------------


def test_tsv_columns() -> None:
    lines = render(items(lite_pose(), hyperz(), bare()), "tsv").splitlines()
    assert len(lines) == 3
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 7 for r in rows)
    assert rows[0] == [
        lite_pose().id,
        "2022-05-02",
        "",
        lite_pose().title,
        "5 authors",
        "https://github.com/mit-han-lab/litepose",
        "",
    ]
    assert rows[1][1:3] == ["", "42"]
    assert rows[1][4] == "DeepSeek"
    assert rows[1][5] == "https://hyperz.example.org/"
    assert rows[2][4] == ""
    assert rows[2][5] == lookup_urls(bare().title)[0][1]


def test_tsv_escapes_tabs_and_newlines() -> None:
    p = Paper(title="Tabs\there\nand\r\nnewlines", abstract="", org="Big\tOrg")
    lines = render(items(p), "tsv").splitlines()
    assert len(lines) == 1
    row = lines[0].split("\t")
    assert len(row) == 7
    assert "Tabs here" in row[3] and "and" in row[3] and "newlines" in row[3]
    assert row[4] == "Big Org"


# --- table --------------------------------------------------------------------------------


def test_table_renders_titles_literally() -> None:
    p = Paper(title="Brackets [bold]not markup[/bold] [red]x", abstract="", upvotes=9)
    buf = StringIO()
    console = Console(file=buf, width=200, color_system=None)
    n = write_papers(items(lite_pose(), p), "table", buf, console=console)
    text = buf.getvalue()
    assert n == 2
    assert lite_pose().title in text
    assert "[bold]not markup[/bold] [red]x" in text
    for header in ("ID", "Date", "▲", "Title", "Org/authors"):
        assert header in text
    assert "—" in text  # unknown date
    assert "2022-05-02" in text and "5 authors" in text and "9" in text


def test_table_default_console_writes_to_out() -> None:
    out = StringIO()
    assert write_papers(items(hyperz()), "table", out, query_terms=["operator"]) == 1
    assert "DeepSeek" in out.getvalue() and "HyperZ" in out.getvalue()


# --- md -----------------------------------------------------------------------------------


def test_md_bullets() -> None:
    lines = render(items(lite_pose(), hyperz(), bare()), "md").splitlines()
    assert lines[0] == (
        "- [Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation]"
        "(https://github.com/mit-han-lab/litepose) — 2022-05-02 · 5 authors"
    )
    assert lines[1].startswith("- [HyperZ")
    assert lines[1].endswith("(https://hyperz.example.org/) — DeepSeek · 42 ▲")
    # brackets in titles are escaped, no metadata means no dash
    assert lines[2].startswith(r"- [A Paper Without Links \[v2\]](https://arxiv.org/search/")
    assert "—" not in lines[2]


def test_md_full_metadata_order() -> None:
    p = Paper(title="X", abstract="", published=date(2024, 10, 3), org="DeepSeek", upvotes=5)
    assert render(items(p), "md").endswith("— 2024-10-03 · DeepSeek · 5 ▲\n")


# --- bibtex -------------------------------------------------------------------------------


def test_bibtex_shape() -> None:
    text = render(items(lite_pose(), hyperz(), bare()), "bibtex")
    assert "\n\n@misc{" in text  # blank line between entries
    entries = bib_entries(text)
    assert len(entries) == 3
    lp, hz, b = entries
    # Keys: no author names, so the first significant title word, the year, the next word.
    assert lp["key"] == "lite2022pose"
    assert lp["title"] == "{Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation}"
    assert lp["year"] == "2022"
    assert lp["url"] == "https://github.com/mit-han-lab/litepose"
    assert lp["note"] == "5 authors; Hugging Face Daily Papers"
    assert "year" not in hz and hz["key"] == "hyperzzwoperator"  # math dropped, no year
    assert hz["note"] == "DeepSeek; Hugging Face Daily Papers"
    assert b["key"] == "paperwithout"  # stopword "A" skipped
    assert b["url"] == lookup_urls(bare().title)[0][1]
    assert len({e["key"] for e in entries}) == 3


def test_bibtex_latex_title_verbatim_and_escapes() -> None:
    [hz] = bib_entries(render(items(hyperz()), "bibtex"))
    assert hz["title"] == "{HyperZ$\\cdot$Z$\\cdot$W Operator Connects Slow-Fast Networks \\& More}"


def test_bibtex_escapes_specials() -> None:
    p = Paper(
        title="50% of #1 Costs $5 & a_b ~ x^2 {open \\ back",
        abstract="",
        org="R&D_Lab",
        published=date(2023, 1, 1),
    )
    text = render(items(p), "bibtex")
    [e] = bib_entries(text)
    title = e["title"]
    for escaped in ("50\\%", "\\#1", "\\$5", "\\&", "a\\_b", "\\textasciitilde{}"):
        assert escaped in title, escaped
    assert "x\\textasciicircum{}2" in title
    assert "\\textbraceleft{}open" in title and "\\textbackslash{} back" in title
    assert e["note"].startswith("R\\&D\\_Lab; ")
    assert balanced(text)


def test_bibtex_unbalanced_math_is_escaped() -> None:
    p = Paper(title="Broken $\\frac{a$ Math", abstract="")
    [e] = bib_entries(render(items(p), "bibtex"))
    assert "\\$\\textbackslash{}frac\\textbraceleft{}a\\$" in e["title"]


def test_bibtex_keys_unique_for_duplicates() -> None:
    entries = bib_entries(render(items(lite_pose(), lite_pose()), "bibtex"))
    assert entries[0]["key"] != entries[1]["key"]


# --- titles / urls ------------------------------------------------------------------------


def test_titles() -> None:
    text = render(items(lite_pose(), hyperz()), "titles")
    assert text == f"{lite_pose().title}\n{hyperz().title}\n"


def test_urls_one_line_per_paper() -> None:
    """The first code link, else the first link, else the arXiv search: one line a paper."""
    lines = render(items(lite_pose(), hyperz(), bare()), "urls").splitlines()
    assert lines == [
        "https://github.com/mit-han-lab/litepose",
        "https://hyperz.example.org/",
        lookup_urls(bare().title)[0][1],
    ]


def test_links_every_link_or_arxiv_search() -> None:
    lines = render(items(lite_pose(), hyperz(), bare()), "links").splitlines()
    assert lines == [
        "https://github.com/mit-han-lab/litepose",
        "https://hyperz.example.org/",
        "https://huggingface.co/hyperz",
        lookup_urls(bare().title)[0][1],
    ]
    assert lines[-1].startswith("https://arxiv.org/search/?query=A+Paper+Without+Links")


def test_links_include_the_arxiv_and_hugging_face_pages_of_a_paper_with_an_id() -> None:
    """`--format links` left out the exact pages of papers whose arXiv id is known. The id and
    its pages as the paper-page capture in ../shared/fixtures/pages links them."""
    ace = Paper(
        title="Agentic Context Engineering: Evolving Contexts for Self-Improving Language Models",
        abstract="Large language model (LLM) applications ...",
        arxiv_id="2510.04618",
        links=["https://github.com/ace-agent/ace", "https://huggingface.co/papers/2510.04618"],
    )
    no_links = replace(ace, links=[], title="Another")
    lines = render(items(ace, no_links), "links").splitlines()
    assert lines == [
        "https://github.com/ace-agent/ace",
        "https://huggingface.co/papers/2510.04618",  # once, though both name it
        "https://arxiv.org/abs/2510.04618",
        "https://arxiv.org/abs/2510.04618",
        "https://huggingface.co/papers/2510.04618",
    ]


@pytest.mark.parametrize("fmt", ["urls", "links"])
def test_urls_only_http(fmt: str) -> None:
    lines = render(items(evil()), fmt).splitlines()
    assert "https://ok.example.com/page" in lines
    assert all(line.startswith(("http://", "https://")) for line in lines)
    assert not any("javascript" in line or "file:" in line for line in lines)


# --- safety and errors --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_control_sequences_in_any_format(fmt: str) -> None:
    buf = StringIO()
    console = Console(file=buf, width=200, color_system=None)
    n = write_papers(items(evil(), lite_pose()), fmt, buf, console=console)
    text = buf.getvalue()
    assert n == 2
    assert text  # something was written
    for bad in (OSC52, CLEAR, "\x1b", "\x07", "\x9b", "]52;", "[2J"):
        assert bad not in text, (fmt, bad)
    assert "javascript:" not in text and "file:///" not in text
    if fmt not in ("urls", "links"):
        assert "Evil" in text


def test_unknown_format() -> None:
    consumed = []

    def gen() -> Iterator[tuple[Paper, TriageState]]:
        consumed.append(True)
        yield lite_pose(), TriageState()

    out = StringIO()
    with pytest.raises(ValueError, match="xml"):
        write_papers(gen(), "xml", out)
    assert out.getvalue() == "" and not consumed


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "table"])
def test_streaming_formats_write_before_exhausting(fmt: str) -> None:
    # The first paper is written before the second is read: a search of every paper never
    # holds all of them (json and csljson arrays included; only `table` lays out the whole).
    out = StringIO()
    seen_before_second: list[str] = []

    def gen() -> Iterator[tuple[Paper, TriageState]]:
        yield lite_pose(), TriageState()
        seen_before_second.append(out.getvalue())
        yield hyperz(), TriageState()

    assert write_papers(gen(), fmt, out) == 2
    assert seen_before_second and seen_before_second[0] != ""


def test_output_does_not_import_textual() -> None:
    import subprocess

    code = "import sys, paperbrowse.output; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- the record's counts and ids -------------------------------------------------------------


def counted() -> Paper:
    """A paper whose capture shows 7 comments and 42 upvotes (Z-Image's figures in the issue)."""
    return Paper(
        title="Z-Image",
        abstract="An image model.",
        published=date(2025, 11, 27),
        comments=7,
        upvotes=42,
        arxiv_id="2511.22699",
        author_names=["Ann Author", "Bo Writer"],
        authors=2,
        github_stars=3290,
        summary="A one-sentence summary.",
        submitted_by="someone",
        sources=["trending.md"],
        page_kinds={"trending.md": "trending"},
    )


def test_json_keys_hold_the_record() -> None:
    d = paper_to_dict(counted(), TriageState())
    assert (d["comments"], d["upvotes"], d["github_stars"]) == (7, 42, 3290)
    assert d["arxiv_id"] == "2511.22699"
    assert d["author_names"] == ["Ann Author", "Bo Writer"] and d["authors"] == 2
    assert d["summary"] == "A one-sentence summary." and d["abstract"] == "An image model."
    assert d["submitted_by"] == "someone"
    assert d["page_kinds"] == {"trending.md": "trending"}
    bare_dict = paper_to_dict(bare(), TriageState())
    for key in ("comments", "upvotes", "github_stars", "arxiv_id", "author_names", "summary"):
        assert bare_dict[key] is None, key
    assert bare_dict["page_kinds"] == {}


def test_comments_are_never_written_as_upvotes() -> None:
    only_comments = replace(counted(), upvotes=None, arxiv_id=None)
    row = render(items(only_comments), "tsv").rstrip("\n").split("\t")
    assert row[2] == "" and row[6] == "7"  # the upvotes column stays empty
    both = render(items(counted()), "tsv").rstrip("\n").split("\t")
    assert both[2] == "42" and both[6] == "7"
    md = render(items(only_comments), "md")
    assert md.rstrip().endswith("· 7 💬") and "▲" not in md
    assert render(items(counted()), "md").rstrip().endswith("· 42 ▲ · 7 💬")
    buf = StringIO()
    write_papers(items(only_comments), "table", buf, console=Console(file=buf, width=200))
    lines = buf.getvalue().splitlines()
    cells = [c.strip() for c in lines[1].split("┃")]  # the header row
    values = [c.strip() for c in lines[3].split("│")]  # the paper's row
    assert values[cells.index("💬")] == "7" and values[cells.index("▲")] == ""


def test_a_known_arxiv_id_links_the_abstract_page() -> None:
    paper = replace(counted(), links=["https://project.example.org/"])
    row = render(items(paper), "tsv").rstrip("\n").split("\t")
    assert row[5] == "https://arxiv.org/abs/2511.22699"
    assert "(https://arxiv.org/abs/2511.22699)" in render(items(paper), "md")
    coded = replace(paper, links=["https://github.com/a/b"])
    assert render(items(coded), "tsv").rstrip("\n").split("\t")[5] == "https://github.com/a/b"


# --- spreadsheet formulas (OWASP CSV injection) ---------------------------------------------

FORMULA_TITLES = [
    '=HYPERLINK("http://evil.example","click")',
    "+1 Trick for Better Models",
    "-2 Bits Are Enough",
    "@SUM(A1:A9) Attention",
    "=1+1",
]


@pytest.mark.parametrize("title", FORMULA_TITLES)
def test_tsv_prefixes_a_quote_to_cells_a_spreadsheet_would_run(title: str) -> None:
    p = Paper(title=title, abstract="", org="=cmd|' /C calc'!A0", upvotes=3)
    row = render(items(p), "tsv").rstrip("\n").split("\t")
    assert row[3] == "'" + title
    assert row[4] == "'=cmd|' /C calc'!A0"
    assert row[2] == "3"  # numbers and the rest are untouched
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize("title", FORMULA_TITLES)
@pytest.mark.parametrize("fmt", ["jsonl", "titles", "md", "urls"])
def test_other_formats_keep_a_formula_like_title_exact(title: str, fmt: str) -> None:
    p = Paper(title=title, abstract="")
    text = render(items(p), fmt)
    if fmt == "jsonl":
        assert json.loads(text)["title"] == title
    elif fmt == "titles":
        assert text == title + "\n"
    elif fmt == "md":
        assert text.startswith("- [")
        assert "'" + title not in text
    else:
        assert text.strip() == lookup_urls(title)[0][1]


def test_tsv_leaves_ordinary_cells_alone() -> None:
    row = render(items(lite_pose()), "tsv").rstrip("\n").split("\t")
    assert row[3] == lite_pose().title and not row[3].startswith("'")


def test_every_field_shown_is_folded_onto_one_line() -> None:
    """Line breaks in any name or field (a dump's file name, a title, an organisation, a
    submitter, author names, the summary) never start a line of `show` or `table` output."""
    from paperbrowse.render import paper_lines, stats_text
    from paperbrowse.results import LibraryStats

    odd = Paper(
        title="Odd\nTitle",
        abstract="An\nabstract\u2028here.",
        summary="A\rsummary.",
        org="Odd\nOrg",
        submitted_by="some\none",
        author_names=["Ada\nLovelace", "Alan\tTuring"],
        arxiv_id="2510.04618",
        sources=["saved\nfrom firefox.txt"],
    )
    lines = paper_lines(odd)
    joined = "\n".join(lines)
    for whole in (
        "Odd Title",
        "Odd Org",
        "some one",
        "Ada Lovelace, Alan Turing",
        "saved from firefox.txt",
        "An abstract here.",
    ):
        assert whole in joined, (whole, lines)
    assert not [line for line in lines if line.startswith(("Title", "Org", "one", "Lovelace"))]
    assert not [line for line in lines if "\t" in line or "\u2028" in line]
    table = render(items(odd), "table")
    assert "Odd Title" in table and "Odd Org" in table
    stats = LibraryStats(
        papers=1, dated=0, first=None, last=None, sources=1,
        months=[], orgs=[("Odd\nOrg", 1)], hosts=[("host\n.example", 1)],
    )  # fmt: skip
    plain = stats_text(stats).plain
    assert "Odd Org" in plain and "host .example" in plain, plain


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_outputs_escape_line_and_paragraph_separators(fmt: str) -> None:
    # U+2028/U+2029 are valid raw in JSON strings, but str.splitlines (and JavaScript before
    # ES2019) break lines there: a JSON-lines record must stay one line to every reader.
    p = Paper(title="Line\u2028break", abstract="para\u2029graph")
    papers = items(p, lite_pose(), state=TriageState(note="a\u2028b"))
    text = render(papers, fmt)
    assert "\u2028" not in text and "\u2029" not in text
    if fmt == "jsonl":
        lines = text.splitlines()
        assert len(lines) == 2
        objs = [json.loads(line) for line in lines]
    else:
        objs = json.loads(text)
    assert objs[0]["title"] == "Line\u2028break" and objs[0]["abstract"] == "para\u2029graph"
    assert objs[0]["note"] == "a\u2028b"
