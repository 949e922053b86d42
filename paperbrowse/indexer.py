"""One `index` run: read dumps, merge their papers into the library, commit once.

Guarantees: every write of a run lands in one Whoosh commit, so a run that fails or is killed
leaves the previous generation whole. The manifest (source hashes) is replaced atomically after
the commit; if a run dies between the two, the next run re-reads those dumps, which is harmless
because merging a dump's papers again gives the same records. A rebuild writes a new index
directory (`index-N+1`) and removes the old one after its manifest names the new one.

Identity (identity.py): the captures of one paper, in this run and in the library, become one
record: by arXiv id, else by normalised title. When a record's id changes (it gained an arXiv
id) or two records become one, the triage flags of the old ids are copied onto the new id in
`state.db` before the commit (old rows are kept), so no star, read or hidden mark is lost; a run
that changes no id never opens `state.db`.

The indexer writes; it never imports the reading side (library.py). A reader open on the data
dir sees the new generation once it refreshes (`Library.refresh`, or a new Library).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh import index

from paperbrowse.catalog import load_or_build
from paperbrowse.engine.whoosh_internals import create_index_dir, index_folder, open_index_dir
from paperbrowse.engine.whoosh_procs import GuardedMpWriter, SubWriterFailed
from paperbrowse.engine.whoosh_procs import failure_reason as _reason  # one line: why
from paperbrowse.engine.whoosh_segment_writer import PaperSegmentWriter
from paperbrowse.errors import LibraryError, damaged_index
from paperbrowse.housekeeping import clear_debris, clear_index_debris, keep_piped, read_copy
from paperbrowse.limits import DEFAULT_MAX_BYTES
from paperbrowse.manifest import (
    Manifest,
    RecordedDump,
    check_version,
    empty_manifest,
    now_iso,
    read_manifest,
    write_lock,
    write_manifest,
)
from paperbrowse.merging import (
    IndexReport,
    Progress,
    affected_documents,
    carry_triage,
    drop_carried_triage,
    previous_ids,
    variant_key,
    write_papers,
)
from paperbrowse.paths import INDEX_PREFIX, ensure_private_dir, private_umask, remove_tree
from paperbrowse.postings import PaperCodec
from paperbrowse.quick_check import with_stamp
from paperbrowse.run_parse import parse_sources
from paperbrowse.run_records import EncodedDump, RunRecords, encode_records
from paperbrowse.schema import SCHEMA_VERSION, make_schema
from paperbrowse.sources import Source

MULTIPROCESS_FROM = 5000  # papers in one run; below this a second process costs more than it saves


def index_sources(
    data_dir: Path,
    sources: Sequence[Source],
    *,
    rebuild: bool = False,
    year: int | None = None,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    forget: Sequence[str] = (),
) -> IndexReport:
    """Add `sources` to the library in `data_dir` in one commit (see the module docstring);
    with `rebuild`, build it anew from them and every dump the manifest records. `year` dates
    pages that show no year; a source over `max_bytes` is refused while it is read (a failure
    in the report).

    `forget`: recorded dump names (manifest `sources` keys) to remove in the same commit. Each
    is merged as a dump that holds no papers, so the papers only it supplied go (`removed`) and
    the others are merged again from their remaining variants (`dropped`); its manifest entry
    moves to `forgotten`, which `--rebuild` never reads. Indexing it again brings it back.
    Triage in `state.db` is never touched.

    Holds the write lock (LibraryBusy when another run holds it) and creates
    every file private to the user. LibraryError (one line) when the library cannot be
    written, is damaged, or was built by another schema version (LibraryOutdated: upgrade it
    with `migration.upgrade`)."""
    with write_lock(data_dir), private_umask():
        return _index_locked(
            data_dir, sources, rebuild, year, progress, max_bytes=max_bytes, forget=forget
        )


def _index_locked(
    data_dir: Path,
    sources: Sequence[Source],
    rebuild: bool,
    year: int | None,
    progress: Progress | None,
    *,
    max_bytes: int,
    forget: Sequence[str],
) -> IndexReport:
    report = IndexReport()
    found = read_manifest(data_dir) if not rebuild else _manifest_for_rebuild(data_dir)
    if found is not None:
        clear_debris(data_dir, found)  # what a killed or failed run left, any kind
    meta = found if found is not None else empty_manifest()
    if not rebuild and meta.get("index") and meta.get("schema") != SCHEMA_VERSION:
        # Adding documents of this schema to an index of another would corrupt it.
        check_version(data_dir)  # raises LibraryOutdated, or LibraryError for a newer one
    recorded: dict[str, RecordedDump] = dict(meta.get("sources", {}))
    if rebuild:
        sources = _with_recorded(data_dir, sources, recorded, report)
        recorded = {}

    # Parse every changed source first: nothing is written until all inputs were read. The
    # records go to a private temporary file (run_records.py), not into memory.
    records = RunRecords(data_dir)
    try:
        return _index_parsed(
            data_dir,
            sources,
            records,
            meta,
            recorded,
            report,
            rebuild,
            year,
            progress,
            max_bytes=max_bytes,
            forget=forget,
        )
    finally:
        records.close()


def _index_parsed(
    data_dir: Path,
    sources: Sequence[Source],
    records: RunRecords,
    meta: Manifest,
    recorded: dict[str, RecordedDump],
    report: IndexReport,
    rebuild: bool,
    year: int | None,
    progress: Progress | None,
    *,
    max_bytes: int,
    forget: Sequence[str],
) -> IndexReport:
    parsed = parse_sources(
        sources, recorded, records, report, year=year, max_bytes=max_bytes, progress=progress
    )
    changed, hashes, paths = parsed.changed, parsed.hashes, parsed.paths
    for name in forget:
        if name in recorded and name not in changed:
            changed[name] = EncodedDump(kind="", page_date=None, papers=0)  # its papers go

    if not changed and not rebuild:
        if parsed.restamped:  # only stat data changed; a failed write just means hashing next time
            with contextlib.suppress(OSError):
                write_manifest(data_dir, {**meta, "sources": recorded})
        return report

    new_index_name = meta.get("index")
    if rebuild or not new_index_name:
        new_index_name = _next_index_name(data_dir, meta)
    target = data_dir / new_index_name
    if not rebuild and meta.get("index") and not index.exists_in(str(target)):
        # The manifest lists dumps as indexed: a new, empty index would silently lose them.
        raise LibraryError(damaged_index(target, FileNotFoundError("no index there")))
    new_copies: list[Path] = []
    try:
        try:
            ix = _open_or_create(target)
        except Exception as exc:
            raise LibraryError(
                f"cannot open the library index in {target}: {_reason(exc)}"
            ) from None
        copies = keep_piped(data_dir, parsed.piped, new_copies)
        fresh = rebuild or meta.get("index") is None
        previous: set[str] | None = set()
        if rebuild and (old := meta.get("index")):
            previous = previous_ids(data_dir / old)
        _write_generation(
            data_dir,
            ix,
            records,
            list(changed),
            report,
            fresh=fresh,
            previous=previous,
            progress=progress,
        )
    except BaseException:
        # A failed run removes what it wrote: a new generation's directory, the current one's
        # partial segments and temp files, stdin copies it made. The last commit stays.
        if new_index_name != meta.get("index"):
            remove_tree(target)
        else:
            clear_index_debris(target)
        for path in new_copies:
            with contextlib.suppress(OSError):
                path.unlink()
        raise

    forgotten: dict[str, RecordedDump] = dict(meta.get("forgotten") or {})
    for name, result in changed.items():
        if name in forget and name not in hashes:
            gone = recorded.pop(name).copy()
            gone.pop("stdin_copy", None)  # its copy is debris now: the next run clears it
            forgotten[name] = {**gone, "forgotten": now_iso()}
            continue
        forgotten.pop(name, None)  # indexed again: no longer forgotten
        dump: RecordedDump = {
            "path": paths[name],
            "sha256": hashes[name],
            "papers": result.papers,
            "indexed": now_iso(),
            "kind": result.kind,
            "page_date": result.page_date,
        }
        if name in copies:
            dump["stdin_copy"] = copies[name]
        recorded[name] = with_stamp(dump, parsed.stamps.get(name))
    old_index = meta.get("index")
    new_meta: Manifest = {"schema": SCHEMA_VERSION, "index": new_index_name, "sources": recorded}
    if forgotten:
        new_meta["forgotten"] = forgotten
    try:
        write_manifest(data_dir, new_meta)
    except OSError as exc:
        # The commit is done; the next run re-reads these dumps, which is harmless.
        raise LibraryError(
            f"cannot write the library manifest in {data_dir}: {_reason(exc)}"
        ) from None
    if old_index and old_index != new_index_name:
        remove_tree(data_dir / old_index)
    drop_carried_triage(data_dir, report.replaced)  # committed: the new ids hold their marks
    # Build and save the new generation's catalog now, so the first search or browser start
    # after this run reads it instead of building it.
    if progress:
        progress("catalog", 0, 1)
    # A reader builds it then, or says what is damaged.
    with contextlib.suppress(Exception), open_index_dir(target).searcher() as searcher:
        load_or_build(target, searcher)
    if progress:
        progress("catalog", 1, 1)
    return report


def _write_generation(
    data_dir: Path,
    ix: index.Index,
    records: RunRecords,
    changed: list[str],
    report: IndexReport,
    *,
    fresh: bool,
    previous: set[str] | None,
    progress: Progress | None,
) -> None:
    """Merge the changed sources' records (in `records`) with the stored records they touch,
    write the papers, carry triage over to changed ids, commit.

    `previous`: the live ids of the generation a rebuild replaces (None: unreadable), whose
    triage carries over to the rebuilt papers that answer to them.
    """
    folder = index_folder(ix)
    kept = "the library is as it was before this run"
    try:
        writer = _writer(ix, len(records))
    except Exception as exc:
        raise LibraryError(
            f"cannot write the library index in {folder}: {_reason(exc)}; {kept}"
        ) from None
    try:
        try:
            current = ix.searcher()
        except Exception as exc:  # a truncated or missing segment file
            raise LibraryError(damaged_index(folder, exc)) from None
        with current as searcher:
            loaded: dict[str, dict[str, Any]] = {}
            if not fresh:
                codes = records.codes()
                incoming = [codes.key(i) for i in range(len(records))]
                del codes
                loaded = affected_documents(searcher, changed, incoming)
                del incoming
            for old_id, stored in loaded.items():
                for name, recs in json.loads(stored["variants"]).items():
                    if name not in changed:
                        keys = [variant_key(rec) for rec in recs]
                        records.add(name, encode_records(recs, keys), origin=old_id)
            renames = write_papers(
                writer, records, loaded, report, fresh, progress, previous if fresh else None
            )
            carry_triage(data_dir, renames)
            report.renamed = renames
        writer.commit()
    except BaseException as exc:
        _cancel(writer)
        if isinstance(exc, (OSError, SubWriterFailed)):
            raise LibraryError(
                f"cannot write the library index in {folder}: {_reason(exc)}; {kept}"
            ) from None
        raise
    if isinstance(writer, GuardedMpWriter) and writer.failed():
        # Committed without a dead sub-writer's papers. The manifest is not updated, so the
        # next run reads this run's dumps again and adds what is missing.
        raise LibraryError(
            f"cannot write the library index in {folder}: {writer.failed()}; some papers of "
            "this run may be missing: run the same `paperbrowse index` again"
        )


def _writer(ix: index.Index, papers: int) -> Any:
    """A writer with `writer_options`; the guarded multiprocess writer when those ask for it."""
    options = writer_options(papers) | {"codec": PaperCodec()}
    procs = options.pop("procs", 1)
    if procs > 1:
        return GuardedMpWriter(ix, procs=procs, **options)
    return PaperSegmentWriter(ix, **options)


def _cancel(writer: Any) -> None:
    """Cancel a writer after a failure; a failing cancel must not hide the first error."""
    with contextlib.suppress(Exception):
        writer.cancel()
    if isinstance(writer, GuardedMpWriter):
        writer.stop()


def writer_options(papers: int) -> dict[str, Any]:
    """Whoosh writer settings for a run adding about `papers` papers: for big runs two writer
    processes (one per core), each writing its own segments (benchmarks/run.py measures it).
    No `limitmb`: PaperSegmentWriter's TermPool replaces Whoosh's pool (engine/term_pool.py)."""
    options: dict[str, Any] = {}
    if papers >= MULTIPROCESS_FROM and (os.cpu_count() or 1) > 1:
        options.update(procs=2, multisegment=True)
    return options


def _open_or_create(path: Path) -> index.Index:
    if path.exists() and index.exists_in(str(path)):
        return open_index_dir(path)
    ensure_private_dir(path)
    return create_index_dir(path, make_schema())


def _next_index_name(data_dir: Path, meta: Manifest) -> str:
    """The index directory a new generation goes into: `index-N+1` after the current one;
    leftovers of a killed rebuild in the way are removed."""
    n = 1
    current = meta.get("index") or ""
    number = current.removeprefix(INDEX_PREFIX)
    if current.startswith(INDEX_PREFIX) and number.isdigit():
        n = int(number) + 1
    while (data_dir / f"{INDEX_PREFIX}{n}").exists():
        if f"{INDEX_PREFIX}{n}" == current:
            n += 1
            continue
        remove_tree(data_dir / f"{INDEX_PREFIX}{n}")  # debris of a killed rebuild
        if (data_dir / f"{INDEX_PREFIX}{n}").exists():
            n += 1
    return f"{INDEX_PREFIX}{n}"


def _manifest_for_rebuild(data_dir: Path) -> Manifest | None:
    """The manifest, or None when it cannot be read (a rebuild then starts from scratch)."""
    try:
        return read_manifest(data_dir)
    except LibraryError:
        return None


def _with_recorded(
    data_dir: Path,
    sources: Sequence[Source],
    recorded: dict[str, RecordedDump],
    report: IndexReport,
) -> list[Source]:
    """A rebuild reads the given sources plus every recorded one that still exists, and what
    stdin delivered from its private copy."""
    given = {str(s.path.resolve()) for s in sources if s.path is not None}
    # Path-less sources given under a recorded name (stdin, records read back by an upgrade)
    # stand for that recorded source.
    given_names = {s.name for s in sources if s.path is None}
    result = list(sources)
    for name, info in sorted(recorded.items()):
        path = info.get("path")
        if path in given or name in given_names:
            continue
        piped = read_copy(data_dir, info.get("stdin_copy"))
        if piped is not None:
            result.append(Source(name=name, path=None, data=piped))
        elif path and Path(path).is_file():
            result.append(Source(name=name, path=Path(path)))
        else:
            report.warnings.append(
                f"{path or name}: recorded dump is gone; its papers are not in the rebuilt library"
            )
    return result
