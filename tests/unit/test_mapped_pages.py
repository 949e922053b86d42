"""The side files' mapped pages leave the process's resident set once the bytes viewed pass the
budget (engine/mapped_pages.py), and searches read the same documents before and after."""

from __future__ import annotations

import mmap
import re
from pathlib import Path

import numpy as np
import pytest

from paperbrowse.engine import mapped_pages
from paperbrowse.engine.mapped_pages import MappedPages
from paperbrowse.library import Library
from paperbrowse.models import Filters

STATUS = Path("/proc/self/status")


def resident_file_mb() -> float:
    """This process's resident file-backed pages (Linux's RssFile), in MB."""
    found = re.search(r"^RssFile:\s+(\d+) kB", STATUS.read_text(), re.M)
    assert found is not None
    return int(found.group(1)) / 1024


@pytest.mark.skipif(
    not STATUS.exists() or "RssFile" not in STATUS.read_text(), reason="Linux's RssFile"
)
def test_a_release_takes_the_touched_pages_out_of_rss_and_views_stay_valid(
    tmp_path: Path,
) -> None:
    data = np.arange(4 << 20, dtype=np.uint32)  # 16 MB
    path = tmp_path / "side"
    data.tofile(path)
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    pages = MappedPages(budget=8 << 20)
    pages.register(mapped)
    view = np.frombuffer(mapped, dtype=np.uint32)
    before = resident_file_mb()
    total = int(view.sum(dtype=np.uint64))  # touches every page
    assert resident_file_mb() - before > 12
    pages.viewed_bytes(4 << 20)  # under the budget: nothing released
    assert pages.releases == 0 and resident_file_mb() - before > 12
    pages.viewed_bytes(5 << 20)  # past it
    assert pages.releases == 1 and pages.viewed == 0
    assert resident_file_mb() - before < 4
    assert int(view.sum(dtype=np.uint64)) == total == int(data.sum(dtype=np.uint64))
    del view
    mapped.close()


def test_searches_release_and_find_the_same_papers(
    sample_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patterns = ["*ing", "diff?sion", "*former", "re*ment", "?ision", "title:*ation", "gen*"]
    library = Library(sample_library_dir)
    try:
        expected = {p: library.search(Filters(query=p)).ids for p in patterns}
        tight = MappedPages(budget=1)  # every view releases every map
        monkeypatch.setattr(mapped_pages, "PAGES", tight)
        library.close()
        library = Library(sample_library_dir)  # its side files register with `tight`
        for p in patterns:
            assert library.search(Filters(query=p)).ids == expected[p], p
        assert len(tight) > 0  # the library's side files are mapped and registered
        assert tight.releases > len(patterns)
    finally:
        library.close()


def test_release_all_releases_every_map_at_once(tmp_path: Path) -> None:
    path = tmp_path / "side"
    np.arange(1 << 16, dtype=np.uint32).tofile(path)
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    pages = MappedPages()
    pages.register(mapped)
    pages.viewed_bytes(1000)
    pages.release_all()
    assert (pages.releases, pages.viewed, len(pages)) == (1, 0, 1)
    mapped.close()
    pages.release_all()  # a closed map is left alone
    assert pages.releases == 2
