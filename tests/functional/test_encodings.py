"""Output to a stream that is not UTF-8: every format, `stats` and `show` write everything.

A Windows redirect (cp1252) or a Latin-1 locale cannot hold `→`, `中文` or `🚀`; paperbrowse
writes `?` for what the encoding lacks and goes on (exit 0), where it used to end in a
UnicodeEncodeError traceback after the first record. Real subprocesses, real encodings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperbrowse.output import FORMATS

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
TITLES = [
    "Strömung → 中文 Modelle für 𝒳 Emojis 🚀",
    "Größere Modelle — Schätzung mit Ünïcödé ∑ and ≤ bounds",
    "Plain ASCII Strömung Title",
]
ENCODINGS = ["cp1252", "latin-1"]
JSON_FORMATS = ("jsonl", "json", "csljson")


def run(data_dir: Path, *args: str, encoding: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONUTF8", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
        env["LC_ALL"] = "C"
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("encodings")
    dump = base / "unicode.txt"
    dump.write_text(
        HEADER + "".join(f"{t}\n\nWe study → arrows, 中文 text and 🚀 in {t}.\n\n" for t in TITLES),
        "utf-8",
    )
    data = base / "data"
    proc = run(data, "index", str(dump), str(SAMPLE_DIR))
    assert proc.returncode == 0, proc.stderr
    return data


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_every_record_to_a_narrow_stream(
    library: Path, fmt: str, encoding: str
) -> None:
    args = ["search", "arrows", "--format", fmt, "--limit", "0"]
    wide = run(library, *args)
    narrow = run(library, *args, encoding=encoding)
    assert wide.returncode == 0, wide.stderr
    assert narrow.returncode == 0, narrow.stderr.decode(encoding, "replace")
    assert b"Traceback" not in narrow.stderr and b"UnicodeEncodeError" not in narrow.stderr
    text = narrow.stdout.decode(encoding)  # strictly: everything written is in the encoding
    expected = wide.stdout.decode("utf-8")
    if fmt in JSON_FORMATS:  # JSON stays exact: \u escapes for what the stream cannot hold
        assert text.isascii() and "🚀" in expected
        values = [json.loads(x) for x in text.splitlines()] if fmt == "jsonl" else json.loads(text)
        wanted = (
            [json.loads(x) for x in expected.splitlines()]
            if fmt == "jsonl"
            else json.loads(expected)
        )
        assert values == wanted and len(values) == len(TITLES)
        return
    if fmt not in ("urls", "links"):  # links are percent-encoded ASCII
        assert "Strömung" in text  # what the encoding holds comes out exact
    assert "中" not in text and "🚀" not in text
    if fmt in ("tsv", "titles", "md"):
        assert len(text.splitlines()) == len(expected.splitlines()) == len(TITLES)
    if fmt == "bibtex":
        assert text.count("@misc{") == expected.count("@misc{") == len(TITLES)
    # Replacing changes only what the encoding cannot hold: the same length in characters
    # for the line formats, where nothing else depends on the width.
    if fmt in ("tsv", "titles", "urls"):
        assert len(text) == len(expected), (text, expected)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_stats_and_show_write_everything_to_a_narrow_stream(library: Path, encoding: str) -> None:
    stats = run(library, "stats", encoding=encoding)
    assert stats.returncode == 0, stats.stderr
    assert b"Traceback" not in stats.stderr
    assert "papers" in stats.stdout.decode(encoding)
    found = run(library, "search", "arrows", "--format", "jsonl")
    for line in found.stdout.decode("utf-8").splitlines():
        paper_id = json.loads(line)["id"]
        show = run(library, "show", paper_id, encoding=encoding)
        assert show.returncode == 0, show.stderr
        text = show.stdout.decode(encoding)
        assert "We study" in text and "arrows" in text  # the abstract, after the odd characters
        assert b"Traceback" not in show.stderr
