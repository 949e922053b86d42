"""Tests for paperbrowse.pages on select-all copies of list pages (the bundled sample dumps and
synthetic pages in their layout) -> Paper records."""

from __future__ import annotations

import os
import shutil
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbrowse.models import Paper, paper_id
from paperbrowse.pages import (
    DumpError,
    ParseResult,
    ParseWarning,
    decode_dump,
    extract_links,
    parse_file,
    parse_text,
)
from paperbrowse.pages.lines import iter_physical
from paperbrowse.text import clean_line

SAMPLE = Path(__file__).parents[2] / "paperbrowse" / "sample"
SEARCH_A = SAMPLE / "000_09355b8551e356bb.txt"
SEARCH_B = SAMPLE / "001_52ec247306f5aae1.txt"
LISTING = SAMPLE / "004_a175915e9b0ee300.txt"

CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\n"
)
ABSTRACT = "We study a problem. Our method works well on many benchmarks and beats the baselines."


def by_title(result: ParseResult, prefix: str) -> Paper:
    matches = [p for p in result.papers if p.title.startswith(prefix)]
    assert len(matches) == 1, [p.title for p in matches]
    return matches[0]


def page(body: str, page_date: str = "Nov 13") -> str:
    """A synthetic dump: chrome, page date, then `body`."""
    return f"{CHROME}{page_date}\n\n{body}"


def parse(body: str) -> ParseResult:
    """Parse a synthetic dump whose year is given, so only the body can cause warnings."""
    return parse_text(page(body), "x.txt", year=2025)


def warnings_at(result: ParseResult) -> list[int]:
    return [w.line for w in result.warnings]


# --- the real fixtures ------------------------------------------------------------------------


def test_fixture_counts() -> None:
    results = [parse_file(f) for f in (SEARCH_A, SEARCH_B, LISTING)]
    assert [len(r.papers) for r in results] == [68, 86, 137]
    assert sum(p.published is not None for p in results[2].papers) == 128
    assert all(r.warnings == [] for r in results)
    assert all(r.encoding == "utf-8" for r in results)
    ids = {paper_id(p.title) for r in results for p in r.papers}
    assert len(ids) == 262


def test_fixture_papers_have_title_abstract_source_and_line() -> None:
    for path in (SEARCH_A, SEARCH_B, LISTING):
        result = parse_file(path)
        assert result.source == path.name
        lines = path.read_text(encoding="utf-8").split("\n")
        for paper in result.papers:
            assert paper.title and paper.abstract
            assert paper.sources == [path.name]
            assert lines[paper.line - 1] == paper.title


def test_search_pages_have_only_title_and_abstract() -> None:
    result = parse_file(SEARCH_A)
    first = result.papers[0]
    assert first.title.startswith("Lagrangian PINNs: A causality-conforming solution")
    assert first.abstract.startswith("Physics-informed neural networks (PINNs) leverage")
    assert first.line == 11  # no "Daily Papers" line on search pages
    for paper in result.papers:
        assert (paper.published, paper.authors, paper.org, paper.upvotes) == (None,) * 4
        assert paper.comments is None


def test_listing_page_year_inferred_from_largest_explicit_year() -> None:
    result = parse_file(LISTING)  # largest explicit year 2024, so the page is from 2025
    assert result.page_date == date(2025, 11, 13)
    assert all(p.page_date == date(2025, 11, 13) for p in result.papers)
    onerec = by_title(result, "OneRec Technical Report")
    assert onerec.published == date(2025, 6, 16)
    assert onerec.authors == 65
    assert onerec.line == 1057


