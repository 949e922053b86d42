"""`title_key` is a sort column only (schema.SortKey): no terms, the same column values."""

from __future__ import annotations

from pathlib import Path

from paperbrowse.engine.whoosh_internals import create_index_dir, open_index_dir
from paperbrowse.engine.whoosh_segment_writer import PaperSegmentWriter
from paperbrowse.models import normalise_title
from paperbrowse.postings import PaperCodec
from paperbrowse.schema import make_schema
from tests.unit.test_segment_writer import sample_documents


def test_title_key_is_a_column_without_terms(tmp_path: Path) -> None:
    ix = create_index_dir(tmp_path, make_schema())
    docs = sample_documents()
    writer = PaperSegmentWriter(ix, codec=PaperCodec())
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    with open_index_dir(tmp_path).searcher() as searcher:
        reader = searcher.reader()
        assert list(reader.lexicon("title_key")) == []
        assert list(reader.lexicon("id"))  # an indexed ID field keeps its terms
        (leaf, _), *_ = list(reader.leaf_readers())
        keys = list(leaf.column_reader("title_key"))
    assert keys == [normalise_title(doc["title"]) for doc in docs]
