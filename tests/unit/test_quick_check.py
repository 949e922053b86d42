"""The quick check of `index` (paperbrowse/quick_check.py): a dump whose recorded path, size and
times are unchanged is not read again; any edit is read, whatever it keeps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperbrowse import housekeeping, quick_check, run_parse
from paperbrowse.errors import LibraryBusy
from paperbrowse.library import Library
from paperbrowse.manifest import write_lock
from paperbrowse.paths import MANIFEST
from paperbrowse.sources import collect_sources
from tests.indexing import index_into

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
HOUR_NS = 3600 * 10**9


def write_page(path: Path, titles: list[str]) -> Path:
    """A listing-page dump of `titles`, each with a one-line abstract; its times an hour old."""
    body = "".join(f"{t}\n\nAn abstract about {t.lower()}.\n\n" for t in titles)
    path.write_text(HEADER + body, encoding="utf-8")
    old = time.time_ns() - HOUR_NS
    os.utime(path, ns=(old, old))
    return path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The dump files the indexer reads (in run_parse.py), by name, in order."""
    seen: list[str] = []
    original = run_parse.read_source

    def counting(source: run_parse.Source, max_bytes: int) -> tuple[bytes, float | None]:
        seen.append(source.name)
        return original(source, max_bytes)

    monkeypatch.setattr(run_parse, "read_source", counting)
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as old enough to stamp (their change time is now:
    only the clock could make it older), as they would a few seconds later."""
    monkeypatch.setattr(quick_check, "RACY_NS", -HOUR_NS)


def run(library: Library, *paths: Path) -> tuple[int, int, list[str]]:
    report = index_into(library, collect_sources([str(p) for p in paths])[0])
    assert not report.failures
    return report.files_read, report.files_unchanged, sorted(library.manifest()["sources"])


def titles(library: Library) -> set[str]:
    """The titles of every paper in the library."""
    return {library.paper_at(doc).title for doc in library.catalog.live}


def test_an_unchanged_dump_is_not_read_again(
    tmp_path: Path, reads: list[str], settled: None
) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    a = write_page(folder / "a.txt", ["Sparse Attention at Scale"])
    b = write_page(folder / "b.txt", ["Diffusion Without Noise"])
    library = Library(tmp_path / "lib")
    assert run(library, folder) == (2, 0, ["a.txt", "b.txt"])
    assert reads == ["a.txt", "b.txt"]
    entry = library.manifest()["sources"]["a.txt"]
    info = os.stat(a)
    assert (entry["size"], entry["mtime_ns"], entry["ctime_ns"]) == (
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )
    reads.clear()
    assert run(library, folder) == (2, 2, ["a.txt", "b.txt"])
    assert reads == []
    # Given by its own path, or with a new file beside it: only the new one is read.
    c = write_page(folder / "c.txt", ["Video Models Are Planners"])
    assert run(library, a, b, c)[:2] == (3, 2)
    assert reads == ["c.txt"]
    assert titles(library) == {
        "Sparse Attention at Scale",
        "Diffusion Without Noise",
        "Video Models Are Planners",
    }


def test_an_edit_that_keeps_the_size_and_the_time_is_read(
    tmp_path: Path, reads: list[str], settled: None
) -> None:
    page = write_page(tmp_path / "day.txt", ["Sparse Attention at Scale"])
    library = Library(tmp_path / "lib")
    run(library, page)
    before = os.stat(page)
    time.sleep(0.05)  # past the file system's clock tick: the edit gets a new change time
    text = page.read_text("utf-8").replace("Sparse", "Speedy")
    page.write_text(text, "utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # `touch -r`, `cp -p`
    after = os.stat(page)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    reads.clear()
    assert run(library, page)[:2] == (1, 0)
    assert reads == ["day.txt"]
    assert titles(library) == {"Speedy Attention at Scale"}


def test_a_racily_new_dump_is_not_stamped_so_a_same_size_edit_is_read(
    tmp_path: Path, reads: list[str]
) -> None:
    page = tmp_path / "day.txt"
    page.write_text(HEADER + "Sparse Attention at Scale\n\nAn abstract.\n\n", "utf-8")
    library = Library(tmp_path / "lib")
    run(library, page)
    assert "mtime_ns" not in library.manifest()["sources"]["day.txt"]
    before = os.stat(page)
    page.write_text(page.read_text("utf-8").replace("Sparse", "Speedy"), "utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    assert run(library, page)[:2] == (1, 0)
    assert reads == ["day.txt"]
    assert titles(library) == {"Speedy Attention at Scale"}


def test_a_touched_dump_is_hashed_once_then_stamped_again(
    tmp_path: Path, reads: list[str], settled: None
) -> None:
    page = write_page(tmp_path / "day.txt", ["Sparse Attention at Scale"])
    library = Library(tmp_path / "lib")
    run(library, page)
    stamp = library.manifest()["sources"]["day.txt"]["mtime_ns"]
    newer = time.time_ns() - HOUR_NS // 2
    os.utime(page, ns=(newer, newer))  # `touch`: same bytes
    reads.clear()
    assert run(library, page)[:2] == (1, 1)
    assert reads == ["day.txt"]  # hashed: the same bytes, so unchanged
    entry = library.manifest()["sources"]["day.txt"]
    assert entry["mtime_ns"] == newer != stamp
    reads.clear()
    assert run(library, page)[:2] == (1, 1)
    assert reads == []


def test_a_manifest_from_before_stamps_hashes_every_dump_then_stamps_them(
    tmp_path: Path, reads: list[str], settled: None
) -> None:
    a = write_page(tmp_path / "a.txt", ["Sparse Attention at Scale"])
    b = write_page(tmp_path / "b.txt", ["Diffusion Without Noise"])
    library = Library(tmp_path / "lib")
    run(library, a, b)
    path = library.data_dir / MANIFEST
    old = json.loads(path.read_text("utf-8"))
    for entry in old["sources"].values():
        for name in ("size", "mtime_ns", "ctime_ns"):
            del entry[name]
    path.write_text(json.dumps(old), "utf-8")
    reads.clear()
    assert run(library, a, b)[:2] == (2, 2)
    assert reads == ["a.txt", "b.txt"]
    assert all("mtime_ns" in e for e in library.manifest()["sources"].values())
    reads.clear()
    assert run(library, a, b)[:2] == (2, 2)
    assert reads == []


def test_a_different_file_at_a_recorded_name_elsewhere_is_read(
    tmp_path: Path, reads: list[str], settled: None
) -> None:
    """The stamp belongs to the recorded path: a file of the same name, size and times in
    another directory is read (and kept apart, as before)."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = write_page(tmp_path / "one" / "day.txt", ["Sparse Attention at Scale"])
    second = write_page(tmp_path / "two" / "day.txt", ["Speedy Attention at Scale"])
    info = os.stat(first)
    os.utime(second, ns=(info.st_atime_ns, info.st_mtime_ns))
    library = Library(tmp_path / "lib")
    run(library, first)
    reads.clear()
    files, unchanged, names = run(library, second)
    assert (files, unchanged, reads) == (1, 0, ["day.txt"])
    assert len(names) == 2
    assert titles(library) == {"Sparse Attention at Scale", "Speedy Attention at Scale"}


