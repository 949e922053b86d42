"""Tests for paperbrowse.library and paperbrowse.indexer on the bundled sample dumps.

Expected result sets are computed from the dumps parsed directly (`sample_papers`), never from
the index itself, so a search that returns the wrong papers fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from whoosh.analysis import StemmingAnalyzer

from paperbrowse.errors import LibraryBusy, LibraryError, QueryError
from paperbrowse.indexer import index_sources
from paperbrowse.library import Library
from paperbrowse.manifest import write_lock
from paperbrowse.merging import IndexReport
from paperbrowse.models import Filters, Paper, normalise_title, paper_id
from paperbrowse.paths import MANIFEST
from paperbrowse.results import Results
from paperbrowse.sources import Source, collect_sources
from paperbrowse.triage import TriageStore
from tests.indexing import index_into, titles_sharing_an_id_prefix

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
SAMPLE_NAMES = sorted(p.name for p in SAMPLE_DIR.glob("*.txt"))
LITE_POSE = "Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation"

_TEXT = StemmingAnalyzer()
_ORG = StemmingAnalyzer(stoplist=None)

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\n{page}\n\n"
)


def tokens(text: str | None, analyzer: StemmingAnalyzer = _TEXT) -> list[str]:
    """The indexed terms of a text, in order (the same analysis as the schema's)."""
    return [t.text for t in analyzer(text or "")]


def stem(word: str) -> str:
    (term,) = tokens(word)
    return term


def write_dump(path: Path, papers: Iterable[tuple[str, str, str]], page: str = "Nov 13") -> Path:
    """A listing-page dump: (title, abstract, metadata block or '') per paper."""
    body = "".join(f"{t}\n\n{a}\n\n{m}\n\n" if m else f"{t}\n\n{a}\n\n" for t, a, m in papers)
    path.write_text(HEADER.format(page=page) + body, encoding="utf-8")
    return path


def index_paths(library: Library, *paths: Path, year: int | None = None) -> IndexReport:
    sources, problems = collect_sources([str(p) for p in paths])
    assert not problems
    return index_into(library, sources, year=year)


def search_ids(library: Library, query: str = "", **kwargs: object) -> list[str]:
    return library.search(Filters(query=query, **kwargs)).ids  # type: ignore[arg-type]


def where(papers: dict[str, Paper], predicate: Callable[[Paper], bool]) -> set[str]:
    return {pid for pid, p in papers.items() if predicate(p)}


# ---------------------------------------------------------------------------------------------
# Indexing and merging


def test_fresh_index_report(tmp_path: Path) -> None:
    library = Library(tmp_path / "data")
    report = index_paths(library, SAMPLE_DIR)
    assert report.files_read == 3
    assert report.files_unchanged == 0
    assert report.papers_parsed == 68 + 86 + 137
    assert (report.new, report.updated, report.removed) == (262, 0, 0)
    assert report.failures == []
    assert len(library) == 262


def test_library_holds_each_distinct_paper_once(
    indexed_library: Library, sample_papers: dict[str, Paper]
) -> None:
    ids = search_ids(indexed_library)
    assert len(ids) == len(set(ids)) == 262
    assert set(ids) == set(sample_papers)


def test_merged_records_match_the_dumps(
    indexed_library: Library, sample_papers: dict[str, Paper]
) -> None:
    for pid, expected in sample_papers.items():
        paper = indexed_library.get(pid)
        assert paper is not None, expected.title
        assert paper.id == pid
        assert paper.title == expected.title
        assert paper.abstract == expected.abstract
        assert paper.published == expected.published
        assert paper.upvotes == expected.upvotes
        assert paper.authors == expected.authors
        assert (paper.org, paper.org_handle) == (expected.org, expected.org_handle)
        assert sorted(paper.sources) == sorted(expected.sources)
        assert paper.links == expected.links


def test_paper_in_three_dumps_is_one_record_with_metadata_from_the_listing(
    indexed_library: Library, sample_papers: dict[str, Paper]
) -> None:
    shared = [p for p in sample_papers.values() if len(p.sources) == 3]
    assert shared, "the samples share papers across all three dumps"
    with_meta = [p for p in shared if p.published is not None]
    assert with_meta
    for expected in with_meta:
        paper = indexed_library.get(expected.id)
        assert paper is not None
        assert sorted(paper.sources) == SAMPLE_NAMES
        assert paper.published is not None  # only the listing page (004) has it
        assert paper.authors is not None
        hits = search_ids(indexed_library, f'title:"{expected.title.split(":")[0]}"')
        assert hits.count(expected.id) == 1


def test_merge_non_empty_fields_win_and_upvotes_take_the_max(tmp_path: Path) -> None:
    title = "Shared Paper: Merging Records Across Dumps"
    # The upvote count is the line before a title; the number after a date is comments.
    a = write_dump(
        tmp_path / "a.txt",
        [(f"7\n{title}", "Short abstract.", "  • 5 authors\n·\nMay 2, 2022 7")],
    )
    b = write_dump(
        tmp_path / "b.txt",
        [
            (
                "12\nshared paper -- merging records across dumps!",
                "A longer abstract with code at https://github.com/x/y.",
                "acme-ai Acme AI\n·\nMay 2, 2022 12",
            )
        ],
    )
    c = write_dump(tmp_path / "c.txt", [(title.upper(), "Short abstract.", "")])
    library = Library(tmp_path / "data")
    report = index_paths(library, a, b, c)
    assert (report.papers_parsed, report.new) == (3, 1)
    (pid,) = search_ids(library)
    assert pid == paper_id(title)
    paper = library.get(pid)
    assert paper is not None
    assert paper.upvotes == 12
    assert paper.authors == 5
    assert (paper.org, paper.org_handle) == ("Acme AI", "acme-ai")
    assert paper.published == date(2022, 5, 2)
    assert paper.abstract == "A longer abstract with code at https://github.com/x/y."
    assert paper.links == ["https://github.com/x/y"]
    assert paper.sources == ["a.txt", "b.txt", "c.txt"]


def test_paper_id_lookup_is_case_and_punctuation_insensitive(indexed_library: Library) -> None:
    for variant in (LITE_POSE, LITE_POSE.upper(), LITE_POSE.replace(":", " --") + "."):
        paper = indexed_library.get(paper_id(variant))
        assert paper is not None
        assert paper.title == LITE_POSE


def test_get_by_prefix(indexed_library: Library) -> None:
    pid = paper_id(LITE_POSE)
    for prefix in (pid, pid[:8], pid[:6].upper(), f"  {pid[:7]} "):
        paper = indexed_library.get(prefix)
        assert paper is not None and paper.id == pid
    assert indexed_library.get("zzzz") is None
    assert indexed_library.get("") is None
    assert indexed_library.get(pid + "0") is None
    # Fewer than 6 hex digits are a word, not an id (`5c`, `50`), even when one paper's id
    # starts with them.
    for short in (pid[:5], pid[:2], pid[:1]):
        assert indexed_library.get(short) is None
    assert indexed_library.get(pid[:6] + "x") is None


def test_an_id_prefix_two_papers_share_is_ambiguous(tmp_path: Path) -> None:
    first, second = titles_sharing_an_id_prefix(6)
    dump = tmp_path / "probe.txt"
    header = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nNov 13\n\n"
    dump.write_text(
        f"{header}{first}\n\nAn abstract about probes in a dump.\n\n"
        f"{second}\n\nAnother abstract about probes in a dump.\n\n"
    )
    library = Library(tmp_path / "data")
    assert index_into(library, [Source(name=dump.name, path=dump)]).new == 2
    shared = paper_id(first)[:6]
    assert paper_id(second).startswith(shared)
    with pytest.raises(LibraryError, match="ambiguous"):
        library.get(shared)
    found = library.get(paper_id(first)[:8])
    assert found is not None and found.title == first
    library.close()


# ---------------------------------------------------------------------------------------------
# Listing, sorts and filters


def test_empty_query_lists_all_newest_first_undated_last(indexed_library: Library) -> None:
    results = indexed_library.search(Filters())
    assert len(results) == 262
    dates = [row.published for row in results]
    dated = [d for d in dates if d is not None]
    assert len(dated) == 128
    assert dates[: len(dated)] == dated, "undated papers come last"
    assert dated == sorted(dated, reverse=True)
    assert dated[0] == date(2025, 10, 8)


def test_date_sort_breaks_ties_by_upvotes(indexed_library: Library) -> None:
    rows = list(indexed_library.search(Filters(sort="date")))
    for before, after in zip(rows, rows[1:], strict=False):
        if before.published == after.published and before.published is not None:
            assert (before.upvotes or -1) >= (after.upvotes or -1)


# The sample's select-all pages show no upvote count (the number after a date is comments), so
# upvote sorts and ranges are checked on pages that show one: the count before each title.
VOTES = [0, 1, 2, 2, 3, 4, 5, 6, 9, 40, None, None]


@pytest.fixture(scope="module")
def votes_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A library of one list page whose cards show the upvote counts in VOTES."""
    root = tmp_path_factory.mktemp("votes")
    cards = [
        (
            f"{v}\nVoted Paper {i}" if v is not None else f"Voted Paper {i}",
            f"Abstract {i} about counting votes.",
            f"·\nMay {i + 1}, 2022",
        )
        for i, v in enumerate(VOTES)
    ]
    library = Library(root / "data")
    index_paths(library, write_dump(root / "votes.txt", cards))
    yield library
    library.close()


def test_upvotes_sort(votes_library: Library) -> None:
    rows = list(votes_library.search(Filters(sort="upvotes")))
    votes = [r.upvotes for r in rows]
    known = [v for v in votes if v is not None]
    assert votes[: len(known)] == known, "papers without upvotes come last"
    assert known == sorted((v for v in VOTES if v is not None), reverse=True)


VOTE_CASES: list[tuple[str, Callable[[int], bool]]] = [
    ("upvotes:>=5", lambda v: v >= 5),
    ("upvotes:>5", lambda v: v > 5),
    ("upvotes:<3", lambda v: v < 3),
    ("upvotes:[2 to 4]", lambda v: 2 <= v <= 4),
    ("upvotes:2", lambda v: v == 2),
]


@pytest.mark.parametrize(("query", "predicate"), VOTE_CASES, ids=[q for q, _ in VOTE_CASES])
def test_upvote_ranges(
    votes_library: Library, query: str, predicate: Callable[[int], bool]
) -> None:
    expected = {
        paper_id(f"Voted Paper {i}") for i, v in enumerate(VOTES) if v is not None and predicate(v)
    }
    assert expected
    for sort in ("auto", "date", "upvotes", "title", "relevance"):
        assert set(search_ids(votes_library, query, sort=sort)) == expected, sort


def test_title_sort(indexed_library: Library) -> None:
    titles = [r.title for r in indexed_library.search(Filters(sort="title"))]
    keys = [normalise_title(t) for t in titles]
    assert keys == sorted(keys)
    assert len(titles) == 262


def test_relevance_sort_ranks_title_matches_first(
    indexed_library: Library, sample_papers: dict[str, Paper]
) -> None:
    results = indexed_library.search(Filters(query="pose"))
    assert results.sort == "relevance"
    expected = where(
        sample_papers,
        lambda p: stem("pose") in tokens(p.title) + tokens(p.abstract),
    )
    assert set(results.ids) == expected
    in_title = where(sample_papers, lambda p: stem("pose") in tokens(p.title))
    assert in_title and results.ids[0] in in_title
    assert "pose" in results.terms
    by_date = indexed_library.search(Filters(query="pose", sort="date"))
    assert set(by_date.ids) == expected
    dated = [r.published for r in by_date if r.published]
    assert dated == sorted(dated, reverse=True)
    titles = [r.title for r in indexed_library.search(Filters(query="pose", sort="title"))]
    assert [normalise_title(t) for t in titles] == sorted(normalise_title(t) for t in titles)


def test_relevance_lists_the_best_then_every_other_match_newest_first(
    indexed_library: Library, sample_papers: dict[str, Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the RELEVANCE_TOP best-scored papers, the rest of the matches follow in date order
    (the rest is made only when read: Results' rows and ids must still give all of it)."""
    expected = where(
        sample_papers,
        lambda p: stem("pose") in tokens(p.title) + tokens(p.abstract),
    )
    assert len(expected) > 4, "the samples have enough papers about pose"
    ranked = search_ids(indexed_library, "pose")
    by_date = search_ids(indexed_library, "pose", sort="date")
    monkeypatch.setattr("paperbrowse.library.RELEVANCE_TOP", 3)
    results = indexed_library.search(Filters(query="pose"))
    assert len(results) == len(expected)
    assert [results[i].id for i in range(3)] == ranked[:3]
    rest = [d for d in by_date if d not in ranked[:3]]
    assert [row.id for row in results[3:]] == rest
    assert results.ids == ranked[:3] + rest
    assert set(results.ids) == expected
    limited = indexed_library.search(Filters(query="pose", limit=len(expected) - 1))
    assert limited.ids == (ranked[:3] + rest)[: len(expected) - 1]


def test_limit(indexed_library: Library) -> None:
    everything = search_ids(indexed_library)
    assert search_ids(indexed_library, limit=5) == everything[:5]
    assert search_ids(indexed_library, limit=0) == everything
    relevance = search_ids(indexed_library, "diffusion")
    assert search_ids(indexed_library, "diffusion", limit=3) == relevance[:3]


def test_results_sequence_api(indexed_library: Library) -> None:
    results = indexed_library.search(Filters(query=f'"{LITE_POSE}"'))
    assert isinstance(results, Results)
    assert len(results) == 1
    assert results[0].title == LITE_POSE
    assert results[0:1][0].id == paper_id(LITE_POSE)
    assert results.paper(0).authors == 5
    assert [p.title for p in results.papers()] == [LITE_POSE]


# ---------------------------------------------------------------------------------------------
# Query syntax


def _text_cases() -> list[tuple[str, Callable[[Paper], bool]]]:
    def has(word: str, field: str = "both") -> Callable[[Paper], bool]:
        term = stem(word)

        def check(p: Paper) -> bool:
            title, abstract = tokens(p.title), tokens(p.abstract)
            words = {"title": title, "abstract": abstract, "both": title + abstract}[field]
            return term in words

        return check

    def phrase(*words: str) -> Callable[[Paper], bool]:
        terms = [stem(w) for w in words]

        def check(p: Paper) -> bool:
            return any(
                any(seq[i : i + len(terms)] == terms for i in range(len(seq)))
                for seq in (tokens(p.title), tokens(p.abstract))
            )

        return check

    def prefix(start: str) -> Callable[[Paper], bool]:
        return lambda p: any(t.startswith(start) for t in tokens(p.title) + tokens(p.abstract))

    def org(word: str) -> Callable[[Paper], bool]:
        return lambda p: word in tokens(f"{p.org or ''} {p.org_handle or ''}", _ORG)

    diffusion, language, model = has("diffusion"), has("language"), has("model")
    return [
        ("diffusion", diffusion),
        ("title:diffusion", has("diffusion", "title")),
        ("abstract:diffusion", has("diffusion", "abstract")),
        ("title:efficient", has("efficient", "title")),
        ("diffusion AND language", lambda p: diffusion(p) and language(p)),
        ("diffusion language", lambda p: diffusion(p) and language(p)),
        ("diffusion OR language", lambda p: diffusion(p) or language(p)),
        ("model NOT diffusion", lambda p: model(p) and not diffusion(p)),
        ("model AND NOT diffusion", lambda p: model(p) and not diffusion(p)),
        ("NOT model", lambda p: not model(p)),
        (
            "(diffusion OR language) AND NOT model",
            lambda p: (diffusion(p) or language(p)) and not model(p),
        ),
        ('"pose estimation"', phrase("pose", "estimation")),
        ('"large language models"', phrase("large", "language", "models")),
        ("pos*", prefix("pos")),
        ("title:effic*", lambda p: any(t.startswith("effic") for t in tokens(p.title))),
        ("org:deepseek", org("deepseek")),
        ("org:DeepSeek", org("deepseek")),
        ("org:deepseek-ai", org("deepseek")),
    ]


@pytest.mark.parametrize(("query", "predicate"), _text_cases(), ids=[q for q, _ in _text_cases()])
def test_text_queries_match_the_parsed_dumps(
    indexed_library: Library,
    sample_papers: dict[str, Paper],
    query: str,
    predicate: Callable[[Paper], bool],
) -> None:
    expected = where(sample_papers, predicate)
    assert expected, f"{query!r} should match something in the samples"
    assert expected != set(sample_papers) or query.startswith("NOT")
    assert set(search_ids(indexed_library, query)) == expected
    ranked = search_ids(indexed_library, query, sort="date")
    assert set(ranked) == expected and len(ranked) == len(expected)


def test_org_query_finds_the_deepseek_paper(indexed_library: Library) -> None:
    titles = [r.title for r in indexed_library.search(Filters(query="org:deepseek"))]
    assert titles == [
        "Insights into DeepSeek-V3: Scaling Challenges and Reflections on Hardware for AI "
        "Architectures"
    ]


def _in(lo: date | None, hi: date | None) -> Callable[[Paper], bool]:
    def check(p: Paper) -> bool:
        if p.published is None:
            return False
        return (lo is None or p.published >= lo) and (hi is None or p.published <= hi)

    return check


def _votes(lo: int | None, hi: int | None, field: str = "upvotes") -> Callable[[Paper], bool]:
    def check(p: Paper) -> bool:
        value = getattr(p, field)
        if value is None:
            return False
        return (lo is None or value >= lo) and (hi is None or value <= hi)

    return check


RANGE_CASES: list[tuple[str, Callable[[Paper], bool]]] = [
    ("date:2024", _in(date(2024, 1, 1), date(2024, 12, 31))),
    ("date:2024-03", _in(date(2024, 3, 1), date(2024, 3, 31))),
    ("date:2022-05-02", _in(date(2022, 5, 2), date(2022, 5, 2))),
    ("date:[2024-01-01 to 2024-03-31]", _in(date(2024, 1, 1), date(2024, 3, 31))),
    ("date:[2024-01 TO 2024-03]", _in(date(2024, 1, 1), date(2024, 3, 31))),
    ("date:{2024-01-01 to 2024-03-31}", _in(date(2024, 1, 2), date(2024, 3, 30))),
    ("date:[2020 to]", _in(date(2020, 1, 1), None)),
    ("date:[to 2019]", _in(None, date(2019, 12, 31))),
    ("date:>2023", _in(date(2024, 1, 1), None)),
    ("date:>=2023", _in(date(2023, 1, 1), None)),
    ("date:<2020", _in(None, date(2019, 12, 31))),
    ("date:<=2020-06", _in(None, date(2020, 6, 30))),
    ("date:>2024-11-07", _in(date(2024, 11, 8), None)),
    ("date:*", _in(None, None)),
    ("date:>2021 date:<2023", _in(date(2022, 1, 1), date(2022, 12, 31))),
    (
        "date:2024 OR date:2022",
        lambda p: (
            _in(date(2024, 1, 1), date(2024, 12, 31))(p)
            or _in(date(2022, 1, 1), date(2022, 12, 31))(p)
        ),
    ),
    ("NOT date:2024", lambda p: not _in(date(2024, 1, 1), date(2024, 12, 31))(p)),
    ("authors:>10", _votes(11, None, "authors")),
    ("authors:<=3", _votes(None, 3, "authors")),
    ("authors:[5 TO 8]", _votes(5, 8, "authors")),
    (
        "authors:>10 date:>=2024",
        lambda p: _votes(11, None, "authors")(p) and _in(date(2024, 1, 1), None)(p),
    ),
]


@pytest.mark.parametrize(("query", "predicate"), RANGE_CASES, ids=[q for q, _ in RANGE_CASES])
def test_range_queries_match_the_parsed_dumps(
    indexed_library: Library,
    sample_papers: dict[str, Paper],
    query: str,
    predicate: Callable[[Paper], bool],
) -> None:
    expected = where(sample_papers, predicate)
    assert expected, f"{query!r} should match something in the samples"
    for sort in ("auto", "date", "upvotes", "title", "relevance"):
        ids = search_ids(indexed_library, query, sort=sort)
        assert len(ids) == len(set(ids))
        assert set(ids) == expected, sort


def test_text_and_range_combined(indexed_library: Library, sample_papers: dict[str, Paper]) -> None:
    term = stem("learning")
    expected = where(
        sample_papers,
        lambda p: (
            term in tokens(p.title) + tokens(p.abstract)
            and p.published is not None
            and p.published >= date(2023, 1, 1)
        ),
    )
    assert expected
    for sort in ("relevance", "date", "upvotes", "title"):
        assert set(search_ids(indexed_library, "learning date:>=2023", sort=sort)) == expected


@pytest.mark.parametrize("sort", ["relevance", "date", "title", "upvotes"])
def test_text_query_with_a_range_matching_nothing_returns_nothing(
    indexed_library: Library, sort: str
) -> None:
    assert search_ids(indexed_library, "diffusion", sort=sort)
    assert search_ids(indexed_library, "diffusion date:1990", sort=sort) == []
    assert search_ids(indexed_library, "diffusion upvotes:>100000", sort=sort) == []
    assert search_ids(indexed_library, "diffusion", sort=sort, until=date(1990, 1, 1)) == []


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (date(2024, 1, 1), date(2024, 6, 30)),
        (date(2024, 1, 1), None),
        (None, date(2019, 12, 31)),
        (date(2024, 3, 28), date(2024, 3, 28)),
    ],
)
def test_since_until_filters(
    indexed_library: Library,
    sample_papers: dict[str, Paper],
    since: date | None,
    until: date | None,
) -> None:
    expected = where(sample_papers, _in(since, until))
    assert expected
    results = indexed_library.search(Filters().with_dates(since, until))
    assert set(results.ids) == expected
    # Combined with a date query: both apply.
    both = indexed_library.search(Filters(query="date:2024", since=since, until=until))
    assert set(both.ids) == expected & where(
        sample_papers, _in(date(2024, 1, 1), date(2024, 12, 31))
    )