def test_listing_page_metadata() -> None:
    result = parse_file(LISTING)
    lite = by_title(result, "Lite Pose: Efficient Architecture Design")
    assert (lite.published, lite.authors, lite.comments) == (date(2022, 5, 2), 5, None)
    assert (lite.org, lite.org_handle) == (None, None)
    assert lite.links == ["https://github.com/mit-han-lab/litepose"]
    auroracap = by_title(result, "AuroraCap:")
    # "Oct 3, 2024 2": the number after the date is the comment count, never upvotes.
    assert (auroracap.published, auroracap.comments, auroracap.upvotes) == (
        date(2024, 10, 3),
        2,
        None,
    )
    seedance = by_title(result, "Seedance 1.0")
    assert (seedance.published, seedance.comments, seedance.authors) == (date(2025, 6, 10), 9, 44)
    # The last paper ends the file without a newline.
    last = result.papers[-1]
    assert last.title.startswith("PC-DARTS: Partial Channel Connections")
    assert last.published == date(2019, 7, 12)
    assert last.links == ["https://github.com/yuhuixu1993/PC-DARTS"]


def test_z_image_card_shows_comments_not_upvotes() -> None:
    """The card of ../shared/README.md's example: `Nov 27, 2025 7` links its 7 to #community;
    the HF API gives the paper 42 upvotes. A select-all copy shows no upvote count."""
    body = (
        "Z-Image: An Efficient Image Generation Foundation Model with Single-Stream Diffusion "
        f"Transformer\n\n{ABSTRACT}\n\n  • 30 authors\n·\nNov 27, 2025 7\n"
    )
    (paper,) = parse_text(page(body, "Dec 1"), "x.txt").papers
    assert (paper.comments, paper.upvotes) == (7, None)
    assert paper.published == date(2025, 11, 27)


def test_org_lines() -> None:
    result = parse_file(LISTING)
    deepseek = by_title(result, "Insights into DeepSeek-V3")
    assert (deepseek.org, deepseek.org_handle) == ("DeepSeek", "deepseek-ai")
    assert (deepseek.published, deepseek.comments, deepseek.authors) == (
        date(2025, 5, 14),
        5,
        None,
    )
    rlinf = by_title(result, "RLinf-VLA")
    assert (rlinf.org, rlinf.org_handle, rlinf.published) == ("RLinf", "RLinf", date(2025, 10, 8))
    orgs = {p.org for p in result.papers if p.org}
    assert orgs == {"DeepSeek", "RLinf", "Dracodes"}  # no title mistaken for an org


def test_listing_papers_without_metadata() -> None:
    result = parse_file(LISTING)
    flash = by_title(result, "Flash-Searcher: Fast and Effective Web Agents")
    assert (flash.published, flash.authors, flash.org, flash.upvotes) == (None,) * 4
    assert flash.line == 173
    # The paper right after it keeps its own metadata.
    time_moe = by_title(result, "Time-MoE: Billion-Scale Time Series")
    assert (time_moe.line, time_moe.authors) == (177, 7)
    assert sum(p.published is None for p in result.papers) == 9


def test_latex_kept_verbatim() -> None:
    paper = by_title(parse_file(SEARCH_B), "HyperZ")
    assert paper.title == (
        r"HyperZ$\cdot$Z$\cdot$W Operator Connects Slow-Fast Networks for Full Context Interaction"
    )
    text = page("A $\\alpha$-bound on $\\mathcal{O}(n^2)$\n\nWe show $x_{i}^{2} \\leq 1$.\n")
    result = parse_text(text, "x.txt")
    assert result.papers[0].title == "A $\\alpha$-bound on $\\mathcal{O}(n^2)$"
    assert result.papers[0].abstract == "We show $x_{i}^{2} \\leq 1$."


# --- year inference ---------------------------------------------------------------------------


def test_year_override() -> None:
    result = parse_file(LISTING, year=2030)
    assert result.page_date == date(2030, 11, 13)
    assert by_title(result, "OneRec").published == date(2030, 6, 16)
    assert by_title(result, "AuroraCap").published == date(2024, 10, 3)  # explicit years stay


