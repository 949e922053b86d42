"""Field lengths read a segment's length column at once (engine/whoosh_internals.py
`field_lengths`): the same lengths Whoosh's `doc_field_length` gives, document by document,
also in a segment where no document has the field (no column there: every length 0)."""

from __future__ import annotations

import pytest

from paperbrowse.engine.whoosh_internals import field_lengths
from paperbrowse.library import Library
from paperbrowse.sources import Source
from tests.api_records import api_records, capture
from tests.indexing import index_into


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """Two index runs of archive records, each one segment: the first's papers have no
    organisation (their daily cards showed the author count), the second's have one."""
    records = api_records()
    without = [capture(r, "daily", "a.txt") for r in records if not r["org"]][:60]
    with_org = [capture(r, "daily", "b.txt") for r in records if r["org"]][:60]
    lib = Library(tmp_path_factory.mktemp("lengths") / "data")
    assert index_into(lib, [Source("a.txt", None, records=without)]).new == 60
    assert index_into(lib, [Source("b.txt", None, records=with_org)]).new == 60
    return lib


@pytest.mark.parametrize("fieldname", ["org", "title", "abstract", "author"])
def test_field_lengths_are_whooshs_with_a_segment_without_the_field(
    library: Library, fieldname: str
) -> None:
    searcher = library.searcher
    assert searcher is not None
    reader = searcher.reader()
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    assert len(leaves) == 2
    expected = [
        leaf.doc_field_length(d, fieldname, 0) or 0
        for leaf in leaves
        for d in range(leaf.doc_count_all())
    ]
    assert field_lengths(reader, fieldname).tolist() == expected
    if fieldname == "org":  # the first segment has no org column; the second has lengths
        assert not leaves[0]._perdoc.has_column("_org_len")
        assert expected[:60] == [0] * 60 and all(expected[60:])


def test_a_segment_without_the_column_is_not_read_document_by_document(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = library.searcher
    assert searcher is not None
    reader = searcher.reader()
    first = next(leaf for leaf, _ in reader.leaf_readers())

    def refuse(*args: object) -> None:
        raise AssertionError("doc_field_length called")

    monkeypatch.setattr(first, "doc_field_length", refuse)
    assert field_lengths(reader, "org")[:60].tolist() == [0] * 60
