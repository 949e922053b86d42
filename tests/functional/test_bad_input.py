"""Bad input through the real command line: files in legacy encodings or not text at all, a
directory of thousands of files with loops, dangling links and unreadable entries, queries and
dates users mistype, and dumps that try to take over the terminal or smuggle links."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paperbrowse.indexer import index_sources
from paperbrowse.library import Library
from paperbrowse.links import LinkError, open_url
from paperbrowse.models import Filters, paper_id
from paperbrowse.sources import collect_sources
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
FORMATS = ("table", "tsv", "jsonl", "json", "md", "bibtex", "titles", "urls")
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
ABSTRACT = "We study a problem in depth. Our method works well on many benchmarks and datasets."
# Any C0/C1 control but newline (and tab, which TSV uses), as text or as UTF-8 bytes.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_STYLE_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES", "NO_COLOR")


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m paperbrowse --data-dir D ARGS`; stdout and stderr decoded as UTF-8."""
    environ = {k: v for k, v in os.environ.items() if k not in _STYLE_ENV}
    environ.update(PYTHONIOENCODING="utf-8", **env)
    proc = subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        cwd=REPO,
        env=environ,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


def one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("paperbrowse: ")
    assert not CONTROL.search(lines[0]), repr(lines[0])
    return lines[0]


def dump_text(papers: list[tuple[str, str]]) -> str:
    return HEADER + "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in papers)


def ids_in(data_dir: Path) -> set[str]:
    library = Library(data_dir)
    try:
        return set(library.search(Filters()).ids)
    finally:
        library.close()


# ---------------------------------------------------------------------------------------------
# encodings and binary files


