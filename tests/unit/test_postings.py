"""The postings side files must hold exactly what Whoosh's own postings hold, in every segment."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import formats, index

from paperbrowse import indexer
from paperbrowse.analysis import CompactPositions, encode_positions
from paperbrowse.engine import whoosh_procs
from paperbrowse.engine.codec import CAPTURED
from paperbrowse.engine.matching import DocSets
from paperbrowse.engine.side_files import decode_positions
from paperbrowse.engine.term_postings import term_positions_in
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.schema import make_schema
from paperbrowse.sources import collect_sources
from tests.indexing import index_dir, index_into

SAMPLE_FILES = sorted((Path(__file__).parents[2] / "paperbrowse" / "sample").glob("*.txt"))

QUERIES = [
    "model",
    "efficient inference",
    "efficient OR diffusion",
    "NOT model",
    "title:pose",
    '"language model"',
    '"state of the art"',
    'title:"pose estimation"',
    '"large language models"',
    "video -image",
]


def live_matchers(library: Library, fieldname: str, btext: bytes) -> list[tuple[Any, int]]:
    """Whoosh's own matcher of a term in each segment (skipping deleted documents)."""
    searcher = library.searcher
    assert searcher is not None
    found = []
    for leaf, offset in searcher.reader().leaf_readers():
        if (fieldname, btext) in leaf:
            found.append((leaf.postings(fieldname, btext), offset))
    return found


def whoosh_postings(library: Library, fieldname: str, btext: bytes) -> list[tuple[int, float]]:
    """(document, weight) of a term's live postings as Whoosh's matchers read them."""
    found = []
    for matcher, offset in live_matchers(library, fieldname, btext):
        while matcher.is_active():
            found.append((matcher.id() + offset, matcher.weight()))
            matcher.next()
    return found


def whoosh_positions(library: Library, fieldname: str, btext: bytes) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for matcher, offset in live_matchers(library, fieldname, btext):
        while matcher.is_active():
            found.extend((matcher.id() + offset, p) for p in matcher.value_as("positions"))
            matcher.next()
    return found


def check_every_term(library: Library) -> int:
    """Compare the side files with Whoosh for every term of the captured fields."""
    searcher = library.searcher
    arrays = library.term_arrays
    assert searcher is not None and arrays is not None
    checked = 0
    live = library.catalog.mask()
    everything = library.catalog.live_array
    for fieldname in CAPTURED:
        for btext in searcher.reader().lexicon(fieldname):
            ids, weights = arrays.postings(fieldname, btext)
            ids, weights = ids[live[ids]], weights[live[ids]]
            expected = whoosh_postings(library, fieldname, btext)
            assert ids.tolist() == [d for d, _ in expected], (fieldname, btext)
            assert weights.tolist() == pytest.approx([w for _, w in expected])
            if CAPTURED[fieldname]:
                found = term_positions_in(arrays, fieldname, btext, everything)
                assert found is not None
                pairs = list(zip(found[0].tolist(), found[1].tolist(), strict=True))
                assert pairs == whoosh_positions(library, fieldname, btext), (fieldname, btext)
            checked += 1
    return checked


def test_side_files_hold_whooshs_postings(indexed_library: Library) -> None:
    assert check_every_term(indexed_library) > 1000


def test_several_segments_merges_and_deletions(tmp_path: Path) -> None:
    """Three runs: new dumps add segments, a changed dump deletes and re-adds papers, and
    Whoosh merges small segments; every segment written keeps a side file that agrees."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    library = Library(tmp_path / "data")
    for i, path in enumerate(SAMPLE_FILES):
        shutil.copy(path, dumps / path.name)
        sources, _ = collect_sources([str(dumps)])
        index_into(library, sources)
        if i == 1:
            # change the first dump: its papers are deleted and written again
            first = dumps / SAMPLE_FILES[0].name
            first.write_text(first.read_text("utf-8") + "\n", "utf-8")
    library.close()
    reader = library.searcher.reader()  # type: ignore[union-attr]
    assert reader.doc_count() < reader.doc_count_all() or len(list(reader.leaf_readers())) > 1
    assert check_every_term(library) > 1000
    searcher = library.searcher
    assert searcher is not None
    for text in QUERIES:
        q = library.parse_query(text)
        assert q is not None, text
        got = DocSets(searcher, library.catalog.live_array, library.term_arrays).docs(q)
        assert got.tolist() == sorted(q.docs(searcher)), text


def test_two_writer_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The multiprocess writer (used for big runs) writes side files in its sub-processes."""
    monkeypatch.setattr(indexer, "MULTIPROCESS_FROM", 1)
    assert indexer.writer_options(10).get("procs") == 2
    library = Library(tmp_path / "data")
    sources, _ = collect_sources([str(p) for p in SAMPLE_FILES])
    index_into(library, sources)
    assert len(list(library.searcher.reader().leaf_readers())) >= 1  # type: ignore[union-attr]
    assert check_every_term(library) > 1000