def test_explicit_year_beats_fallback() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nMay 2, 2022\n\nB\n\n{ABSTRACT}\n\n·\nMar 4\n"
    result = parse_text(page(body), "x.txt", fallback_year=1999)
    assert result.page_date == date(2023, 11, 13)
    assert [p.published for p in result.papers] == [date(2022, 5, 2), date(2023, 3, 4)]


def test_fallback_year_for_yearless_page() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nMar 4 3\n"
    result = parse_text(page(body), "x.txt", fallback_year=2021)
    assert result.page_date == date(2021, 11, 13)
    assert result.papers[0].published == date(2021, 3, 4)
    assert (result.papers[0].comments, result.papers[0].upvotes) == (3, None)
    assert result.warnings == []


def test_no_year_at_all_leaves_dates_empty_with_one_warning() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nMar 4\n\nB\n\n{ABSTRACT}\n\n·\nMar 5\n"
    result = parse_text(page(body), "x.txt")
    assert result.page_date is None
    assert [p.published for p in result.papers] == [None, None]
    assert [p.page_date for p in result.papers] == [None, None]
    assert len(result.warnings) == 1
    assert result.warnings[0].line == 9  # the page date line
    assert "year" in result.warnings[0].message


def test_no_page_date_and_no_yearless_dates_needs_no_warning() -> None:
    result = parse_text(f"A\n\n{ABSTRACT}\n\n·\nMay 2, 2022\n", "x.txt")
    assert result.page_date is None
    assert result.papers[0].published == date(2022, 5, 2)
    assert result.warnings == []


def set_mtime(path: Path, when: datetime) -> None:
    stamp = time.mktime(when.timetuple())
    os.utime(path, (stamp, stamp))


def test_mtime_fallback_for_yearless_page(tmp_path: Path) -> None:
    copy = tmp_path / SEARCH_A.name  # page date "Jun 6", no year anywhere
    shutil.copyfile(SEARCH_A, copy)
    set_mtime(copy, datetime(2023, 8, 1, 12))
    assert parse_file(copy).page_date == date(2023, 6, 6)
    set_mtime(copy, datetime(2023, 6, 6, 12))
    assert parse_file(copy).page_date == date(2023, 6, 6)
    # Saved in March: a June page cannot be from later that year, so it is last year's.
    set_mtime(copy, datetime(2023, 3, 1, 12))
    result = parse_file(copy)
    assert result.page_date == date(2022, 6, 6)
    assert all(p.page_date == date(2022, 6, 6) for p in result.papers)
    assert result.warnings == []
    assert parse_file(copy, year=2019).page_date == date(2019, 6, 6)


def test_mtime_does_not_override_explicit_years(tmp_path: Path) -> None:
    copy = tmp_path / LISTING.name
    shutil.copyfile(LISTING, copy)
    set_mtime(copy, datetime(2001, 1, 1, 12))
    assert parse_file(copy).page_date == date(2025, 11, 13)


def test_invalid_yearless_date_in_page_year_is_a_warning() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nFeb 29\n\nB\n\n{ABSTRACT}\n"
    result = parse_text(page(body), "x.txt", year=2023)
    assert [p.title for p in result.papers] == ["A", "B"]
    assert result.papers[0].published is None
    assert warnings_at(result) == [16]
    assert parse_text(page(body), "x.txt", year=2024).papers[0].published == date(2024, 2, 29)


# --- metadata blocks --------------------------------------------------------------------------


def test_dot_without_author_line() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nMay 2, 2022 7\n\nB\n\n{ABSTRACT}\n"
    result = parse_text(page(body), "x.txt")
    a, b = result.papers
    assert (a.title, a.published, a.comments, a.authors, a.org) == (
        "A",
        date(2022, 5, 2),
        7,
        None,
        None,
    )
    assert (b.title, b.published) == ("B", None)
    assert result.warnings == []