def test_since_until_exclude_undated_papers(indexed_library: Library) -> None:
    results = indexed_library.search(Filters(since=date(1, 1, 1)))
    assert len(results) == 128
    assert all(r.published is not None for r in results)


# ---------------------------------------------------------------------------------------------
# Malformed queries


@pytest.mark.parametrize(
    "query",
    [
        "(diffusion",
        "diffusion)",
        "((a) OR b",
        "date:[2024 to 2025",
        "date:2024 to 2025]",
        "date:{2024 to 2025",
        '"pose estimation',
        'title:"unclosed',
        "date:2024-02-30",
        "date:9999-99",
        "date:0000",
        "date:2024-13",
        "date:yesterday",
        "date:[2024-01-01 to 2024-02-30]",
        "date:>2024-02-30",
        "upvotes:>abc",
        "authors:[x to 3]",
    ],
)
def test_malformed_queries_raise_query_error(indexed_library: Library, query: str) -> None:
    with pytest.raises(QueryError) as info:
        indexed_library.search(Filters(query=query))
    message = str(info.value)
    assert "\n" not in message
    assert repr(query) in message


def test_query_error_on_an_empty_library(tmp_path: Path) -> None:
    library = Library(tmp_path / "empty")
    with pytest.raises(QueryError):
        library.search(Filters(query="date:2024-02-30"))
    assert len(library.search(Filters(query="anything"))) == 0


