"""The paper library: a Whoosh index plus a manifest of the dumps it was built from.

Layout of a data dir::

    library.json    manifest: schema version, current index dir, source files with their hashes
    index-N/        the Whoosh index (one commit per `index` run, so a killed run leaves it whole)
    state.db        triage flags (see triage.py), never touched by indexing
    write.lock      held by the one process that is indexing

Text search goes through Whoosh; listing, date windows, numeric bounds, triage views and sorts go
through a catalog of per-document columns (id, date, upvotes, comments, authors, stars; see
catalog.py) read once per index generation and kept in memory, so the browser's most common views
never run a Whoosh range query.

A library built by an earlier schema version raises LibraryOutdated when opened: the Library only
reads, and the command line rebuilds it (`paperbrowse.migration`) before going on.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index, query
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import (
    GtLtPlugin,
    MultifieldPlugin,
    QueryParser,
    QueryParserError,
    WildcardPlugin,
    syntax,
)
from whoosh.searching import Searcher
from whoosh.util.filelock import FcntlLock

from paperbrowse.catalog import Catalog
from paperbrowse.matching import WORDS_FIELD, DocSets, positive_terms, top_scored
from paperbrowse.models import Filters, Paper
from paperbrowse.paths import MANIFEST, atomic_write, ensure_private_dir
from paperbrowse.patterns import WORD_FIELDS, PatternTooBroad, has_pattern
from paperbrowse.postings import TermArrays
from paperbrowse.query_text import field_problem, operator_problem

# Indexes of schema 7 and earlier pickled their schema naming `paperbrowse.library.PaperDate`:
# it stays importable here so that their ids can still be read when they are upgraded.
from paperbrowse.schema import NUMBER_FIELDS, SCHEMA_VERSION, date_long, make_schema, record_paper
from paperbrowse.schema import PaperDate as PaperDate
from paperbrowse.text import nfc

_DAY_US = 86_400_000_000
RELEVANCE_TOP = 500  # results ranked by score; the rest follow newest first


class LibraryError(Exception):
    """The library cannot be used as asked; the message is one line for the user."""


class LibraryBusy(LibraryError):
    """Another process holds the write lock."""


class LibraryOutdated(LibraryError):
    """The library was built by an earlier schema version: rebuild it from its recorded dumps
    (`migration.upgrade`) before reading it. `version` is its schema version (0 if unknown)."""

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


class QueryError(ValueError):
    """A query or date the user typed cannot be understood; the message names it."""


# ---------------------------------------------------------------------------------------------
# Reading: catalog and results


@dataclass(frozen=True)
class Row:
    """What a list row shows of a paper, read from its stored record."""

    docnum: int
    id: str
    title: str
    published: date | None
    upvotes: int | None
    org: str | None
    authors: int | None
    has_code: bool
    comments: int | None = None
    arxiv_id: str | None = None


@dataclass
class Results(Sequence[Row]):
    """An ordered result set of document numbers; rows and papers are read lazily."""

    library: Library
    docnums: list[int]
    sort: str
    terms: tuple[str, ...] = ()
    _rows: dict[int, Row] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.docnums)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.row(j) for j in range(*i.indices(len(self)))]
        return self.row(i)

    def row(self, i: int) -> Row:
        """The list row of the i-th result."""
        doc = self.docnums[i]
        row = self._rows.get(doc)
        if row is None:
            row = self.library.row(doc)
            if len(self._rows) > 4096:
                self._rows.clear()
            self._rows[doc] = row
        return row

    def paper(self, i: int) -> Paper:
        """The full record of the i-th result."""
        return self.library.paper_at(self.docnums[i])

    def papers(self) -> Iterator[Paper]:
        """Every result's full record, in order, read one at a time."""
        for doc in self.docnums:
            yield self.library.paper_at(doc)

    @property
    def ids(self) -> list[str]:
        """The paper ids, in order."""
        return [self.library.catalog.ids[d] for d in self.docnums]


# ---------------------------------------------------------------------------------------------
# The library


