"""Reading inputs: each capture read once (the hashed bytes are the parsed bytes), only regular
files opened, a size limit checked while reading, and the file kinds `index DIR` picks up. Real
subprocesses with time limits: a FIFO must never hang a run, zeros must never fill memory."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest

from paperbrowse import sources as indexer
from paperbrowse.library import Library
from paperbrowse.models import Filters, paper_id
from paperbrowse.paths import MANIFEST
from paperbrowse.sources import collect_sources
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]
HEADER = "new\n\nDaily Papers\n\nby AK and the research community\n\nNov 13\n\n"
ABSTRACT = "We study a problem in depth. Our method works well on many benchmarks and datasets."
TIMEOUT = 60  # seconds: a hang fails the test instead of blocking the suite


def dump(*titles: str) -> str:
    return HEADER + "".join(f"{t}\n\n{ABSTRACT}\n\n" for t in titles)


def run(
    data_dir: Path, *args: str, stdin: int | IO[bytes] | None = subprocess.DEVNULL, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=TIMEOUT,
        stdin=stdin,
        **kwargs,
    )


def problem_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines naming inputs (the summary line, if any, left out)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    return [line for line in proc.stderr.splitlines() if line.startswith("paperbrowse: ")]


def ids_in(data_dir: Path) -> set[str]:
    library = Library(data_dir)
    try:
        return set(library.search(Filters()).ids)
    finally:
        library.close()


# --- each input read once ---------------------------------------------------------------------


def test_the_recorded_hash_is_the_hash_of_the_bytes_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dump changes after every read (as a file being saved over would): whatever the
    indexer read once is what it hashed and parsed."""
    capture = tmp_path / "changing.txt"
    capture.write_text(dump("First Version Of The Page"))
    real_read = indexer.read_capture
    reads: list[bytes] = []

    def read_then_change(path: Path, label: str, max_bytes: int) -> tuple[bytes, float]:
        data, mtime = real_read(path, label, max_bytes)
        reads.append(data)
        path.write_text(dump(f"Version After Read {len(reads)}"))  # the file moves on
        return data, mtime

    monkeypatch.setattr(indexer, "read_capture", read_then_change)
    library = Library(tmp_path / "data")
    index_into(library, collect_sources([str(capture)])[0])
    library.close()
    assert len(reads) == 1
    recorded = json.loads((tmp_path / "data" / MANIFEST).read_text())["sources"]
    assert recorded["changing.txt"]["sha256"] == hashlib.sha256(reads[0]).hexdigest()
    assert ids_in(tmp_path / "data") == {paper_id("First Version Of The Page")}


# --- only regular files ------------------------------------------------------------------------


def test_a_fifo_given_as_a_path_is_named_and_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # no writer: opening it to read would block for ever
    proc = run(tmp_path / "data", "index", str(fifo))
    assert proc.returncode == 1
    assert problem_lines(proc) == [f"paperbrowse: {fifo}: not a regular file (a FIFO); skipped"]


def test_a_fifo_in_a_directory_is_named_and_the_rest_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "good.txt").write_text(dump("A Readable Paper"))
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(folder / "unnamed-pipe")  # any name: still not a file to read
    proc = run(tmp_path / "data", "index", str(folder))
    assert proc.returncode == 1
    assert sorted(problem_lines(proc)) == [
        f"paperbrowse: {folder / 'pipe.txt'}: not a regular file (a FIFO); skipped",
        f"paperbrowse: {folder / 'unnamed-pipe'}: not a regular file (a FIFO); skipped",
    ]
    assert ids_in(tmp_path / "data") == {paper_id("A Readable Paper")}


def test_a_socket_in_a_directory_is_named(tmp_path: Path) -> None:
    import socket

    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "good.txt").write_text(dump("A Readable Paper"))
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "s.txt"))
        proc = run(tmp_path / "data", "index", str(folder))
    finally:
        server.close()
    assert problem_lines(proc) == [
        f"paperbrowse: {folder / 's.txt'}: not a regular file (a socket); skipped"
    ]


def test_dev_zero_is_a_device_not_a_capture(tmp_path: Path) -> None:
    proc = run(tmp_path / "data", "index", "/dev/zero")
    assert proc.returncode == 1
    assert problem_lines(proc) == [
        "paperbrowse: /dev/zero: not a regular file (a character device); skipped"
    ]


def _limit_memory() -> None:
    """Run under a 700 MB address-space limit: reading 4 GB of zeros must stop long before."""
    limit = 700 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_gigabytes_of_zeros_on_stdin_end_with_one_line_in_bounded_memory(tmp_path: Path) -> None:
    zeros = subprocess.Popen(["head", "-c", "4G", "/dev/zero"], stdout=subprocess.PIPE)
    try:
        proc = run(tmp_path / "data", "index", "-", stdin=zeros.stdout, preexec_fn=_limit_memory)
    finally:
        assert zeros.stdout is not None
        zeros.stdout.close()
        zeros.kill()
        zeros.wait()
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith("paperbrowse: stdin: larger than 64 MB; skipped")
    assert "--max-size" in line


def test_max_size_raises_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    filler = "\n".join(f"Paper Number {n}\n\n{ABSTRACT} {n}\n" for n in range(12_000))
    big.write_text(HEADER + filler)  # about 1.3 MB
    assert 1024 * 1024 < big.stat().st_size < 2 * 1024 * 1024
    refused = run(tmp_path / "data", "index", "--max-size", "1", str(big))
    assert refused.returncode == 1
    assert problem_lines(refused) == [
        f"paperbrowse: {big}: larger than 1 MB; skipped (a saved page is a few hundred KB; "
        "`paperbrowse index --max-size MB` raises the limit)"
    ]
    accepted = run(tmp_path / "data", "index", "--max-size", "2", str(big))
    assert accepted.returncode == 0, accepted.stderr
    assert "12000 new" in accepted.stderr
    bad = run(tmp_path / "data", "index", "--max-size", "lots", str(big))
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1


# --- what `index DIR` picks up -------------------------------------------------------------------


def test_a_directory_gives_txt_md_and_markdown_and_names_saved_html(tmp_path: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "select-all.txt").write_text(dump("A Select All Paper"))
    clip = "---\nsource: https://huggingface.co/papers\n---\n\n" + dump("A Markdown Clip Paper")
    (folder / "clip.md").write_text(clip)
    (folder / "reader.markdown").write_text(dump("A Reader Tool Paper"))
    (folder / "page.html").write_text("<!DOCTYPE html><html><body>Daily Papers</body></html>")
    (folder / "notes.rst").write_text("not a capture, ignored")
    proc = run(tmp_path / "data", "index", str(folder))
    assert proc.returncode == 1
    (line,) = problem_lines(proc)
    assert line.startswith(f"paperbrowse: {folder / 'page.html'}: a saved web page (HTML)")
    assert "save the page as text" in line
    assert ids_in(tmp_path / "data") == {
        paper_id("A Select All Paper"),
        paper_id("A Markdown Clip Paper"),
        paper_id("A Reader Tool Paper"),
    }


def test_an_html_page_saved_as_txt_is_refused_by_its_content(tmp_path: Path) -> None:
    saved = tmp_path / "papers.txt"
    saved.write_text("<!doctype html>\n<html><head><title>Daily Papers</title></head></html>")
    proc = run(tmp_path / "data", "index", str(saved))
    assert proc.returncode == 1
    (line,) = problem_lines(proc)
    assert line.startswith(f"paperbrowse: {saved}: a saved web page (HTML)")