def test_writer_processes_close_a_segment_and_start_another_past_their_postings_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer process whose pool reaches ROLL_POSTINGS writes its segment and starts a new
    one (bounded memory): every paper is there once, every term's side file matches Whoosh's,
    and searches find what a library written in one segment finds."""
    sources, _ = collect_sources([str(p) for p in SAMPLE_FILES])
    whole = Library(tmp_path / "whole")
    index_into(whole, sources)
    monkeypatch.setattr(indexer, "MULTIPROCESS_FROM", 1)
    monkeypatch.setattr(whoosh_procs, "ROLL_POSTINGS", 1)  # inherited by the forked writers
    rolled = Library(tmp_path / "rolled")
    index_into(rolled, sources)
    assert rolled.searcher is not None and whole.searcher is not None
    # A segment per job file of 100 documents: more than the two processes would write.
    assert len(list(rolled.searcher.reader().leaf_readers())) > 2
    assert sorted(rolled.catalog.ids[d] for d in rolled.catalog.live) == sorted(
        whole.catalog.ids[d] for d in whole.catalog.live
    )
    assert check_every_term(rolled) > 1000
    for text in QUERIES:  # the same papers (ties in the order follow document numbers)
        found = set(rolled.search(Filters(query=text)).ids)
        assert found == set(whole.search(Filters(query=text)).ids), text


def test_a_segment_without_side_file_falls_back_to_whoosh(
    sample_library_dir: Path, tmp_path: Path
) -> None:
    """A segment written by Whoosh's own codec: no side arrays, and every query still agrees."""
    data = tmp_path / "data"
    shutil.copytree(sample_library_dir, data)
    library = Library(data)
    folder = index_dir(library)
    ix = index.open_dir(str(folder))
    writer = ix.writer()  # Whoosh's default codec
    title = "A language model for pose estimation"
    abstract = "We study the state of the art of efficient inference."
    writer.add_document(id="2999.00001", title=title, abstract=abstract)
    writer.commit(merge=False)
    ix.close()
    library = Library(data)
    assert library.searcher is not None
    assert library.term_arrays is None
    for text in QUERIES:
        q = library.parse_query(text)
        assert q is not None, text
        got = DocSets(library.searcher, library.catalog.live_array, None).docs(q)
        assert got.tolist() == sorted(q.docs(library.searcher)), text
        results = library.search(Filters(query=text))  # ranked from Whoosh's blocks
        assert sorted(results.docnums) == got.tolist()


def test_decode_positions_reads_every_value() -> None:
    """Compact values (narrow and wide), Whoosh's pickled values, and junk, in one blob."""
    rng = random.Random(5)
    values, expected = [], []
    for _ in range(3000):
        count = rng.choice([1, 1, 1, 2, 3, 9, 60])
        top = rng.choice([100, 300, 70_000, 2_000_000])
        positions = sorted(rng.sample(range(top), count))
        if rng.random() < 0.1:
            values.append(formats.Positions().encode(positions))  # Whoosh's own format
        else:
            values.append(encode_positions(positions))
        expected.append(positions)
    values.append(b"\x03not a value")  # unreadable: no positions, no crash
    expected.append([])
    blob = b"".join(values)
    lengths = np.array([len(v) for v in values], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    owner, decoded = decode_positions(blob, starts, lengths)
    got: list[list[int]] = [[] for _ in values]
    for i, p in zip(owner.tolist(), decoded.tolist(), strict=True):
        got[i].append(p)
    assert got == expected


def test_decode_positions_of_repeated_whoosh_values() -> None:
    """org's values: Whoosh's pickled format, few distinct ones repeated thousands of times
    (decoded once per distinct value), among longer ones (over 30 bytes), junk, and values
    equal but for a trailing byte, each read at its own place in the blob."""
    rng = random.Random(7)
    distinct = [[0], [1], [2], [1, 2], [0, 5], [3, 4, 9], list(range(0, 400, 13)), [300, 70_000]]
    values: list[bytes] = []
    expected: list[list[int]] = []
    for _ in range(4000):
        if rng.random() < 0.05:
            values.append(b"\x00\x00\x00\x01junk")
            expected.append([])
            continue
        positions = rng.choice(distinct)
        value = formats.Positions().encode(positions)
        if rng.random() < 0.1:  # one byte longer: a different value, read as Whoosh reads it
            values.append(value + b"\x00")
            expected.append(formats.Positions().decode_positions(value + b"\x00"))
        else:
            values.append(value)
            expected.append(positions)
    blob = b"".join(values)
    lengths = np.array([len(v) for v in values], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    picked = np.array(sorted(rng.sample(range(len(values)), 1500)), dtype=np.int64)
    owner, decoded = decode_positions(blob, starts[picked], lengths[picked])
    got: list[list[int]] = [[] for _ in picked]
    for i, p in zip(owner.tolist(), decoded.tolist(), strict=True):
        got[i].append(p)
    assert got == [expected[i] for i in picked.tolist()]
    assert max(len(v) for v in values) > 30


def test_compact_positions_round_trip() -> None:
    fmt = CompactPositions()
    for positions in ([0], [3, 9, 200], [5, 70_000], list(range(0, 3000, 7))):
        value = fmt.encode(positions)
        assert fmt.decode_positions(value) == positions
        assert fmt.decode_frequency(value) == len(positions)
    assert len(fmt.encode([7])) == 3


def test_schema_has_the_captured_fields() -> None:
    schema = make_schema()
    for fieldname in CAPTURED:
        assert fieldname in schema.names()
    assert {"title", "abstract", "org"} <= set(CAPTURED)
