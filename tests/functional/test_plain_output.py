"""What the CLI prints for people and pipes (issue 12): `search -word`, help texts, `show` and
`stats` without padding or broken URLs, the index summary, `--format table` in cells, and
`demo --reset`. Real subprocesses throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.pages import parse_file

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
CJK_TITLE = "大規模言語モデルによる論文推薦の評価と分析"
ACCENT_TITLE = "Cre\u0301ation de mode\u0300les pour l'e\u0301valuation des re\u0301sume\u0301s"
_STYLE_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES", "NO_COLOR")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m paperbrowse ARGS` with output captured (stdout is a pipe)."""
    base = {k: v for k, v in os.environ.items() if k not in _STYLE_ENV}
    base["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "paperbrowse", *args],
        capture_output=True,
        env={**base, **(env or {})},
        cwd=REPO,
        timeout=120,
    )
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def titles(data: Path, *args: str) -> list[str]:
    proc = run("--data-dir", str(data), "search", "--format", "jsonl", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return [json.loads(line)["title"] for line in proc.stdout.splitlines()]


def oracle(data: Path, query: str) -> list[str]:
    library = Library(data)
    try:
        results = library.search(Filters(query=query))
        return [p.title for p in results.papers()]
    finally:
        library.close()


# -- search -word -------------------------------------------------------------------------------


def test_search_dash_word_is_a_query_word(library_copy: Path) -> None:
    expected = oracle(library_copy, "-pose")
    assert 0 < len(expected) < 262
    assert titles(library_copy, "-pose") == expected
    assert titles(library_copy, "--", "-pose") == expected


def test_search_words_and_options_mix(library_copy: Path) -> None:
    expected = oracle(library_copy, "efficient -diffusion")
    assert 0 < len(expected) < len(oracle(library_copy, "efficient"))
    assert titles(library_copy, "efficient", "-diffusion", "--limit", "0") == expected
    assert titles(library_copy, "--limit", "0", "efficient", "-diffusion") == expected
    assert titles(library_copy, "efficient", "-diffusion", "--state=all") == expected
    assert titles(library_copy, '"efficient"', "-diffusion") == expected


def test_an_unknown_long_option_is_still_an_error() -> None:
    proc = run("search", "--frobnicate")
    assert proc.returncode == 2
    assert proc.stderr.startswith("paperbrowse: unrecognized arguments: --frobnicate")


# -- help texts ---------------------------------------------------------------------------------


def test_help_names_the_library_and_the_defaults(isolated_dirs: Path) -> None:
    top = run("--help").stdout.splitlines()
    assert f"library: {isolated_dirs / 'data'}" in top  # PAPERBROWSE_DATA_DIR, whole
    assert f"settings: {isolated_dirs / 'config' / 'paperbrowse' / 'config.toml'}" in top
    search = " ".join(run("search", "--help").stdout.split())
    assert "hidden ones included (--state all)" in search
    assert "inbox (unread and not hidden)" in search and "(default: all)" in search
    assert "urls (one link per paper" in search and "links (every link" in search
    browse = " ".join(run("browse", "--help").stdout.split())
    assert "(default: inbox)" in browse
    demo = run("demo", "--help").stdout
    assert f"demo library: {isolated_dirs / 'cache' / 'paperbrowse' / 'demo'}" in demo.splitlines()
    assert "--reset" in demo


# -- show and stats -----------------------------------------------------------------------------


def test_show_piped_is_plain_unpadded_and_keeps_urls_whole(library_copy: Path) -> None:
    library = Library(library_copy)
    try:
        paper = max(
            library.search(Filters()).papers(), key=lambda p: max(map(len, p.links or [""]))
        )
    finally:
        library.close()
    longest = max(paper.links, key=len)
    assert len(longest) > 60
    proc = run("--data-dir", str(library_copy), "show", paper.id)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == paper.title
    assert not [line for line in lines if line != line.rstrip()]  # no trailing spaces
    for url in paper.links:  # every link whole, on a line of its own ending in it
        assert any(line.endswith(" " + url) for line in lines), url
    abstract = " ".join(paper.abstract.split())
    assert abstract in lines  # one paragraph, one line: greppable
    assert "\x1b" not in proc.stdout


def test_stats_piped_keeps_headings_whole_and_pads_nothing(library_copy: Path) -> None:
    proc = run("--data-dir", str(library_copy), "stats")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    for heading in ("papers per month", "top organisations", "top link hosts"):
        assert heading in lines
    assert lines[0].split() == ["papers", "262"]
    assert not [line for line in lines if line != line.rstrip()]
    assert "\x1b" not in proc.stdout


# -- the index summary --------------------------------------------------------------------------


def test_index_summary_says_1_file_and_1_warning(tmp_path: Path) -> None:
    dump = tmp_path / "one.txt"
    # Two cards; the second has an impossible date, which the parser warns about.
    dump.write_text(
        HEADER
        + "A Paper About Tests\n\nAn abstract.\n\n  • 3 authors\n·\nMay 2, 2022 7\n\n"
        + "Another Paper About Tests\n\nAnother abstract.\n\n  • 2 authors\n·\nFeb 30, 2024\n\n",
        "utf-8",
    )
    result = parse_file(dump)
    assert len(result.warnings) == 1 and len(result.papers) == 2
    proc = run("--data-dir", str(tmp_path / "data"), "index", str(dump))
    summary = proc.stderr.splitlines()[-1]
    assert summary.startswith(
        "1 file read (0 unchanged), 2 papers parsed: 2 new, 0 updated, 0 unchanged, "
        "0 merged as duplicates, 1 warning -> "
    ), summary


# -- --format table in cells --------------------------------------------------------------------


@pytest.fixture
def wide_library(tmp_path: Path) -> Path:
    dump = tmp_path / "wide.txt"
    body = "".join(
        f"{title}\n\nAn abstract about {n}.\n\n  • 2 authors\n·\nMay {n}, 2022\n\n"
        for n, title in enumerate([CJK_TITLE, ACCENT_TITLE, "Plain Latin Title For Scale"], 1)
    )
    dump.write_text(HEADER + body, "utf-8")
    data = tmp_path / "data"
    assert run("--data-dir", str(data), "index", str(dump)).returncode == 0
    return data


@pytest.mark.parametrize("columns", [80, 120])
def test_table_rows_line_up_in_cells(wide_library: Path, columns: int) -> None:
    proc = run(
        "--data-dir",
        str(wide_library),
        "search",
        "--format",
        "table",
        env={"COLUMNS": str(columns)},
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    widths = {cell_len(line) for line in lines}
    assert widths == {max(widths)} and max(widths) <= columns, lines
    # The borders stand in the same cells on every row, whatever the script of the title.
    bars = {tuple(i for i, c in enumerate(_cells(line)) if c and c in "│┃") for line in lines[3:-1]}
    assert len(bars) == 1, lines
    assert any("大規模" in line for line in lines)


def _cells(line: str) -> list[str]:
    """The characters of `line`, one per terminal cell (a wide one, then a blank)."""
    out: list[str] = []
    for ch in line:
        width = cell_len(ch)
        if width:
            out += [ch] + [""] * (width - 1)
    return out


# -- demo --reset -------------------------------------------------------------------------------


def test_demo_reset_starts_the_demo_afresh(isolated_dirs: Path) -> None:
    first = run("demo", "--no-browser")
    assert first.returncode == 0, first.stderr
    demo = Path(first.stdout.strip())
    assert demo == isolated_dirs / "cache" / "paperbrowse" / "demo"
    pid = json.loads(
        run("--data-dir", str(demo), "search", "--format", "jsonl").stdout.split("\n")[0]
    )["id"]
    from paperbrowse.triage import TriageStore

    store = TriageStore(demo / "state.db")
    store.set([pid], "starred", True)
    store.close()
    again = run("demo", "--no-browser")  # kept from run to run
    assert again.returncode == 0
    assert (
        run(
            "--data-dir", str(demo), "search", "--state", "starred", "--format", "titles"
        ).returncode
        == 0
    )
    reset = run("demo", "--reset", "--no-browser")
    assert reset.returncode == 0, reset.stderr
    starred = run("--data-dir", str(demo), "search", "--state", "starred", "--format", "titles")
    assert starred.returncode == 1 and starred.stdout == ""
    assert len(titles(demo)) == 262


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_show_folds_a_dump_name_holding_a_line_break(tmp_path: Path, tty: bool) -> None:
    """`show` printed a dump name holding a newline as it is: the second half stood on a line
    of its own, like another field."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    name = "saved\nfrom firefox\u2028today\t.txt"
    (folder / name).write_text(
        HEADER + "A Paper Saved Under An Odd Name\n\n"
        "We study odd file names. Our method works well on many benchmarks and datasets.\n\n"
        "  • 3 authors\n·\nNov 13\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    assert run("--data-dir", str(data), "index", str(folder)).returncode == 0
    found = run("--data-dir", str(data), "search", "--format", "jsonl")
    (record,) = [json.loads(line) for line in found.stdout.split("\n") if line]
    assert "\n" in record["sources"][0]  # jsonl keeps the name exact
    env = {"TTY_COMPATIBLE": "1", "COLUMNS": "300"} if tty else None
    shown = run("--data-dir", str(data), "show", record["id"], env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    (source_line,) = [line for line in lines if "saved" in line]
    assert "saved from firefox today .txt" in source_line, lines
    assert not [line for line in lines if "firefox" in line and line is not source_line]
    assert not [line for line in lines if line.strip() in ("from firefox", "today", ".txt")]
