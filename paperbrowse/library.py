"""The paper library, read: search, get, list and count the papers of a data dir.

A Library reads the index directory the manifest names (manifest.py) and never writes: indexing
is indexer.py's, upgrading migration.py's. Text search goes through the query language
(query.py) and the engine (engine/: matching and BM25F over the postings side files); listing,
date windows, numeric bounds, triage views and sorts go through a catalog of per-document
columns (id, date, upvotes, comments, authors, stars; catalog.py), read once per index generation
and kept in memory, so the browser's most common views never run a Whoosh range query.

A generation is one committed state of the index (Whoosh's TOC generation): each `index` run
commits one, into the current index directory (`index-N`), or into a new directory on a rebuild.
Reading never blocks on a writer: a Library keeps reading the generation it opened until
`refresh`.

A library built by an earlier schema version raises LibraryOutdated when opened: the command
line rebuilds it (`paperbrowse.migration`) before going on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from whoosh import index, query
from whoosh.qparser import QueryParserError
from whoosh.searching import Searcher

from paperbrowse.catalog import Catalog, load_or_build
from paperbrowse.engine.doc_arrays import EMPTY
from paperbrowse.engine.matching import DocSets
from paperbrowse.engine.patterns import PatternTooBroad, has_pattern
from paperbrowse.engine.scoring import positive_terms, top_scored
from paperbrowse.engine.side_files import TermArrays
from paperbrowse.engine.term_postings import BlockPostings
from paperbrowse.engine.term_weights import WordWeights
from paperbrowse.engine.whoosh_internals import field_lengths, index_folder, open_index_dir
from paperbrowse.engine.work_memory import keep_freed_memory
from paperbrowse.errors import LibraryError, QueryError, damaged_index
from paperbrowse.manifest import Manifest, check_version, read_manifest
from paperbrowse.models import Filters, Paper, is_arxiv_id
from paperbrowse.paper_ids import is_id_form
from paperbrowse.query import QueryLanguage, quoted
from paperbrowse.query_plan import plan_search
from paperbrowse.results import LibraryStats, RankedDocs, Results, Row, count_stats, in_order

# Indexes of schema 7 and earlier pickled their schema naming `paperbrowse.library.PaperDate`:
# it stays importable here so that their ids can still be read when they are upgraded.
from paperbrowse.schema import PaperDate as PaperDate
from paperbrowse.schema import make_schema, record_paper
from paperbrowse.state_fields import StateQueryError
from paperbrowse.state_query import state_ids

if TYPE_CHECKING:
    from paperbrowse.triage_view import TriageView

RELEVANCE_TOP = 500  # results ranked by score; the rest follow newest first
ROWS_KEPT = 4096  # decoded rows a library keeps (row(): ~0.5 KB each)


class Library:
    """A paper library in `data_dir`, for reading. Reading never blocks on a writer."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._searcher: Searcher | None = None
        self._catalog: Catalog | None = None
        self._ix: index.Index | None = None
        self._language: QueryLanguage | None = None
        self._arrays: TermArrays | bool | None = None
        self._lengths: dict[str, np.ndarray] = {}  # field -> length per document, for BM25F
        self._rows: dict[int, Row] = {}  # this generation's rows last read (row())
        self._opened = 0  # how many times the searcher was let go (`generation`)

    @staticmethod
    def keep_freed_memory() -> bool:
        """For a process that searches again and again (the browser), before its threads
        start: freed arrays kept for the next search, one malloc arena (work_memory.py).
        Not for an index run (~60 MB more at 100,000 papers). False without mallopt."""
        return keep_freed_memory()

    def manifest(self) -> Manifest:
        """The manifest (empty library: no index, no sources); LibraryError when unreadable."""
        return read_manifest(self.data_dir)

    def check_version(self) -> None:
        """Raise LibraryOutdated when the library was built by an earlier schema version, and
        LibraryError when by a later one (a newer paperbrowse); an empty library passes."""
        check_version(self.data_dir)

    def _open_index(self) -> index.Index | None:
        if self._ix is not None:
            return self._ix
        manifest = self.manifest()  # read once: 1.4 MB of JSON at 100,000 papers, ~30 ms
        name = manifest.get("index")
        if not name:
            return None
        check_version(self.data_dir, manifest)
        path = self.data_dir / name
        try:
            self._ix = open_index_dir(path)
        except Exception as exc:  # Whoosh raises many kinds for a damaged index
            raise LibraryError(damaged_index(path, exc)) from None
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
                raise LibraryError(damaged_index(index_folder(ix), exc)) from None
        return self._searcher

    @property
    def catalog(self) -> Catalog:
        """The in-memory columns of the current generation (built on first use)."""
        if self._catalog is None:
            searcher = self.searcher
            if searcher is None:
                raise LibraryError("the library is empty")
            folder = index_folder(self._ix) if self._ix is not None else self.data_dir
            self._catalog = load_or_build(folder, searcher)
        return self._catalog

    def has_update(self) -> bool:
        """True when a newer generation was committed since this library was opened (cheap)."""
        if self._searcher is None:
            meta = self.manifest()
            return bool(meta.get("index")) and self._ix is None
        meta = self.manifest()
        current = index_folder(self._ix).name if self._ix else None
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
        current = index_folder(self._ix) if self._ix else None
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
            found = TermArrays.for_searcher(index_folder(self._ix), self._searcher)
            self._arrays = found if found is not None else False
        return self._arrays if isinstance(self._arrays, TermArrays) else None

    def release_memory(self) -> None:
        """Hand the kernel back the pages of the side files' memory maps that searches touched
        (engine/mapped_pages.py): the process's RSS falls to what it holds itself; the next
        wildcard search maps them again (a few milliseconds). Results are unchanged."""
        from paperbrowse.engine import mapped_pages

        mapped_pages.PAGES.release_all()

    @property
    def generation(self) -> int:
        """Changes whenever the searcher is let go (`close`; a `refresh` that found a newer
        generation): document numbers read before are not the new one's (`Results.stale`)."""
        return self._opened

    def close(self) -> None:
        """Release the searcher and index."""
        self._opened += 1
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._catalog = None
        self._arrays = None  # its files close once no search still holds them
        self._lengths = {}
        self._rows = {}  # a new dict: a row read from the old generation lands in the old one
        self._ix = None

    def __len__(self) -> int:
        searcher = self.searcher
        return 0 if searcher is None else searcher.doc_count()

    def row(self, docnum: int) -> Row:
        """A list row for a document number. The last ROWS_KEPT rows read are kept, decoded,
        until the generation changes: a stored record costs ~25 us to read and decode (zlib
        and JSON; 1 ms a page of 40), and a list shows the same rows again at each keystroke
        that keeps them (as tantivy's document store keeps its last blocks decompressed)."""
        rows = self._rows  # before the searcher: a generation change between makes a new dict
        kept = rows.get(docnum)
        if kept is not None:
            return kept
        assert self.searcher is not None
        stored = self.searcher.stored_fields(docnum)
        paper = record_paper(json.loads(stored["record"]))
        if len(rows) >= ROWS_KEPT:
            rows.clear()
        made = rows[docnum] = Row(
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
        return made

    def paper_at(self, docnum: int) -> Paper:
        """The full merged record of a document number."""
        assert self.searcher is not None
        return record_paper(json.loads(self.searcher.stored_fields(docnum)["record"]))

    def get(self, paper_id: str) -> Paper | None:
        """A paper by id, by an unambiguous id prefix of at least 6 hex digits (like git:
        paper_ids.MIN_ID_PREFIX), by an id it had before (before it gained an arXiv id, or
        before two records of it were found to be one), or by its arXiv id (`2510.04618`,
        `arXiv:2510.04618v2`). None for anything else (`is_id_form`: `5c` or `50` are words,
        not ids). LibraryError when a prefix is ambiguous."""
        searcher = self.searcher
        if searcher is None:
            return None
        pid = paper_id.strip().lower()
        if not is_id_form(pid):  # a word (`5c`, `50`, `pose`): no paper's id
            return None
        if is_arxiv_id(pid):
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
        """The Whoosh query for `text` (query.py); None for an empty query. QueryError when
        malformed."""
        if self._language is None:
            schema = self.searcher.schema if self.searcher else make_schema()
            self._language = QueryLanguage(schema)
        return self._language.parse(text)

    def search(self, filters: Filters, triage: TriageView | None = None) -> Results:
        """Papers matching `filters`, in its sort order. `triage` (a TriageStore, or a
        TriageSnapshot of one) for the views other than all; None: every paper is in view."""
        parsed = self.parse_query(filters.query)
        sort = filters.effective_sort
        searcher = self.searcher
        if searcher is None:
            return Results(self, [], sort)
        catalog = self.catalog
        plan = plan_search(parsed, filters)
        text_query = plan.text
        try:
            by_id = state_ids(triage, plan.state)  # tag:, note: (state.db), as triage views
        except StateQueryError as exc:
            raise QueryError(f"invalid query {quoted(filters.query)}: {exc}") from None

        order_by = "date" if sort == "relevance" else sort
        arrays: TermArrays | None = None
        blocks: BlockPostings | None = None
        words: WordWeights | None = None  # the unfielded words' weights, when it scores
        plain_view = filters.state == "all" or triage is None
        if text_query is None and not plan.ranges and not by_id and plain_view:
            docs: np.ndarray | RankedDocs = catalog.order_array(order_by)
        else:
            # Flags per document number: matched, in every range, in the triage view.
            matched: np.ndarray | None = None  # the flagged documents, while nothing narrows
            if text_query is None:
                flags = catalog.mask()
            else:
                shared = self.term_arrays
                arrays = shared.scoped() if shared is not None else None
                blocks = BlockPostings(searcher)
                if sort == "relevance":
                    words = WordWeights(searcher, arrays, searcher.reader().doc_count_all())
                try:
                    matched = DocSets(
                        searcher, catalog.live_array, arrays, catalog.nonempty, blocks, words
                    ).docs(text_query)
                except (QueryParserError, PatternTooBroad) as exc:
                    raise QueryError(f"invalid query {quoted(filters.query)}: {exc}") from None
                except Exception as exc:  # reading postings failed: the index, not the query
                    raise LibraryError(damaged_index(Path(str(self.data_dir)), exc)) from None
                flags = catalog.mask(matched)
            unnarrowed = flags
            for name, lo, hi in plan.ranges:
                flags &= catalog.in_range(name, lo, hi)
            flags = self._apply_state(flags, filters.state, triage)
            for negated, ids in by_id:
                flags = flags & ~catalog.flags_of(ids) if negated else flags & catalog.flags_of(ids)
            if plan.ranges or flags is not unnarrowed:
                matched = None
            order = catalog.order_array(order_by)
            if text_query is not None and sort == "relevance":
                ranked = self._by_relevance(
                    text_query, order, flags, (arrays, blocks, words), matched
                )
            else:
                ranked = in_order(order, flags)
            docs = ranked  # Results makes the list only if a caller asks for it
        if filters.limit:
            docs = docs[: filters.limit]
        return Results(self, docs, sort, plan.terms)

    def _by_relevance(
        self,
        q: query.Query,
        order: np.ndarray,
        flags: np.ndarray,
        read: tuple[TermArrays | None, BlockPostings | None, WordWeights | None],
        flagged: np.ndarray | None = None,
    ) -> np.ndarray | RankedDocs:
        """The documents flagged in `flags` (a flag per document number, only live ones; this
        search's own: changed once the rest is read): the RELEVANCE_TOP best-scoring (BM25F),
        then the rest in `order` (the catalog's date order). `read`: the side files, the terms
        the search's matching read from Whoosh's postings blocks and the unfielded words'
        weights it made; `flagged`: the flagged documents, sorted, when the caller has them.

        Scoring every match of a common word costs Whoosh a few hundred milliseconds at 100,000
        papers; nobody reads relevance order past the first few hundred results. The rest is
        made only when a caller reads past the best (RankedDocs): at 10^6 papers picking them
        out of the date order is a gather of a million flags, ~3 ms.
        """
        assert self.searcher is not None
        catalog = self.catalog
        count = int(np.count_nonzero(flags))
        if not count:
            return EMPTY
        lengths, rank = self._score_lengths(q), catalog.rank_array("date")
        arrays, blocks, words = read
        top = top_scored(
            self.searcher, q, flagged, lengths, RELEVANCE_TOP, rank, arrays, flags, blocks, words
        )
        if top is None:
            docs: np.ndarray = order[flags[order]]
            if has_pattern(q):
                return docs  # patterns score nothing (as in Lucene): newest first
            allowed = None if len(docs) == len(catalog.live) else set(docs.tolist())
            hits = self.searcher.search(q, limit=RELEVANCE_TOP, filter=allowed)
            top = np.array([hit.docnum for hit in hits], dtype=np.int64)
        best = top

        def rest() -> np.ndarray:
            flags[best] = False
            others: np.ndarray = order[flags[order]]
            return others

        return RankedDocs(best, count, rest)

    def _score_lengths(self, q: query.Query) -> dict[str, np.ndarray]:
        """Each field's length per document for scoring `q`: the catalog's title, abstract and
        merged lengths, and those of any other scorable field `q` has a positive term in
        (`org:`, `author:`), read from the index once per generation."""
        assert self.searcher is not None
        lengths = self.catalog.length_arrays
        schema = self.searcher.schema
        wanted = {
            f
            for f, _ in positive_terms(q)
            if f not in lengths and f in schema and schema[f].scorable
        }
        if not wanted:
            return lengths
        for name in wanted - self._lengths.keys():
            # as floats, as the catalog's (BM25F's arithmetic converts them to floats)
            self._lengths[name] = field_lengths(self.searcher.reader(), name).astype(np.float64)
        return {**lengths, **{name: self._lengths[name] for name in wanted}}

    def _apply_state(self, flags: np.ndarray, state: str, triage: TriageView | None) -> np.ndarray:
        """`flags` narrowed to a triage view (all, inbox, unread, read, starred, hidden)."""
        if state == "all" or triage is None:
            return flags
        catalog = self.catalog
        if state in ("read", "starred", "hidden"):
            narrowed: np.ndarray = flags & catalog.flags_of(triage.ids_with(state))
            return narrowed
        drop = triage.ids_with("read")
        if state == "inbox":
            drop |= triage.ids_with("hidden")
        kept: np.ndarray = flags & ~catalog.flags_of(drop)
        return kept

    # -- statistics ----------------------------------------------------------------------------

    def stats(self) -> LibraryStats:
        """Counts, date span, per-month histogram, top organisations and link hosts."""
        if self.searcher is None:
            return LibraryStats()
        papers = (self.paper_at(doc) for doc in self.catalog.live)
        return count_stats(papers, sources=len(self.manifest().get("sources", {})))
