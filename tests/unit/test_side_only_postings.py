"""The side-only fields (codec.CAPTURED, codec.WORD_LISTS): their postings are written once, in
the side file, and Whoosh's own readers get from it exactly what Whoosh's W3 codec would have
written to its postings file. The judge is an index of the same documents written by W3Codec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.qparser import QueryParser

from paperbrowse.analysis import words_of
from paperbrowse.engine.codec import CAPTURED, WORD_LISTS
from paperbrowse.engine.whoosh_internals import create_index_dir, open_index_dir
from paperbrowse.engine.whoosh_writer import PaperSegmentWriter
from paperbrowse.postings import PaperCodec
from paperbrowse.schema import make_schema
from tests.unit.test_segment_writer import sample_documents

SIDE_ONLY = (*CAPTURED, *WORD_LISTS)


def write(folder: Path, codec: Any, parts: int = 1) -> None:
    """The sample's documents in `parts` segments, merged into one when parts > 1."""
    folder.mkdir()
    ix = create_index_dir(folder, make_schema())
    docs = sample_documents()
    size = -(-len(docs) // parts)
    for start in range(0, len(docs), size):
        writer = PaperSegmentWriter(ix, codec=codec)
        for doc in docs[start : start + size]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    if parts > 1:
        writer = PaperSegmentWriter(open_index_dir(folder), codec=codec)
        writer.commit(optimize=True)


def postings(folder: Path, fieldname: str) -> dict[bytes, list[tuple[int, float, Any]]]:
    """Every term of a field -> its (document, weight, value) as Whoosh's reader gives them."""
    found = {}
    with open_index_dir(folder).searcher() as searcher:
        reader = searcher.reader()
        for btext in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, btext)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            found[btext] = items
    return found


@pytest.mark.parametrize("parts", [1, 3], ids=["one segment", "merged from three"])
def test_whooshs_reads_of_the_side_only_fields_are_w3s(tmp_path: Path, parts: int) -> None:
    write(tmp_path / "w3", W3Codec())
    write(tmp_path / "ours", PaperCodec(), parts)
    for fieldname in (*SIDE_ONLY, "org", "keys"):
        expected = postings(tmp_path / "w3", fieldname)
        assert len(expected) >= 4, fieldname
        assert postings(tmp_path / "ours", fieldname) == expected, fieldname


def test_whooshs_searcher_and_skipping_read_the_side_file(tmp_path: Path) -> None:
    write(tmp_path / "w3", W3Codec())
    write(tmp_path / "ours", PaperCodec())
    for text in ("model", '"language model"', "title:video abstract:image", "diffus*"):
        found = []
        for name in ("w3", "ours"):
            ix = open_index_dir(tmp_path / name)
            with ix.searcher() as searcher:
                q = QueryParser("abstract", ix.schema).parse(text)
                found.append(
                    [(h.docnum, round(h.score, 6)) for h in searcher.search(q, limit=None)]
                )
        assert found[0] == found[1] and found[0], text
    with open_index_dir(tmp_path / "ours").searcher() as searcher:
        matcher = searcher.reader().postings("abstract", b"model")
        ids = list(matcher.all_ids())
        matcher.reset()
        matcher.skip_to(ids[len(ids) // 2] - 1)
        assert matcher.id() in (ids[len(ids) // 2 - 1], ids[len(ids) // 2])
        matcher.skip_to(ids[-1])
        assert matcher.id() == ids[-1]


def test_the_side_only_fields_have_no_blocks_in_whooshs_postings_file(tmp_path: Path) -> None:
    write(tmp_path / "ours", PaperCodec())
    docs = sample_documents()
    with open_index_dir(tmp_path / "ours").searcher() as searcher:
        (leaf, _), *_ = list(searcher.reader().leaf_readers())
        seen = set()
        for (fieldname, btext), info in leaf._terms.items():  # the segment's W3TermsReader
            assert isinstance(info, W3TermInfo)
            length = info.extent()[1]
            length = length[0] if isinstance(length, tuple) else length  # Whoosh reads a tuple
            assert (length == 0) == (fieldname in SIDE_ONLY), (fieldname, btext)
            seen.add(fieldname)
        assert seen >= {*SIDE_ONLY, "org"}
        # Whoosh's statistics of a side-only term stay in its term info
        expected = sum("model" in words_of(doc["abstract_words"]) for doc in docs)
        assert searcher.doc_frequency("abstract_words", "model") == expected > 50


def test_a_segment_of_an_earlier_codec_keeps_reading_its_own_postings(tmp_path: Path) -> None:
    # A codec unpickled from an index written before side-only postings has no instance value
    # for postings_in_side: such a codec writes, and reads, Whoosh's own copy.
    older = PaperCodec()
    del older.postings_in_side
    assert not older.side_only("abstract")
    write(tmp_path / "older", older)
    write(tmp_path / "w3", W3Codec())
    for fieldname in ("abstract", "title_words"):
        assert postings(tmp_path / "older", fieldname) == postings(tmp_path / "w3", fieldname)