def test_legacy_utf16_and_binary_files(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "legacy.txt").write_bytes(
        dump_text([("Café Crème: Résumé of “Quoted” Models", ABSTRACT)]).encode("cp1252")
    )
    (dumps / "notepad.txt").write_bytes(dump_text([("Wide Paper", ABSTRACT)]).encode("utf-16"))
    # UTF-8 (its "·" and "•" lines too) with one stray byte: stays UTF-8, not mojibake.
    stray = HEADER + f"Naïve Stray Byte\n\n{ABSTRACT}\n\n  • 3 authors\n·\nMay 2, 2022\n"
    (dumps / "stray.txt").write_bytes(stray.encode().replace(b"depth", b"\xffdepth"))
    (dumps / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (dumps / "nul.txt").write_bytes(dump_text([("Has A NUL", ABSTRACT)]).encode() + b"\x00")
    (dumps / "good.txt").write_text(dump_text([("Plain Good Paper", ABSTRACT)]), "utf-8")
    data = tmp_path / "data"

    proc = run(data, "index", str(dumps))
    assert proc.returncode == 1  # some inputs failed
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert f"paperbrowse: {dumps / 'image.txt'}: not a text dump (binary data)" in lines
    assert f"paperbrowse: {dumps / 'nul.txt'}: not a text dump (binary data)" in lines
    assert any(
        line.startswith(f"paperbrowse: warning: {dumps / 'legacy.txt'}:")
        and line.endswith("not valid UTF-8; read as Windows-1252")
        for line in lines
    ), lines
    assert any("stray.txt" in line and "replaced with U+FFFD" in line for line in lines), lines
    assert lines[-1].startswith("4 files read")
    assert "2 failed" in lines[-1]

    titles = run(data, "search", "--format", "titles", "--sort", "title").stdout.splitlines()
    assert titles == [
        "Café Crème: Résumé of “Quoted” Models",
        "Naïve Stray Byte",
        "Plain Good Paper",
        "Wide Paper",
    ]


# ---------------------------------------------------------------------------------------------
# a directory of thousands of files, with loops, dangling links and unreadable entries

MANY = 2000


@pytest.fixture(scope="module")
def big_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many") / "dumps"
    sub = root / "sub"
    sub.mkdir(parents=True)
    for n in range(MANY):
        folder = sub if n % 2 else root
        (folder / f"d{n:04d}.txt").write_text(
            dump_text([(f"Small Paper Number {n}", f"{ABSTRACT} Variant {n}.")]), "utf-8"
        )
    (sub / "loop").symlink_to(root, target_is_directory=True)  # a directory loop
    (sub / "loop.txt").symlink_to("loop.txt")  # a link to itself
    (root / "dangling.txt").symlink_to(root / "gone.txt")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    (root / "folder.txt").mkdir()  # a directory with a dump's name
    os.mkfifo(root / "fifo.txt")  # would block a reader for ever
    return root


def test_a_directory_of_thousands_of_files_with_problems(big_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = run(data, "index", str(big_dir))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = sorted(proc.stderr.splitlines()[:-1])
    assert errors == sorted(
        [
            f"paperbrowse: {big_dir / 'binary.txt'}: not a text dump (binary data)",
            f"paperbrowse: {big_dir / 'dangling.txt'}: broken or looping symbolic link",
            f"paperbrowse: {big_dir / 'empty.txt'}: empty file",
            f"paperbrowse: {big_dir / 'fifo.txt'}: not a regular file (a FIFO); skipped",
            f"paperbrowse: {big_dir / 'sub' / 'loop.txt'}: broken or looping symbolic link",
        ]
    )
    summary = proc.stderr.splitlines()[-1]
    assert summary.startswith(f"{MANY} files read") and "5 failed" in summary, summary
    assert ids_in(data) == {paper_id(f"Small Paper Number {n}") for n in range(MANY)}
    # Nothing changed: a second run reads, hashes and skips every file.
    again = run(data, "index", str(big_dir))
    assert f"{MANY} unchanged" in again.stderr.splitlines()[-1]


@pytest.mark.skipif(
    os.geteuid() == 0, reason="running as root: chmod 000 does not stop root from reading"
)
def test_unreadable_file_is_named_and_the_rest_indexed(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "good.txt").write_text(dump_text([("Readable Paper", ABSTRACT)]), "utf-8")
    secret = dumps / "secret.txt"
    secret.write_text(dump_text([("Unreadable Paper", ABSTRACT)]), "utf-8")
    secret.chmod(0)
    try:
        assert not os.access(secret, os.R_OK)
        proc = run(tmp_path / "data", "index", str(dumps))
    finally:
        secret.chmod(0o600)
    assert proc.returncode == 1
    assert f"paperbrowse: {secret}: cannot read: Permission denied" in proc.stderr.splitlines()
    assert ids_in(tmp_path / "data") == {paper_id("Readable Paper")}


def test_unreadable_file_and_directory_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as root can see it: the operating system's EACCES injected for one file and one
    directory (in-process, on the indexer itself)."""
    dumps = tmp_path / "dumps"
    locked = dumps / "locked"
    locked.mkdir(parents=True)
    (dumps / "good.txt").write_text(dump_text([("Readable Paper", ABSTRACT)]), "utf-8")
    secret = dumps / "secret.txt"
    secret.write_text(dump_text([("Unreadable Paper", ABSTRACT)]), "utf-8")
    (locked / "hidden.txt").write_text(dump_text([("Hidden Paper", ABSTRACT)]), "utf-8")

    real_open, real_scandir = os.open, os.scandir

    def open_file(path: str | os.PathLike[str], flags: int, *args: Any) -> int:
        if Path(path) == secret:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    def scandir(path: str | os.PathLike[str] | None = None) -> Iterator[os.DirEntry[str]]:
        if path is not None and Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path) if path is not None else real_scandir()

    monkeypatch.setattr(os, "open", open_file)
    monkeypatch.setattr(os, "scandir", scandir)
    sources, problems = collect_sources([str(dumps)])
    assert problems == [f"{locked}: cannot read directory: Permission denied"]
    library = Library(tmp_path / "data")
    report = index_into(library, sources)
    library.close()
    assert report.failures == [f"{secret}: cannot read: Permission denied"]
    assert ids_in(tmp_path / "data") == {paper_id("Readable Paper")}


# ---------------------------------------------------------------------------------------------
# queries and dates typed by users


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("lib") / "data"
    sources, _ = collect_sources([str(SAMPLE_DIR)])
    index_sources(data, sources)
    return data


LONG = 10_000


@pytest.mark.parametrize(
    "args",
    [
        ["(diffusion"],
        ["pose)"],
        ["[a TO"],
        ["title:(pose"],
        ["{a"],
        ['"pose estimation'],
        ["(" * LONG],
        ["pose " * (LONG // 10) + "(" + "x" * (LONG // 2)],
        ["date:2024-02-30"],
        ["date:0000"],
        ["date:9999-99"],
        ["date:[2024 TO"],
        ["date:>2024-13"],
        ["upvotes:>lots"],
        ["upvotes:>99999999999"],
        ["title:"],  # a field with nothing to search (matched nothing, silently)
        ["foo:bar"],  # no such field (searched for the words foo and bar, silently)
        ["record:x"],  # not a searchable field (leaked a Whoosh internal)
        ["AND"],  # an operator without its words (matched nothing, silently)
        ["NOT -image"],  # "list index out of range"
        ["a\x1b[2J(b"],
        ["--since", "2024-02-30"],
        ["--since", "0000"],
        ["--until", "9999-99"],
        ["--since", "2024-13"],
        ["--since", "10000-01-01"],
        ["--since", "99999y"],
        ["--since", "9" * LONG],
        ["--since", "2024\x1b]0;pwned\x07"],
        ["--since", "-1d"],  # looks like an option to argparse
        ["--since", "2025", "--until", "2024"],
        ["--limit", "-3"],
        ["--limit", "many"],
        ["--state", "bogus"],
        ["--format", "xml"],
        ["--no-such-option"],
    ],
    ids=lambda a: repr(" ".join(a))[:40],
)
def test_malformed_queries_and_dates_are_one_line_exit_2(lib: Path, args: list[str]) -> None:
    proc = run(lib, "search", *args)
    line = one_line_error(proc, 2)
    assert proc.stdout == ""
    assert len(line) < 500, len(line)  # a 10,000-character input is not echoed back whole


@pytest.mark.parametrize(
    "query",
    ["pose " * (LONG // 5), "x" * LONG, "\x07pose\x9b2J\x1b", "a~", "*"],
    ids=["10k words", "10k letters", "controls", "fuzzy", "star"],
)
def test_odd_but_wellformed_queries_answer_in_one_go(lib: Path, query: str) -> None:
    proc = run(lib, "search", "--format", "titles", query)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) <= 1
    assert not CONTROL.search(proc.stdout + proc.stderr)


# ---------------------------------------------------------------------------------------------
# terminal safety and links

OSC52 = "\x1b]52;c;SGVsbG8=\x07"
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
C1_CSI = "\x9b2J"
HOSTILE = (OSC52, CLEAR, TITLE, C1_CSI, "\x1b[31m", "\x07", "\x9d8;;http://evil\x9c")
# What must never reach stdout, in any of its forms.
FORBIDDEN = ("\x1b]", "\x1b[2J", "\x9b", "\x9d", "\x07", "]52;", "SGVsbG8=", "]0;", "pwned", "[2J")
BAD_LINKS = (
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
)


@pytest.fixture(scope="module")
def hostile_lib(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("hostile")
    body = []
    for n, seq in enumerate(HOSTILE):
        title = f"Hostile{seq} Paper {n}{seq} Title"
        links = " ".join(BAD_LINKS)
        abstract = (
            f"An abstract{seq} with {seq}escapes, bad links {links} "
            f"and a good one https://github.com/good/repo{n}."
        )
        meta = f"  • 3 authors\n·\nMay 2, 2022 {n}{seq}" if n % 2 else f"evil{seq}-org Evil{seq}\n·"
        body.append(f"{title}\n\n{abstract}\n\n{meta}\n\n")
    dump = folder / "hostile.txt"
    dump.write_text(HEADER + "".join(body), "utf-8")
    data = folder / "data"
    proc = run(data, "index", str(dump))
    assert proc.returncode == 0, proc.stderr
    assert not any(bad in proc.stderr for bad in FORBIDDEN)
    rows = [
        json.loads(line)
        for line in run(data, "search", "--format", "jsonl").stdout.split("\n")
        if line
    ]
    assert len(rows) == len(HOSTILE)
    return data, [row["id"] for row in rows]


def _outputs(data: Path, ids: list[str], **env: str) -> dict[str, str]:
    outputs = {}
    for fmt in FORMATS:
        proc = run(data, "search", "--format", fmt, "--limit", "0", **env)
        assert proc.returncode == 0, (fmt, proc.stderr)
        outputs[f"search --format {fmt}"] = proc.stdout
        query = run(data, "search", "--format", fmt, "hostile paper", **env)
        assert query.returncode == 0, (fmt, query.stderr)
        outputs[f"search --format {fmt} QUERY"] = query.stdout
    for pid in ids:
        outputs[f"show {pid}"] = run(data, "show", pid, **env).stdout
        outputs[f"show {pid} --format md"] = run(data, "show", pid, "--format", "md", **env).stdout
    outputs["stats"] = run(data, "stats", **env).stdout
    return outputs


def test_escape_sequences_never_reach_stdout(hostile_lib: tuple[Path, list[str]]) -> None:
    data, ids = hostile_lib
    outputs = _outputs(data, ids)
    for name, out in outputs.items():
        assert out.strip(), name
        for bad in FORBIDDEN:
            assert bad not in out, (name, bad)
        assert not CONTROL.search(out), (name, repr(CONTROL.search(out)))
    assert "Hostile Paper 0 Title" in outputs["search --format titles"].splitlines()


def test_escape_sequences_never_reach_a_colour_terminal(
    hostile_lib: tuple[Path, list[str]],
) -> None:
    """With colour forced (as on a terminal) Rich writes its own codes: SGR colours
    (ESC [ ... m) and OSC 8 hyperlinks. Only those may appear, links only to http(s), and none
    of the dump's sequences."""
    data, ids = hostile_lib
    sgr = re.compile(r"\x1b\[[0-9;]*m")
    hyperlink = re.compile(r"\x1b\]8;[^;\x1b\x07]*;([^\x1b\x07]*)\x1b\\")
    for name, out in _outputs(data, ids[:2], FORCE_COLOR="1", COLUMNS="120").items():
        targets = hyperlink.findall(out)
        assert all(t == "" or t.startswith("https://") for t in targets), (name, targets)
        stripped = hyperlink.sub("", sgr.sub("", out))
        assert not CONTROL.search(stripped), (name, repr(CONTROL.search(stripped)))
        assert "]52;" not in stripped and "pwned" not in stripped, name


def _links_written(fmt: str, out: str) -> list[str]:
    """The URLs a format writes as links (not the abstract text that mentions them)."""
    if fmt == "urls":
        return out.split()
    if fmt == "tsv":
        return [line.split("\t")[5] for line in out.splitlines()]  # the url column
    if fmt == "jsonl":
        return [u for line in out.splitlines() for u in json.loads(line)["links"]]
    if fmt == "json":
        return [u for row in json.loads(out) for u in row["links"]]
    if fmt == "md":
        return re.findall(r"\]\(([^)\s]*)\)", out)
    if fmt == "bibtex":
        return re.findall(r"url = \{([^}]*)\}", out)
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["urls", "tsv", "jsonl", "json", "md", "bibtex"])
def test_only_http_links_are_written_as_links(
    hostile_lib: tuple[Path, list[str]], fmt: str
) -> None:
    data, _ = hostile_lib
    out = run(data, "search", "--format", fmt, "--limit", "0").stdout
    links = _links_written(fmt, out)
    assert len(links) >= len(HOSTILE)
    for link in links:
        assert link.startswith("https://"), (fmt, link)
    assert any("github.com/good/repo" in link for link in links)
    for bad in ("javascript:", "file:", "data:", "vbscript:"):
        assert not any(bad in link for link in links)


def recorder(opened: list[str]) -> Callable[..., bool]:
    """A stand-in for `webbrowser.open` that records the URLs it was given."""

    def open_url(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    return open_url


@pytest.mark.parametrize(
    "url",
    [
        *BAD_LINKS,
        "JavaScript:alert(1)",
        "  javascript:alert(1)",
        "FILE:///etc/shadow",
        "ftp://example.org/x",
        "//evil.example/x",
        "https://example.org/\x1b]52;c;SGVsbG8=\x07",
        "http://example.org/\x9b2J",
    ],
)
def test_open_url_refuses_all_but_http(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setenv("BROWSER", "true")  # a graphical browser "exists"
    monkeypatch.setattr("webbrowser.open", recorder(opened))
    with pytest.raises(LinkError, match="only http"):
        open_url(url)
    assert opened == []


def test_open_url_opens_http_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the test above: the same monkeypatch sees an https link opened."""
    opened: list[str] = []
    monkeypatch.setenv("BROWSER", "true")
    monkeypatch.setattr("webbrowser.open", recorder(opened))
    open_url("https://arxiv.org/abs/2205.01271")
    assert opened == ["https://arxiv.org/abs/2205.01271"]


def test_a_library_whose_first_dump_has_no_papers_is_empty_not_damaged(tmp_path: Path) -> None:
    """A new library whose first dump gave 0 papers was reported as "damaged
    (NotImplementedError)", and `--rebuild` repeated it: Whoosh's empty index has no columns."""
    dump = tmp_path / "empty-day.txt"
    dump.write_text(HEADER, encoding="utf-8")  # a real page's header, no cards
    data = tmp_path / "data"
    first = run(data, "index", str(dump))
    assert first.returncode == 0, first.stderr
    for rebuild in (False, True):
        if rebuild:
            again = run(data, "index", "--rebuild")
            assert again.returncode == 0, again.stderr
        for query in ("", "diffusion", "title:diff*", "date:2024", "upvotes:>3"):
            found = run(data, "search", query, "--format", "jsonl")
            line = one_line_error(found, 1)
            assert "no papers match" in line or "empty" in line, line
            assert "damaged" not in line, line
        stats = run(data, "stats")
        assert stats.returncode == 0, stats.stderr
        assert stats.stdout.splitlines()[0].split() == ["papers", "0"]
        assert "damaged" not in run(data, "show", "abcdef").stderr


NOTES = """# My paper captures

Pages I saved from the Daily Papers site, one file a day. The dumps are select-all copies;
the Markdown ones came from the web clipper. Re-run the index after adding a file.

Things to read this week: the two diffusion surveys, and whatever the lab meeting picks.
"""


def test_a_notes_file_in_a_walked_directory_is_skipped_not_failed(tmp_path: Path) -> None:
    """`index DIR` with a README.md beside the captures (the shared fixture pages have one)
    exited 1 on every run, breaking `index ~/papers && …` (three fresh users hit it): a walked
    directory's file that is no papers page is named and counted as skipped, and the run exits
    0; named on the command line, the same file still fails."""
    dumps = tmp_path / "papers"
    dumps.mkdir()
    sample = sorted(SAMPLE_DIR.glob("*.txt"))[0]
    (dumps / sample.name).write_bytes(sample.read_bytes())
    (dumps / "README.md").write_text(NOTES, "utf-8")
    data = tmp_path / "data"
    for _ in range(2):  # the first run, then the same dumps unchanged
        proc = run(data, "index", str(dumps))
        assert proc.returncode == 0, proc.stderr
        lines = proc.stderr.splitlines()
        assert any(
            line.startswith(f"paperbrowse: {dumps / 'README.md'}: not a Daily Papers dump")
            for line in lines
        ), lines
        assert "1 skipped (not a papers page)" in lines[-1] and "failed" not in lines[-1]
    titles = run(data, "search", "--format", "titles", "--limit", "0", "").stdout.splitlines()
    assert titles and len(titles) == len(set(titles))  # the capture's papers were indexed
    named = run(data, "index", str(dumps / "README.md"))
    assert named.returncode == 1
    assert named.stderr.splitlines()[-1].endswith(f"1 failed -> {data}")