@dataclass
class IndexReport:
    """What one `index` run did.

    Parsed papers add up: `papers_parsed` == `new` + `updated` + `unchanged` + `duplicates`,
    where `duplicates` counts the parsed records that were another record of a paper parsed in
    this run (the same paper in two dumps, or twice in one), so each paper is counted once.
    Papers no record of this run belongs to are counted apart: `dropped`, stored papers that
    changed although this run parsed none of their records (a changed dump no longer holds
    them, another still does), and `removed`, those no dump holds any more. `merged` counts
    stored papers found to be another stored paper and joined to it."""

    files_read: int = 0
    files_unchanged: int = 0
    papers_parsed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    merged: int = 0  # stored papers found to be another stored paper, and joined to it
    duplicates: int = 0
    dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class Source:
    """One input to index: a file, stdin's bytes under a name, or papers already parsed
    (`records`, e.g. from an importer; a rebuild cannot read them again, as for stdin)."""

    name: str
    path: Path | None
    data: bytes | None = None
    records: list[Paper] | None = None


class Library:
    """A paper library in `data_dir`. Reading never blocks on a writer."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._searcher: Searcher | None = None
        self._catalog: Catalog | None = None
        self._ix: index.Index | None = None
        self._parser: QueryParser | None = None
        self._arrays: TermArrays | bool | None = None

    # -- manifest ------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        """The manifest (empty library: no index, no sources)."""
        path = self.data_dir / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return {"schema": SCHEMA_VERSION, "index": None, "sources": {}}
        except (OSError, ValueError) as exc:
            raise LibraryError(
                f"{path}: unreadable library manifest ({exc}); "
                "run `paperbrowse index --rebuild PATH...`"
            ) from None
        problem = manifest_problem(data)
        if problem:
            raise LibraryError(
                f"{path}: not a paperbrowse library manifest ({problem}); "
                "run `paperbrowse index --rebuild PATH...`"
            )
        return data

    def _write_manifest(self, data: dict[str, Any]) -> None:
        ensure_private_dir(self.data_dir)
        text = json.dumps(data, indent=1, sort_keys=True)
        atomic_write(
            self.data_dir / MANIFEST,
            text.encode("utf-8"),
            prefix=".library-",
            suffix=".json",
            durable=True,
        )

    # -- reading -------------------------------------------------------------------------------

    def check_version(self) -> None:
        """Raise LibraryOutdated when the library was built by an earlier schema version, and
        LibraryError when by a later one (a newer paperbrowse); an empty library passes."""
        meta = self.manifest()
        version = meta.get("schema")
        if not meta.get("index") or version == SCHEMA_VERSION:
            return
        if not isinstance(version, int) or version < SCHEMA_VERSION:
            raise LibraryOutdated(
                f"the library in {self.data_dir} was built by an earlier version of paperbrowse "
                f"(schema {version}, now {SCHEMA_VERSION})",
                version if isinstance(version, int) else 0,
            )
        raise LibraryError(
            f"the library in {self.data_dir} was built by a newer version of paperbrowse "
            f"(schema {version}, this one reads {SCHEMA_VERSION}); upgrade paperbrowse, or "
            "run `paperbrowse index --rebuild` to rebuild it from its recorded dumps"
        )

    def _open_index(self) -> index.Index | None:
        if self._ix is not None:
            return self._ix
        meta = self.manifest()
        if not meta.get("index"):
            return None
        self.check_version()
        path = self.data_dir / meta["index"]
        try:
            self._ix = open_index_dir(path)
        except Exception as exc:  # Whoosh raises many kinds for a damaged index
            raise LibraryError(_damaged(path, exc)) from None
        return self._ix

    @property
    def searcher(self) -> Searcher | None:
        """An open searcher on the current generation (None for an empty library)."""
        if self._searcher is None:
            ix = self._open_index()
            if ix is None:
                return None
            try:
                self._searcher = ix.searcher()
            except Exception as exc:
                raise LibraryError(_damaged(Path(ix.storage.folder), exc)) from None
        return self._searcher

    @property
    def catalog(self) -> Catalog:
        """The in-memory columns of the current generation (built on first use)."""
        if self._catalog is None:
            searcher = self.searcher
            if searcher is None:
                raise LibraryError("the library is empty")
            folder = Path(self._ix.storage.folder) if self._ix is not None else self.data_dir
            key = Catalog.key_of(searcher)
            catalog = Catalog.load(folder, key)
            if catalog is None:
                try:
                    catalog = Catalog.build(searcher)
                except Exception as exc:
                    raise LibraryError(_damaged(folder, exc)) from None
                with contextlib.suppress(OSError):
                    catalog.save(folder)  # a read-only library still works, only slower to open
            self._catalog = catalog
        return self._catalog

    def has_update(self) -> bool:
        """True when a newer generation was committed since this library was opened (cheap)."""
        if self._searcher is None:
            meta = self.manifest()
            return bool(meta.get("index")) and self._ix is None
        meta = self.manifest()
        current = Path(self._ix.storage.folder).name if self._ix else None
        if meta.get("index") and current != meta["index"]:
            return True
        try:
            return not self._searcher.up_to_date()
        except Exception:
            return False

    def refresh(self) -> bool:
        """Pick up a newer committed generation; True when there was one."""
        if self._searcher is None:
            had = self._ix is not None
            self.close()
            return not had and self.searcher is not None
        meta = self.manifest()
        current = self._ix.storage.folder if self._ix else None
        if meta.get("index") and current and Path(current).name != meta["index"]:
            self.close()
            return self.searcher is not None
        if self._searcher.up_to_date():
            return False
        # Reopen rather than Searcher.refresh(): that reuses segment readers whose deletions
        # changed, so papers updated by the new generation would show twice.
        self.close()
        return self.searcher is not None

    @property
    def term_arrays(self) -> TermArrays | None:
        """The current generation's postings side files (None: some segment has none)."""
        if self._arrays is None and self._ix is not None and self._searcher is not None:
            found = TermArrays.for_searcher(Path(self._ix.storage.folder), self._searcher)
            self._arrays = found if found is not None else False
        return self._arrays if isinstance(self._arrays, TermArrays) else None

    def close(self) -> None:
        """Release the searcher and index."""
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._catalog = None
        self._arrays = None  # its files close once no search still holds them
        self._ix = None

    def __len__(self) -> int:
        searcher = self.searcher
        return 0 if searcher is None else searcher.doc_count()

    def row(self, docnum: int) -> Row:
        """A list row for a document number."""
        assert self.searcher is not None
        stored = self.searcher.stored_fields(docnum)
        paper = record_paper(json.loads(stored["record"]))
        return Row(
            docnum=docnum,
            id=stored["id"],
            title=paper.title,
            published=paper.published,
            upvotes=paper.upvotes,
            org=paper.org,
            authors=paper.authors,
            has_code=paper.has_code,
            comments=paper.comments,
            arxiv_id=paper.arxiv_id,
        )

    def paper_at(self, docnum: int) -> Paper:
        """The full merged record of a document number."""
        assert self.searcher is not None
        return record_paper(json.loads(self.searcher.stored_fields(docnum)["record"]))

    def get(self, paper_id: str) -> Paper | None:
        """A paper by id, by an unambiguous id prefix (like git), by an id it had before (before
        it gained an arXiv id, or before two records of it were found to be one), or by its
        arXiv id (`2510.04618`, `arXiv:2510.04618v2`). LibraryError when a prefix is ambiguous."""
        searcher = self.searcher
        if searcher is None:
            return None
        pid = paper_id.strip().lower()
        if not pid:
            return None
        if _ARXIV_ID.match(pid):
            arxiv = self.parse_query(f"arxiv:{pid.removeprefix('arxiv:')}")
            docs = list(arxiv.docs(searcher)) if arxiv is not None else []
        elif len(pid) < 12:
            docs = list(query.Prefix("id", pid).docs(searcher))
        else:
            doc = searcher.document_number(id=pid)
            if doc is None:
                doc = searcher.document_number(keys=pid)
            docs = [doc] if doc is not None else []
        if len(docs) > 1:
            raise LibraryError(f"id prefix {paper_id!r} is ambiguous ({len(docs)} papers)")
        return self.paper_at(docs[0]) if docs else None

    # -- searching -----------------------------------------------------------------------------

    def parse_query(self, text: str) -> query.Query | None:
        """The Whoosh query for `text`; None for an empty query. QueryError when malformed."""
        text = nfc(text).strip()  # the index holds NFC text (see text.clean_line)
        if not text:
            return None
        _check_balanced(text)
        converted = _minus_as_not(text)
        problem = field_problem(converted) or operator_problem(converted)
        if problem:
            raise QueryError(f"invalid query {_quoted(text)}: {problem}")
        if self._parser is None:
            schema = self.searcher.schema if self.searcher else make_schema()
            parser = _QueryParser(None, schema)
            parser.remove_plugin_class(WildcardPlugin)
            parser.add_plugin(_WildcardPlugin())
            parser.add_plugin(MultifieldPlugin(["title", "abstract"]))
            parser.add_plugin(GtLtPlugin())
            self._parser = parser
        try:
            parsed = self._parser.parse(converted)
        except QueryParserError as exc:
            raise QueryError(f"invalid query {_quoted(text)}: {exc}") from None
        except Exception:  # Whoosh's parser can fail with its own internals on odd input
            raise QueryError(
                f"invalid query {_quoted(text)}: cannot be read as a query; see "
                "`paperbrowse search --help` for the query language"
            ) from None
        problem = _query_error(parsed)
        if problem:
            raise QueryError(f"invalid query {_quoted(text)}: {problem}")
        return parsed

    def search(self, filters: Filters, triage: Any = None) -> Results:
        """Papers matching `filters`, in its sort order. `triage` (a TriageStore) for views."""
        parsed = self.parse_query(filters.query)
        sort = filters.effective_sort
        searcher = self.searcher
        if searcher is None:
            return Results(self, [], sort)
        catalog = self.catalog
        text_query, ranges = _split_ranges(parsed)
        if filters.since or filters.until:
            lo = date_long(filters.since) if filters.since else None
            hi = date_long(filters.until) + _DAY_US - 1 if filters.until else None
            ranges.append(("date", lo, hi))

        order_by = "date" if sort == "relevance" else sort
        arrays: TermArrays | None = None
        if text_query is None and not ranges and (filters.state == "all" or triage is None):
            docs: list[int] = list(catalog.order(order_by))
        else:
            # Flags per document number: matched, in every range, in the triage view.
            if text_query is None:
                flags = catalog.mask()
            else:
                shared = self.term_arrays
                arrays = shared.scoped() if shared is not None else None
                try:
                    matched = DocSets(searcher, catalog.live_array, arrays, catalog.nonempty).docs(
                        text_query
                    )
                except (QueryParserError, PatternTooBroad) as exc:
                    raise QueryError(f"invalid query {_quoted(filters.query)}: {exc}") from None
                except Exception as exc:  # reading postings failed: the index, not the query
                    raise LibraryError(_damaged(Path(str(self.data_dir)), exc)) from None
                flags = catalog.mask(matched)
            for name, lo, hi in ranges:
                flags &= catalog.in_range(name, _range_value(name, lo), _range_value(name, hi))
            flags = self._apply_state(flags, filters.state, triage)
            order = catalog.order_array(order_by)
            selected = order[flags[order]]
            if text_query is not None and sort == "relevance" and len(selected):
                selected = self._by_relevance(text_query, selected, arrays)
            docs = selected.tolist()
        if filters.limit:
            docs = docs[: filters.limit]
        terms = tuple(
            sorted(
                {t.decode() if isinstance(t, bytes) else str(t) for _, t in _text_terms(text_query)}
            )
        )
        return Results(self, docs, sort, terms)

    def _by_relevance(
        self, q: query.Query, docs: np.ndarray, arrays: TermArrays | None
    ) -> np.ndarray:
        """The RELEVANCE_TOP best-scoring of `docs` (BM25F), then the rest in their order.

        Scoring every match of a common word costs Whoosh a few hundred milliseconds at 100,000
        papers; nobody reads relevance order past the first few hundred results.
        """
        assert self.searcher is not None
        catalog = self.catalog
        top = top_scored(
            self.searcher,
            q,
            docs,
            catalog.length_arrays,
            RELEVANCE_TOP,
            catalog.rank_array("date"),
            arrays,
        )
        if top is None and has_pattern(q):
            return docs  # patterns score nothing (as in Lucene): newest first
        if top is None:
            allowed = None if len(docs) == len(catalog.live) else set(docs.tolist())
            hits = self.searcher.search(q, limit=RELEVANCE_TOP, filter=allowed)
            top = np.array([hit.docnum for hit in hits], dtype=np.int64)
        seen = np.zeros(catalog.size, dtype=bool)
        seen[top] = True
        return np.concatenate([top, docs[~seen[docs]]])

    def _apply_state(self, flags: np.ndarray, state: str, triage: Any) -> np.ndarray:
        """`flags` narrowed to a triage view (all, inbox, unread, read, starred, hidden)."""
        if state == "all" or triage is None:
            return flags
        catalog = self.catalog
        if state in ("read", "starred", "hidden"):
            return flags & catalog.flags_of(triage.ids_with(state))
        drop = triage.ids_with("read")
        if state == "inbox":
            drop |= triage.ids_with("hidden")
        return flags & ~catalog.flags_of(drop)

    # -- statistics ----------------------------------------------------------------------------

    def stats(self) -> LibraryStats:
        """Counts, date span, per-month histogram, top organisations and link hosts."""
        stats = LibraryStats()
        if self.searcher is None:
            return stats
        from collections import Counter
        from urllib.parse import urlsplit

        months: Counter[str] = Counter()
        orgs: Counter[str] = Counter()
        hosts: Counter[str] = Counter()
        dates: list[date] = []
        for doc in self.catalog.live:
            paper = self.paper_at(doc)
            stats.papers += 1
            if paper.published:
                dates.append(paper.published)
                months[paper.published.strftime("%Y-%m")] += 1
            if paper.org:
                orgs[paper.org] += 1
            for link in paper.links:
                hosts[urlsplit(link).netloc.lower().removeprefix("www.")] += 1
        stats.dated = len(dates)
        if dates:
            stats.first, stats.last = min(dates), max(dates)
        stats.months = sorted(months.items())
        stats.orgs = orgs.most_common(10)
        stats.hosts = hosts.most_common(10)
        stats.sources = len(self.manifest().get("sources", {}))
        return stats

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the library's write lock, or raise LibraryBusy at once."""
        try:
            ensure_private_dir(self.data_dir)
            fd = os.open(self.data_dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise LibraryError(
                    f"the library in {self.data_dir} is read-only ({exc.strerror}): it cannot "
                    "be updated (searching and reading it work)"
                ) from None
            raise
        handle = os.fdopen(fd, "a+")  # held for the block
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LibraryBusy(
                    f"the library in {self.data_dir} is being updated by another paperbrowse; "
                    "try again when it finishes"
                ) from None
            yield
        finally:
            handle.close()

    def index(
        self,
        sources: Sequence[Source],
        *,
        rebuild: bool = False,
        year: int | None = None,
        progress: Callable[[str, int, int], None] | None = None,
        max_bytes: int | None = None,
    ) -> IndexReport:
        """Add captures to the library in one commit; see the module docstring for guarantees.
        `max_bytes` (default 64 MB) is the size over which a capture is refused."""
        from paperbrowse.indexer import run_index

        limit = {"max_bytes": max_bytes} if max_bytes is not None else {}
        with self.write_lock():
            return run_index(self, sources, rebuild=rebuild, year=year, progress=progress, **limit)


@dataclass
class LibraryStats:
    """Numbers for `paperbrowse stats`."""

    papers: int = 0
    dated: int = 0
    sources: int = 0
    first: date | None = None
    last: date | None = None
    months: list[tuple[str, int]] = field(default_factory=list)
    orgs: list[tuple[str, int]] = field(default_factory=list)
    hosts: list[tuple[str, int]] = field(default_factory=list)


_INDEX_NAME = re.compile(r"index-[0-9]+")


def manifest_problem(data: Any) -> str | None:
    """What is wrong with the shape of a parsed `library.json`, or None.

    The shape: {"schema": int, "index": "index-N" or null, "sources": {name: {"sha256": str,
    "path": str or null, ...}}}. The index name must be a plain `index-N`: the manifest names a
    directory that a rebuild deletes, so a hand-edited `../x` must never be followed.
    """
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__} instead of an object"
    if not isinstance(data.get("schema"), int):
        return "no schema version"
    name = data.get("index")
    if name is not None and not (isinstance(name, str) and _INDEX_NAME.fullmatch(name)):
        return f"index {name!r} is not index-N"
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        return "sources is not an object"
    for key, info in sources.items():
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            return f"source {key!r} has no content hash"
        if not isinstance(info.get("path"), (str, type(None))):
            return f"source {key!r} has a path that is not text"
    return None


