"""One `index` run: read dumps, merge their papers into the library, commit once.

Guarantees: every write of a run lands in one Whoosh commit, so a run that fails or is killed
leaves the previous generation whole. The manifest (source hashes) is replaced atomically after
the commit; if a run dies between the two, the next run re-reads those dumps, which is harmless
because merging a dump's papers again gives the same records.

Identity (identity.py): the captures of one paper, in this run and in the library, become one
record: by arXiv id, else by normalised title. When a record's id changes (it gained an arXiv
id) or two records become one, the triage flags of the old ids are copied onto the new id in
`state.db` before the commit (old rows are kept), so no star, read or hidden mark is lost; a run
that changes no id never opens `state.db`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index

from paperbrowse.housekeeping import clear_debris, clear_index_debris, keep_piped, read_copy
from paperbrowse.library import (
    IndexReport,
    LibraryError,
    Source,
    _damaged,
    create_index_dir,
    now_iso,
    open_index_dir,
    remove_tree,
)
from paperbrowse.merging import (
    Variant,
    affected_documents,
    carry_triage,
    previous_ids,
    renames_on_rebuild,
    variant_key,
    write_papers,
)
from paperbrowse.mpwriter import GuardedMpWriter, SubWriterFailed
from paperbrowse.pages import DEFAULT_MAX_BYTES, DumpError, ParseResult, parse_capture, read_capture
from paperbrowse.pages.decoding import html_error, is_html_name
from paperbrowse.pages.reading import file_type, not_regular, read_limited
from paperbrowse.paths import ensure_private_dir, private_umask
from paperbrowse.postings import PaperCodec
from paperbrowse.schema import (
    SCHEMA_VERSION,
    paper_record,
)

if TYPE_CHECKING:
    from paperbrowse.library import Library

Progress = Callable[[str, int, int], None]
MULTIPROCESS_FROM = 5000  # papers in one run; below this a second process costs more than it saves


# What `index DIR` reads: select-all copies (.txt) and Markdown clips (.md, .markdown).
CAPTURE_SUFFIXES = (".txt", ".md", ".markdown")


def collect_sources(
    paths: Sequence[str], stdin: Any = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Source], list[str]]:
    """Expand CLI paths into sources: files, directories (recursively: *.txt, *.md, *.markdown),
    and `-` for stdin (read here, at most `max_bytes`).

    Returns the sources and one-line problems: missing paths, broken or looping links,
    unreadable directories, saved HTML pages in a directory (with how to save them as text),
    anything in a directory that is not a regular file (a FIFO, socket or device: never opened),
    and a stdin over the size limit.
    """
    sources: list[Source] = []
    problems: list[str] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key in seen:
            return
        seen.add(key)
        sources.append(Source(name=path.name, path=path))

    for raw in paths:
        if raw == "-":
            try:
                data = read_limited(stdin.buffer, "stdin", max_bytes) if stdin is not None else b""
            except DumpError as exc:
                problems.append(str(exc))
                continue
            except OSError as exc:
                problems.append(f"stdin: cannot read: {exc.strerror}")
                continue
            # Named by content: a second, different pipe adds its papers instead of replacing
            # the first pipe's, and piping the same dump again changes nothing.
            digest = hashlib.sha256(data).hexdigest()[:12]
            sources.append(Source(name=f"stdin-{digest}", path=None, data=data))
            continue
        path = Path(raw)
        if path.is_dir():
            _walk(path, add, problems)
        elif path.exists():
            add(path)  # whatever it is: reading names what cannot be read (a FIFO, HTML)
        elif path.is_symlink():
            problems.append(f"{path}: broken or looping symbolic link")
        else:
            problems.append(f"{path}: no such file or directory")
    return sources, problems


def _walk(root: Path, add: Callable[[Path], None], problems: list[str]) -> None:
    """The captures under a directory, in name order; problems named in `problems`."""
    errors: list[OSError] = []
    found: list[Path] = []
    for base, dirs, files in os.walk(root, onerror=errors.append, followlinks=False):
        dirs.sort()
        found.extend(Path(base) / f for f in files)
    for err in errors:
        problems.append(f"{err.filename}: cannot read directory: {err.strerror}")
    for file in sorted(found):
        name = file.name.lower()
        try:
            kind = file_type(file.stat().st_mode)
        except OSError:
            if file.is_symlink() and name.endswith(CAPTURE_SUFFIXES):
                problems.append(f"{file}: broken or looping symbolic link")
            continue
        if kind == "a directory":
            continue  # a link to a directory: not followed
        if kind is not None:
            problems.append(str(not_regular(str(file), kind)))
        elif name.endswith(CAPTURE_SUFFIXES):
            add(file)
        elif is_html_name(name):
            problems.append(str(html_error(str(file))))


def source_key(
    source: Source,
    digest: str,
    recorded: dict[str, Any],
    by_path: dict[str, str],
    taken: set[str],
) -> str:
    """The name a dump's papers are recorded under in the manifest (and in their `sources`).

    Its file name (with U+FFFD for bytes that are not UTF-8), unless that name already
    belongs to another dump (a different `x.txt` in
    another directory that still exists) or to another file of this run: then the name plus a
    short hash of the dump's full path, so neither replaces the other's papers. A dump indexed
    before keeps its name, and so does one that moved or was copied (its recorded path is gone,
    or the recorded content is the same).
    """
    if source.path is None:
        return source.name
    real = str(source.path.resolve())
    known = by_path.get(real)
    if known is not None and known not in taken:
        return known
    name = display_name(source.name)
    entry = recorded.get(name, {})
    recorded_path = entry.get("path")
    if name not in taken and (
        name not in recorded
        or entry.get("sha256") == digest
        or not recorded_path
        or not Path(recorded_path).exists()
    ):
        return name
    stem, dot, suffix = name.rpartition(".")
    tag = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{stem}~{tag}.{suffix}" if dot and stem else f"{name}~{tag}"


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as surrogate escapes)
    become U+FFFD, so the name can be stored, indexed and printed like any other."""
    return os.fsencode(name).decode("utf-8", "replace")


