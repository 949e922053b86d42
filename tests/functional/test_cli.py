"""The `paperbrowse` command line, run as real subprocesses (`python -m paperbrowse ...`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from paperbrowse.manifest import write_lock
from paperbrowse.models import Paper, normalise_title, paper_id
from paperbrowse.pages import parse_file
from paperbrowse.paths import MANIFEST
from paperbrowse.triage import TriageStore
from tests.indexing import titles_sharing_an_id_prefix

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
LITE_POSE = "Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation"
JSON_KEYS = [
    "id",
    "title",
    "abstract",
    "summary",
    "published",
    "authors",
    "author_names",
    "org",
    "org_handle",
    "upvotes",
    "comments",
    "github_stars",
    "arxiv_id",
    "submitted_by",
    "links",
    "sources",
    "page_kinds",
    "state",
    "tags",
    "note",
]
FORMATS = ("table", "tsv", "jsonl", "json", "md", "bibtex", "titles", "urls", "links")
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
OSC52 = "\x1b]52;c;SGVsbG8=\x07"
CLEAR = "\x1b[2J"
# Variables that would make Rich colour a pipe, or change its width.
_STYLE_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES", "NO_COLOR")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STYLE_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run(
    data_dir: Path | None,
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m paperbrowse [--data-dir D] ARGS`, output captured as text."""
    cmd = [sys.executable, "-m", "paperbrowse"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    proc = subprocess.run(
        [*cmd, *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=env or clean_env(),
        cwd=REPO,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("paperbrowse: ")
    return lines[0]


def jsonl(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def write_dump(path: Path, papers: Sequence[tuple[str, str, str]]) -> Path:
    body = "".join(f"{t}\n\n{a}\n\n{m}\n\n" if m else f"{t}\n\n{a}\n\n" for t, a, m in papers)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def papers() -> dict[str, Paper]:
    """The samples parsed directly and merged by id (expected results)."""
    from paperbrowse.models import merge

    merged: dict[str, Paper] = {}
    for path in sorted(SAMPLE_DIR.glob("*.txt")):
        for paper in parse_file(path).papers:
            merged[paper.id] = merge(merged[paper.id], paper) if paper.id in merged else paper
    return merged


@pytest.fixture
def lib(sample_library_dir: Path) -> Path:
    """The shared indexed sample library (read only)."""
    return sample_library_dir


# ---------------------------------------------------------------------------------------------
# index


def test_index_sample_dir_then_reindex_is_a_no_op(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run(data, "index", str(SAMPLE_DIR))
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    # The summary adds up: every paper parsed is new, or a duplicate merged into another record.
    parsed = [
        paper for path in sorted(SAMPLE_DIR.glob("*.txt")) for paper in parse_file(path).papers
    ]
    distinct = len({paper.id for paper in parsed})
    assert (len(parsed), distinct) == (291, 262)
    assert first.stderr.splitlines() == [
        f"3 files read (0 unchanged), {len(parsed)} papers parsed: {distinct} new, 0 updated, "
        f"0 unchanged, {len(parsed) - distinct} merged as duplicates, 0 warnings -> {data}"
    ]
    assert (data / MANIFEST).is_file()
    manifest = (data / MANIFEST).read_bytes()

    again = run(data, "index", str(SAMPLE_DIR))
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines() == [
        "3 files read (3 unchanged), 0 papers parsed: 0 new, 0 updated, 0 unchanged, "
        f"0 merged as duplicates, 0 warnings -> {data}"
    ]
    assert (data / MANIFEST).read_bytes() == manifest


def test_data_dir_from_environment(tmp_path: Path) -> None:
    data = tmp_path / "env-data"
    env = clean_env(PAPERBROWSE_DATA_DIR=str(data))
    assert run(None, "index", str(SAMPLE_DIR / "004_a175915e9b0ee300.txt"), env=env).returncode == 0
    proc = run(None, "search", "--format", "titles", "lite pose", env=env)
    assert proc.stdout.splitlines()[0] == LITE_POSE


def test_index_without_paths_is_a_usage_error(tmp_path: Path) -> None:
    assert_one_line_error(run(tmp_path / "data", "index"), 2)


def test_index_from_stdin(tmp_path: Path) -> None:
    data = tmp_path / "data"
    dump = (SAMPLE_DIR / "004_a175915e9b0ee300.txt").read_bytes()
    proc = run(data, "index", "-", stdin=dump)
    assert proc.returncode == 0, proc.stderr
    assert "137 new" in proc.stderr
    rows = jsonl(run(data, "search", "--format", "jsonl", f'"{LITE_POSE}"'))
    assert [r["title"] for r in rows] == [LITE_POSE]
    assert len(rows[0]["sources"]) == 1 and rows[0]["sources"][0].startswith("stdin-")
    assert rows[0]["published"] == "2022-05-02"


def test_bad_inputs_give_one_line_errors_and_keep_the_library(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = write_dump(tmp_path / "first.txt", [("Paper One", "The first abstract.", "")])
    assert run(data, "index", str(first)).returncode == 0

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    write_dump(mixed / "good.txt", [("Paper Two", "The second abstract.", "")])
    binary = mixed / "binary.txt"
    binary.write_bytes(b"\x00\x01binary\x00data\xff" * 100)
    empty = mixed / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.txt"

    proc = run(data, "index", str(missing), str(mixed))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if not re.match(r"\d+ files? read", line)]
    assert len(errors) == 3, proc.stderr
    assert all(line.startswith("paperbrowse: ") for line in errors)
    assert any(str(missing) in line for line in errors)
    assert any(str(binary) in line for line in errors)
    assert any(str(empty) in line for line in errors)
    summary = proc.stderr.splitlines()[-1]
    assert "1 new" in summary and "3 failed" in summary

    titles = run(data, "search", "--format", "titles", "--sort", "title")
    assert titles.returncode == 0
    assert titles.stdout.splitlines() == ["Paper One", "Paper Two"]


@pytest.mark.parametrize("kind", ["missing", "binary", "empty"])
def test_a_single_bad_input(tmp_path: Path, kind: str) -> None:
    data = tmp_path / "data"
    path = tmp_path / f"{kind}.txt"
    if kind == "binary":
        path.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)) * 4)
    elif kind == "empty":
        path.write_bytes(b"")
    proc = run(data, "index", str(path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("paperbrowse: ") and str(path) in first
    # Nothing was indexed: searching says so in one line.
    assert_one_line_error(run(data, "search"), 1)


def test_index_a_directory_without_dumps(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    (empty / "notes.rst").write_text("not a dump")  # .txt, .md and .markdown are captures
    line = assert_one_line_error(run(tmp_path / "data", "index", str(empty)), 1)
    assert str(empty) in line


def test_index_from_process_substitution(tmp_path: Path) -> None:
    # A path that is a pipe (/dev/fd/N) is not a regular file: named in one line and never
    # opened (a FIFO without a writer would block for ever). A pipe is read as stdin, `-`.
    dump = SAMPLE_DIR / "004_a175915e9b0ee300.txt"
    command = f"{sys.executable} -m paperbrowse --data-dir '{tmp_path / 'data'}' index"
    proc = subprocess.run(
        ["bash", "-c", f"{command} <(cat '{dump}')"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    first, summary = proc.stderr.splitlines()
    assert re.fullmatch(r"paperbrowse: /dev/fd/\d+: not a regular file \(a FIFO\); skipped", first)
    assert "1 failed" in summary
    piped = subprocess.run(
        ["bash", "-c", f"{command} - < <(cat '{dump}')"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert "137 new" in piped.stderr


def test_damaged_triage_database(library_copy: Path) -> None:
    state = library_copy / "state.db"
    garbage = b"definitely not sqlite\x00\xff" * 100
    state.write_bytes(garbage)
    line = assert_one_line_error(run(library_copy, "search", "pose"), 1)
    assert str(state) in line and "damaged" in line
    assert state.read_bytes() == garbage


def test_rebuild_keeps_stars(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    starred = [
        paper_id(LITE_POSE),
        *[r["id"] for r in jsonl(run(data, "search", "--format", "jsonl", "--limit", "2"))],
    ]
    store = TriageStore(data / "state.db")
    store.set(starred, "starred", True)
    store.close()

    rebuilt = run(data, "index", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "262 new" in rebuilt.stderr

    rows = jsonl(run(data, "search", "--state", "starred", "--format", "jsonl"))
    assert {r["id"] for r in rows} == set(starred)
    assert all(r["state"] == {"read": False, "starred": True, "hidden": False} for r in rows)


def test_newer_schema_asks_for_rebuild_and_rebuild_fixes_it(library_copy: Path) -> None:
    # A library of an earlier schema upgrades itself (test_migration.py); a newer one is refused.
    manifest = json.loads((library_copy / MANIFEST).read_text())
    manifest["schema"] = manifest["schema"] + 1
    (library_copy / MANIFEST).write_text(json.dumps(manifest))
    for args in (("search",), ("stats",), ("index", str(SAMPLE_DIR))):
        line = assert_one_line_error(run(library_copy, *args), 1)
        assert "newer version of paperbrowse" in line
        assert "paperbrowse index --rebuild" in line
    assert run(library_copy, "index", "--rebuild").returncode == 0
    assert len(run(library_copy, "search", "--format", "titles").stdout.splitlines()) == 262


def test_index_while_another_writer_holds_the_lock(library_copy: Path) -> None:
    with write_lock(library_copy):
        proc = run(library_copy, "index", str(SAMPLE_DIR))
    line = assert_one_line_error(proc, 1)
    assert "another paperbrowse" in line
    assert run(library_copy, "index", str(SAMPLE_DIR)).returncode == 0


# ---------------------------------------------------------------------------------------------
# search: formats


def test_search_default_output_when_piped_is_tsv(lib: Path, papers: dict[str, Paper]) -> None:
    proc = run(lib, "search")
    assert proc.returncode == 0 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert len(lines) == 262
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 7 for r in rows)  # id, date, upvotes, title, byline, url, comments
    assert {r[0] for r in rows} == set(papers)
    assert [r[6] for r in rows] == [
        "" if papers[r[0]].comments is None else str(papers[r[0]].comments) for r in rows
    ]
    dates = [r[1] for r in rows]
    dated = [d for d in dates if d]
    assert dates[: len(dated)] == dated == sorted(dated, reverse=True)


def test_search_jsonl(lib: Path, papers: dict[str, Paper]) -> None:
    rows = jsonl(run(lib, "search", "--format", "jsonl"))
    assert len(rows) == 262
    for row in rows:
        assert list(row) == JSON_KEYS
        expected = papers[str(row["id"])]
        assert row["title"] == expected.title
        assert row["abstract"] == expected.abstract
        assert row["published"] == (expected.published.isoformat() if expected.published else None)
        assert row["upvotes"] == expected.upvotes
        assert row["comments"] == expected.comments
        assert row["arxiv_id"] == expected.arxiv_id
        assert row["authors"] == expected.authors
        assert row["org"] == expected.org and row["org_handle"] == expected.org_handle
        assert row["links"] == expected.links
        assert sorted(row["sources"]) == sorted(expected.sources)
        assert row["state"] == {"read": False, "starred": False, "hidden": False}


def test_search_json(lib: Path) -> None:
    proc = run(lib, "search", "--format", "json", "org:deepseek")
    assert proc.returncode == 0
    (row,) = json.loads(proc.stdout)
    assert list(row) == JSON_KEYS
    assert row["org"] == "DeepSeek" and row["org_handle"] == "deepseek-ai"
    assert row["upvotes"] is None  # its card reads "May 14 5": 5 comments, no upvote count
    assert row["published"].endswith("-05-14")


def test_search_table_piped_is_plain_and_limited(lib: Path) -> None:
    proc = run(lib, "search", "--format", "table")
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout
    assert "ID" in proc.stdout and "Title" in proc.stdout
    assert "be08f860202f" in proc.stdout  # the newest paper
    assert len(re.findall(r"\b[0-9a-f]{12}\b", proc.stdout)) == 50
    assert proc.stderr.splitlines() == ["50 of 262 papers shown; --limit 0 shows all"]
    everything = run(lib, "search", "--format", "table", "--limit", "0")
    assert len(re.findall(r"\b[0-9a-f]{12}\b", everything.stdout)) == 262
    assert everything.stderr == ""


def test_search_md(lib: Path) -> None:
    proc = run(lib, "search", "--format", "md", f'"{LITE_POSE}"')
    assert proc.stdout.splitlines() == [
        "- [Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation]"
        "(https://github.com/mit-han-lab/litepose) — 2022-05-02 · 5 authors"
    ]
    everything = run(lib, "search", "--format", "md").stdout.splitlines()
    assert len(everything) == 262 and all(line.startswith("- [") for line in everything)


def test_search_bibtex(lib: Path) -> None:
    proc = run(lib, "search", "--format", "bibtex")
    assert proc.returncode == 0
    keys = re.findall(r"^@misc\{([^,]+),$", proc.stdout, re.M)
    assert len(keys) == len(set(keys)) == 262
    assert proc.stdout.count("{") == proc.stdout.count("}")
    lite = run(lib, "search", "--format", "bibtex", f'"{LITE_POSE}"').stdout
    assert lite.startswith("@misc{lite2022pose,")
    assert f"title = {{{{{LITE_POSE}}}}}" in lite
    assert "year = {2022}" in lite
    assert "url = {https://github.com/mit-han-lab/litepose}" in lite


def test_search_titles(lib: Path, papers: dict[str, Paper]) -> None:
    lines = run(lib, "search", "--format", "titles").stdout.splitlines()
    assert sorted(lines) == sorted(p.title for p in papers.values())


def test_search_urls_is_one_line_per_paper(lib: Path, papers: dict[str, Paper]) -> None:
    """For `xargs -n1 xdg-open`: one link per paper, the one `o` opens first."""
    lines = run(lib, "search", "--format", "urls", "--sort", "title").stdout.splitlines()
    assert len(lines) == len(papers)
    assert all(line.startswith(("https://", "http://")) for line in lines)
    order = jsonl(run(lib, "search", "--format", "jsonl", "--sort", "title"))
    expected = [papers[row["id"]] for row in order]
    for line, paper in zip(lines, expected, strict=True):
        # The README's rule: a code link, else the arXiv abstract page, else the first link,
        # else an arXiv title search.
        if paper.code_links:
            assert line == paper.code_links[0], paper.title
        elif paper.arxiv_id:
            assert line == f"https://arxiv.org/abs/{paper.arxiv_id}", paper.title
        elif paper.links:
            assert line == paper.links[0], paper.title
        else:
            assert line.startswith("https://arxiv.org/search/?query="), paper.title
    lite = run(lib, "search", "--format", "urls", f'"{LITE_POSE}"').stdout.splitlines()
    assert lite == ["https://github.com/mit-han-lab/litepose"]


def test_search_links_prints_every_link(lib: Path, papers: dict[str, Paper]) -> None:
    lines = run(lib, "search", "--format", "links").stdout.splitlines()
    assert all(line.startswith(("https://", "http://")) for line in lines)
    links = {u for p in papers.values() for u in p.links}
    assert links <= set(lines)
    without = sum(1 for p in papers.values() if not p.links)
    assert sum(line.startswith("https://arxiv.org/search/") for line in lines) == without
    assert len(lines) == sum(len(p.links) for p in papers.values()) + without


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exit_codes(lib: Path, fmt: str) -> None:
    hit = run(lib, "search", "--format", fmt, "diffusion")
    assert hit.returncode == 0 and hit.stdout
    miss = run(lib, "search", "--format", fmt, "zorblaxquux")
    assert miss.returncode == 1
    assert miss.stdout == ""
    assert miss.stderr == "paperbrowse: no papers match\n"


@pytest.mark.parametrize(
    ("query", "words"), [('"of the"', "of, the"), ("the", "the"), ("title:a", "a")]
)
def test_a_query_of_stop_words_says_why_nothing_matches(lib: Path, query: str, words: str) -> None:
    """Stop words and single letters are not indexed (Whoosh's STOP_WORDS): the one line says
    so instead of only "no papers match"; the exit status is still 1."""
    miss = run(lib, "search", query)
    assert miss.returncode == 1 and miss.stdout == ""
    assert miss.stderr == (
        f"paperbrowse: no papers match: only stop words or single letters ({words}): "
        "the index leaves those out\n"
    )


def test_a_pasted_title_with_a_question_mark_says_why_nothing_matches(
    lib: Path, papers: dict[str, Paper]
) -> None:
    """A sample title with `?` (`What Matters in Transformers? Not All…`) pasted as the query
    matches nothing (`?` is one letter more); the line names the word and says to quote it,
    and the quoted title finds the paper (a fresh user pasted 14 such titles)."""
    [paper] = [p for p in papers.values() if p.title.startswith("What Matters in")]
    head = paper.title.split("?")[0] + "?"  # `What Matters in Transformers?`
    miss = run(lib, "search", head)
    assert miss.returncode == 1 and miss.stdout == ""
    assert miss.stderr == (
        "paperbrowse: no papers match: 'Transformers?' ends in '?', which stands for one "
        "letter more; put a pasted title in double quotes to search its words\n"
    )
    hit = run(lib, "search", "--format", "jsonl", f'"{head}"')
    assert hit.returncode == 0
    assert paper.id in [json.loads(line)["id"] for line in hit.stdout.splitlines()]


# ---------------------------------------------------------------------------------------------
# search: dates, sorts, limits, states


@pytest.mark.parametrize(
    ("since", "until", "lo", "hi"),
    [
        ("2024", None, date(2024, 1, 1), None),
        (None, "2019", None, date(2019, 12, 31)),
        ("2024-03", "2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        ("2023-06-15", "2024-02-29", date(2023, 6, 15), date(2024, 2, 29)),
        ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_since_until(
    lib: Path,
    papers: dict[str, Paper],
    since: str | None,
    until: str | None,
    lo: date | None,
    hi: date | None,
) -> None:
    args = ["search", "--format", "jsonl"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    expected = {
        pid
        for pid, p in papers.items()
        if p.published and (lo is None or p.published >= lo) and (hi is None or p.published <= hi)
    }
    assert expected
    assert {r["id"] for r in jsonl(run(lib, *args))} == expected


def test_sort_and_limit(lib: Path, tmp_path: Path) -> None:
    # The sample's pages show no upvote count (the number after a date is comments): sort a
    # page that shows one before each title.
    votes_page = tmp_path / "votes.txt"
    cards = [
        f"{v}\nCounted Paper {v}\n\nAbstract number {v} about counting." for v in (3, 40, 7, 0)
    ]
    votes_page.write_text("new\n\nDaily Papers\n\nNov 13\n\n" + "\n\n".join(cards), "utf-8")
    voted = tmp_path / "voted"
    assert run(voted, "index", str(votes_page)).returncode == 0
    ups = jsonl(run(voted, "search", "--format", "jsonl", "--sort", "upvotes", "--limit", "3"))
    assert [r["upvotes"] for r in ups] == [40, 7, 3]
    titles = run(lib, "search", "--format", "titles", "--sort", "title").stdout.splitlines()
    assert len(titles) == 262
    assert [normalise_title(t) for t in titles] == sorted(normalise_title(t) for t in titles)
    by_date = jsonl(run(lib, "search", "--format", "jsonl", "--sort", "date", "pose"))
    dated = [r["published"] for r in by_date if r["published"]]
    assert dated == sorted(dated, reverse=True)
    relevance = run(lib, "search", "--format", "titles", "--limit", "1", "pose")
    assert relevance.stdout.splitlines() == [LITE_POSE]
    assert_one_line_error(run(lib, "search", "--limit", "-1"), 2)
    assert_one_line_error(run(lib, "search", "--limit", "-1", "zorblaxquux"), 2)


def test_state_views(library_copy: Path) -> None:
    everything = [r["id"] for r in jsonl(run(library_copy, "search", "--format", "jsonl"))]
    store = TriageStore(library_copy / "state.db")
    store.set(everything[:4], "read", True)
    store.set(everything[2:6], "starred", True)
    store.set(everything[6:7], "hidden", True)
    store.close()

    def ids(state: str) -> list[str]:
        proc = run(library_copy, "search", "--format", "jsonl", "--state", state)
        return [str(r["id"]) for r in jsonl(proc)] if proc.returncode == 0 else []

    assert ids("all") == everything
    assert ids("read") == everything[:4]
    assert ids("starred") == everything[2:6]
    assert ids("hidden") == everything[6:7]
    assert ids("unread") == everything[4:]
    assert ids("inbox") == everything[4:6] + everything[7:]
    starred = jsonl(run(library_copy, "search", "--format", "jsonl", "--state", "starred"))
    assert starred[0]["state"] == {"read": True, "starred": True, "hidden": False}


# ---------------------------------------------------------------------------------------------
# exit codes and errors


@pytest.mark.parametrize(
    "args",
    [
        ["(diffusion"],
        ['"pose estimation'],
        ["date:[2024 to 2025"],
        ["date:2024-02-30"],
        ["date:9999-99"],
        ["upvotes:>abc"],
        ["--since", "2024-02-30"],
        ["--until", "9999-99"],
        ["--since", "0000"],
        ["--since", "garbage"],
        ["--since", "2025", "--until", "2024"],
    ],
)
def test_malformed_query_or_date_exits_2_with_one_line(lib: Path, args: list[str]) -> None:
    proc = run(lib, "search", *args)
    line = assert_one_line_error(proc, 2)
    assert proc.stdout == ""
    assert line.count("paperbrowse:") == 1


def test_search_on_an_empty_library(tmp_path: Path) -> None:
    line = assert_one_line_error(run(tmp_path / "none", "search"), 1)
    assert "paperbrowse index" in line


def test_search_pipe_to_head_is_quiet(lib: Path) -> None:
    for fmt in ("tsv", "jsonl", "bibtex"):
        script = (
            f"set -o pipefail; {sys.executable} -m paperbrowse --data-dir '{lib}' "
            f"search --format {fmt} | head -1"
        )
        proc = subprocess.run(
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            env=clean_env(),
            cwd=REPO,
            timeout=120,
        )
        assert proc.returncode == 0, (fmt, proc.stderr)
        assert proc.stderr == "", fmt
        assert len(proc.stdout.splitlines()) == 1


def test_search_into_a_closed_pipe_with_much_output(lib: Path) -> None:
    # The reader is gone before the first write; the output is far larger than a pipe buffer.
    script = (
        f"set -o pipefail; {sys.executable} -m paperbrowse --data-dir '{lib}' "
        "search --format json | true"
    )
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=clean_env(), timeout=120
    )
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
    assert proc.stderr == ""
    assert proc.returncode == 0


# ---------------------------------------------------------------------------------------------
# show and stats


def test_show_by_id_and_prefix(lib: Path) -> None:
    pid = paper_id(LITE_POSE)
    full = run(lib, "show", pid)
    assert full.returncode == 0, full.stderr
    assert LITE_POSE in full.stdout
    assert "2022-05-02" in full.stdout and "5 authors" in full.stdout
    assert "https://github.com/mit-han-lab/litepose" in full.stdout
    assert "Pose estimation plays a critical role" in full.stdout
    assert f"id {pid}" in full.stdout
    assert "\x1b" not in full.stdout
    prefix = run(lib, "show", pid[:6])
    assert prefix.returncode == 0 and prefix.stdout == full.stdout
    as_json = jsonl(run(lib, "show", pid[:8].upper(), "--format", "jsonl"))
    assert [r["title"] for r in as_json] == [LITE_POSE]


def test_show_unknown_or_ambiguous_id(lib: Path, tmp_path: Path) -> None:
    line = assert_one_line_error(run(lib, "show", "zzzzzz"), 1)
    assert "zzzzzz" in line
    first, second = titles_sharing_an_id_prefix(6)
    dump = write_dump(
        tmp_path / "probe.txt", [(first, "Probes.", ""), (second, "More probes.", "")]
    )
    data = tmp_path / "data"
    assert run(data, "index", str(dump)).returncode == 0
    shared = paper_id(first)[:6]
    assert "ambiguous" in assert_one_line_error(run(data, "show", shared), 1)
    assert run(data, "show", paper_id(second)[:8]).stdout.startswith(second)


def test_stats(lib: Path, papers: dict[str, Paper]) -> None:
    proc = run(lib, "stats")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^papers\s+262\s*$", proc.stdout, re.M)
    assert re.search(r"^dated\s+128 \(49%\)", proc.stdout, re.M)
    assert re.search(r"^dumps\s+3\s*$", proc.stdout, re.M)
    months = {p.published.strftime("%Y-%m") for p in papers.values() if p.published}
    shown = set(re.findall(r"^\s*(\d{4}-\d{2})\s+\d+", proc.stdout, re.M))
    assert shown == months
    assert "DeepSeek" in proc.stdout and "github.com" in proc.stdout
    assert "\x1b" not in proc.stdout


# ---------------------------------------------------------------------------------------------
# terminals, colour, imports


def test_index_and_search_do_not_import_textual(lib: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import contextlib, io, sys
        import paperbrowse.cli
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            codes = [
                paperbrowse.cli.main(["--data-dir", {str(tmp_path / "d")!r}, "index",
                                      {str(SAMPLE_DIR)!r}]),
                paperbrowse.cli.main(["--data-dir", {str(lib)!r}, "search", "pose"]),
                paperbrowse.cli.main(["--data-dir", {str(lib)!r}, "search", "--format", "table"]),
                paperbrowse.cli.main(["--data-dir", {str(lib)!r}, "show", "26ffbeba0f3b"]),
                paperbrowse.cli.main(["--data-dir", {str(lib)!r}, "stats"]),
            ]
        print(codes, "textual" in sys.modules)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[0, 0, 0, 0, 0] False"


@pytest.mark.parametrize("extra", [{}, {"NO_COLOR": "1"}, {"TERM": "xterm-256color"}])
def test_piped_output_is_plain(lib: Path, extra: dict[str, str]) -> None:
    env = clean_env(**extra)
    for args in (
        ["search", "--format", "table", "pose"],
        ["search", "pose"],
        ["show", "26ffbeba0f3b"],
        ["stats"],
    ):
        proc = run(lib, *args, env=env)
        assert proc.returncode == 0
        assert "\x1b" not in proc.stdout and "\x1b" not in proc.stderr, args


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal(lib: Path) -> None:
    import pty

    def on_tty(env: dict[str, str]) -> bytes:
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "paperbrowse",
                "--data-dir",
                str(lib),
                "search",
                "pose",
                "--limit",
                "3",
            ],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
        os.close(leader)
        return out

    coloured = on_tty(clean_env(TERM="xterm-256color", COLUMNS="120"))
    assert b"26ffbeba0f3b" in coloured  # a terminal gets the table by default
    assert re.search(rb"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m", coloured), "colour on a terminal"
    plain = on_tty(clean_env(TERM="xterm-256color", COLUMNS="120", NO_COLOR="1"))
    assert b"26ffbeba0f3b" in plain
    assert not re.search(rb"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;[25])", plain), "no colour"


# ---------------------------------------------------------------------------------------------
# demo


def test_demo_no_browser_builds_the_sample_library(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = clean_env(XDG_CACHE_HOME=str(cache), PAPERBROWSE_DATA_DIR=str(tmp_path / "user"))
    proc = run(None, "demo", "--no-browser", env=env)
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip())
    assert path.is_relative_to(cache)
    assert (path / MANIFEST).is_file()
    assert not (tmp_path / "user").exists(), "the demo leaves the user's library alone"
    titles = run(path, "search", "--format", "titles", env=env).stdout.splitlines()
    assert len(titles) == 262
    again = run(None, "demo", "--no-browser", env=env)
    assert again.returncode == 0 and again.stdout == proc.stdout


# ---------------------------------------------------------------------------------------------
# hostile dumps


def test_control_sequences_never_reach_the_output(tmp_path: Path) -> None:
    data = tmp_path / "data"
    dump = write_dump(
        tmp_path / "evil.txt",
        [
            (
                f"Harmless {OSC52}Title{CLEAR} Here",
                f"An abstract {CLEAR}with{OSC52} escapes and a link https://github.com/a/b{CLEAR}.",
                f"  • 3 authors\n·\nMay 2, 2022 {CLEAR}",
            ),
            (
                f"Second{CLEAR} Paper",
                f"{OSC52}Clipboard{CLEAR} hijack attempt \x9b2J and \x07 bells.",
                f"evil-org Evil{OSC52} Org\n·\nJun 3, 2023 4",
            ),
        ],
    )
    index = run(data, "index", str(dump))
    assert "\x1b" not in index.stdout + index.stderr and "\x07" not in index.stderr
    listed = run(data, "search", "--format", "jsonl")
    assert listed.returncode == 0
    ids = [str(r["id"]) for r in jsonl(listed)]
    assert len(ids) == 2
    outputs = [run(data, "search", "--format", fmt).stdout for fmt in FORMATS]
    outputs += [
        run(data, "search", "--format", fmt, "clipboard OR harmless").stdout for fmt in FORMATS
    ]
    outputs += [run(data, "show", pid).stdout for pid in ids]
    outputs += [run(data, "show", pid, "--format", "jsonl").stdout for pid in ids]
    outputs.append(run(data, "stats").stdout)
    for out in outputs:
        assert out
        for bad in ("\x1b", "\x07", "\x9b", "]52;", "[2J", "SGVsbG8="):
            assert bad not in out, (bad, out)
    assert "Harmless Title Here" in outputs[FORMATS.index("titles")]


def test_control_sequences_in_file_names_never_reach_the_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    evil_dir = tmp_path / f"dir{CLEAR}"
    evil_dir.mkdir()
    good = write_dump(evil_dir / f"dump{OSC52}.txt", [("A Paper", "An abstract.", "·\nNot a date")])
    bad = evil_dir / f"bin{CLEAR}.txt"
    bad.write_bytes(b"\x00" * 64)
    proc = run(data, "index", str(evil_dir), str(evil_dir / f"gone{CLEAR}.txt"))
    assert proc.returncode == 1
    assert len(proc.stderr.splitlines()) >= 3
    for out in (proc.stderr, run(data, "show", paper_id("A Paper")).stdout):
        assert "\x1b" not in out and "\x07" not in out, out
    rows = jsonl(run(data, "search", "--format", "jsonl"))
    assert rows[0]["title"] == "A Paper"
    assert "\x1b" not in json.dumps(rows, ensure_ascii=False)
    assert good.exists()


def test_two_different_pipes_both_stay_in_the_library(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = (SAMPLE_DIR / "000_09355b8551e356bb.txt").read_bytes()
    second = (SAMPLE_DIR / "001_52ec247306f5aae1.txt").read_bytes()
    assert run(data, "index", "-", stdin=first).returncode == 0
    assert run(data, "index", "-", stdin=second).returncode == 0
    again = run(data, "index", "-", stdin=first)
    assert "0 new, 0 updated" in again.stderr and "removed" not in again.stderr
    ids = {r["id"] for r in jsonl(run(data, "search", "--format", "jsonl"))}
    from paperbrowse.pages import parse_file

    names = ("000_09355b8551e356bb.txt", "001_52ec247306f5aae1.txt")
    expected = {p.id for name in names for p in parse_file(SAMPLE_DIR / name).papers}
    assert ids == expected


# ---------------------------------------------------------------------------------------------
# citable exports (the readers: tests/unit/test_citation.py)


def test_search_csljson_and_ris_hold_every_paper(lib: Path, papers: dict[str, Paper]) -> None:
    import rispy

    csl = run(lib, "search", "--format", "csljson")
    assert csl.returncode == 0, csl.stderr
    items = json.loads(csl.stdout)
    assert sorted(i["title"] for i in items) == sorted(p.title for p in papers.values())
    assert len({i["id"] for i in items}) == len(papers)
    ris = run(lib, "search", "--format", "ris")
    assert ris.returncode == 0, ris.stderr
    entries = rispy.loads(ris.stdout)
    assert sorted(e["title"] for e in entries) == sorted(p.title for p in papers.values())
    assert [e["id"] for e in entries] == [i["id"] for i in items]  # the same keys, same order


def test_search_key_template_and_a_bad_one(lib: Path) -> None:
    lite = run(lib, "search", "--format", "bibtex", "--key", "{word}-{year}", f'"{LITE_POSE}"')
    assert lite.stdout.startswith("@misc{lite-2022,")  # "Lite Pose: …" (2022), no names
    bad = run(lib, "search", "--format", "bibtex", "--key", "{surname}", "pose")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "paperbrowse: bad --key template '{surname}': {surname} is not one of "
        "{author} {year} {word} {id}"
    ]
