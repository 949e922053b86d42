"""The commands that write the library, as plain typed functions: `index` (with its summary
line and progress bar), the upgrade of a library an earlier version built (`ready_library`, which
every command that opens the library goes through) and the demo library. Each writes what the
command prints to stderr and returns its exit status (command_errors.py).

Modules are imported where a command needs them, so `index` loads neither Rich's tables nor
Textual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.command_errors import EXIT_NONE, EXIT_OK, EXIT_USAGE, CommandError, error, one_line
from paperbrowse.limits import DEFAULT_MAX_BYTES
from paperbrowse.paths import WRITE_LOCK, demo_data_dir

if TYPE_CHECKING:
    from paperbrowse.index_report import IndexReport
    from paperbrowse.library import Library
    from paperbrowse.sources import Source


def index(
    data_dir: Path,
    paths: Sequence[str],
    *,
    rebuild: bool = False,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> int:
    """`paperbrowse index PATH...`: add dumps (files, directories, `-` for stdin) to the
    library, or rebuild it; problems and warnings one line each on stderr, then the summary
    line (`index_summary`). 0 when every input was indexed, 1 when some failed."""
    from paperbrowse.quick_check import unchanged_run
    from paperbrowse.sources import collect_sources
    from paperbrowse.triage import can_write

    if not paths and not rebuild:
        raise CommandError(
            "index: give at least one PATH (a dump, a directory, or - for stdin)", EXIT_USAGE
        )
    if data_dir.is_dir() and not can_write(data_dir / WRITE_LOCK):
        raise CommandError(
            f"the library in {data_dir} is read-only: it cannot be updated "
            "(searching and reading it work)"
        )
    sources, problems = collect_sources(paths, stdin=sys.stdin, max_bytes=max_bytes)
    for problem in problems:
        error(problem)
    if not sources and not rebuild:
        if not problems:  # e.g. a directory without captures: say so rather than nothing
            error(f"no captures (*.txt, *.md, *.markdown files) found in {' '.join(paths)}")
        return EXIT_NONE
    # A run the quick check finds unchanged reads and writes nothing (quick_check.py).
    unchanged = None if rebuild else unchanged_run(data_dir, [s.path for s in sources])
    before = None
    if unchanged is not None:
        from paperbrowse.index_report import IndexReport

        report = IndexReport(files_read=unchanged, files_unchanged=unchanged)
    else:
        from paperbrowse.arrivals import arrivals_before_run

        before = arrivals_before_run(data_dir)  # only ids this run adds are arrivals (`new`)
        report = _run(data_dir, sources, rebuild=rebuild, year=year, max_bytes=max_bytes)
    if report.new or report.renamed:  # the others arrived before this run, renamed ones too
        from paperbrowse.arrivals import save_arrivals

        save_arrivals(data_dir, before, report.renamed)
    for warning in report.warnings:
        error(f"warning: {warning}")
    for failure in report.failures:
        error(failure)
    for line in report.skipped:
        error(line)
    failed = bool(report.failures or problems)
    # Plain print, not Rich: one line whatever the width, and no markup read from the path.
    print(one_line(index_summary(report, len(problems), data_dir)), file=sys.stderr)
    return EXIT_NONE if failed else EXIT_OK


def _run(
    data_dir: Path, sources: Sequence[Source], *, rebuild: bool, year: int | None, max_bytes: int
) -> IndexReport:
    """The indexer's run of `index` (an outdated library is upgraded first, by the rebuild
    itself when rebuilding); LibraryError when it cannot run."""
    from paperbrowse.errors import LibraryError, LibraryOutdated
    from paperbrowse.manifest import check_version

    if not rebuild:
        ready_library(data_dir)
        return _index_with_progress(
            data_dir, sources, rebuild=False, year=year, max_bytes=max_bytes
        )
    report = None
    try:
        check_version(data_dir)
    except LibraryOutdated as exc:  # the upgrade is the rebuild
        report = _upgrade(data_dir, exc.version, sources, year, warn=False, max_bytes=max_bytes)
    except LibraryError:
        pass  # a newer or unreadable library: the rebuild replaces it
    if report is None:
        report = _index_with_progress(
            data_dir, sources, rebuild=True, year=year, max_bytes=max_bytes
        )
    return report


def _plural(n: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def index_summary(report: IndexReport, problems: int, data_dir: Path) -> str:
    """The one line `index` ends with. Its papers add up: every paper parsed is new, updated,
    unchanged, or a duplicate merged into another record (the same paper twice in the dumps
    read). Stored papers this run changed without parsing them, joined or removed follow."""
    parts = [
        f"{_plural(report.files_read, 'file')} read ({report.files_unchanged} unchanged)",
    ]
    papers = f"{_plural(report.papers_parsed, 'paper')} parsed: {report.new} new, "
    papers += f"{report.updated} updated, {report.unchanged} unchanged"
    papers += f", {report.duplicates} merged as duplicates"
    parts.append(papers)
    if report.merged:
        parts.append(f"{_plural(report.merged, 'stored paper')} joined to another")
    if report.dropped:
        parts.append(f"{_plural(report.dropped, 'paper')} no longer in a changed dump")
    if report.removed:
        parts.append(f"{report.removed} removed")
    parts.append(_plural(len(report.warnings), "warning"))
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped (not a papers page)")
    failed = len(report.failures) + problems
    if failed:
        parts.append(f"{failed} failed")
    return ", ".join(parts) + f" -> {data_dir}"


def _index_with_progress(
    data_dir: Path,
    sources: Sequence[Source],
    *,
    rebuild: bool,
    year: int | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IndexReport:
    """`indexer.index_sources`, with a Rich progress bar on a terminal, silently otherwise."""
    from paperbrowse.indexer import index_sources

    if not sys.stderr.isatty():
        return index_sources(data_dir, sources, rebuild=rebuild, year=year, max_bytes=max_bytes)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn
    from rich.progress import Progress as ProgressBar

    with ProgressBar(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True, highlight=False),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}
        labels = {"read": "reading dumps", "write": "indexing papers", "catalog": "sorting"}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return index_sources(
            data_dir, sources, rebuild=rebuild, year=year, progress=progress, max_bytes=max_bytes
        )


def ready_library(data_dir: Path) -> Library:
    """The library in `data_dir`, upgraded first when an earlier version of paperbrowse built
    it: rebuilt from its recorded dumps (the papers of dumps that are gone are read back from
    the old index, see migration.py), with a line on stderr that says why, keeping every star,
    read and hidden mark (`state.db` is keyed by paper ids, which a paper without an arXiv id
    keeps). Raises LibraryError (e.g. LibraryBusy) when the upgrade cannot run."""
    from paperbrowse.errors import LibraryOutdated
    from paperbrowse.library import Library

    library = Library(data_dir)
    try:
        library.check_version()
    except LibraryOutdated as exc:
        _upgrade(data_dir, exc.version, [], None, warn=True)
    return library


def _upgrade(
    data_dir: Path,
    version: int,
    sources: Sequence[Source],
    year: int | None,
    *,
    warn: bool,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IndexReport:
    """Rebuild an outdated library (with `sources` too), saying so on stderr (its warnings
    too when `warn`; `index` prints them with its summary); returns the run's report."""
    from paperbrowse.library import Library
    from paperbrowse.manifest import read_manifest
    from paperbrowse.migration import upgrade
    from paperbrowse.schema_history import SCHEMA_VERSION, changes_since

    dumps = len(read_manifest(data_dir).get("sources", {}))
    print(
        f"paperbrowse: upgrading the library in {data_dir} from schema {version} to "
        f"{SCHEMA_VERSION} ({changes_since(version)})\n"
        f"paperbrowse: rebuilding it from its {dumps} recorded dumps; stars, read and hidden "
        "marks, tags and notes are kept",
        file=sys.stderr,
    )
    report, salvaged = upgrade(
        data_dir,
        version,
        lambda kept: _index_with_progress(
            data_dir, [*sources, *kept], rebuild=True, year=year, max_bytes=max_bytes
        ),
    )
    if warn:
        for warning in report.warnings:
            error(f"warning: {warning}")
    back = f" ({salvaged} read back from the old index: their dumps are gone)" if salvaged else ""
    library = Library(data_dir)
    try:
        papers = len(library)
    finally:
        library.close()
    print(
        f"paperbrowse: library upgraded: {papers} papers from {report.files_read} dumps{back}",
        file=sys.stderr,
    )
    return report


def ensure_demo_library(reset: bool = False) -> Path:
    """Index the bundled sample dumps into the demo data dir (no-op when up to date); with
    `reset`, delete the demo library first (its index and its triage) so it starts afresh."""
    data_dir = demo_data_dir()
    if reset and data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    from paperbrowse.sample_index import index_sample

    ready_library(data_dir).close()
    index_sample(data_dir)
    return data_dir
