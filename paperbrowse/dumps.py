"""The dumps a library was built from: listing them (`paperbrowse dumps`) and forgetting them
(`paperbrowse forget`).

A dump is known by its recorded name, the key of `sources` in the manifest (`library.json`,
see `manifest.Manifest`): its file name, or `name~hash.txt` when two dumps share a
file name, or `stdin-<hash>` for what stdin delivered. Forgetting one is an index run in which
that dump holds no papers (`indexer.index_sources(..., forget=...)`): one commit, the same
guarantees as `index`, and triage, tags and notes in `state.db` are never touched, so
indexing the dump again brings its papers back with them.
This module must not import Textual.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperbrowse.text import shown_text, strip_controls

if TYPE_CHECKING:
    from paperbrowse.manifest import Manifest
    from paperbrowse.merging import IndexReport


@dataclass(frozen=True)
class DumpInfo:
    """One recorded dump, as the manifest records it.

    - `name`: its recorded name (the key `forget` takes).
    - `path`: the absolute path it was read from (None: stdin or already-parsed records).
    - `papers`: how many papers were parsed from it when it was last indexed.
    - `kind`, `page_date`: the page kind (`models.PAGE_KINDS`) and the page's date (ISO
      `YYYY-MM-DD`), None for dumps indexed before these were recorded.
    - `indexed`: when it was last indexed (ISO 8601, UTC).
    - `on_disk`: whether the file is still there (None for stdin).
    """

    name: str
    path: str | None
    papers: int | None
    kind: str | None
    page_date: str | None
    indexed: str | None
    on_disk: bool | None


def _info(name: str, entry: Mapping[str, Any]) -> DumpInfo:
    path = entry.get("path") if isinstance(entry.get("path"), str) else None
    papers = entry.get("papers")

    def text(key: str) -> str | None:
        value = entry.get(key)
        return value if isinstance(value, str) else None

    return DumpInfo(
        name=name,
        path=path,
        papers=papers if isinstance(papers, int) else None,
        kind=text("kind"),
        page_date=text("page_date"),
        indexed=text("indexed"),
        on_disk=Path(path).is_file() if path else None,
    )


def recorded_dumps(manifest: Manifest) -> list[DumpInfo]:
    """The dumps of a manifest (`manifest.read_manifest`), by page date then name."""
    sources: Mapping[str, Any] = manifest.get("sources") or {}
    found = [_info(name, entry) for name, entry in sources.items() if isinstance(entry, Mapping)]
    return sorted(found, key=lambda d: (d.page_date or "", d.name))


def forgotten_dumps(manifest: Manifest) -> list[DumpInfo]:
    """The dumps `forget` removed and no `index` brought back since, by name."""
    forgotten: Mapping[str, Any] = manifest.get("forgotten") or {}
    found = [_info(n, e) for n, e in forgotten.items() if isinstance(e, Mapping)]
    return sorted(found, key=lambda d: d.name)


def _real(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def shown_key(text: str) -> str:
    """How a name or path looks once made safe to show (`paperbrowse dumps` shows bytes that
    are not UTF-8 as U+FFFD, strips terminal escape sequences and control characters and turns
    tabs and newlines into spaces), with runs of blanks made one space: what a name copied from
    that listing is matched by."""
    return " ".join(strip_controls(shown_text(text)).split())


def resolve_dumps(manifest: Manifest, specs: Iterable[str]) -> tuple[list[str], list[str]]:
    """The recorded names `specs` stand for, and a one-line problem per spec that names none.

    A spec is a recorded name (`2024-03-21.txt`, `x~1a2b3c4d.txt`, `stdin-…`), the path of a
    recorded dump (relative or absolute; the file need not exist any more), or either as
    `paperbrowse dumps` shows it (`shown_key`: a name with control characters shows them
    stripped or as spaces). The exact name or path wins; a shown form that stands for two or
    more dumps is refused, naming them. A spec that names a forgotten dump says so.
    """
    dumps = recorded_dumps(manifest)
    by_name = {d.name: d.name for d in dumps}
    by_path = {_real(d.path): d.name for d in dumps if d.path}
    by_shown: dict[str, list[str]] = {}
    for d in dumps:
        for text in {d.name, d.path or ""} - {""}:
            names_shown = by_shown.setdefault(shown_key(text), [])
            if d.name not in names_shown:
                names_shown.append(d.name)
    forgotten = {d.name for d in forgotten_dumps(manifest)}
    names: list[str] = []
    problems: list[str] = []
    for spec in specs:
        said = shown_key(spec)
        name = by_name.get(spec) or by_path.get(_real(spec))
        if name is None:
            matches = by_shown.get(said, [])
            if len(matches) > 1:
                listed = ", ".join(repr(m) for m in matches)
                problems.append(
                    f"{said}: shown so for {len(matches)} dumps ({strip_controls(listed)}); "
                    "give the path of the one to forget"
                )
                continue
            name = matches[0] if matches else None
        if name is None:
            base = os.path.basename(spec)
            if spec in forgotten or base in forgotten:
                problems.append(f"{said}: already forgotten")
            else:
                problems.append(
                    f"{said}: not a recorded dump of this library (`paperbrowse dumps` lists them)"
                )
        elif name not in names:
            names.append(name)
    return names, problems


def sample_dumps(manifest: Manifest, folder: Path) -> list[str]:
    """The recorded names of the dumps read from `folder` (the bundled sample: what the
    welcome screen's "Load the sample" indexed)."""
    root = _real(str(folder))
    return [
        d.name
        for d in recorded_dumps(manifest)
        if d.path and os.path.dirname(_real(d.path)) == root
    ]


def forget_dumps(data_dir: Path, names: Sequence[str]) -> IndexReport:
    """Remove the recorded dumps `names` from the library in `data_dir` in one commit (takes
    the write lock; LibraryBusy when another run holds it).

    The report counts `removed` (papers only these dumps supplied) and `dropped` (papers other
    dumps also supplied, merged again from what those say). Raises LibraryError like `index`;
    a failed or killed run leaves the library as it was.
    """
    from paperbrowse.indexer import index_sources

    return index_sources(data_dir, [], forget=names)
