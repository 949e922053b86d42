"""The query fields of the record: comments:, upvotes: (real upvotes only), arxiv:, author:,
stars:, and the upvotes and comments sorts, on a library indexed from real HF API records.

Each paper is captured one way (a daily card, a trending card or a paper page, see
tests/api_records.py), and the expected hit sets are computed from what that capture shows of
the API record, never from our search.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from whoosh.analysis import StemmingAnalyzer

from paperbrowse.library import Library
from paperbrowse.models import Filters, Paper
from paperbrowse.query_plan import split_ranges as _split_ranges
from paperbrowse.sources import Source
from tests.api_records import api_records, capture
from tests.indexing import index_into

KINDS = ("daily", "trending", "paper")


@pytest.fixture(scope="module")
def captured() -> list[Paper]:
    """Every 25th archive record (395 papers), captured in turn as each kind, and the first 15
    other records with over 1,000 GitHub stars as trending cards."""
    records = list(api_records()[::25])
    papers = [capture(rec, KINDS[n % 3], f"{KINDS[n % 3]}.txt") for n, rec in enumerate(records)]
    starred = [r for r in api_records() if (r["github_stars"] or 0) > 1000 and r not in records]
    return papers + [capture(rec, "trending", "trending.txt") for rec in starred[:15]]


@pytest.fixture(scope="module")
def library(captured: list[Paper], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    data = tmp_path_factory.mktemp("query-fields") / "data"
    lib = Library(data)
    by_source: dict[str, list[Paper]] = {}
    for paper in captured:
        by_source.setdefault(paper.sources[0], []).append(paper)
    report = index_into(
        lib, [Source(name, None, records=papers) for name, papers in by_source.items()]
    )
    assert report.new == len(captured) and not report.failures
    yield lib
    lib.close()


def hits(library: Library, query: str, **kwargs: Any) -> set[str]:
    return set(library.search(Filters(query=query, **kwargs)).ids)


def expected(captured: list[Paper], predicate: Callable[[Paper], bool]) -> set[str]:
    found = {p.id for p in captured if predicate(p)}
    assert found, "a query whose expected set is empty tests nothing"
    return found


def stems(text: str) -> set[str]:
    """The stemmed words of a text (Whoosh's StemmingAnalyzer, as the title and abstract)."""
    return {t.text for t in StemmingAnalyzer()(text)}


def words(text: str) -> list[str]:
    """A name's words, accents and case folded (how a reader matches names)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.findall(r"\w+", folded)


def has_name(paper: Paper, name: str) -> bool:
    wanted = words(name)
    for author in paper.author_names or []:
        have = words(author)
        if any(have[i : i + len(wanted)] == wanted for i in range(len(have))):
            return True
    return False


def test_the_captures_show_what_the_records_hold(captured: list[Paper]) -> None:
    daily = [p for p in captured if p.page_kinds == {"daily.txt": "daily"}]
    assert daily and all(p.upvotes is None and p.arxiv_id is None for p in daily)
    assert sum(p.comments is not None for p in daily) > 10


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("comments:>=5", lambda p: p.comments is not None and p.comments >= 5),
        ("comments:>2", lambda p: p.comments is not None and p.comments > 2),
        ("comments:1", lambda p: p.comments == 1),
        ("comments:[2 to 4]", lambda p: p.comments is not None and 2 <= p.comments <= 4),
        ("upvotes:>=50", lambda p: p.upvotes is not None and p.upvotes >= 50),
        ("upvotes:<3", lambda p: p.upvotes is not None and p.upvotes < 3),
        ("stars:>1000", lambda p: p.github_stars is not None and p.github_stars > 1000),
        ("stars:<=100", lambda p: p.github_stars is not None and p.github_stars <= 100),
        ("authors:>10", lambda p: p.authors is not None and p.authors > 10),
        (
            "comments:>=2 upvotes:>=10",
            lambda p: (p.comments or 0) >= 2 and p.upvotes is not None and p.upvotes >= 10,
        ),
        (
            "model comments:>=1",
            lambda p: (p.comments or 0) >= 1 and "model" in stems(f"{p.title} {p.abstract}"),
        ),
    ],
)
def test_count_queries(
    library: Library, captured: list[Paper], query: str, predicate: Callable[[Paper], bool]
) -> None:
    assert hits(library, query) == expected(captured, predicate)


def test_upvotes_are_real_upvotes_only(library: Library, captured: list[Paper]) -> None:
    # A daily card's number after the date is its comment count: never an upvote.
    daily_commented = {p.id for p in captured if p.upvotes is None and p.comments}
    assert daily_commented
    assert not hits(library, "upvotes:>=0") & daily_commented
    assert hits(library, "upvotes:>=0") == expected(captured, lambda p: p.upvotes is not None)


def test_count_ranges_go_through_the_catalog(library: Library) -> None:
    for text in ("comments:>=5", "upvotes:>=50", "stars:>1000", "comments:>=2 upvotes:>=10"):
        rest, ranges = _split_ranges(library.parse_query(text))
        assert rest is None and ranges, text


def test_arxiv_query_finds_exactly_that_paper(library: Library, captured: list[Paper]) -> None:
    tagged = [p for p in captured if p.arxiv_id][:10]
    for paper in tagged:
        assert paper.arxiv_id is not None
        assert hits(library, f"arxiv:{paper.arxiv_id}") == {paper.id}
        assert hits(library, f"arxiv:{paper.arxiv_id}v2") == {paper.id}  # any version
    untagged = next(p for p in captured if p.arxiv_id is None)
    record_id = next(
        r["arxiv_id"] for r in api_records() if r["title"].split() == untagged.title.split()
    )
    assert hits(library, f"arxiv:{record_id}") == set()  # a daily card shows no id


def test_author_phrase_and_word(library: Library, captured: list[Paper]) -> None:
    names = Counter(
        name for p in captured for name in set(p.author_names or []) if len(words(name)) == 2
    )
    common, _ = names.most_common(1)[0]
    assert hits(library, f'author:"{common}"') == expected(captured, lambda p: has_name(p, common))
    surname = Counter(words(n)[-1] for p in captured for n in p.author_names or []).most_common(1)[
        0
    ][0]
    assert hits(library, f"author:{surname}") == expected(
        captured, lambda p: any(surname in words(n) for n in p.author_names or [])
    )


def test_author_phrase_never_spans_two_names(library: Library, captured: list[Paper]) -> None:
    paper = next(p for p in captured if p.author_names and len(p.author_names) >= 2)
    assert paper.author_names is not None
    first, second = paper.author_names[:2]
    across = f"{words(first)[-1]} {words(second)[0]}"
    assert paper.id not in hits(library, f'author:"{across}"')
    assert paper.id in hits(library, f'author:"{first}"')


def test_author_names_fold_accents(library: Library, captured: list[Paper]) -> None:
    accented = next(
        (
            n
            for p in captured
            for n in p.author_names or []
            if n != unicodedata.normalize("NFKD", n)
        ),
        None,
    )
    if accented is None:
        pytest.skip("no accented author name in this slice of the archive")
    plain = " ".join(words(accented))
    assert hits(library, f'author:"{plain}"') == expected(captured, lambda p: has_name(p, accented))


@pytest.mark.parametrize("sort", ["upvotes", "comments"])
def test_count_sorts(library: Library, captured: list[Paper], sort: str) -> None:
    def value(p: Paper) -> int | None:
        return p.upvotes if sort == "upvotes" else p.comments

    by_id = {p.id: p for p in captured}
    order = library.search(Filters(sort=sort)).ids
    assert sorted(order) == sorted(by_id)
    values = [value(by_id[i]) for i in order]
    known = [v for v in values if v is not None]
    assert values[: len(known)] == known, "papers without the count come last"
    assert known == sorted(known, reverse=True)
    assert known[0] == max(v for p in captured if (v := value(p)) is not None)


def test_cli_sort_choices_include_comments(tmp_path: Path) -> None:
    from paperbrowse.cli import build_parser

    args = build_parser().parse_args(["search", "--sort", "comments"])
    assert args.sort == "comments"


def test_old_style_arxiv_ids(tmp_path: Path) -> None:
    # An old-style id (archive/number) as the issue names it; a record with a version suffix.
    paper = Paper(
        title="An Old Paper",
        abstract="From the last century.",
        arxiv_id="hep-th/9901001v2",
        sources=["old.txt"],
    )
    lib = Library(tmp_path / "data")
    index_into(lib, [Source("old.txt", None, records=[paper])])
    for text in ("arxiv:hep-th/9901001", "arxiv:hep-th/9901001v1", "arxiv:HEP-TH/9901001"):
        assert hits(lib, text) == {paper.id}, text
    found = lib.get("arXiv:hep-th/9901001")
    assert found is not None and found.id == paper.id
    lib.close()


ID_FORMS = (
    "{id}",
    "{id}v2",
    "arXiv:{id}",
    "ARXIV:{id}",
    "https://arxiv.org/abs/{id}",
    "http://arxiv.org/abs/{id}v1",
    "arxiv.org/pdf/{id}v3.pdf",
    "https://huggingface.co/papers/{id}",
    "hf.co/papers/{id}",
    "(hf.co/papers/{id})",
)


@pytest.mark.parametrize("form", ID_FORMS)
def test_an_arxiv_id_or_its_link_as_the_query_finds_that_paper(
    library: Library, captured: list[Paper], form: str
) -> None:
    """A bare `2510.04618` (or a link to it) found nothing: it was searched as words."""
    for paper in [p for p in captured if p.arxiv_id][:5]:
        assert hits(library, form.format(id=paper.arxiv_id)) == {paper.id}, form


def test_old_style_ids_in_links_find_the_paper(tmp_path: Path) -> None:
    paper = Paper(title="An Old Paper", abstract="Text.", arxiv_id="hep-th/9901001")
    lib = Library(tmp_path / "data")
    index_into(lib, [Source("old.txt", None, records=[replace(paper, sources=["old.txt"])])])
    for text in ("https://arxiv.org/abs/hep-th/9901001", "arxiv.org/pdf/hep-th/9901001v2"):
        assert hits(lib, text) == {paper.id}, text
    lib.close()


def test_an_arxiv_id_inside_a_phrase_or_a_field_stays_text(library: Library) -> None:
    from paperbrowse.query import SEARCHABLE_FIELDS
    from paperbrowse.query_forms import rewrite

    def rewritten(text: str) -> str:
        return rewrite(text, SEARCHABLE_FIELDS)

    assert rewritten('"2510.04618"') == '"2510.04618"'
    assert rewritten("title:2510.04618") == "title:2510.04618"
    assert rewritten("x2510.04618") == "x2510.04618"
    assert rewritten("2510.04618 pose") == "arxiv:2510.04618 pose"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("TITLE:pose", "title:pose"),
        ("Title:Pose", "title:pose"),
        ("ABSTRACT:diffusion", "abstract:diffusion"),
        ("Upvotes:>=50", "upvotes:>=50"),
        ("COMMENTS:>=5", "comments:>=5"),
        ("Has_Code:true", "has_code:true"),
        ("Date:2024", "date:2024"),
    ],
)
def test_field_names_in_any_case(library: Library, typed: str, meant: str) -> None:
    assert hits(library, typed) == hits(library, meant)
    assert hits(library, meant)


@pytest.mark.parametrize("value", ["maybe", "yes", "1", "0", "no", "t"])
def test_has_code_takes_true_or_false_only(library: Library, value: str) -> None:
    from paperbrowse.errors import QueryError

    with pytest.raises(QueryError) as caught:
        hits(library, f"has_code:{value}")
    message = str(caught.value)
    assert f"has_code:{value}" in message and "true or false" in message, message
    assert "\n" not in message


def test_has_code_true_and_false_split_the_library(library: Library, captured: list[Paper]) -> None:
    assert hits(library, "has_code:true") == expected(captured, lambda p: p.has_code)
    assert hits(library, "has_code:FALSE") == expected(captured, lambda p: not p.has_code)


def _dotted_heads() -> list[dict[str, Any]]:
    """Archive records whose title starts with a dotted name and a colon (`MM1.5: Methods…`)."""
    return [
        r
        for r in api_records()
        if r["title"].split() and re.fullmatch(r"\S*\.\S*:", r["title"].split()[0])
    ]


def test_a_pasted_title_head_with_a_dot_and_a_colon_finds_its_paper(tmp_path: Path) -> None:
    """`Emu3.5:` (a title's first word, pasted) found `Emu3` alone: Whoosh read `5:` as an
    unknown field and dropped it; `MinerU2.5:` found nothing (a fresh user: 17 of 38 such titles
    missed their own paper). A colon ending a word is punctuation: each of the archive's dotted
    title heads, colon and all, finds the paper with that title (and the first word of the
    title's rest narrows to it)."""
    records = _dotted_heads()
    assert len(records) >= 30
    papers = [capture(rec, "daily", "daily.txt") for rec in records]
    lib = Library(tmp_path / "data")
    index_into(lib, [Source("daily.txt", None, records=papers)])
    try:
        missed = []
        for paper in papers:
            head = paper.title.split()[0]
            if paper.id not in hits(lib, head):
                missed.append(head)
            two = " ".join(paper.title.split()[:2])  # `MM1.5: Methods`
            if paper.id not in hits(lib, two):
                missed.append(two)
        assert missed == []
    finally:
        lib.close()