def test_author_count_and_org_lines_synthetic() -> None:
    body = (
        f"A\n\n{ABSTRACT}\n\n  • 1 author\n·\nJan 5, 2020\n\n"
        f"B\n\n{ABSTRACT}\n\ngoogle Google DeepMind\n·\nJan 6, 2020 12\n\n"
        f"C\n\n{ABSTRACT}\n\nSolo\n·\nJan 7, 2020\n"
    )
    a, b, c = parse_text(page(body), "x.txt").papers
    assert (a.authors, a.org) == (1, None)
    assert (b.org, b.org_handle, b.comments) == ("Google DeepMind", "google", 12)
    assert (c.org, c.org_handle) == ("Solo", None)


def test_paper_without_metadata_then_paper_with() -> None:
    body = f"A\n\n{ABSTRACT}\n\nB\n\n{ABSTRACT}\n\n  • 3 authors\n·\nSep 1, 2021\n"
    a, b = parse_text(page(body), "x.txt").papers
    assert (a.title, a.authors, a.published) == ("A", None, None)
    assert (b.title, b.authors, b.published) == ("B", 3, date(2021, 9, 1))


def test_full_month_names_and_page_date_with_year() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nSeptember 3\n"
    result = parse_text(page(body, "June 9, 2024"), "x.txt")
    assert result.page_date == date(2024, 6, 9)
    assert result.papers[0].published == date(2024, 9, 3)


# --- robustness: bad blocks warn and never abort ----------------------------------------------


def test_title_without_abstract_at_eof() -> None:
    result = parse(f"A\n\n{ABSTRACT}\n\nLonely title\n")
    assert [p.title for p in result.papers] == ["A"]
    assert warnings_at(result) == [15]
    assert "without an abstract" in result.warnings[0].message
    assert str(result.warnings[0]).startswith("x.txt:15: ")


def test_title_without_abstract_before_metadata_resyncs() -> None:
    # "Lost" has no abstract: the long line after "B" shows "B" was a title, not an abstract.
    body = f"Lost\n\nB\n\n{ABSTRACT}\n\n  • 4 authors\n·\nMay 2, 2022\n\nC\n\n{ABSTRACT}\n"
    result = parse(body)
    assert [(p.title, p.authors) for p in result.papers] == [("B", 4), ("C", None)]
    assert [p.line for p in result.papers] == [13, 21]
    assert warnings_at(result) == [11]


def test_metadata_instead_of_abstract() -> None:
    body = f"A\n\n·\nMay 2, 2022\n\nB\n\n{ABSTRACT}\n"
    result = parse(body)
    assert [p.title for p in result.papers] == ["B"]
    assert warnings_at(result) == [11]


def test_dot_without_date() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\n\nB\n\n{ABSTRACT}\n\n·\n"
    result = parse(body)
    assert [(p.title, p.published) for p in result.papers] == [("A", None), ("B", None)]
    assert warnings_at(result) == [15, 21]
    assert all("not followed by a date" in w.message for w in result.warnings)


def test_unparseable_date_line() -> None:
    body = (
        f"A\n\n{ABSTRACT}\n\n  • 2 authors\n·\nFeb 30, 2023 4\n\n"
        f"B\n\n{ABSTRACT}\n\n·\nFoo 3, 2024\n\nC\n\n{ABSTRACT}\n"
    )
    result = parse(body)
    assert [p.title for p in result.papers] == ["A", "B", "C"]
    a = result.papers[0]
    assert (a.published, a.authors, a.comments) == (None, 2, 4)
    assert warnings_at(result) == [17, 24]


def test_stray_metadata_between_papers() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\nMay 2, 2022\n\n·\nMay 3, 2022\n\nB\n\n{ABSTRACT}\n"
    result = parse(body)
    assert [p.title for p in result.papers] == ["A", "B"]
    assert warnings_at(result) == [18]


def test_author_line_without_dot() -> None:
    body = f"A\n\n{ABSTRACT}\n\n  • 2 authors\n\nB\n\n{ABSTRACT}\n"
    result = parse(body)
    assert [(p.title, p.authors) for p in result.papers] == [("A", 2), ("B", None)]
    assert warnings_at(result) == [15]


