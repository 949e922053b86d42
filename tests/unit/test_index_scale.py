"""What lets `index` run at 10^5-10^6 papers keep the indexer's guarantees: parsing in
processes gives the library parsing in one process gives, and the run's records file
(run_records.py) never outlives the run.

The corpus is real: the newest 400 papers of the HF API archive (../shared/data) rendered as
pages by benchmarks/corpus.py; the expected papers are the archive's records."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import pages  # noqa: E402
from benchmarks.corpus import write_corpus  # noqa: E402
from paperbrowse import merging, run_parse  # noqa: E402
from paperbrowse.engine.whoosh_internals import open_index_dir  # noqa: E402
from paperbrowse.errors import LibraryError  # noqa: E402
from paperbrowse.housekeeping import clear_debris  # noqa: E402
from paperbrowse.indexer import index_sources  # noqa: E402
from paperbrowse.manifest import read_manifest  # noqa: E402
from paperbrowse.merging import IndexReport  # noqa: E402
from paperbrowse.run_records import PREFIX  # noqa: E402
from paperbrowse.sources import collect_sources  # noqa: E402

pytestmark = pytest.mark.skipif(
    not pages.DATA.is_file(), reason=f"the HF API archive is absent ({pages.DATA})"
)
PAPERS = 400


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, PAPERS, records=pages.records())
    # A file that is no capture among the pages: a failure, in its place in the report.
    (folder / "0000005-zz-not-a-capture.txt").write_bytes(b"\x00\x01binary\x00" * 100)
    return folder


def archive_titles() -> set[str]:
    with gzip.open(pages.DATA, "rt", encoding="utf-8") as handle:
        recs = [json.loads(line) for line in handle]
    newest = sorted(recs, key=lambda r: (r["daily_page"], r["published_at"]))[-PAPERS:]
    return {" ".join(r["title"].split()).casefold() for r in newest}


def index_with(data_dir: Path, corpus: Path, procs_from: int, monkeypatch: Any) -> IndexReport:
    monkeypatch.setattr(run_parse, "PARSE_PROCS_FROM", procs_from)
    sources, problems = collect_sources([str(corpus)])
    assert not problems
    return index_sources(data_dir, sources)


def stored(data_dir: Path) -> dict[str, tuple[str, str]]:
    name = read_manifest(data_dir)["index"]
    assert name is not None
    with open_index_dir(data_dir / name).searcher() as searcher:
        return {d["id"]: (d["record"], d["variants"]) for d in searcher.all_stored_fields()}


def test_parsing_in_processes_gives_the_same_library(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = index_with(tmp_path / "one", corpus, 10**9, monkeypatch)
    many = index_with(tmp_path / "many", corpus, 1, monkeypatch)
    assert many == one
    assert one.new == PAPERS and one.papers_parsed == one.new + one.duplicates
    assert len(one.failures) == 1 and "0000005-zz-not-a-capture.txt" in one.failures[0]
    papers = stored(tmp_path / "one")
    assert stored(tmp_path / "many") == papers
    titles = {" ".join(json.loads(r)["title"].split()).casefold() for r, _ in papers.values()}
    assert titles == archive_titles()
    for folder in (tmp_path / "one", tmp_path / "many"):
        assert not list(folder.glob(f"{PREFIX}*")), "the run's records file outlived the run"
        assert read_manifest(folder)["sources"].keys() == {
            p.name for p in corpus.iterdir() if p.suffix in (".txt", ".md") and "zz-" not in p.name
        }


def test_a_failed_write_removes_the_records_file_and_keeps_the_library(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("paperbrowse.indexer.write_papers", full_disk)
    with pytest.raises(LibraryError, match="No space left on device"):
        index_with(tmp_path, corpus, 1, monkeypatch)
    assert not list(tmp_path.glob(f"{PREFIX}*"))
    assert read_manifest(tmp_path) is None or not read_manifest(tmp_path).get("sources")
    assert merging  # the module whose write_papers the indexer calls


def test_a_killed_runs_records_file_is_debris(tmp_path: Path) -> None:
    left = tmp_path / f"{PREFIX}abc123.jsonl"
    left.write_bytes(b'{"title": "x"}\n')
    other = tmp_path / "notes.jsonl"
    other.write_bytes(b"{}\n")
    clear_debris(tmp_path, {"schema": 9, "index": None, "sources": {}})
    assert not left.exists() and other.exists()


def test_a_killed_parsing_process_fails_the_run_in_one_line(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal

    def killed(*args: Any) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)  # in the parsing process: as the OOM killer would

    monkeypatch.setattr(run_parse, "encode_dump", killed)
    with pytest.raises(LibraryError, match="a parsing process of this run died"):
        index_with(tmp_path, corpus, 1, monkeypatch)
    assert not list(tmp_path.glob(f"{PREFIX}*"))
    assert not read_manifest(tmp_path).get("sources")