def _read(source: Source, max_bytes: int) -> tuple[bytes, float | None]:
    """A source's bytes, read once (the bytes that are hashed are the bytes that are parsed),
    and its modification time (None for stdin)."""
    if source.data is not None:
        return source.data, None
    assert source.path is not None
    return read_capture(source.path, str(source.path), max_bytes)


def _parse(source: Source, data: bytes, mtime: float | None, year: int | None) -> ParseResult:
    label = str(source.path) if source.path else source.name
    return parse_capture(data, source.name, label=label, mtime=mtime, year=year)


def run_index(
    library: Library,
    sources: Sequence[Source],
    *,
    rebuild: bool = False,
    year: int | None = None,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IndexReport:
    """Index `sources` into `library` (the caller holds the write lock). A source over
    `max_bytes` is refused while it is read."""
    with private_umask():  # the index files and their temp files: readable by the user only
        return _run_index(
            library, sources, rebuild=rebuild, year=year, progress=progress, max_bytes=max_bytes
        )


def _run_index(
    library: Library,
    sources: Sequence[Source],
    *,
    rebuild: bool,
    year: int | None,
    progress: Progress | None,
    max_bytes: int,
) -> IndexReport:
    report = IndexReport()
    meta = library.manifest() if not rebuild else _manifest_for_rebuild(library)
    if meta is not None:
        clear_debris(library.data_dir, meta)  # what a killed or failed run left, any kind
    else:
        meta = {"schema": SCHEMA_VERSION, "index": None, "sources": {}}
    if not rebuild and meta.get("index") and meta.get("schema") != SCHEMA_VERSION:
        # Adding documents of this schema to an index of another would corrupt it.
        library.check_version()  # raises LibraryOutdated, or LibraryError for a newer one
    recorded: dict[str, Any] = dict(meta.get("sources", {}))
    if rebuild:
        sources = _with_recorded(library.data_dir, sources, recorded, report)
        recorded = {}

    # Parse every changed source first: nothing is written until all inputs were read.
    changed: dict[str, ParseResult] = {}
    hashes: dict[str, str] = {}
    paths: dict[str, str | None] = {}
    piped: dict[str, bytes] = {}  # what stdin delivered, by source key (kept for rebuilds)
    by_path = {info["path"]: key for key, info in recorded.items() if info.get("path")}
    taken: set[str] = set()  # source keys used in this run
    for n, source in enumerate(sources, 1):
        if progress:
            progress("read", n, len(sources))
        try:
            if source.records is not None:
                data, mtime = _records_bytes(source.records), None
            else:
                data, mtime = _read(source, max_bytes)
        except DumpError as exc:
            report.failures.append(str(exc))
            continue
        digest = hashlib.sha256(data).hexdigest()
        key = source_key(source, digest, recorded, by_path, taken)
        if key in taken:  # the same stdin bytes twice
            continue
        taken.add(key)
        try:
            if recorded.get(key, {}).get("sha256") == digest:
                report.files_unchanged += 1
                report.files_read += 1
                continue
            if source.records is not None:
                result = ParseResult(source.name, list(source.records))
            else:
                result = _parse(source, data, mtime, year)
        except DumpError as exc:
            report.failures.append(str(exc))
            continue
        report.files_read += 1
        report.papers_parsed += len(result.papers)
        report.warnings.extend(str(w) for w in result.warnings)
        changed[key] = result
        hashes[key] = digest
        paths[key] = str(source.path.resolve()) if source.path else None
        if source.path is None:
            piped[key] = data

    if not changed and not rebuild:
        return report

    new_index_name = meta.get("index")
    if rebuild or not new_index_name:
        new_index_name = _next_index_name(library, meta)
    target = library.data_dir / new_index_name
    if not rebuild and meta.get("index") and not index.exists_in(str(target)):
        # The manifest lists dumps as indexed: a new, empty index would silently lose them.
        raise LibraryError(_damaged(target, FileNotFoundError("no index there")))
    new_copies: list[Path] = []
    try:
        try:
            ix = _open_or_create(target)
        except Exception as exc:
            raise LibraryError(
                f"cannot open the library index in {target}: {_reason(exc)}"
            ) from None
        copies = keep_piped(library.data_dir, piped, new_copies)
        fresh = rebuild or meta.get("index") is None
        previous: set[str] | None = set()
        if rebuild and meta.get("index"):
            previous = previous_ids(library.data_dir / meta["index"])
        _write_generation(
            library, ix, changed, report, fresh=fresh, previous=previous, progress=progress
        )
    except BaseException:
        # A failed run removes what it wrote: a new generation's directory, the current one's
        # partial segments and temp files, stdin copies it made. The last commit stays.
        library.close()
        if new_index_name != meta.get("index"):
            remove_tree(target)
        else:
            clear_index_debris(target)
        for path in new_copies:
            with contextlib.suppress(OSError):
                path.unlink()
        raise

    for name, result in changed.items():
        recorded[name] = {
            "path": paths[name],
            "sha256": hashes[name],
            "papers": len(result.papers),
            "indexed": now_iso(),
        }
        if name in copies:
            recorded[name]["stdin_copy"] = copies[name]
    old_index = meta.get("index")
    new_meta = {"schema": SCHEMA_VERSION, "index": new_index_name, "sources": recorded}
    try:
        library._write_manifest(new_meta)
    except OSError as exc:
        # The commit is done; the next run re-reads these dumps, which is harmless.
        raise LibraryError(
            f"cannot write the library manifest in {library.data_dir}: {_reason(exc)}"
        ) from None
    if old_index and old_index != new_index_name:
        library.close()
        remove_tree(library.data_dir / old_index)
    library.close()
    # Build and save the new generation's catalog now, so the first search or browser start
    # after this run reads it instead of building it.
    if progress:
        progress("catalog", 0, 1)
    with contextlib.suppress(LibraryError):
        _ = library.catalog
    library.close()
    if progress:
        progress("catalog", 1, 1)
    return report


def _records_bytes(records: Sequence[Any]) -> bytes:
    """What identifies a source of already-parsed records (for its recorded hash)."""
    return json.dumps([paper_record(p) for p in records], sort_keys=True).encode("utf-8")


def _write_generation(
    library: Library,
    ix: index.Index,
    changed: dict[str, ParseResult],
    report: IndexReport,
    *,
    fresh: bool,
    previous: set[str] | None,
    progress: Progress | None,
) -> None:
    """Merge the changed sources' records with the stored records they touch, write the
    papers, carry triage over to changed ids, commit.

    `previous`: the live ids of the generation a rebuild replaces (None: unreadable), whose
    triage carries over to the rebuilt papers that answer to them.
    """
    variants: list[Variant] = []
    for name, result in changed.items():
        for paper in result.papers:
            rec = paper_record(paper)
            rec["sources"] = [name]
            # The parser names the capture by its file name; the record knows it by its key.
            kinds = list(rec["page_kinds"].values())
            rec["page_kinds"] = {name: kinds[0]} if kinds else {}
            variants.append((name, rec, None))

    folder = Path(ix.storage.folder)
    kept = "the library is as it was before this run"
    try:
        writer = _writer(ix, len(variants))
    except Exception as exc:
        raise LibraryError(
            f"cannot write the library index in {folder}: {_reason(exc)}; {kept}"
        ) from None
    try:
        try:
            current = ix.searcher()
        except Exception as exc:  # a truncated or missing segment file
            raise LibraryError(_damaged(folder, exc)) from None
        with current as searcher:
            keys = [variant_key(rec) for _, rec, _ in variants]
            loaded = {} if fresh else affected_documents(searcher, list(changed), keys)
            for old_id, stored in loaded.items():
                for name, recs in json.loads(stored["variants"]).items():
                    if name not in changed:
                        variants.extend((name, rec, old_id) for rec in recs)
                        keys.extend(variant_key(rec) for rec in recs)
            renames = write_papers(writer, variants, keys, loaded, report, fresh, progress)
            if fresh:
                renames = renames_on_rebuild(renames, previous)
            carry_triage(library.data_dir, renames)
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
            f"an index writer process failed ({writer.failed()}); some papers of this run may "
            "be missing: run the same `paperbrowse index` again"
        )