# ---------------------------------------------------------------------------------------------
# Query helpers


class _PrivateLock(FcntlLock):
    """Whoosh's lock file (MAIN_WRITELOCK), created 0600 like every file of the library.

    Whoosh opens it with the default mode 0777, which the private umask makes 0700: a file
    that is executable for no reason.
    """

    def acquire(self, blocking: bool = False) -> bool:
        os.close(os.open(self.filename, os.O_CREAT | os.O_WRONLY, 0o600))
        return bool(super().acquire(blocking))


class PrivateStorage(FileStorage):
    """Whoosh's FileStorage with a private lock file (see _PrivateLock)."""

    def lock(self, name: str) -> _PrivateLock:
        """The named lock, its file created 0600."""
        return _PrivateLock(self._fpath(name))


def open_index_dir(path: Path) -> index.Index:
    """Open the Whoosh index in `path` without memory-mapping it.

    Whoosh wraps a mapped compound segment in BytesIO, which copies the whole segment into
    memory (hundreds of MB at 100,000 papers); plain file reads keep memory flat.
    """
    return PrivateStorage(str(path), supports_mmap=False).open_index()


def create_index_dir(path: Path) -> index.Index:
    """A new, empty index with this version's schema in `path` (which must exist)."""
    return PrivateStorage(str(path), supports_mmap=False).create().create_index(make_schema())