def test_empty_abstract_after_cleaning() -> None:
    body = f"A\n\n\x1b[2J\x07\n\nB\n\n{ABSTRACT}\n"
    result = parse(body)
    assert [p.title for p in result.papers] == ["B"]
    assert warnings_at(result) == [11]
    assert "empty abstract" in result.warnings[0].message


def test_many_bad_blocks_do_not_abort() -> None:
    body = "".join(
        f"T{i}\n\n{ABSTRACT}\n\n·\n{'not a date' if i % 2 else 'May 2, 2022'}\n\n"
        for i in range(50)
    )
    result = parse(body + f"Last\n\n{ABSTRACT}\n")
    assert [p.title for p in result.papers] == [f"T{i}" for i in range(50)] + ["Last"]
    assert warnings_at(result) == [11 + 7 * i + 5 for i in range(1, 50, 2)]
    assert all("unrecognised date 'not a date'" in w.message for w in result.warnings)
    assert result.papers[1].published is None
    assert result.papers[2].published == date(2022, 5, 2)


def test_dot_then_blank_then_title() -> None:
    body = f"A\n\n{ABSTRACT}\n\n·\n\nB\n\n{ABSTRACT}\n\n  • 2 authors\n·\nMay 3, 2022\n"
    result = parse(body)
    assert [(p.title, p.published) for p in result.papers] == [
        ("A", None),
        ("B", date(2022, 5, 3)),
    ]
    assert warnings_at(result) == [15]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["", "·", "  • 5 authors", "May 2, 2022", "Jun 10 9", "Feb 30", "new", "Nov 13", "T"]
            + ["deepseek-ai DeepSeek", ABSTRACT, "\x1b[2J", "\x07", "\u00a0", "\r"]
        ),
        max_size=40,
    )
)
def test_never_raises_and_papers_are_complete(lines: list[str]) -> None:
    result = parse_text("\n".join(lines), "x.txt", year=2025)
    for paper in result.papers:
        assert paper.title and paper.abstract
        assert paper.sources == ["x.txt"]
    assert all(w.file == "x.txt" and w.line >= 1 for w in result.warnings)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1))
def test_ascii_fast_path_matches_clean_line(line: str) -> None:
    # The parser skips clean_line for printable ASCII lines; it must make no difference.
    assert list(iter_physical(line)) == [(clean_line(line), False)]


# --- hostile and odd text ---------------------------------------------------------------------

HOSTILE = ["\x1b]52;c;SGVsbG8=\x07", "\x1b[2J", "\x1b]0;title\x07", "\x07", "\x1b[31m", "\x9b1m"]


@pytest.mark.parametrize("junk", HOSTILE)
def test_control_sequences_stripped(junk: str) -> None:
    text = page(f"Bad{junk} title\n\nAn {junk}abstract{junk}.\n\n·\nMay 2, 2022{junk}\n")
    (paper,) = parse_text(text, "x.txt").papers
    assert paper.title == "Bad title"
    assert paper.abstract == "An abstract."
    assert paper.published == date(2022, 5, 2)
    for value in (paper.title, paper.abstract):
        assert "\x1b" not in value and "\x07" not in value and "[2J" not in value


def test_crlf_bom_nbsp_and_trailing_spaces() -> None:
    body = f"Title\u00a0one   \n\n{ABSTRACT}  \n\n  • 2 authors  \n·  \nMay 2, 2022   \n"
    text = "\ufeff" + page(body).replace("\n", "\r\n")
    result = parse_text(text, "x.txt")
    (paper,) = result.papers
    assert (paper.title, paper.abstract) == ("Title one", ABSTRACT)
    assert (paper.authors, paper.published, paper.line) == (2, date(2022, 5, 2), 11)
    assert result.page_date == date(2023, 11, 13)
    assert result.warnings == []