# ---------------------------------------------------------------------------------------------
# Triage views


def test_state_views(mutable_library: Library, library_copy: Path) -> None:
    everything = search_ids(mutable_library)
    read, starred, hidden = set(everything[:5]), set(everything[3:8]), set(everything[7:10])
    triage = TriageStore(library_copy / "state.db")
    triage.set(sorted(read), "read", True)
    triage.set(sorted(starred), "starred", True)
    triage.set(sorted(hidden), "hidden", True)

    def view(state: str, query: str = "") -> list[str]:
        return mutable_library.search(Filters(query=query, state=state), triage).ids

    assert view("all") == everything
    assert set(view("read")) == read
    assert set(view("starred")) == starred
    assert set(view("hidden")) == hidden
    assert set(view("unread")) == set(everything) - read
    assert set(view("inbox")) == set(everything) - read - hidden
    # Views keep the sort order and combine with a query.
    assert view("inbox") == [i for i in everything if i not in read | hidden]
    assert view("starred", "date:>2000") == [i for i in everything if i in starred]
    # Without a store, every view shows everything.
    assert mutable_library.search(Filters(state="starred")).ids == everything
    triage.close()


def test_starred_view_with_a_text_query_and_no_stars_is_empty(
    indexed_library: Library, tmp_path: Path
) -> None:
    triage = TriageStore(tmp_path / "state.db")
    for sort in ("relevance", "date"):
        assert (
            indexed_library.search(
                Filters(query="diffusion", state="starred", sort=sort), triage
            ).ids
            == []
        )
    triage.close()