def _damaged(path: Path, exc: BaseException) -> str:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (
        f"the library index in {path} is damaged ({detail}); "
        "run `paperbrowse index --rebuild` to rebuild it from its recorded dumps"
    )


class _QueryParser(QueryParser):
    """Whoosh's parser, except that wildcards, prefixes and ranges on a text field match the
    field's unstemmed, lower-cased words (patterns.WORD_FIELDS), not its stems.

    Whoosh runs a pattern through the field's stemmer (`pos*` became `po*` and matched
    "power") or matches it against stems (`title:diffusion*` found nothing: the stem is
    "diffus").
    """

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        words = WORD_FIELDS.get(fieldname)
        if termclass in (query.Wildcard, query.Prefix) and words is not None:
            return termclass(words, text.lower(), boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)

    def process(self, text, pos=0, debug=None):
        """Whoosh's syntax tree, with ranges on text fields made ranges of words."""
        nodes = super().process(text, pos, debug)
        _words_ranges(nodes)
        return nodes


class _WildcardPlugin(WildcardPlugin):
    """Whoosh's wildcard syntax, with a pattern kept whole: Whoosh joins a `*` or `?` to at
    most one neighbour on each side, so `?*.0` became the pattern `?*` and a word `.0`."""

    def do_wildcards(self, parser: QueryParser, group: Any) -> Any:
        """Join every run of adjacent text and wildcard nodes into one, then Whoosh's own."""
        _join_wildcards(self.WildcardNode, group)
        return super().do_wildcards(parser, group)


