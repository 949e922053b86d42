"""The recommendation features cached per index generation (feature_cache.py), and the record
of when papers arrived and when you last looked (arrivals.py)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from paperbrowse import arrivals
from paperbrowse.feature_cache import (
    FOLDER,
    build_features,
    features_key,
    library_features,
    load_features,
)
from paperbrowse.indexer import index_sources
from paperbrowse.library import Library
from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.sources import collect_sources
from tests.conftest import SAMPLE_FILES
from tests.indexing import index_dir


def index(data_dir: Path, *paths: Path) -> Library:
    sources, problems = collect_sources([str(p) for p in paths])
    assert not problems
    assert not index_sources(data_dir, sources).failures
    return Library(data_dir)


def test_features_are_built_once_per_generation_and_saved_beside_the_index(
    mutable_library: Library,
) -> None:
    assert load_features(mutable_library) is None  # nothing saved yet
    built = library_features(mutable_library)
    folder = index_dir(mutable_library) / FOLDER
    assert (folder / "meta.json").is_file()
    stamp = (folder / "meta.json").stat().st_mtime_ns
    again = library_features(mutable_library)  # loaded, not rebuilt
    assert (folder / "meta.json").stat().st_mtime_ns == stamp
    assert again.space.key == built.space.key == features_key(mutable_library)
    assert again.space.ids == built.space.ids
    # Row r is the r-th live document number, and holds that document's paper.
    live = mutable_library.catalog.live_array
    assert np.array_equal(again.docs, live)
    for r in (0, len(live) // 2, len(live) - 1):
        assert again.space.ids[r] == mutable_library.catalog.ids[int(live[r])]
    assert again.rows_of_docs([int(live[3]), 10**9]).tolist() == [3, -1]
    built.close()
    again.close()


def test_features_of_a_stale_generation_are_never_used(tmp_path: Path) -> None:
    library = index(tmp_path / "data", SAMPLE_FILES[0])
    first = build_features(library)
    first_key = first.space.key
    first.close()
    library.close()
    library = index(tmp_path / "data", SAMPLE_FILES[1])  # a new generation
    assert features_key(library) != first_key
    assert load_features(library) is None
    second = library_features(library)
    assert len(second.space.ids) == len(library.catalog.live)
    second.close()
    library.close()


def test_the_cached_rows_equal_a_fresh_build_of_the_same_records(mutable_library: Library) -> None:
    cached = library_features(mutable_library)
    papers = [mutable_library.paper_at(int(d)) for d in mutable_library.catalog.live_array]
    fresh = FeatureSpace.build(papers)
    for r in (0, 7, len(papers) - 1):
        cols, vals = cached.space.rows.row(r)
        fcols, fvals = fresh.rows.row(r)
        assert np.array_equal(cols, fcols)
        assert np.allclose(vals, fvals)
    cached.close()


# -- arrivals and looks -----------------------------------------------------------------------


def test_last_looked_is_the_latest_view_opened(tmp_path: Path) -> None:
    assert arrivals.last_looked(tmp_path) is None
    arrivals.record_look(tmp_path, "inbox", 100.0)
    arrivals.record_look(tmp_path, "foryou", 300.0)
    arrivals.record_look(tmp_path, "inbox", 200.0)
    assert arrivals.last_looked(tmp_path) == 300.0
    assert json.loads((tmp_path / arrivals.LOOKED).read_text())["views"]["inbox"] == 200.0
    assert (tmp_path / arrivals.LOOKED).stat().st_mode & 0o077 == 0


def test_a_damaged_record_of_looks_is_no_record(tmp_path: Path) -> None:
    (tmp_path / arrivals.LOOKED).write_text("{not json")
    assert arrivals.last_looked(tmp_path) is None
    arrivals.record_look(tmp_path, "inbox", 5.0)
    assert arrivals.last_looked(tmp_path) == 5.0


def _set_indexed(data_dir: Path, name: str, when: float) -> None:
    """Give dump `name` another `indexed` time in the manifest (as if indexed then)."""
    path = data_dir / "library.json"
    meta = json.loads(path.read_text())
    meta["sources"][name]["indexed"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
    path.write_text(json.dumps(meta))


def test_papers_arrive_when_the_dump_that_brought_them_was_indexed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    a, b = SAMPLE_FILES[0], SAMPLE_FILES[1]
    library = index(data_dir, a)
    ids_a = {library.catalog.ids[d] for d in library.catalog.live}
    _set_indexed(data_dir, a.name, 1_000_000.0)
    library.close()
    library = Library(data_dir)
    times = arrivals.arrival_times(library)  # first run: every paper as of its dump
    assert {float(times[d]) for d in library.catalog.live} == {1_000_000.0}
    library.close()

    library = index(data_dir, b)
    _set_indexed(data_dir, b.name, 2_000_000.0)
    library.close()
    library = Library(data_dir)
    catalog = library.catalog
    ids_b_new = {catalog.ids[d] for d in catalog.live} - ids_a
    assert ids_b_new, "the second sample dump should bring papers the first lacks"
    new = arrivals.arrived_since(library, 1_500_000.0)
    assert {catalog.ids[d] for d in new.tolist()} == ids_b_new
    # A paper of both dumps arrived with the first: re-indexing a dump does not renew it.
    _set_indexed(data_dir, a.name, 3_000_000.0)
    library.close()
    library = Library(data_dir)
    again = arrivals.arrived_since(library, 1_500_000.0)
    assert {library.catalog.ids[d] for d in again.tolist()} == ids_b_new
    library.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only dirs")
def test_a_read_only_data_dir_still_answers(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        arrivals.record_look(tmp_path, "inbox", 1.0)
        assert arrivals.last_looked(tmp_path) is None
    finally:
        tmp_path.chmod(0o700)


def test_the_dumps_are_read_only_for_papers_without_an_arrival_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading every dump's postings costs seconds at 100,000 papers in 4,711 dumps, on every
    # browser start: once arrivals.json holds every live paper it is not needed.
    data_dir = tmp_path / "data"
    library = index(data_dir, SAMPLE_FILES[0])
    _set_indexed(data_dir, SAMPLE_FILES[0].name, 1_000_000.0)
    library.close()
    library = Library(data_dir)
    first = arrivals.arrival_times(library)  # writes arrivals.json
    stored = json.loads((data_dir / arrivals.ARRIVALS).read_text())["ids"]
    live = library.catalog.live
    assert {library.catalog.ids[d] for d in live} <= set(stored)
    calls: list[int] = []
    real = arrivals.dump_times

    def counted(lib: Library) -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        return real(lib)

    monkeypatch.setattr(arrivals, "dump_times", counted)
    again = arrivals.arrival_times(library)
    assert calls == [] and np.array_equal(first[live], again[live])
    # One live paper without a time: the dumps are read, and it gets its dump's time.
    pid = library.catalog.ids[live[0]]
    del stored[pid]
    (data_dir / arrivals.ARRIVALS).write_text(json.dumps({"ids": stored}))
    third = arrivals.arrival_times(library)
    assert calls == [1] and float(third[live[0]]) == 1_000_000.0
    library.close()


def test_arrivals_read_before_the_lock_answer_as_arrivals_read_under_it(tmp_path: Path) -> None:
    # The browser parses arrivals.json (3 MB at 100,000 papers) outside the library lock and
    # hands it in (`preread`); the answer is the one read inside, a missing paper included.
    data_dir = tmp_path / "data"
    library = index(data_dir, SAMPLE_FILES[0])
    _set_indexed(data_dir, SAMPLE_FILES[0].name, 1_000_000.0)
    library.close()
    library = Library(data_dir)
    assert arrivals.read_arrivals(data_dir) is None  # no file yet
    live = library.catalog.live
    none_yet = arrivals.arrived_since(library, 999_999.0, preread=True, known=None)
    assert none_yet.tolist() == sorted(live)  # every paper as of its dump (1,000,000)
    stored = arrivals.read_arrivals(data_dir)
    assert stored is not None and set(stored.values()) == {1_000_000.0}
    pid = library.catalog.ids[live[0]]
    stored[pid] = 2_000_000.0
    (data_dir / arrivals.ARRIVALS).write_text(json.dumps({"ids": stored}))
    known = arrivals.read_arrivals(data_dir)
    after = arrivals.arrived_since(library, 1_500_000.0, preread=True, known=known)
    assert after.tolist() == [live[0]] == arrivals.arrived_since(library, 1_500_000.0).tolist()
    library.close()