# ---------------------------------------------------------------------------------------------
# Incremental indexing


def test_reindex_is_a_no_op(mutable_library: Library, library_copy: Path) -> None:
    before = json.loads((library_copy / MANIFEST).read_text())
    report = index_paths(mutable_library, SAMPLE_DIR)
    assert (report.new, report.updated, report.removed, report.papers_parsed) == (0, 0, 0, 0)
    assert report.files_unchanged == report.files_read == 3
    after = json.loads((library_copy / MANIFEST).read_text())
    assert after == before
    assert len(mutable_library) == 262


def test_changed_dump_updates_and_removes_its_papers(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    shutil.copytree(SAMPLE_DIR, dumps)
    library = Library(tmp_path / "data")
    index_paths(library, dumps)
    listing = dumps / SAMPLE_NAMES[2]  # 004_: the listing page
    text = listing.read_text("utf-8")

    # A paper only in 004, a paper also in 000/001, and the Lite Pose abstract edited.
    only_here = "EfficientTDNN: Efficient Architecture Search for Speaker Recognition"
    shared = library.get(paper_id(only_here))
    assert shared is not None and shared.sources == [SAMPLE_NAMES[2]]
    also_elsewhere = next(
        p for p in library.search(Filters()).papers() if len(p.sources) > 1 and p.published
    )
    for title in (only_here, also_elsewhere.title):
        start = text.index(title + "\n")
        end = text.index("\n\n", text.index("·\n", start) + 2)
        text = text[:start] + text[end + 2 :]
    text = text.replace(
        "Pose estimation plays a critical role", "Pose estimation plays a zorblax role"
    )
    listing.write_text(text, "utf-8")

    report = index_paths(library, dumps)
    assert report.files_unchanged == 2
    assert report.files_read == 3
    assert report.papers_parsed == 135
    assert report.new == 0
    assert report.removed == 1
    assert report.updated == 1  # Lite Pose's abstract
    assert report.dropped == 1  # the shared paper lost its 004 variant (not parsed this run)
    # The parsed papers add up (the summary line says so).
    assert report.papers_parsed == report.new + report.updated + report.unchanged + report.merged
    assert len(library) == 261
    assert library.get(paper_id(only_here)) is None
    assert search_ids(library, f'title:"{only_here}"') == []
    kept = library.get(also_elsewhere.id)
    assert kept is not None
    assert SAMPLE_NAMES[2] not in kept.sources and kept.sources
    assert kept.published is None  # the date came only from 004
    lite = library.get(paper_id(LITE_POSE))
    assert lite is not None and "zorblax role" in lite.abstract
    assert [r.title for r in library.search(Filters(query="zorblax"))] == [LITE_POSE]
    assert search_ids(library, '"critical role in human-centered"') == []
    # And again: nothing to do.
    again = index_paths(library, dumps)
    assert (again.new, again.updated, again.removed, again.files_unchanged) == (0, 0, 0, 3)


@pytest.mark.parametrize("order", [SAMPLE_NAMES, SAMPLE_NAMES[::-1]], ids=["forward", "reverse"])
def test_indexing_one_dump_at_a_time_gives_the_same_library(
    tmp_path: Path, indexed_library: Library, order: list[str]
) -> None:
    # Each run adds a segment; some segments hold no dates, upvotes or author counts at all.
    library = Library(tmp_path / "data")
    for name in order:
        index_paths(library, SAMPLE_DIR / name)
    assert len(library) == 262
    for filters in (
        Filters(),
        Filters(sort="upvotes"),
        Filters(sort="title"),
        Filters(query="date:2024"),
        Filters(query="upvotes:>=5"),
        Filters(query="authors:>10", sort="date"),
        Filters(query="diffusion", sort="date"),
        Filters(since=date(2024, 1, 1)),
    ):
        expected = [(r.id, r.published, r.upvotes) for r in indexed_library.search(filters)]
        got = [(r.id, r.published, r.upvotes) for r in library.search(filters)]
        assert got == expected, filters


def test_paper_moved_between_dumps_is_kept(tmp_path: Path) -> None:
    a = write_dump(tmp_path / "a.txt", [("Paper One", "First abstract.", "")])
    b = write_dump(tmp_path / "b.txt", [("Paper Two", "Second abstract.", "")])
    library = Library(tmp_path / "data")
    index_paths(library, a, b)
    write_dump(a, [("Paper Two", "Second abstract.", "")])
    write_dump(b, [("Paper One", "First abstract.", "")])
    report = index_paths(library, a, b)
    assert report.removed == 0 and report.new == 0
    assert sorted(r.title for r in library.search(Filters())) == ["Paper One", "Paper Two"]
    one = library.get(paper_id("Paper One"))
    assert one is not None and one.sources == ["b.txt"]


def test_rebuild_keeps_triage_and_replaces_the_index(
    mutable_library: Library, library_copy: Path
) -> None:
    starred = search_ids(mutable_library)[:3]
    triage = TriageStore(library_copy / "state.db")
    triage.set(starred, "starred", True)
    triage.close()
    state_before = (library_copy / "state.db").read_bytes()
    old_index = json.loads((library_copy / MANIFEST).read_text())["index"]

    report = index_into(mutable_library, [], rebuild=True)
    assert report.new == 262 and not report.failures
    new_index = json.loads((library_copy / MANIFEST).read_text())["index"]
    assert new_index != old_index
    assert not (library_copy / old_index).exists()
    assert (library_copy / "state.db").read_bytes() == state_before
    triage = TriageStore(library_copy / "state.db")
    assert set(mutable_library.search(Filters(state="starred"), triage).ids) == set(starred)
    triage.close()
    assert len(mutable_library) == 262


def test_rebuild_warns_about_dumps_that_are_gone(tmp_path: Path) -> None:
    a = write_dump(tmp_path / "a.txt", [("Paper One", "First abstract.", "")])
    b = write_dump(tmp_path / "b.txt", [("Paper Two", "Second abstract.", "")])
    library = Library(tmp_path / "data")
    index_paths(library, a, b)
    b.unlink()
    report = index_into(library, [], rebuild=True)
    assert any("b.txt" in w and "gone" in w for w in report.warnings)
    assert [r.title for r in library.search(Filters())] == ["Paper One"]


def test_failed_file_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    good = write_dump(tmp_path / "good.txt", [("Paper One", "First abstract.", "")])
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    library = Library(tmp_path / "data")
    report = index_paths(library, good, binary, empty)
    assert len(report.failures) == 2
    assert any(str(binary) in f for f in report.failures)
    assert any(str(empty) in f for f in report.failures)
    assert all("\n" not in f for f in report.failures)
    assert report.new == 1
    assert search_ids(library) == [paper_id("Paper One")]
    sources = json.loads((tmp_path / "data" / MANIFEST).read_text())["sources"]
    assert set(sources) == {"good.txt"}


def test_page_year_comes_from_the_file_time_when_the_page_shows_none(tmp_path: Path) -> None:
    # A "Dec 30" page saved on 2 January: its year-less dates are from the year before.
    dump = tmp_path / "dec.txt"
    dump.write_text(
        HEADER.format(page="Dec 30") + "A December Paper\n\nAn abstract.\n\n"
        "  • 3 authors\n·\nDec 29 4\n\n",
        encoding="utf-8",
    )
    saved = datetime(2025, 1, 2, 12, 0).timestamp()
    os.utime(dump, (saved, saved))
    library = Library(tmp_path / "data")
    index_paths(library, dump)
    paper = library.get(paper_id("A December Paper"))
    assert paper is not None
    assert (paper.published, paper.page_date, paper.comments) == (
        date(2024, 12, 29),
        date(2024, 12, 30),
        4,
    )
    # --year wins.
    forced = Library(tmp_path / "forced")
    index_paths(forced, dump, year=2020)
    paper = forced.get(paper_id("A December Paper"))
    assert paper is not None and paper.published == date(2020, 12, 29)


def test_page_year_from_the_largest_explicit_year(indexed_library: Library) -> None:
    # 004_ shows years up to 2024, so its year-less dates are 2025.
    paper = indexed_library.get(
        paper_id(
            "Insights into DeepSeek-V3: Scaling Challenges and "
            "Reflections on Hardware for AI Architectures"
        )
    )
    assert paper is not None and paper.published == date(2025, 5, 14)


def test_two_dumps_with_one_file_name_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_dump(tmp_path / "a" / "dump.txt", [("Paper A", "Abstract A.", "")])
    second = write_dump(tmp_path / "b" / "dump.txt", [("Paper B", "Abstract B.", "")])
    library = Library(tmp_path / "data")
    report = index_paths(library, tmp_path)
    # Both are kept: the second is recorded under its name plus a hash of its path.
    assert not report.failures and report.new == 2
    assert sorted(search_ids(library)) == sorted([paper_id("Paper A"), paper_id("Paper B")])
    again = index_paths(library, first)
    assert again.files_unchanged == 1 and again.new == again.updated == 0
    again = index_paths(library, second)
    assert again.files_unchanged == 1 and again.new == again.updated == 0


def test_index_from_bytes_source(tmp_path: Path) -> None:
    data = (SAMPLE_DIR / SAMPLE_NAMES[2]).read_bytes()
    library = Library(tmp_path / "data")
    report = index_into(library, [Source(name="stdin", path=None, data=data)])
    assert report.new == 137 and not report.failures
    paper = library.get(paper_id(LITE_POSE))
    assert paper is not None and paper.sources == ["stdin"]


def test_refresh_picks_up_a_newer_generation(tmp_path: Path) -> None:
    a = write_dump(tmp_path / "a.txt", [("Paper One", "First abstract.", "")])
    b = write_dump(tmp_path / "b.txt", [("Paper Two", "Second abstract.", "")])
    reader = Library(tmp_path / "data")
    assert reader.refresh() is False  # nothing yet
    index_paths(Library(tmp_path / "data"), a)
    assert reader.refresh() is True
    assert search_ids(reader) == [paper_id("Paper One")]
    assert reader.refresh() is False
    index_paths(Library(tmp_path / "data"), b)  # same generation, a new segment
    assert reader.refresh() is True
    assert sorted(search_ids(reader)) == sorted([paper_id("Paper One"), paper_id("Paper Two")])
    index_sources(tmp_path / "data", [], rebuild=True)  # a new generation directory
    assert reader.refresh() is True
    assert len(search_ids(reader)) == 2


# ---------------------------------------------------------------------------------------------
# Versions, damage, locking


def test_schema_mismatch_asks_for_a_rebuild(mutable_library: Library, library_copy: Path) -> None:
    manifest = json.loads((library_copy / MANIFEST).read_text())
    manifest["schema"] = manifest["schema"] + 1
    (library_copy / MANIFEST).write_text(json.dumps(manifest))
    for action in (
        lambda lib: lib.search(Filters()),
        lambda lib: lib.get("abc"),
        lambda lib: len(lib),
        lambda lib: index_paths(lib, SAMPLE_DIR),
    ):
        with pytest.raises(LibraryError, match=r"paperbrowse index --rebuild"):
            action(Library(library_copy))
    # The rebuild it asks for works, from the recorded dumps.
    report = index_sources(library_copy, [], rebuild=True)
    assert report.new == 262
    assert len(Library(library_copy).search(Filters())) == 262


def test_unreadable_manifest_is_a_library_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / MANIFEST).write_text("{not json")
    with pytest.raises(LibraryError, match="--rebuild"):
        Library(data).search(Filters())