def _join_wildcards(kind: Any, group: Any) -> None:
    i = 0
    while i < len(group):
        node = group[i]
        if isinstance(node, kind):
            while i + 1 < len(group) and group[i + 1].is_text():
                node.text += group.pop(i + 1).text
            while i > 0 and group[i - 1].is_text():
                node.text = group.pop(i - 1).text + node.text
                i -= 1
        elif isinstance(node, syntax.GroupNode):
            _join_wildcards(kind, node)
        i += 1


class _WordRangeNode(syntax.RangeNode):
    """`title:[a to c]`: the words from "a" to "c", unstemmed and lower-cased."""

    def query(self, parser: QueryParser) -> query.Query:
        words = WORD_FIELDS.get(self.fieldname or parser.fieldname)
        if words is None:
            return super().query(parser)
        start = self.start.lower() if self.start else None
        end = self.end.lower() if self.end else None
        found = query.TermRange(words, start, end, self.startexcl, self.endexcl, boost=self.boost)
        return syntax.attach(found, self)


def _words_ranges(node: Any) -> None:
    if type(node) is syntax.RangeNode:
        node.__class__ = _WordRangeNode
    for child in getattr(node, "nodes", ()) or ():
        _words_ranges(child)


def _quoted(text: str, limit: int = 60) -> str:
    """A query quoted for a message, shortened: messages stay one readable line."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# What `get` accepts as an arXiv id: a new-style or old-style id, optionally prefixed/versioned.
_ARXIV_ID = re.compile(r"^(arxiv:)?([0-9]{4}\.[0-9]{4,5}|[a-z][a-z.-]*/[0-9]{7})(v[0-9]+)?$")

# A minus at the start of a word (after a space or an opening parenthesis): `video -image`.
# Not one inside a word (`text-to-image`, `date:2024-01`) or a phrase.
_MINUS = re.compile(r"(?<![^\s(])-(?=[^\s\-)])")


def _minus_as_not(text: str) -> str:
    """`-word` as `NOT word`, outside quotes, as search boxes have it.

    Whoosh's own PlusMinusPlugin also splits hyphenated words and dates, and makes the other
    words optional once a `+` appears, so it is not used.
    """
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # even parts are outside quotes (quotes are balanced)
        parts[i] = _MINUS.sub("NOT ", parts[i])
    return '"'.join(parts)


def _check_balanced(text: str) -> None:
    stack: list[str] = []
    in_quote = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
        elif in_quote:
            continue
        elif ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            # Whoosh ranges may mix brackets: [a TO b} is a half-open range.
            expected = "(" if ch == ")" else "[{"
            if not stack or stack[-1] not in expected:
                raise QueryError(f"invalid query {_quoted(text)}: unbalanced {ch!r}")
            stack.pop()
    if in_quote:
        raise QueryError(f"invalid query {_quoted(text)}: unclosed quote")
    if stack:
        raise QueryError(f"invalid query {_quoted(text)}: unclosed {stack[-1]!r}")


def _query_error(q: query.Query) -> str | None:
    error = getattr(q, "error", None)
    if error:
        return str(error)
    for child in q.children():
        found = _query_error(child)
        if found:
            return found
    return None


_RANGE_FIELDS = ("date", *NUMBER_FIELDS)


def _split_ranges(
    q: query.Query | None,
) -> tuple[query.Query | None, list[tuple[str, Any, Any]]]:
    """Pull top-level numeric/date ranges out of an AND so the catalog applies them."""
    if q is None:
        return None, []

    def as_range(node: query.Query) -> tuple[str, Any, Any] | None:
        if isinstance(node, query.NumericRange) and node.fieldname in _RANGE_FIELDS:
            lo, hi = node.start, node.end
            if node.startexcl and lo is not None:
                lo += 1
            if node.endexcl and hi is not None:
                hi -= 1
            return (node.fieldname, lo, hi)
        if isinstance(node, query.Term) and node.fieldname in _RANGE_FIELDS:
            return None
        return None

    single = as_range(q)
    if single:
        return None, [single]
    if isinstance(q, query.And):
        ranges: list[tuple[str, Any, Any]] = []
        rest: list[query.Query] = []
        for child in q.subqueries:
            found = as_range(child)
            (ranges if found else rest).append(found or child)
        if not rest:
            return None, ranges
        return (rest[0] if len(rest) == 1 else query.And(rest)), ranges
    return q, []


def _range_value(name: str, value: Any) -> int | None:
    """A NumericRange bound in the catalog's units (date ordinals for dates)."""
    if value is None:
        return None
    if name == "date":
        return int(value) // _DAY_US + 1
    return int(value)


def _text_terms(q: query.Query | None) -> list[tuple[str, Any]]:
    if q is None:
        return []
    try:  # what the query looks for: not the words under NOT
        return [(f, t) for f, t in positive_terms(q) if f in ("title", "abstract", WORDS_FIELD)]
    except Exception:
        return []


def now_iso() -> str:
    """The current UTC time, for the manifest."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def remove_tree(path: Path) -> None:
    """Delete an old index generation, ignoring errors (a reader may still hold it)."""
    shutil.rmtree(path, ignore_errors=True)