def test_unchanged_run_reads_nothing_only_when_every_dump_passes(
    tmp_path: Path, reads: list[str], settled: None
) -> None:
    a = write_page(tmp_path / "a.txt", ["Sparse Attention at Scale"])
    b = write_page(tmp_path / "b.txt", ["Diffusion Without Noise"])
    data = tmp_path / "lib"
    assert quick_check.unchanged_run(data, [a]) is None  # no library yet
    run(Library(data), a)
    manifest = (data / MANIFEST).read_bytes()
    assert quick_check.unchanged_run(data, [a]) == 1
    assert quick_check.unchanged_run(data, [a, b]) is None  # b is new
    assert quick_check.unchanged_run(data, [a, None]) is None  # stdin is always read
    time.sleep(0.05)
    a.write_text(a.read_text("utf-8") + "\n", "utf-8")
    assert quick_check.unchanged_run(data, [a]) is None
    assert (data / MANIFEST).read_bytes() == manifest and reads == ["a.txt"]


def test_unchanged_run_waits_for_no_writer(tmp_path: Path, settled: None) -> None:
    a = write_page(tmp_path / "a.txt", ["Sparse Attention at Scale"])
    data = tmp_path / "lib"
    run(Library(data), a)
    with write_lock(data), pytest.raises(LibraryBusy):
        quick_check.unchanged_run(data, [a])


def plant(folder: Path, debris: str) -> None:
    """One kind of what a killed writer leaves in an index directory (Whoosh's file names)."""
    if debris == "segment":  # a compound segment the TOC does not name (a 16-character id)
        (folder / "MAIN_0123456789abcdef.seg").write_bytes(b"x" * 1000)
    elif debris == "segment_part":  # a file of a segment that was never compounded
        (folder / "MAIN_0123456789abcdef.trm").write_bytes(b"x")
    elif debris == "older_toc":
        generation = max(int(p.stem.split("_")[-1]) for p in folder.glob("_MAIN_*.toc"))
        assert generation > 0
        (folder / f"_MAIN_{generation - 1}.toc").write_bytes(b"x")
    elif debris == "temp_dir":
        (folder / "abcdef.tmp").mkdir()
        (folder / "abcdef.tmp" / "job.doclist").write_bytes(b"x")


@pytest.mark.parametrize("debris", ["segment", "segment_part", "older_toc", "temp_dir"])
def test_an_unchanged_run_clears_what_a_killed_writer_left_in_the_index(
    tmp_path: Path, settled: None, debris: str
) -> None:
    a = write_page(tmp_path / "a.txt", ["Sparse Attention at Scale"])
    data = tmp_path / "lib"
    library = Library(data)
    run(library, a)
    index = library.manifest()["index"]
    assert isinstance(index, str)
    folder = data / index
    clean = sorted(os.listdir(folder))
    assert not housekeeping.may_hold_debris(folder)
    plant(folder, debris)
    assert housekeeping.may_hold_debris(folder)
    assert quick_check.unchanged_run(data, [a]) == 1
    assert sorted(os.listdir(folder)) == clean
    assert titles(Library(data)) == {"Sparse Attention at Scale"}


UNCHANGED_RUN = """
import sys
from paperbrowse import quick_check
from paperbrowse.cli import main

quick_check.RACY_NS = -3600 * 10**9  # the test's files count as old enough to stamp
code = main(["--data-dir", sys.argv[1], "index", sys.argv[2]])
print(code, sorted({m.split(".")[0] for m in sys.modules} & {"whoosh", "numpy", "textual"}))
"""


def test_an_unchanged_run_loads_neither_whoosh_nor_numpy(tmp_path: Path, settled: None) -> None:
    a = write_page(tmp_path / "a.txt", ["Sparse Attention at Scale"])
    data = tmp_path / "lib"
    run(Library(data), a)
    proc = subprocess.run(
        [sys.executable, "-c", UNCHANGED_RUN, str(data), str(a)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.split("\n")[0] == "0 []", proc.stderr
    assert "1 file read (1 unchanged)" in proc.stderr
