"""BibTeX output is safe TeX, read back by real BibTeX readers (bibtexparser, pybtex).

- Two amounts of money (`for $5 to $50`) are text; real math (`$\\cdot$`, `$\\alpha$-Flow`,
  `$O(n^2)$`, `$\\mathbf{x}$`) comes out as math.
- Inside `$…$` nothing but allowed math survives: `$\\end{document}$`, `%`, `#`, `&`, `^^5c`.
- With an arXiv id: `eprint`, `archivePrefix = {arXiv}` and the abstract page as `url`.
- Hostile titles (Hypothesis): every entry parses in both readers; no TeX command outside the
  escapes and the math allow-list, no bare `%`, `#`, `&`; and LaTeX-to-text (pylatexenc) gives
  back exactly the title, so nothing is lost either.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from io import StringIO
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from paperbrowse.bibtex import MATH_COMMANDS
from paperbrowse.models import Paper, TriageState
from paperbrowse.output import write_papers

API_RECORDS = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
) / "hf-daily-papers-api-2024-2026.jsonl.gz"
# Commands that read or write files, define macros, or end the document: never in output.
DANGEROUS = {
    "end", "begin", "input", "include", "def", "edef", "gdef", "let", "write", "immediate",
    "openout", "openin", "read", "catcode", "csname", "newcommand", "renewcommand", "url",
    "href", "special", "usepackage", "documentclass", "makeatletter", "jobname", "loop",
}  # fmt: skip
TEXT_ESCAPE_COMMANDS = {
    "textbackslash", "textbraceleft", "textbraceright", "textasciitilde", "textasciicircum",
    "textless", "textgreater", "textbar",
}  # fmt: skip


def bibtex(*papers: Paper) -> str:
    out = StringIO()
    write_papers([(p, TriageState()) for p in papers], "bibtex", out)
    return out.getvalue()


def title_field(text: str) -> str:
    """The title as both readers see it: parsed by bibtexparser, checked against pybtex."""
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert len(library.entries) == 1
    title = library.entries[0].fields_dict["title"].value
    database = pybtex_parse(text, "bibtex")
    [entry] = database.entries.values()
    assert " ".join(entry.fields["title"].split()) == " ".join(title.split())  # pybtex folds
    assert title.startswith("{") and title.endswith("}")
    return title[1:-1]  # the inner braces keep the case; they are ours


def math_and_text(title: str) -> tuple[list[str], str]:
    """The `$…$` math segments of an output title (a `$` after a backslash is text) and the
    text around them."""
    segments = re.split(r"(?<!\\)\$", title)
    assert len(segments) % 2 == 1, f"unpaired math dollar in {title!r}"
    return segments[1::2], "".join(segments[0::2])


def assert_safe(title: str) -> None:
    math, text = math_and_text(title)
    for command in re.findall(r"\\([A-Za-z]+)", text):
        assert command in TEXT_ESCAPE_COMMANDS, (command, title)
    for bare in ("%", "#", "&", "~", "^", "_"):
        assert re.search(rf"(?<!\\){re.escape(bare)}", text) is None, (bare, title)
    for body in math:
        for command in re.findall(r"\\([A-Za-z]+)", body):
            assert command in MATH_COMMANDS and command not in DANGEROUS, (command, title)
        assert not re.search(r"[%#&~$]", body), body
        assert "^^" not in body, body


def _decoder() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    db.add_context_category(
        "paperbrowse-text-escapes",
        prepend=True,
        macros=[
            MacroTextSpec(name, text)
            for name, text in [
                ("textbraceleft", "{"),
                ("textbraceright", "}"),
                ("textasciicircum", "^"),
                ("textasciitilde", "~"),
                ("textless", "<"),
                ("textgreater", ">"),
                ("textbar", "|"),
                ("textbackslash", "\\"),
            ]
        ],
    )
    return LatexNodes2Text(latex_context=db, math_mode="verbatim")


DECODE = _decoder()


# ---------------------------------------------------------------------------------------------
# The cases the hostile tester found


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Cheap Models for $5 to $50 a Month", r"Cheap Models for \$5 to \$50 a Month"),
        ("Earn $1 Million and $2 More", r"Earn \$1 Million and \$2 More"),
        ("Fixing 7,400 Bugs for 1$: Cheap", r"Fixing 7,400 Bugs for 1\$: Cheap"),
        ("$\\end{document}$ Attack", r"\$\textbackslash{}end\textbraceleft{}document"),
        ("Bad $a % b$ Math", r"Bad \$a \% b\$ Math"),
        ("Bad $x # y$ Math", r"\$x \# y\$"),
        ("Bad $a & b$ Math", r"\$a \& b\$"),
        ("Sneaky $^^5cend{document}$", r"\$\textasciicircum{}\textasciicircum{}5cend"),
        ("Sneaky $\\input{/etc/passwd}$", r"\$\textbackslash{}input\textbraceleft{}/etc/passwd"),
        ("\\$OneMillion-Bench: Agents", r"\$OneMillion-Bench: Agents"),
    ],
)
def test_money_and_unsafe_math_are_text(title: str, expected: str) -> None:
    out = title_field(bibtex(Paper(title=title, abstract="")))
    assert expected in out
    assert_safe(out)
    math, _text = math_and_text(out)
    assert math == []


@pytest.mark.parametrize(
    ("title", "math"),
    [
        ("HyperZ$\\cdot$Z$\\cdot$W Operator", ["\\cdot", "\\cdot"]),
        ("$\\alpha$-Flow: One-Step Models", ["\\alpha"]),
        ("Sorting in $O(n^2)$ Time", ["O(n^2)"]),
        ("Vectors $\\mathbf{x}$ and $\\mathcal{L}_{2}$", ["\\mathbf{x}", "\\mathcal{L}_{2}"]),
        ("$\\nabla^2$DFT: A Dataset", ["\\nabla^2"]),
        ("$μ$LO: Learned Optimizers", ["μ"]),
        ("LLM$\\times$MapReduce", ["\\times"]),
        ("$\\text{Transformer}^2$: Self-adaptive LLMs", ["\\text{Transformer}^2"]),
        ("Top-$nσ$: Not All Logits", ["nσ"]),
    ],
)
def test_real_math_stays_math(title: str, math: list[str]) -> None:
    out = title_field(bibtex(Paper(title=title, abstract="")))
    assert math_and_text(out)[0] == math
    assert_safe(out)
    assert DECODE.latex_to_text(out) == title


def test_arxiv_id_gives_eprint_archive_prefix_and_abs_url() -> None:
    paper = Paper(
        title="A Paper", abstract="", arxiv_id="2510.04618", links=["https://github.com/a/b"]
    )
    text = bibtex(paper)
    [entry] = bibtexparser.parse_string(text).entries
    assert entry.fields_dict["eprint"].value == "2510.04618"
    assert entry.fields_dict["archivePrefix"].value == "arXiv"
    assert entry.fields_dict["url"].value == "https://arxiv.org/abs/2510.04618"
    [pyb] = pybtex_parse(text, "bibtex").entries.values()
    assert pyb.fields["eprint"] == "2510.04618" and pyb.fields["archivePrefix"] == "arXiv"


@pytest.mark.parametrize("bad", ["2510.04618}, note={x", "../etc", "2510.04618 x", "abc"])
def test_a_malformed_arxiv_id_is_left_out(bad: str) -> None:
    text = bibtex(Paper(title="A Paper", abstract="", arxiv_id=bad))
    [entry] = bibtexparser.parse_string(text).entries
    assert "eprint" not in entry.fields_dict and "archivePrefix" not in entry.fields_dict
    assert not set("{} ") & set(entry.fields_dict["url"].value)  # at most percent-encoded


@pytest.mark.parametrize("old_style", ["hep-th/9901001", "math.GT/0309136v2", "2401.00001v3"])
def test_old_and_versioned_arxiv_ids_are_written(old_style: str) -> None:
    [entry] = bibtexparser.parse_string(
        bibtex(Paper(title="Old", abstract="", arxiv_id=old_style))
    ).entries
    assert entry.fields_dict["url"].value == f"https://arxiv.org/abs/{old_style}"


# ---------------------------------------------------------------------------------------------
# Hostile titles, real titles, the sample

PIECES = st.sampled_from(
    [
        "$", "$5", "$50", " to ", "\\", "{", "}", "%", "#", "&", "~", "^", "_", "^^5c", "<", ">",
        "|", "\\end{document}", "\\input{x}", "\\alpha", "\\cdot", "\\mathbf{x}", "O(n^2)",
        "\\def\\x{y}", "\\$", "\\&", "@", ",", "=", "\"", " ", "a", "Z", "9", "μ", "中",
        "\\,", "\\\\", "{}", "}{", "$$", "\\textbf{x}", "\\immediate\\write18{ls}",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=12))
@example(["for ", "$5", " to ", "$50"])
@example(["$", "\\end{document}", "$"])
@example(["$", "^^5c", "end", "$"])
def test_hostile_titles_parse_and_stay_safe(pieces: list[str]) -> None:
    title = "".join(pieces).strip()
    assume(title)
    out = title_field(bibtex(Paper(title=title, abstract="", org="R&D {Lab} 100%")))
    assert_safe(out)
    # Nothing is lost: read back as text, the title is the title. (A `\$` in the title is
    # TeX for a dollar already and reads back as one; doubled spaces are folded on output.)
    assume(not re.search(r"\\[$&%#_]", title) and "  " not in title)
    assert DECODE.latex_to_text(out) == title


def _api_titles() -> list[str]:
    if not API_RECORDS.exists():
        pytest.skip(f"{API_RECORDS} is absent (the shared data set)")
    with gzip.open(API_RECORDS, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["title"] for line in handle]


def test_every_real_title_with_a_dollar_parses_and_stays_safe() -> None:
    titles = [" ".join(t.split()) for t in _api_titles() if "$" in t]
    assert len(titles) > 10
    math_titles = 0
    for title in titles:
        out = title_field(bibtex(Paper(title=title, abstract="")))
        assert_safe(out)
        math_titles += bool(math_and_text(out)[0])
        if not re.search(r"\\[$&%#_]", title):
            assert DECODE.latex_to_text(out) == title
    assert math_titles >= 10  # real math is kept as math


def test_the_sample_library_as_bibtex_reads_back_whole(sample_papers: dict[str, Paper]) -> None:
    papers = list(sample_papers.values())
    text = bibtex(*papers)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(papers)
    assert len({e.key for e in library.entries}) == len(papers)
    assert len(pybtex_parse(text, "bibtex").entries) == len(papers)
    for entry in library.entries:
        assert_safe(entry.fields_dict["title"].value[1:-1])


def test_entry_has_a_year_only_when_dated() -> None:
    text = bibtex(Paper(title="Dated", abstract="", published=date(2024, 3, 1)))
    [entry] = bibtexparser.parse_string(text).entries
    assert entry.fields_dict["year"].value == "2024"
