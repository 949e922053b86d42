"""`for:<tag>`: the query field (for_field.py) and the ranking it asks for (suggest.py,
discovery_commands.for_you_results), on a small fixed library whose right answers are known by
design: three topics of eight papers each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query

from paperbrowse.discovery_commands import for_you_results
from paperbrowse.errors import QueryError
from paperbrowse.for_field import ForClauseError, mentions_for, split_for
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.query import SEARCHABLE_FIELDS, QueryLanguage
from paperbrowse.schema import make_schema
from paperbrowse.sources import collect_sources
from paperbrowse.tags import edit_tags
from paperbrowse.triage import TriageStore
from tests.indexing import index_into
from tests.unit.test_recommend_model import FILLER, TOPICS

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)


@pytest.fixture
def language() -> QueryLanguage:
    return QueryLanguage(make_schema())


# -- the field -----------------------------------------------------------------------------------


def test_for_is_a_field_of_the_one_list_and_leaves_the_search(language: QueryLanguage) -> None:
    assert "for" in SEARCHABLE_FIELDS
    rest, tag = split_for(language.parse("video For:Diffusion date:2025"))
    assert tag == "diffusion"  # tags are lower case, as tag: reads them
    assert rest is not None and "for" not in str(rest) and "video" in str(rest)
    assert split_for(language.parse("for:to-read")) == (None, "to-read")
    assert split_for(language.parse("video")) == (language.parse("video"), None)
    assert mentions_for("x FOR:y") and not mentions_for("for the win")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-for:x", "by AND"),
        ("video OR for:x", "by AND"),
        ("for:diff*", "one tag name"),
        ('for:"a b"', "one tag name"),
        ("for:a for:b", "one for: tag at a time"),
    ],
)
def test_a_for_clause_that_cannot_order_is_one_line(
    language: QueryLanguage, text: str, reason: str
) -> None:
    with pytest.raises(QueryError) as caught:
        language.parse(text)
    message = str(caught.value)
    assert reason in message and "\n" not in message and text in message


def test_split_for_refuses_a_negated_clause_built_by_hand() -> None:
    with pytest.raises(ForClauseError):
        split_for(query.And([query.Term("title", "x"), query.Not(query.Term("for", "y"))]))


# -- the ranking ---------------------------------------------------------------------------------


@pytest.fixture
def topics(tmp_path: Path) -> Iterator[tuple[Library, TriageStore, dict[str, list[str]]]]:
    """The three-topic corpus indexed; (library, its triage, paper ids by topic in corpus
    order)."""
    body = "".join(
        f"{title}\n\n{title}. {FILLER} Topic notes: {topic}.\n\n"
        for topic, titles in TOPICS.items()
        for title in titles
    )
    dump = tmp_path / "topics.txt"
    dump.write_text(HEADER + body, encoding="utf-8")
    library = Library(tmp_path / "data")
    sources, problems = collect_sources([str(dump)])
    assert not problems
    index_into(library, sources, year=2025)
    by_title = {library.paper_at(d).title: library.catalog.ids[d] for d in library.catalog.live}
    ids = {topic: [by_title[t] for t in titles] for topic, titles in TOPICS.items()}
    triage = TriageStore(tmp_path / "data" / "state.db")
    yield library, triage, ids
    triage.close()
    library.close()


def test_for_tag_ranks_the_tags_topic_first_not_the_stars(
    topics: tuple[Library, TriageStore, dict[str, list[str]]],
) -> None:
    library, triage, ids = topics
    triage.set(ids["protein"][:5], "starred", True)  # the stars are about another topic
    edit_tags(triage, ids["speech"][:5], ["speech"], [])
    found = for_you_results(library, Filters(query="for:speech"), triage)
    shown = found.ids
    assert set(shown[:3]) == set(ids["speech"][5:])  # the tag's topic first
    assert not set(shown) & set(ids["speech"][:5])  # the tagged papers leave the list
    assert len(shown) == 24 - 5
    # Stars alone (For you) put their own topic first: the tag changed the ranking.
    starred = for_you_results(library, Filters(sort="for-you"), triage)
    assert set(starred.ids[:3]) == set(ids["protein"][5:])


def test_for_tag_with_the_rest_of_a_query_and_a_tag_clause(
    topics: tuple[Library, TriageStore, dict[str, list[str]]],
) -> None:
    library, triage, ids = topics
    edit_tags(triage, ids["robot"][:5], ["grasp"], [])
    # The query selects; for: orders what it selects.
    found = for_you_results(library, Filters(query="notes for:grasp"), triage).ids
    assert set(found[:3]) == set(ids["robot"][5:]) and len(found) == 24 - 5
    # A tag: clause asks for tagged papers: they stay, ranked with the rest.
    kept = for_you_results(library, Filters(query="tag:grasp for:grasp"), triage).ids
    assert set(kept) == set(ids["robot"][:5])


def test_for_an_unknown_tag_names_the_tags_in_use(
    topics: tuple[Library, TriageStore, dict[str, list[str]]],
) -> None:
    library, triage, ids = topics
    with pytest.raises(QueryError, match="no paper is tagged 'grasp', and there are no tags"):
        for_you_results(library, Filters(query="for:grasp"), triage)
    edit_tags(triage, ids["robot"][:1], ["robots"], [])
    with pytest.raises(QueryError) as caught:
        for_you_results(library, Filters(query="for:grasp"), triage)
    assert "(tags: robots)" in str(caught.value)


def test_for_a_tag_with_too_few_papers_lists_newest_first(
    topics: tuple[Library, TriageStore, dict[str, list[str]]],
) -> None:
    library, triage, ids = topics
    edit_tags(triage, ids["speech"][:2], ["speech"], [])
    newest = library.search(Filters(sort="date")).ids
    found = for_you_results(library, Filters(query="for:speech"), triage).ids
    assert found == [i for i in newest if i not in ids["speech"][:2]]


def test_a_view_may_be_sorted_for_you_and_hold_a_for_clause() -> None:
    from paperbrowse.views import SavedView, ViewError, check_view

    view = SavedView("mine", query="for:diffusion", state="inbox", sort="for-you")
    assert check_view(view) == view
    assert view.to_toml() == {"query": "for:diffusion", "state": "inbox", "sort": "for-you"}
    assert view.filters().sort == "for-you"
    with pytest.raises(ViewError, match="unknown sort 'for_you'"):
        check_view(SavedView("x", sort="for_you"))
    with pytest.raises(ViewError, match="by AND"):
        check_view(SavedView("x", query="-for:diffusion"))


@pytest.mark.parametrize("text", ["(for:robo)", "grasp (for:robo)", "(grasp for:robo) date:2025"])
def test_parentheses_that_only_and_a_for_clause_are_the_same_as_none(
    language: QueryLanguage, text: str
) -> None:
    rest, tag = split_for(language.parse(text))
    assert tag == "robo"
    assert rest is None or "for" not in str(rest)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("title:for:robo", "title"),
        ("title:(grasp for:robo)", "title"),
        ("ABSTRACT:for:x", "ABSTRACT"),
    ],
)
def test_for_as_the_value_of_another_field_is_one_line(
    language: QueryLanguage, text: str, field: str
) -> None:
    with pytest.raises(QueryError) as caught:
        language.parse(text)
    message = str(caught.value)
    assert f"not a value of {field}:" in message and "\n" not in message and text in message


def test_for_inside_quotes_is_text(language: QueryLanguage) -> None:
    assert split_for(language.parse('"title:for:robo"'))[1] is None


def test_another_sort_beside_for_tag_lists_the_selection_in_that_order_unranked(
    topics: tuple[Library, TriageStore, dict[str, list[str]]],
) -> None:
    library, triage, ids = topics
    edit_tags(triage, ids["speech"][:5], ["speech"], [])
    newest = library.search(Filters(sort="date"), triage).ids
    found = for_you_results(library, Filters(query="for:speech", sort="date"), triage)
    assert found.ids == [i for i in newest if i not in ids["speech"][:5]]


def test_for_tag_as_the_for_you_view_leaves_out_the_stars_too(
    topics: tuple[Library, TriageStore, dict[str, list[str]]],
) -> None:
    library, triage, ids = topics
    triage.set(ids["protein"][:5], "starred", True)
    edit_tags(triage, ids["speech"][:5], ["speech"], [])
    view = Filters(query="for:speech", state="inbox", sort="for-you")
    shown = set(for_you_results(library, view, triage).ids)
    assert shown == {i for t in ids.values() for i in t} - set(
        ids["protein"][:5] + ids["speech"][:5]
    )
    # Without --sort for-you, `for:speech` keeps the stars (only the tagged papers leave).
    plain = set(for_you_results(library, Filters(query="for:speech", state="inbox"), triage).ids)
    assert set(ids["protein"][:5]) <= plain
