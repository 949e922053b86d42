"""The array lookups that replaced dicts (memory at 10^6 papers) answer as the dicts did: a side
file's term table (engine/term_table.py) and the catalog's paper id -> document number
(catalog_columns.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from paperbrowse.catalog_columns import DocnumLookup, IdColumn, id_order, ids_array
from paperbrowse.engine.term_table import TermTable

terms = st.lists(st.binary(max_size=12), max_size=60, unique=True)


@given(terms, st.lists(st.binary(max_size=12), max_size=20), st.booleans())
def test_a_term_table_finds_what_the_dict_holds_and_nothing_else(
    keys: list[bytes], others: list[bytes], in_order: bool
) -> None:
    if in_order:
        keys = sorted(keys)  # as Whoosh writes a segment's terms
    table = {key: n for n, key in enumerate(keys)}
    found = TermTable.of(table)
    assert len(found) == len(table)
    for key in keys + others:
        assert found.get(key) == table.get(key)


def test_a_term_table_of_keys_out_of_order_keeps_each_keys_entry() -> None:
    table = {b"title\x00zeta": 0, b"abstract\x00alpha": 1, b"title\x00beta": 2}
    found = TermTable.of(table)
    assert [found.get(k) for k in table] == [0, 1, 2]
    assert found.get(b"title\x00") is None and found.get(b"") is None


ids = st.lists(st.text(max_size=8).filter(lambda s: "\0" not in s), min_size=1, max_size=40)


@given(ids, st.data())
def test_the_id_lookup_answers_as_a_dict_of_the_live_documents(
    paper_ids: list[str], data: st.DataObject
) -> None:
    flags = data.draw(st.lists(st.booleans(), min_size=len(paper_ids), max_size=len(paper_ids)))
    live = np.flatnonzero(np.array(flags, dtype=bool)).astype(np.int32)
    raw = ids_array(paper_ids)
    expected = {paper_ids[d]: int(d) for d in live}  # a later duplicate wins, as main's dict
    assert list(IdColumn(raw)) == paper_ids
    for by_id in (None, id_order(raw, live)):
        lookup = DocnumLookup(raw, live, by_id)
        assert len(lookup) == len(live)
        for paper_id in [*paper_ids, "absent", "x" * 30]:
            assert lookup.get(paper_id) == expected.get(paper_id)
            assert (paper_id in lookup) == (paper_id in expected)
        asked = [*paper_ids, "absent"]
        assert set(lookup.docnums(asked).tolist()) == {expected[p] for p in asked if p in expected}
