"""One paper's text (detail pane, `show`) and the stats text: comments and upvotes never mixed,
the new record fields shown, plain lines without padding or broken URLs."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len

from paperbrowse.models import Paper, TriageState
from paperbrowse.render import paper_header, paper_lines, stats_text
from paperbrowse.results import LibraryStats

URL = "https://github.com/some-org/a-repository-with-a-rather-long-name-for-wrapping/tree/main"


def full_paper() -> Paper:
    """A paper page's record: upvotes, comments, arXiv id, author names, stars, AI summary."""
    return Paper(
        title="A Paper With Everything",
        abstract="We study\nthings at length.",
        published=date(2025, 10, 8),
        authors=3,
        org="RLinf",
        upvotes=42,
        comments=7,
        arxiv_id="2510.06710",
        author_names=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        github_stars=3290,
        summary="An AI-written one-line summary.",
        submitted_by="akhaliq",
        links=[URL, "https://example.org/project"],
        sources=["paper.txt"],
    )


def test_upvotes_and_comments_have_their_own_glyphs() -> None:
    meta = paper_header(full_paper(), TriageState())[1].plain
    assert meta == "2025-10-08  ·  RLinf  ·  3 authors  ·  ▲ 42  ·  💬 7"
    only_comments = Paper(title="T", abstract="A", comments=12)
    assert "💬 12" in paper_header(only_comments, TriageState())[1].plain
    assert "▲" not in paper_header(only_comments, TriageState())[1].plain
    only_upvotes = Paper(title="T", abstract="A", upvotes=5)
    line = paper_header(only_upvotes, TriageState())[1].plain
    assert "▲ 5" in line and "💬" not in line


def test_the_new_fields_and_the_summary_apart_from_the_abstract() -> None:
    lines = paper_lines(full_paper(), TriageState(read=True, starred=True))
    assert lines[0] == "A Paper With Everything"
    assert lines[1].endswith("·  read, starred")
    assert lines[2] == "arXiv 2510.06710  ·  3,290 GitHub stars  ·  submitted by akhaliq"
    assert lines[3] == "Authors: Ada Lovelace, Alan Turing, Grace Hopper"
    assert lines[4] == f"id {full_paper().id}  ·  from paper.txt"
    assert lines[5:9] == [
        "",
        "AI summary: An AI-written one-line summary.",
        "",
        "We study things at length.",
    ]


def test_plain_lines_keep_urls_whole_and_have_no_trailing_spaces() -> None:
    lines = paper_lines(full_paper())
    # The paper's arXiv id is known: its own pages, not searches (links.exact_urls).
    width = len("Hugging Face paper") + 2  # the longest label, then two spaces
    assert "code".ljust(width) + URL in lines
    assert "project page".ljust(width) + "https://example.org/project" in lines
    assert "arXiv".ljust(width) + "https://arxiv.org/abs/2510.06710" in lines
    assert all(line == line.rstrip() for line in lines)
    assert all("\x1b" not in line for line in lines)


def test_a_paper_without_an_abstract_says_so() -> None:
    assert "No abstract in the captures." in paper_lines(Paper(title="T", abstract=""))


def test_stats_headings_whole_and_columns_aligned_in_cells() -> None:
    stats = LibraryStats(
        papers=3,
        dated=2,
        sources=1,
        first=date(2024, 1, 1),
        last=date(2024, 2, 1),
        months=[("2024-01", 1), ("2024-02", 1)],
        orgs=[("清华大学", 2), ("MIT", 1)],
        hosts=[("github.com", 3)],
    )
    lines = stats_text(stats).plain.splitlines()
    assert lines[:4] == [
        "papers     3",
        "dated      2 (67%)",
        "date span  2024-01-01 … 2024-02-01",
        "dumps      1",
    ]
    assert "top organisations" in lines and "papers per month" in lines
    orgs = lines[lines.index("top organisations") + 1 : lines.index("top organisations") + 3]
    assert [cell_len(line) for line in orgs] == [cell_len(orgs[0])] * 2  # counts line up
    assert all(line == line.rstrip() for line in lines)
