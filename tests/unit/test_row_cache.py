"""Library.row keeps the rows it decoded until the generation changes (library.py ROWS_KEPT).

The expected rows come from each generation's stored records, read through Whoosh directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperbrowse import library as library_module
from paperbrowse.library import Library
from paperbrowse.sources import collect_sources
from tests.indexing import index_into

SAMPLE = Path(__file__).resolve().parents[2] / "paperbrowse" / "sample"


def _stored(library: Library, docnum: int) -> tuple[str, str]:
    """(id, title) of a document as its generation stores them."""
    searcher = library.searcher
    assert searcher is not None
    stored = searcher.stored_fields(docnum)
    return stored["id"], json.loads(stored["record"])["title"]


def _rows(library: Library) -> dict[int, tuple[str, str]]:
    return {d: (r.id, r.title) for d in library.catalog.live for r in [library.row(d)]}


def test_rows_follow_a_new_generation(tmp_path: Path) -> None:
    """A rebuild numbers the papers anew: the rows read before the new generation are not
    served for it."""
    dumps = sorted(SAMPLE.glob("*.txt"))
    library = Library(tmp_path / "data")
    index_into(library, collect_sources([str(dumps[-1])])[0])
    first = _rows(library)
    assert first == {d: _stored(library, d) for d in library.catalog.live}
    everything = collect_sources([str(d) for d in dumps])[0]
    index_into(Library(tmp_path / "data"), everything, rebuild=True)
    assert library.refresh()
    second = _rows(library)
    assert second == {d: _stored(library, d) for d in library.catalog.live}
    moved = [d for d in first if d in second and first[d] != second[d]]
    assert moved  # some document number names another paper now: the old rows were dropped
    library.close()


def test_rows_past_the_kept_number_are_read_again(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_module, "ROWS_KEPT", 3)
    library = Library(library_copy)
    docs = list(library.catalog.live)[:10]
    for _ in range(2):
        assert [(library.row(d).id, library.row(d).title) for d in docs] == [
            _stored(library, d) for d in docs
        ]
    assert library.row(docs[0]) is library.row(docs[0])  # kept: the same row
    library.close()