def test_missing_index_dir_is_a_library_error(mutable_library: Library, library_copy: Path) -> None:
    index_dir = json.loads((library_copy / MANIFEST).read_text())["index"]
    shutil.rmtree(library_copy / index_dir)
    with pytest.raises(LibraryError, match="--rebuild"):
        Library(library_copy).search(Filters())


def test_second_writer_in_process_is_busy(mutable_library: Library, library_copy: Path) -> None:
    other = Library(library_copy)
    with write_lock(mutable_library.data_dir):
        with pytest.raises(LibraryBusy, match="another paperbrowse"):
            index_paths(other, SAMPLE_DIR)
        with pytest.raises(LibraryBusy), write_lock(other.data_dir):
            pass
    # Released: indexing works again.
    assert index_paths(other, SAMPLE_DIR).files_unchanged == 3


def test_second_writer_in_another_process_is_busy(
    mutable_library: Library, library_copy: Path
) -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from paperbrowse.errors import LibraryBusy
        from paperbrowse.indexer import index_sources
        from paperbrowse.sources import collect_sources
        sources, _ = collect_sources([sys.argv[2]])
        try:
            index_sources(Path(sys.argv[1]), sources)
        except LibraryBusy as exc:
            print("busy:", exc)
            sys.exit(3)
        """
    )
    args = [sys.executable, "-c", script, str(library_copy), str(SAMPLE_DIR)]
    with write_lock(mutable_library.data_dir):
        busy = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert busy.returncode == 3, busy.stderr
    assert "busy:" in busy.stdout
    free = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert free.returncode == 0, free.stderr


def test_lock_file_and_data_dir_are_private(library_copy: Path) -> None:
    assert os.stat(library_copy).st_mode & 0o077 == 0


# ---------------------------------------------------------------------------------------------
# Statistics and the empty library


def test_stats(indexed_library: Library, sample_papers: dict[str, Paper]) -> None:
    stats = indexed_library.stats()
    assert stats.papers == 262
    assert stats.dated == 128
    assert stats.sources == 3
    dates = [p.published for p in sample_papers.values() if p.published]
    assert (stats.first, stats.last) == (min(dates), max(dates))
    assert sum(n for _, n in stats.months) == 128
    assert [m for m, _ in stats.months] == sorted({d.strftime("%Y-%m") for d in dates})
    orgs = Counter(p.org for p in sample_papers.values() if p.org)
    assert dict(stats.orgs) == dict(orgs.most_common(10)) or (
        sorted(n for _, n in stats.orgs) == sorted(n for _, n in orgs.most_common(10))
    )
    assert ("DeepSeek", 1) in orgs.items()
    assert stats.hosts and stats.hosts[0][0] == "github.com"


def test_empty_library(tmp_path: Path) -> None:
    library = Library(tmp_path / "nothing")
    assert len(library) == 0
    assert library.get("abc") is None
    assert len(library.search(Filters())) == 0
    assert library.stats().papers == 0
    assert not (tmp_path / "nothing").exists(), "reading must not create the data dir"


def library_ids(library: Library) -> set[str]:
    catalog = library.catalog
    return {catalog.ids[d] for d in catalog.live}


def dump_ids(path: Path) -> set[str]:
    from paperbrowse.pages import parse_file

    return {p.id for p in parse_file(path).papers}


def test_dumps_with_the_same_file_name_keep_their_own_papers(tmp_path: Path) -> None:
    """`a/day.txt` then `b/day.txt`: the second adds its papers instead of replacing the
    first's; both are recorded, re-reading them changes nothing, and a moved dump keeps its
    name."""
    samples = sorted((Path(__file__).parents[2] / "paperbrowse" / "sample").glob("*.txt"))
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(samples[0], a / "day.txt")
    shutil.copy(samples[1], b / "day.txt")
    expected = dump_ids(a / "day.txt") | dump_ids(b / "day.txt")
    assert dump_ids(b / "day.txt") - dump_ids(a / "day.txt")

    library = Library(tmp_path / "data")
    index_into(library, collect_sources([str(a)])[0])
    assert library_ids(library) == dump_ids(a / "day.txt")
    report = index_into(library, collect_sources([str(b)])[0])
    assert not report.failures
    assert library_ids(library) == expected
    names = sorted(library.manifest()["sources"])
    assert len(names) == 2 and names[0] == "day.txt" and names[1].startswith("day~")

    again = index_into(library, collect_sources([str(a), str(b)])[0])
    assert again.files_unchanged == 2 and not again.failures

    # An identical copy elsewhere (another install's sample, a backup) is the same dump.
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(a / "day.txt", copy / "day.txt")
    report = index_into(library, collect_sources([str(copy)])[0])
    assert report.files_unchanged == 1 and report.new == report.updated == 0
    assert sorted(library.manifest()["sources"]) == names

    moved = tmp_path / "moved"
    shutil.move(str(a), moved)
    report = index_into(library, collect_sources([str(moved)])[0])
    assert report.files_unchanged == 1
    assert sorted(library.manifest()["sources"]) == names
    # Moved, then edited: still the same dump, updated in place.
    edited = moved / "day.txt"
    edited.write_text(edited.read_text("utf-8") + "\n", "utf-8")
    report = index_into(library, collect_sources([str(moved)])[0])
    assert report.files_unchanged == 0 and not report.failures
    assert sorted(library.manifest()["sources"]) == names
    assert library_ids(library) == expected

    # Both in one run of a new library: both indexed, neither refused.
    other = Library(tmp_path / "data2")
    report = index_into(other, collect_sources([str(moved), str(b)])[0])
    assert not report.failures
    assert library_ids(other) == expected
    # A rebuild keeps both.
    rebuilt = index_into(other, [], rebuild=True)
    assert not rebuilt.failures
    assert library_ids(other) == expected


@pytest.mark.parametrize(
    ("text", "highlighted", "not_highlighted"),
    [
        ("video NOT image", {"video"}, {"imag"}),
        ("video AND NOT image", {"video"}, {"imag"}),
        ("video -image", {"video"}, {"imag"}),
        ('"language model" AND NOT title:diffusion', {"languag", "model"}, {"diffus"}),
        ("title:pose OR abstract:transformer", {"pose", "transform"}, set()),
    ],
)
def test_only_wanted_terms_are_highlighted(
    indexed_library: Library, text: str, highlighted: set[str], not_highlighted: set[str]
) -> None:
    """Results.terms (what the detail pane highlights) leaves out words under NOT."""
    terms = set(indexed_library.search(Filters(query=text)).terms)
    assert highlighted <= terms
    assert not (not_highlighted & terms)


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("video -image", "video AND NOT image"),
        ("-image", "NOT image"),
        ("(-image OR video) model", "(NOT image OR video) AND model"),
        ('"language model" -title:diffusion', '"language model" AND NOT title:diffusion'),
        ('model -"language model"', 'model AND NOT "language model"'),
        ('-"language model"', 'NOT "language model"'),
    ],
)
def test_a_leading_minus_excludes_a_word(indexed_library: Library, text: str, same_as: str) -> None:
    got = indexed_library.search(Filters(query=text)).ids
    expected = indexed_library.search(Filters(query=same_as)).ids
    assert got == expected and got
    assert got != indexed_library.search(Filters(query=text.replace("-", ""))).ids


@pytest.mark.parametrize(
    "text", ["text-to-image", "self-supervised", '"state-of-the-art"', "date:2025-07 model"]
)
def test_a_hyphen_inside_a_word_or_phrase_is_not_a_minus(
    indexed_library: Library, text: str
) -> None:
    """Hyphenated words and phrases keep Whoosh's meaning (the parts as words)."""
    parsed = indexed_library.parse_query(text)
    assert parsed is not None and "Not" not in repr(parsed) and "AndNot" not in repr(parsed)
    assert indexed_library.search(Filters(query=text)).ids