def test_lone_cr_line_ends() -> None:
    text = page(f"A\n\n{ABSTRACT}\n\n·\nMay 2, 2022\n\nB\n\n{ABSTRACT}\n").replace("\n", "\r")
    result = parse_text(text, "x.txt")
    assert [(p.title, p.line) for p in result.papers] == [("A", 11), ("B", 18)]


def test_form_feed_and_line_separator_do_not_split_lines() -> None:
    result = parse_text(page(f"A\u2028B\x0cC\n\n{ABSTRACT}\n\nD\n\n{ABSTRACT}\n"), "x.txt")
    assert [p.line for p in result.papers] == [11, 15]


def test_very_long_lines_stay_fast() -> None:
    huge = "word " * 2_000_000  # 10 MB
    start = time.perf_counter()
    result = parse_text(page(f"A\n\n{huge}https://x.y/z.\n\n{huge}\n\n{ABSTRACT}\n"), "x.txt")
    parens = parse_text(page("A\n\nhttps://a.b/" + ")" * 10_000_000 + "\n"), "x.txt")
    assert time.perf_counter() - start < 20
    assert [p.title for p in result.papers][0] == "A"
    assert result.papers[0].links == ["https://x.y/z"]
    assert parens.papers[0].links == ["https://a.b/"]


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Code: https://github.com/x/y.", ["https://github.com/x/y"]),
        ("(see https://a.b/c)", ["https://a.b/c"]),
        ("(see https://a.b/c).", ["https://a.b/c"]),
        ("at https://a.b/c, https://d.e/f; and https://g.h/i!", None),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("[https://a.b/c]", ["https://a.b/c"]),
        ("'https://a.b/c'", ["https://a.b/c"]),
        ('"https://a.b/c"', ["https://a.b/c"]),
        ("\u201chttps://a.b/c\u201d", ["https://a.b/c"]),
        ("https://a.b/x?q=1&r=2#frag", ["https://a.b/x?q=1&r=2#frag"]),
        ("\\url{https://a.b/c}", ["https://a.b/c"]),
        ("https://a.b/c and https://a.b/c. again", ["https://a.b/c"]),
        ("HTTP://A.B/C", ["HTTP://A.B/C"]),
        ("ftp://a.b/c mailto:x@y.z file:///etc/passwd javascript://x", []),
        ("xhttps://a.b/c https:// https://.", []),
        ("no links here", []),
    ],
)
def test_links(text: str, links: list[str] | None) -> None:
    expected = links if links is not None else ["https://a.b/c", "https://d.e/f", "https://g.h/i"]
    assert extract_links(text) == expected
    (paper,) = parse_text(page(f"A\n\n{text}\n"), "x.txt").papers
    assert paper.links == expected


def test_fixture_links_have_no_trailing_punctuation() -> None:
    links = [
        u for f in (SEARCH_A, SEARCH_B, LISTING) for p in parse_file(f).papers for u in p.links
    ]
    assert len(links) > 50
    assert not [u for u in links if u[-1] in ".,;:!?)]'"]
    assert "https://huggingface.co/datasets/zixianma/mnms" in links


# --- decoding and files -----------------------------------------------------------------------


def test_decode_utf8_and_bom() -> None:
    assert decode_dump("café".encode(), "x.txt") == ("café", "utf-8", [])
    assert decode_dump(b"\xef\xbb\xbfnew\n", "x.txt") == ("new\n", "utf-8", [])


def test_decode_invalid_utf8_falls_back_to_cp1252() -> None:
    text, encoding, warnings = decode_dump(b"line one\ncaf\xe9 \x93quoted\x94 \x81\n", "x.txt")
    assert text == "line one\ncaf\u00e9 \u201cquoted\u201d \x81\n"
    assert encoding == "cp1252"
    assert warnings == [ParseWarning("x.txt", 2, "not valid UTF-8; read as Windows-1252")]
    assert "Windows-1252" in str(warnings[0])


