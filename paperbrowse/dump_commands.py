"""The commands `paperbrowse dumps` and `paperbrowse forget` as plain typed functions, beside
index_commands.py (same exit statuses, `CommandError` and one-line messages, command_errors.py);
the core is dumps.py.

Never imports Textual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from paperbrowse.command_errors import EXIT_NONE, EXIT_OK, EXIT_USAGE, CommandError, error
from paperbrowse.dumps import DumpInfo
from paperbrowse.paths import WRITE_LOCK, sample_dir
from paperbrowse.text import shown_text, strip_controls


def _count(n: int, noun: str) -> str:
    """`1 dump`, `2 dumps`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _cell(text: str | None) -> str:
    """A name or path as `dumps` shows it: bytes that are not UTF-8 as U+FFFD (as the DUMP
    column's names are), controls stripped, tabs and newlines as spaces."""
    return strip_controls(shown_text(text or "-")).replace("\t", " ").replace("\n", " ")


def dump_lines(dumps: list[DumpInfo], forgotten: list[DumpInfo]) -> list[str]:
    """The lines `paperbrowse dumps` prints: a header (DUMP, PAPERS, KIND, PAGE DATE, PATH),
    one aligned row per dump (`(stdin)` for piped dumps, `(gone)` after a path no longer on
    disk), and the forgotten dumps after a `forgotten …:` line."""
    header = ("DUMP", "PAPERS", "KIND", "PAGE DATE", "PATH")

    def row(d: DumpInfo) -> tuple[str, ...]:
        path = _cell(d.path) if d.path else "(stdin)"
        if d.on_disk is False:
            path += "  (gone)"
        papers = str(d.papers) if d.papers is not None else "-"
        return (_cell(d.name), papers, _cell(d.kind), _cell(d.page_date), path)

    rows = [row(d) for d in dumps]
    gone = [row(d) for d in forgotten]
    widths = [max(len(r[i]) for r in [header, *rows, *gone]) for i in range(4)]

    def line(r: tuple[str, ...]) -> str:
        cells = [r[0].ljust(widths[0]), r[1].rjust(widths[1])]
        cells += [r[2].ljust(widths[2]), r[3].ljust(widths[3]), r[4]]
        return "  ".join(cells).rstrip()

    lines = [line(header), *(line(r) for r in rows)]
    if gone:
        lines.append("forgotten (`paperbrowse index PATH` brings one back):")
        lines.extend(line(r) for r in gone)
    return lines


def dumps(data_dir: Path) -> int:
    """`paperbrowse dumps`: the recorded dumps (`dump_lines`) on stdout. 0 with dumps, 1 for
    a library without any (a line on stderr)."""
    from paperbrowse.dumps import forgotten_dumps, recorded_dumps
    from paperbrowse.index_commands import ready_library
    from paperbrowse.manifest import read_manifest

    ready_library(data_dir).close()  # upgraded first, if it must be
    manifest = read_manifest(data_dir)
    recorded, forgotten = recorded_dumps(manifest), forgotten_dumps(manifest)
    if not recorded and not forgotten:
        print(f"paperbrowse: no dumps in the library in {data_dir}", file=sys.stderr)
        return EXIT_NONE
    sys.stdout.write("".join(f"{line}\n" for line in dump_lines(recorded, forgotten)))
    return EXIT_OK if recorded else EXIT_NONE


def forget(data_dir: Path, specs: Sequence[str], *, sample: bool = False) -> int:
    """`paperbrowse forget DUMP...|--sample`: remove dumps (recorded names or paths) from the
    library in one commit (dumps.forget_dumps), then one summary line on stderr. 0 when done;
    1 when a DUMP names no recorded dump (each named on a line; nothing is forgotten) or the
    library is read-only; CommandError 2 without any DUMP."""
    from paperbrowse.dumps import forget_dumps, resolve_dumps, sample_dumps
    from paperbrowse.index_commands import ready_library
    from paperbrowse.manifest import read_manifest
    from paperbrowse.triage import can_write

    if not specs and not sample:
        raise CommandError("forget: give a DUMP (see `paperbrowse dumps`) or --sample", EXIT_USAGE)
    if data_dir.is_dir() and not can_write(data_dir / WRITE_LOCK):
        raise CommandError(f"the library in {data_dir} is read-only: nothing can be forgotten")
    ready_library(data_dir).close()  # upgraded first, if it must be
    manifest = read_manifest(data_dir)
    names, problems = resolve_dumps(manifest, specs)
    if sample:
        found = sample_dumps(manifest, sample_dir())
        if not found:
            problems.append("the bundled sample papers are not in this library")
        names += [n for n in found if n not in names]
    if problems:
        for problem in problems:
            error(problem)
        error("nothing forgotten")
        return EXIT_NONE
    report = forget_dumps(data_dir, names)
    print(
        f"{_count(len(names), 'dump')} forgotten: {_count(report.removed, 'paper')} removed, "
        f"{report.dropped} kept from other dumps (triage kept) -> {data_dir}",
        file=sys.stderr,
    )
    return EXIT_OK
