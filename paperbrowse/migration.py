"""Upgrading a library built by an earlier schema version: a rebuild from its recorded dumps.

The Library only reads (it raises LibraryOutdated); the command line runs the upgrade before
it goes on (index_commands.ready_library). A plain rebuild would drop the papers of a recorded dump
that is gone (deleted, moved away, or piped from stdin, of which no earlier version kept a
copy), so their
records are read back from the old index instead and indexed as already-parsed sources, with
their fields brought up to this schema (`upgrade_record`). Triage is never touched except to
carry marks to ids that changed (see merging.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paperbrowse.engine.whoosh_internals import open_index_dir
from paperbrowse.manifest import read_manifest
from paperbrowse.merging import IndexReport
from paperbrowse.schema import record_paper
from paperbrowse.sources import Source

Run = Callable[[list[Source]], IndexReport]  # a rebuild with the given extra sources


def upgrade_record(rec: dict[str, Any], version: int) -> dict[str, Any]:
    """A stored record of schema `version` as this schema holds it.

    Up to schema 7 the parser read the number after a card's date, the only count a card's
    date line carries, into `upvotes`: it is the comment count (source: ../shared/README.md,
    "The number after the date is comments"). Those versions never read a real upvote count.
    """
    found = dict(rec)
    if version <= 7:
        found["comments"] = found.get("upvotes")
        found["upvotes"] = None
    return found


def gone_sources(data_dir: Path) -> list[str]:
    """The recorded sources a rebuild cannot read again: no path, or no file there."""
    sources = read_manifest(data_dir).get("sources", {})
    return sorted(
        name
        for name, info in sources.items()
        if not ((path := info.get("path")) and Path(path).is_file())
    )


def salvage(data_dir: Path, version: int) -> tuple[list[Source], list[str]]:
    """The records of every recorded source that is gone, read from the current (old) index
    and upgraded, as already-parsed sources under their recorded names; and one-line warnings
    for those that could not be read back (their papers are not in the upgraded library)."""
    names = gone_sources(data_dir)
    index_name = read_manifest(data_dir).get("index")
    if not names or not index_name:
        return [], []
    found: list[Source] = []
    missed: list[str] = []
    try:
        with open_index_dir(data_dir / index_name).searcher() as searcher:
            for name in names:
                records = []
                for stored in searcher.documents(source=name):
                    rec = json.loads(stored["variants"]).get(name)
                    if isinstance(rec, dict):
                        records.append(record_paper(upgrade_record(rec, version)))
                if records:
                    found.append(Source(name, None, records=records))
                else:
                    missed.append(name)
    except Exception as exc:  # a damaged old index: the rebuild goes on without them
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [], [
            f"{name}: recorded dump is gone and the old index cannot be read ({reason}); its "
            "papers are not in the upgraded library"
            for name in names
        ]
    warnings = [
        f"{name}: recorded dump is gone and none of its papers were found in the old index; "
        "they are not in the upgraded library"
        for name in missed
    ]
    return found, warnings


def upgrade(data_dir: Path, version: int, run: Run) -> tuple[IndexReport, int]:
    """Rebuild a library of schema `version` with `run`, keeping the papers of recorded dumps
    that are gone (see `salvage`). Returns the run's report (with the salvage warnings added)
    and how many papers were read back from the old index."""
    sources, warnings = salvage(data_dir, version)
    report = run(sources)
    report.warnings[:0] = warnings
    return report, sum(len(s.records or []) for s in sources)
