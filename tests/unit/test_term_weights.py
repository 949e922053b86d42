"""A search's unfielded words' weights made once (term_weights.WordWeights) for matching and
scoring; postings read through the side file's map; term lookups kept per segment; the freed
memory a search keeps for the next one (work_memory.py).

Expected documents come from Whoosh's own matcher, expected scores from the same BM25F without
the shared weights (itself checked against an oracle of Whoosh's postings in test_matching.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from paperbrowse.engine import side_files
from paperbrowse.engine.matching import DocSets
from paperbrowse.engine.scoring import bm25f
from paperbrowse.engine.term_weights import WordWeights
from paperbrowse.library import Library
from tests.unit.test_matching import QUERIES

MORE = [
    "language model",
    "large language model",
    "efficient inference model",
    "model model",
    "language model -diffusion",
    "model NOT language",
    "(language OR video) model",
    '"language model" reasoning',
    "title:model language",
    "model pos*",
    "efficient inference graph pose video",  # more words than WordWeights keeps
]


@pytest.fixture(scope="module")
def library(sample_library_dir: Path) -> Library:
    return Library(sample_library_dir)


def _words(library: Library) -> WordWeights:
    searcher = library.searcher
    assert searcher is not None
    return WordWeights(searcher, library.term_arrays, searcher.reader().doc_count_all())


@pytest.mark.parametrize("text", QUERIES + MORE)
def test_matching_with_the_words_weights_agrees_with_whoosh(library: Library, text: str) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    got = DocSets(
        searcher, library.catalog.live_array, library.term_arrays, words=_words(library)
    ).docs(q)
    assert got.tolist() == sorted(set(q.docs(searcher)))


@pytest.mark.parametrize("text", QUERIES + MORE)
def test_scores_with_the_words_weights_are_those_without_to_the_bit(
    library: Library, text: str
) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    lengths = library.catalog.length_arrays
    arrays = library.term_arrays
    words = _words(library)
    matched = DocSets(searcher, library.catalog.live_array, arrays, words=words).docs(q)
    shared = bm25f(searcher, q, matched, lengths, arrays, words=words)
    alone = bm25f(searcher, q, matched, lengths, arrays)
    if alone is None:
        assert shared is None
        return
    assert shared is not None
    assert shared[0].tolist() == alone[0].tolist()
    assert [s.hex() for s in shared[1].tolist()] == [s.hex() for s in alone[1].tolist()]


def test_words_weights_keep_the_first_slots_words_only(library: Library) -> None:
    words = _words(library)
    kept = [words.merged(w) for w in ["model", "languag", "effici"]]
    assert kept[0] is not None and kept[1] is not None and kept[2] is None
    assert words.merged("model") is kept[0]  # made once
    held = kept[0].holding
    searcher = library.searcher
    assert searcher is not None
    expected = sorted(set(library.parse_query("model").docs(searcher)))  # type: ignore[union-attr]
    live = library.catalog.live_array
    assert np.flatnonzero(held)[np.isin(np.flatnonzero(held), live)].tolist() == expected


def test_matching_with_the_words_weights_leaves_out_deleted_documents(tmp_path: Path) -> None:
    from tests.indexing import sample_with_deletions

    library = sample_with_deletions(tmp_path / "data")
    searcher = library.searcher
    assert searcher is not None
    for text in ["model", "language model", "pose NOT estimation", "human pose estimation"]:
        q = library.parse_query(text)
        assert q is not None
        got = DocSets(
            searcher, library.catalog.live_array, library.term_arrays, words=_words(library)
        ).docs(q)
        assert got.tolist() == sorted(q.docs(searcher)), text
    library.close()


def test_postings_through_the_map_are_those_read_with_pread(library: Library) -> None:
    arrays = library.term_arrays
    assert arrays is not None
    segment, _ = arrays.segments()[0]
    assert segment.mapped
    reader = library.searcher.reader()  # type: ignore[union-attr]
    terms = [(f, t) for f, t in reader.all_terms() if f in ("title", "abstract")][::37][:40]
    assert terms
    mapped = [segment.stored_postings(f, t) for f, t in terms]
    saved, segment._map = segment._map, None  # noqa: SLF001 (the unmapped path)
    try:
        read = [segment.stored_postings(f, t) for f, t in terms]
    finally:
        segment._map = saved  # noqa: SLF001
    for (ids, weights), (ids2, weights2) in zip(mapped, read, strict=True):
        assert ids.tolist() == ids2.tolist() and weights.tolist() == weights2.tolist()
        assert len(ids)


def test_term_lookups_kept_per_segment_give_the_tables_entries(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lookups past the kept number start the keeping over; each answer is the table's,
    absent terms included, from the whole term table (a fresh SegmentArrays per lookup)."""
    monkeypatch.setattr(side_files, "LOOKED_UP_TERMS", 3)
    arrays = library.term_arrays
    assert arrays is not None
    segment, _ = arrays.segments()[0]
    reader = library.searcher.reader()  # type: ignore[union-attr]
    terms = [(f, t) for f, t in reader.all_terms() if f == "abstract"][::11][:12]
    terms += [("abstract", b"zzzznotaword"), ("title", b"zzzznotaword")]
    for _ in range(3):
        for fieldname, btext in terms:
            ids, _weights = segment.stored_postings(fieldname, btext)
            whoosh: list[int] = []
            leaf = reader.leaf_readers()[0][0]
            if (fieldname, btext) in leaf:
                whoosh = list(leaf.postings(fieldname, btext).all_ids())
            assert ids.tolist() == whoosh


_FAULTS_SCRIPT = """
import resource, sys
import numpy as np
from paperbrowse.engine.work_memory import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def one_search():
    arrays = [np.ones(1 << 19) for _ in range(6)]  # six 4 MB arrays at once, then freed
    del arrays
one_search(); one_search()
before = faults()
for _ in range(5):
    one_search()
print(faults() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_search_memory_is_kept_for_the_next_search() -> None:
    """Five searches' worth of 4 MB arrays page-fault ~3,000 pages each by glibc's default
    thresholds (freed to the kernel, faulted in again); with keep_freed_memory, none."""

    def faults(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _FAULTS_SCRIPT, mode], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return int(done.stdout)

    default = faults("default")
    if default < 1000:
        pytest.skip("this C library keeps freed memory by itself")
    assert faults("keep") < default // 20


_ARENAS_SCRIPT = """
import ctypes, ctypes.util, sys, threading
import numpy as np
from paperbrowse.engine.work_memory import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
if sys.argv[1] == "browser":  # the browser asks for it before its threads start
    from pathlib import Path
    from paperbrowse.tui.app import make_browser
    make_browser(Path(sys.argv[2]), use_settings=False)
libc = ctypes.CDLL(ctypes.util.find_library("c"))
def search():
    found = np.ones(1 << 19)  # a search's 4 MB array, on a worker thread
    libc.malloc_stats()  # each arena's figures, on stderr
    del found
workers = [threading.Thread(target=search) for _ in range(3)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_worker_threads_share_one_arena(library_copy: Path) -> None:
    """The browser searches on worker threads; each thread's own arena kept what it freed
    (browser RSS 420-477 MB at 10^6 papers). With keep_freed_memory, which the browser's
    factory calls, all use one."""

    def arenas(mode: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", _ARENAS_SCRIPT, mode, str(library_copy)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return {line.rstrip(":") for line in done.stderr.splitlines() if line.startswith("Arena")}

    default = arenas("default")
    if len(default) < 2:
        pytest.skip("this C library gives threads no arenas of their own")
    assert arenas("keep") == {"Arena 0"}
    assert arenas("browser") == {"Arena 0"}