def test_decode_utf16_with_bom() -> None:
    text, encoding, _ = decode_dump("new\nNov 13\n".encode("utf-16"), "x.txt")
    assert (text, encoding) == ("new\nNov 13\n", "utf-16")


@pytest.mark.parametrize(
    "data", [b"new\n\x00\x01\x02", b"\x89PNG\r\n\x1a\n" + bytes(100), bytes(range(1, 32)) * 50]
)
def test_decode_binary_refused(data: bytes) -> None:
    with pytest.raises(DumpError, match=r"^x\.txt: not a text dump \(binary data\)$"):
        decode_dump(data, "x.txt")


def test_a_few_escape_sequences_are_not_binary() -> None:
    text, _, _ = decode_dump(page("A\x1b[2J\x07\n\nabstract\x07\n").encode(), "x.txt")
    assert parse_text(text, "x.txt").papers[0].title == "A"


def test_parse_file_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(page(f"Caf\xe9 paper\n\n{ABSTRACT}\n").encode("cp1252"))
    result = parse_file(path)
    assert result.encoding == "cp1252"
    assert result.papers[0].title == "Café paper"
    assert [w.line for w in result.warnings] == [11]
    assert result.warnings[0].file == str(path)


def test_parse_file_empty(tmp_path: Path) -> None:
    for name, data in [
        ("empty.txt", b""),
        ("blank.txt", b"\n \r\n\t\n"),
        ("bom.txt", b"\xef\xbb\xbf"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DumpError) as info:
            parse_file(path)
        assert str(info.value) == f"{path}: empty file"


def test_parse_file_missing_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(DumpError) as info:
        parse_file(missing)
    assert str(info.value) == f"{missing}: No such file or directory"
    with pytest.raises(DumpError, match="Is a directory"):
        parse_file(tmp_path)


def test_parse_file_binary(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(DumpError) as info:
        parse_file(path)
    assert str(info.value) == f"{path}: not a text dump (binary data)"


def test_parse_file_not_a_dump(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just one line of notes\n")
    with pytest.raises(DumpError, match="no papers found"):
        parse_file(path)
    # Chrome without papers is an empty page, not an error.
    path.write_text(CHROME + "Nov 13\n")
    assert parse_file(path).papers == []
    # Papers without chrome are still papers (a real abstract is several hundred characters).
    path.write_text(f"A\n\n{ABSTRACT * 3}\n")
    assert [p.title for p in parse_file(path).papers] == ["A"]


def test_prose_is_not_a_dump(tmp_path: Path) -> None:
    """A README or notes file saved among the dumps: refused by name, not indexed as papers."""
    readme = Path(__file__).parents[2] / "README.md"
    path = tmp_path / "README.txt"
    shutil.copy(readme, path)
    with pytest.raises(DumpError, match=r"README\.txt: not a Daily Papers dump"):
        parse_file(path)
    with pytest.raises(DumpError, match="not a Daily Papers dump"):
        parse_text(readme.read_text("utf-8"), "stdin-1", refuse_prose=True)
    notes = "Reading list\n\nread the diffusion one first\n\nAsk Sam\n\nabout the GPU budget\n"
    path.write_text(notes)
    with pytest.raises(DumpError, match="not a Daily Papers dump"):
        parse_file(path)


def test_a_dump_copied_without_its_page_header_still_parses(tmp_path: Path) -> None:
    for dump in (SEARCH_A, LISTING):
        lines = dump.read_text("utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if len(line) > 300) - 2  # first paper
        path = tmp_path / dump.name
        path.write_text("\n".join(lines[start:]) + "\n", "utf-8")
        expected = {p.id for p in parse_file(dump).papers}
        got = {p.id for p in parse_file(path).papers}
        assert len(got) >= len(expected) - 1 and got <= expected


def test_dump_error_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad\nname.txt"
    with pytest.raises(DumpError) as info:
        parse_file(path)
    assert "\n" not in str(info.value)


# --- hostile titles: any length, numbers -------------------------------------------------------


def card(title: str, abstract: str = ABSTRACT, upvotes: str | None = None, day: int = 3) -> str:
    count = f"{upvotes}\n" if upvotes is not None else ""
    return f"{count}{title}\n\n{abstract}\n\n  • 2 authors\n·\nNov {day}, 2025 4\n\n"


@pytest.mark.parametrize("length", [299, 300, 301, 450, 1000, 5000])
@pytest.mark.parametrize(
    "abstract",
    # Abstracts as every one of the HF API archive is: a sentence ends in it or at its end.
    [ABSTRACT, "Short abstract of one line.", "Tiny.", "Two parts. The second has no stop"],
)
def test_a_title_of_any_length_is_one_paper(length: int, abstract: str) -> None:
    """A title over 300 characters, followed by a shorter abstract, was taken for an abstract
    whose title was lost: the abstract became the title of a bogus record."""
    long_title = ("Scaling Laws for Very Long Titles " * 200)[:length].strip() + " End"
    result = parse(card("A Normal Title Before", day=1) + card(long_title, abstract, day=2))
    assert [p.title for p in result.papers] == ["A Normal Title Before", long_title]
    assert result.papers[1].abstract == abstract
    assert result.warnings == []


@pytest.mark.parametrize(
    ("body", "titles", "upvotes"),
    [
        (card("2048", day=3), ["2048"], [None]),
        (card("1984", upvotes="12", day=4), ["1984"], [12]),
        (card("2048", day=3) + card("1984", upvotes="12", day=4), ["2048", "1984"], [None, 12]),
        (card("42", upvotes="-"), ["42"], [0]),
        (card("7", upvotes="7") + card("A Title", upvotes="8"), ["7", "A Title"], [7, 8]),
    ],
)
def test_numeric_titles_parse(body: str, titles: list[str], upvotes: list[int | None]) -> None:
    """A title of digits (`2048`, or `1984` after an upvote line) was read as an upvote count,
    and its abstract as a title without an abstract."""
    result = parse(body)
    assert [p.title for p in result.papers] == titles
    assert [p.upvotes for p in result.papers] == upvotes
    assert all(p.abstract == ABSTRACT and p.authors == 2 for p in result.papers)
    assert result.warnings == []


def test_the_testers_hostile_number_page() -> None:
    """The tester's page, as saved (/tmp/pbr/hostile/num.txt): two cards titled 2048 and 1984."""
    text = (
        "Daily Papers\n\nby AK and the research community\n\nDec 3, 2025\n\n2048\n\n"
        "A paper titled with just a number, whose abstract is this sentence here and more "
        "words.\n\n  • 2 authors\n·\nNov 3, 2025 4\n\n12\n1984\n\nAnother abstract for a paper "
        "titled 1984 with upvotes twelve shown before it.\n\n  • 3 authors\n·\nNov 4, 2025\n"
    )
    result = parse_text(text, "num.txt")
    assert [(p.title, p.upvotes, p.comments, p.authors) for p in result.papers] == [
        ("2048", None, 4, 2),
        ("1984", 12, None, 3),
    ]
    assert result.warnings == []


def test_a_lost_title_line_is_still_found() -> None:
    """The rule a long title had to get past: an abstract whose title line was lost (a real
    abstract, long and in sentences, then the next card's title) is still dropped with a
    warning, and the next card is whole."""
    orphan = ("We study a problem in depth. " * 15).strip()
    result = parse(card("First Title", day=1) + f"{orphan}\n\n" + card("Next Title", day=2))
    assert [p.title for p in result.papers] == ["First Title", "Next Title"]
    assert len(result.warnings) == 1 and "abstract without a title" in result.warnings[0].message