def _reason(exc: BaseException) -> str:
    """One line saying why a write failed ("No space left on device")."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _writer(ix: index.Index, papers: int) -> Any:
    """A writer with `writer_options`; the guarded multiprocess writer when those ask for it."""
    options = writer_options(papers) | {"codec": PaperCodec()}
    procs = options.pop("procs", 1)
    if procs > 1:
        return GuardedMpWriter(ix, procs=procs, **options)
    return ix.writer(**options)


def _cancel(writer: Any) -> None:
    """Cancel a writer after a failure; a failing cancel must not hide the first error."""
    with contextlib.suppress(Exception):
        writer.cancel()
    if isinstance(writer, GuardedMpWriter):
        writer.stop()


def writer_options(papers: int) -> dict[str, Any]:
    """Whoosh writer settings for a run adding about `papers` papers.

    A large pool keeps postings in memory instead of spilling sorted runs to disk; for big runs
    two writer processes (one per core) roughly halve the time. Measured in benchmarks/run.py.
    Each writer process of a big run gets 2,048 MB (Whoosh's own estimate of its postings, about
    180 bytes each): since the unstemmed word fields, a paper makes about 300 postings, and
    1,024 MB spilled runs of 677 MB to disk per process at 100,000 papers.
    """
    options: dict[str, Any] = {"limitmb": 1024}
    if papers >= MULTIPROCESS_FROM and (os.cpu_count() or 1) > 1:
        options.update(procs=2, multisegment=True, limitmb=2048)
    return options


def _open_or_create(path: Path) -> index.Index:
    if path.exists() and index.exists_in(str(path)):
        return open_index_dir(path)
    ensure_private_dir(path)
    return create_index_dir(path)


def _next_index_name(library: Library, meta: dict[str, Any]) -> str:
    n = 1
    current = meta.get("index") or ""
    if current.startswith("index-") and current[6:].isdigit():
        n = int(current[6:]) + 1
    while (library.data_dir / f"index-{n}").exists():
        if f"index-{n}" == current:
            n += 1
            continue
        remove_tree(library.data_dir / f"index-{n}")  # debris of a killed rebuild
        if (library.data_dir / f"index-{n}").exists():
            n += 1
    return f"index-{n}"


def _manifest_for_rebuild(library: Library) -> dict[str, Any] | None:
    """The manifest, or None when it cannot be read (a rebuild then starts from scratch)."""
    try:
        return library.manifest()
    except LibraryError:
        return None


def _with_recorded(
    data_dir: Path, sources: Sequence[Source], recorded: dict[str, Any], report: IndexReport
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
