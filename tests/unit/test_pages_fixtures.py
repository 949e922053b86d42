"""The real captures in ../shared/fixtures parse into exactly the records their truth files give.

Expected values come from `<capture>.truth.json` (written from the captures by hand, see
../shared/fixtures/pages/README.md for its conventions) and, for the select-all dumps, from the
dump text itself read line by line here, never from running the parser.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from paperbrowse.pages import parse_file
from tests.indexing import index_into

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PAGES = SHARED / "fixtures" / "pages"
DUMPS = SHARED / "fixtures" / "dumps"
CAPTURES = ("paper-page-select-all.txt", "search-lynx-dump.txt", "trending-markdown.md")
KINDS = {
    "paper-page-select-all.txt": ("paper", "select-all"),
    "search-lynx-dump.txt": ("search", "terminal"),
    "trending-markdown.md": ("trending", "markdown"),
}

pytestmark = pytest.mark.skipif(
    not PAGES.is_dir(), reason="../shared/fixtures is absent (the real captures live there)"
)


def shown_stars(figure: str) -> int:
    """`3.29k` -> 3290, as the truth files write GitHub figures (a test-side reading)."""
    scale = {"k": 1000, "m": 1_000_000}.get(figure[-1].lower(), 1)
    number = figure[:-1] if scale != 1 else figure
    return int(Decimal(number) * scale)


def truth(name: str) -> list[dict]:
    return json.loads((PAGES / f"{name}.truth.json").read_text("utf-8"))


def collapsed(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", CAPTURES)
def test_capture_parses_to_its_truth(name: str) -> None:
    result = parse_file(PAGES / name)
    expected = truth(name)
    assert (result.kind, result.syntax) == KINDS[name]
    assert result.warnings == []
    assert [p.title for p in result.papers] == [t["title"] for t in expected]
    for paper, want in zip(result.papers, expected, strict=True):
        where = want["title"]
        assert paper.arxiv_id == want["arxiv_id"], where
        published = paper.published.isoformat() if paper.published else None
        if want["published"] and want["published"].startswith("--"):
            assert published is not None and published[4:] == want["published"][1:], where
        else:
            assert published == want["published"], where
        assert paper.comments == want["comments"], where
        assert paper.upvotes == want["upvotes"], where
        assert paper.authors == want["authors"], where
        assert paper.author_names == want["author_names"], where
        assert paper.org == want["org"], where
        stars = want["github_stars"]
        assert paper.github_stars == (shown_stars(stars) if stars else None), where
        if want["summary_kind"] == "ai_summary":
            assert paper.abstract == "", where
            assert paper.summary is not None
            assert collapsed(paper.summary)[:60] == want["abstract_start"], where
        else:
            assert collapsed(paper.abstract)[:60] == want["abstract_start"], where
        assert paper.page_kinds == {name: KINDS[name][0]}
        assert paper.sources == [name]


def test_paper_page_details() -> None:
    """What the truth file does not spell out, read from the capture's own lines."""
    (paper,) = parse_file(PAGES / "paper-page-select-all.txt").papers
    lines = (PAGES / "paper-page-select-all.txt").read_text("utf-8").split("\n")
    abstract_at = lines.index("Abstract")
    assert paper.summary == lines[abstract_at + 1]
    assert paper.abstract == lines[abstract_at + 3]
    assert paper.submitted_by == lines[lines.index("Submitted by") + 1] == "taesiri"
    assert paper.line == lines.index(paper.title) + 1


def test_trending_cards_keep_their_submitter_and_links() -> None:
    text = (PAGES / "trending-markdown.md").read_text("utf-8")
    papers = parse_file(PAGES / "trending-markdown.md").papers
    # "Submitted by", an image, then the user: the card below it is theirs.
    pattern = re.compile(
        r"Submitted by\n\n\[图片：无替代文本\]\n\n(\S+)\n\n\n<a id=\"[^\"]+\"></a>\n\n"
        r"### \[([^\]]+)\]\(https://huggingface\.co/papers/([\d.]+)\)"
    )
    submitters = {m.group(3): m.group(1) for m in pattern.finditer(text)}
    assert len(submitters) > 30
    by_id = {p.arxiv_id: p for p in papers}
    for arxiv_id, user in submitters.items():
        assert by_id[arxiv_id].submitted_by == user
    # Cards without a "Submitted by" block have no submitter.
    assert sum(p.submitted_by is None for p in papers) == len(papers) - len(submitters)
    repos = re.findall(r"\[GitHub [^\]]+\]\((https://github\.com/[^)]+)\)", text)
    assert {u for p in papers for u in p.links if "github.com" in u} >= set(repos)


def test_search_capture_year_comes_from_its_capture_date() -> None:
    """The header says `Captured (UTC): 2026-06-29`: year-less dates are 2026's."""
    result = parse_file(PAGES / "search-lynx-dump.txt")
    assert result.page_date is not None and result.page_date.isoformat() == "2026-06-29"
    murmur = result.papers[0]
    assert murmur.published is not None and murmur.published.isoformat() == "2026-05-30"


# --- the select-all dumps: the number after a date is the comment count ---------------------

DATE_AND_NUMBER = re.compile(r"^[A-Z][a-z]{2} \d{1,2}(?:, \d{4})? (\d+)$")


@pytest.mark.skipif(not DUMPS.is_dir(), reason="../shared/fixtures/dumps is absent")
@pytest.mark.parametrize("name", sorted(p.name for p in DUMPS.glob("*.txt")))
def test_dump_comment_counts_are_comments_never_upvotes(name: str) -> None:
    lines = (DUMPS / name).read_text("utf-8").split("\n")
    # Each card's title is the line after the blank before its abstract; the date line follows
    # the "·" line of its metadata block. Read the pairs straight from the text.
    shown: dict[str, int] = {}
    title = ""
    for i, line in enumerate(lines):
        if i + 2 < len(lines) and lines[i + 1] == "" and len(lines[i + 2]) > 200 and line:
            title = line
        match = DATE_AND_NUMBER.match(line)
        if match and i and lines[i - 1] == "·":
            shown[title] = int(match.group(1))
    papers = {p.title: p for p in parse_file(DUMPS / name).papers}
    assert {t: p.comments for t, p in papers.items() if p.comments is not None} == shown
    # Select-all copies of these pages show no upvote count at all.
    assert all(p.upvotes is None for p in papers.values())


@pytest.mark.skipif(not DUMPS.is_dir(), reason="../shared/fixtures/dumps is absent")
def test_dumps_carry_26_comment_counts() -> None:
    papers = {p.title: p for f in sorted(DUMPS.glob("*.txt")) for p in parse_file(f).papers}
    assert sum(p.comments is not None for p in papers.values()) == 26


def test_the_real_captures_index_and_search(tmp_path: Path) -> None:
    """Every paper of the three captures is one record of a library, summary-only trending cards
    (abstract "") included, and is found by its arXiv id."""
    from paperbrowse.library import Library
    from paperbrowse.models import Filters, normalise_title
    from paperbrowse.sources import collect_sources

    library = Library(tmp_path / "data")
    sources, problems = collect_sources([str(PAGES / name) for name in CAPTURES])
    assert problems == []
    report = index_into(library, sources)
    assert report.failures == [] and report.warnings == []
    expected = [t for name in CAPTURES for t in truth(name)]
    assert len(library) == len({normalise_title(t["title"]) for t in expected})
    for want in expected:
        if want["arxiv_id"]:
            hits = library.search(Filters(query=f"arxiv:{want['arxiv_id']}")).ids
            assert len(hits) == 1, want["title"]
    library.close()
