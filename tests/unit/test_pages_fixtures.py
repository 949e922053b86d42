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


# The years of cards that show none, from the paper's arXiv id


def id_month(arxiv_id: str) -> tuple[int, int]:
    """(year, month) of a new-style arXiv id, read as arXiv defines it: YYMM.NNNNN."""
    return 2000 + int(arxiv_id[:2]), int(arxiv_id[2:4])


@pytest.mark.parametrize("name", CAPTURES)
@pytest.mark.parametrize("saved", ["2026-11-30", "2027-01-02", "2025-10-08"])
def test_a_card_without_a_year_takes_it_from_its_arxiv_id(name: str, saved: str) -> None:
    """`Published on Oct 6` on the page of 2510.04618 was stored as 2026-10-06 from the file's
    modification time. The id says October 2025, whenever the file was saved."""
    from datetime import datetime, timezone

    from paperbrowse.pages import parse_capture

    stamp = datetime.fromisoformat(saved).replace(hour=12, tzinfo=timezone.utc).timestamp()
    result = parse_capture((PAGES / name).read_bytes(), name, mtime=stamp)
    checked = 0
    for paper, want in zip(result.papers, truth(name), strict=True):
        if not (want["arxiv_id"] and "/" not in want["arxiv_id"] and want["published"]):
            continue
        assert paper.published is not None, want["title"]
        if want["published"].startswith("--"):  # the card shows no year: the id's month's
            year, month = id_month(want["arxiv_id"])
            assert int(want["published"][2:4]) in (month - 1, month, month + 1)  # a near date
            assert paper.published.year == year, want["title"]
        else:  # a year the card shows is never overridden
            assert paper.published.isoformat() == want["published"], want["title"]
        checked += 1
    if name != "search-lynx-dump.txt":  # it shows no arXiv ids
        assert checked


def test_a_page_read_from_stdin_dates_its_card_by_its_arxiv_id_without_a_warning() -> None:
    """Piped in (`index -`: no file date), the paper page's `Published on Oct 6` takes its year
    from 2510.04618; no date is left empty, so no "no year on the page" warning (it warned
    while the date was set; found by a fresh user)."""
    from paperbrowse.pages import parse_capture

    name = "paper-page-select-all.txt"
    result = parse_capture((PAGES / name).read_bytes(), "stdin", mtime=None)
    (paper,) = result.papers
    (want,) = truth(name)
    year, _ = id_month(want["arxiv_id"])
    assert paper.published is not None
    assert paper.published.year == year
    assert paper.published.isoformat()[4:] == want["published"][1:]  # "--10-06"
    assert result.warnings == []


def test_the_arxiv_id_year_rule_against_the_hf_api_archive() -> None:
    """Every record of the HF API archive, its `published_at` given without a year: the rule
    gives back the year for all but the records HF dates more than a year after the id's
    month or more than two months before it (5 of 9,877), which no rule on the id alone can
    date."""
    from datetime import date

    from paperbrowse.pages.years import year_from_arxiv_id
    from tests.api_records import api_records

    wrong = []
    for rec in api_records():
        published = date.fromisoformat(rec["published_at"][:10])
        got = year_from_arxiv_id(rec["arxiv_id"], published.month, published.day)
        if got != published.year:
            wrong.append(rec)
    for rec in wrong:
        year, month = id_month(rec["arxiv_id"])
        published = date.fromisoformat(rec["published_at"][:10])
        months_after = (published.year - year) * 12 + published.month - month
        assert months_after > 12 or months_after < -2, rec["arxiv_id"]
    assert len(wrong) <= 5, [r["arxiv_id"] for r in wrong]


@pytest.mark.parametrize(
    ("arxiv_id", "month", "day", "year"),
    [
        ("2510.04618", 10, 6, 2025),
        ("2510.04618v3", 9, 30, 2025),  # HF a few days early
        ("2501.00001", 12, 30, 2024),  # submitted at the year's end, announced in January
        ("2412.19999", 1, 2, 2025),
        ("0704.0001", 4, 2, 2007),  # the first new-style id
        ("hep-th/9901001", 1, 5, None),  # old style: no month to go by
        (None, 1, 5, None),
        ("2502.00001", 2, 29, None),  # no Feb 29 in 2025-2027, 2024 too early: the page's
    ],
)
def test_year_from_arxiv_id(arxiv_id: str | None, month: int, day: int, year: int | None) -> None:
    from paperbrowse.pages.years import year_from_arxiv_id

    assert year_from_arxiv_id(arxiv_id, month, day) == year


@pytest.mark.parametrize(
    ("url", "year"),
    [
        ("https://huggingface.co/papers/date/2024-11-29", 2024),
        ("https://huggingface.co/papers/date/2024-11-29/", 2024),
        ("https://huggingface.co/papers/month/2025-01", 2025),
        ("https://huggingface.co/papers/week/2024-W48", 2024),  # Nov 25 - Dec 1, 2024
        ("https://huggingface.co/papers/week/2025-W01", None),  # Dec 30, 2024 - Jan 5, 2025
        ("https://huggingface.co/papers/week/2026-W53", None),  # 2026 has 52 ISO weeks
        ("https://huggingface.co/papers/date/2024-02-30", None),
        ("https://huggingface.co/papers/trending", None),
        ("https://huggingface.co/papers/2411.17176", None),
        ("https://example.org/papers/date/2024-11-29", None),
        (None, None),
    ],
)
def test_the_year_a_list_pages_address_names(url: str | None, year: int | None) -> None:
    from paperbrowse.pages.kinds import year_of_url

    assert year_of_url(url) == year
