"""Query mistakes get one line in our words; broken manifests and catalogs never a traceback.

The hostile queries are the ones the second hardening round found (NOT NOT x, record:x,
upvotes:>99999999999, foo:bar, title:); the fuzz test throws random combinations of every
query construct at a real library: each search must either answer or raise QueryError with a
single line that names the query and leaks no Whoosh internals.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import stat
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.catalog import Catalog
from paperbrowse.errors import LibraryError, QueryError
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.query import SEARCHABLE_FIELDS
from tests.indexing import index_dir

# What Whoosh says when it is left to explain a mistake: none of it may reach a user.
WHOOSH_INTERNALS = (
    "list index out of range",
    "has no format",
    "is not a valid number",
    "STORED(",
    "NUMERIC(",
    "Traceback",
    "object has no attribute",
    "NoneType",
)


def query_error(library: Library, text: str) -> str:
    with pytest.raises(QueryError) as info:
        library.search(Filters(query=text))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"invalid query {text!r}"), message
    assert not any(bad in message for bad in WHOOSH_INTERNALS), message
    return message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("NOT -image", "must be followed by a word, not by another NOT"),
        ("pose NOT -1", "must be followed by a word, not by another NOT"),
        ("NOT NOT x", "must be followed by a word, not by another NOT"),
        ("pose NOT", "NOT (or a leading -) needs a word after it"),
        ("pose AND", "AND needs a word after it"),
        ("OR pose", "OR needs a word before it"),
        ("(pose AND) video", "AND needs a word after it"),
        ("pose AND OR video", "AND needs a word after it"),
        ("upvotes:>99999999999", "out of range (0 to 2,147,483,646)"),
        ("upvotes:[3 to 99999999999]", "out of range"),
        ("authors:-3", "out of range"),
        ("upvotes:many", "upvotes takes a whole number"),
        ("title:", "title: needs a value right after the colon"),
        ("title: pose", "title: needs a value right after the colon"),
        ("pose abstract:", "abstract: needs a value"),
        ("comments:>", "comments:> needs a value after '>' (comments:>5)"),
        ("upvotes:>=", "upvotes:>= needs a value after '>='"),
        ("pose date:<", "date:< needs a value after '<' (date:<2025-06-01)"),
        ("(stars:> 5)", "stars:> needs a value after '>'"),
    ],
)
def test_query_mistakes_are_one_line_in_our_words(
    indexed_library: Library, text: str, says: str
) -> None:
    assert says in query_error(indexed_library, text)


@pytest.mark.parametrize(
    "text",
    [
        "record:x",
        "foo:bar",
        "id:abc",
        "source:x",
        "variants:x",
        "title_key:x",
        "Record:x",
        "FOO:bar",
    ],
)
def test_unknown_or_unsearchable_fields_name_the_fields_users_can_search(
    indexed_library: Library, text: str
) -> None:
    message = query_error(indexed_library, text)
    name = text.split(":")[0]
    assert f"no field {name!r}" in message
    assert ", ".join(SEARCHABLE_FIELDS) in message
    # `MoZoo:Unleashing Video…` is a title (14 archive titles start so): the way out is named.
    assert message.endswith(f"(a pasted title's '{name}:…'? put it in double quotes)")


@pytest.mark.parametrize(
    ("text", "title_word"),
    [
        ("Lite Pose: Efficient Architecture", "lite pose"),  # a pasted title keeps its colon
        ('title:"Lite Pose: Efficient"', "lite pose"),
    ],
)
def test_a_colon_in_pasted_text_is_not_a_field(
    indexed_library: Library, text: str, title_word: str
) -> None:
    results = indexed_library.search(Filters(query=text))
    assert any(title_word in p.title.lower() for p in results.papers())


@pytest.mark.parametrize("text", ["10:30", "see https://github.com/x", "upvotes:*", "date:*"])
def test_colons_that_are_not_fields_still_search(indexed_library: Library, text: str) -> None:
    indexed_library.search(Filters(query=text))  # no QueryError


# ---------------------------------------------------------------------------------------------
# Fuzz: every construct of the query language, old and new cases, in random combinations

PIECES = [
    "pose", "video", "diffusion", "model", "Efficient", "3D", "x", "a", "the", "1",
    "title:pose", "abstract:video", "org:deepseek", "foo:bar", "record:x", "id:26ff", "title:",
    "date:2024", "date:2024-03", "date:>2023", "date:[2024 to 2025]", "date:2024-02-30",
    "upvotes:>=5", "upvotes:>99999999999", "authors:[1 to 3]", "has_code:true", "upvotes:*",
    "date:*", "gen*", "generat*", "title:diffusion*", "*", "**", "?ose", "co*", "*ion",
    "title:[a to z]", "title:{a to c]", "org:univers*", '"pose estimation"', '"a', "(", ")",
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "-", "-image", "--x", "~", "^2", "\\", ":", "'",
    "[", "]", "{", "}", ">", "<", "=", "\x1b[2J", "é", "İ",
]  # fmt: skip


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=7), st.sampled_from([" ", ""]))
def test_fuzzed_queries_answer_or_say_why_in_one_line(
    indexed_library: Library, pieces: list[str], glue: str
) -> None:
    text = glue.join(pieces)
    try:
        results = indexed_library.search(Filters(query=text))
    except QueryError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith("invalid query "), message
        assert not any(bad in message for bad in WHOOSH_INTERNALS), message
    else:
        assert len(results) <= len(indexed_library)


# ---------------------------------------------------------------------------------------------
# A manifest or catalog of the wrong shape


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '"library"',
        "{}",
        '{"schema": 8, "index": 5, "sources": {}}',
        '{"schema": 8, "index": "../../etc", "sources": {}}',
        '{"schema": 8, "index": "index-1", "sources": []}',
        '{"schema": 8, "index": "index-1", "sources": {"a.txt": "x"}}',
        '{"schema": 8, "index": "index-1", "sources": {"a.txt": {"path": 3, "sha256": "0"}}}',
    ],
)
def test_a_manifest_of_the_wrong_shape_is_one_line(library_copy: Path, content: str) -> None:
    (library_copy / "library.json").write_text(content, "utf-8")
    library = Library(library_copy)
    with pytest.raises(LibraryError) as info:
        library.search(Filters())
    message = str(info.value)
    assert "\n" not in message
    assert "library.json: not a paperbrowse library manifest" in message
    assert "paperbrowse index --rebuild" in message


def test_a_catalog_missing_columns_is_built_again(
    library_copy: Path, indexed_library: Library
) -> None:
    expected = indexed_library.search(Filters()).ids
    library = Library(library_copy)
    folder = index_dir(library)
    saved = folder / Catalog.FILE
    with np.load(saved, allow_pickle=False) as archive:
        data = {name: archive[name] for name in archive.files}

    def write(columns: dict[str, np.ndarray]) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **columns)  # type: ignore[arg-type]
        saved.write_bytes(buffer.getvalue())

    for key in ("order_date", "ids", "id_order", "length_title", "meta"):
        write({k: v for k, v in data.items() if k != key})
        library = Library(library_copy)
        assert library.search(Filters()).ids == expected
        library.close()
    write({**data, "ids": data["ids"][:3]})  # a short column
    library = Library(library_copy)
    assert library.search(Filters()).ids == expected
    library.close()
    old_catalog = {"version": 6, "key": data["meta"][1:4].tolist(), "ids": []}
    saved.write_bytes(pickle.dumps(old_catalog))  # a catalog of an older release
    library = Library(library_copy)
    assert library.search(Filters()).ids == expected
    library.close()
    with np.load(saved, allow_pickle=False) as archive:
        assert archive["meta"][0] == Catalog.VERSION  # saved again, as arrays


def test_whoosh_lock_file_is_0600(library_copy: Path) -> None:
    """MAIN_WRITELOCK, Whoosh's own lock file, is private and not executable (the README
    promises 0600 for files)."""
    previous = os.umask(0o022)
    try:
        library = Library(library_copy)
        folder = index_dir(library)
        ix = library._open_index()
        assert ix is not None
        writer = ix.writer()
        writer.cancel()
        library.close()
    finally:
        os.umask(previous)
    locks = list(folder.glob("*LOCK*"))
    assert locks, sorted(p.name for p in folder.iterdir())
    for lock in locks:
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600, (lock.name, oct(lock.stat().st_mode))


def test_manifest_written_by_an_index_run_has_the_documented_shape(library_copy: Path) -> None:
    data = json.loads((library_copy / "library.json").read_text("utf-8"))
    from paperbrowse.manifest import manifest_problem

    assert manifest_problem(data) is None
