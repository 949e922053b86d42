"""Per-document columns of one index generation (ids, dates, counts) and its sort orders.

Filters by date and count, triage views and sorts read these arrays instead of running Whoosh
range queries; see library.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from paperbrowse.catalog_columns import Columns, DocnumLookup, IdColumn, id_order, ids_array
from paperbrowse.engine.patterns import WORD_FIELDS
from paperbrowse.engine.term_weights import WORDS_FIELD
from paperbrowse.errors import LibraryError, damaged_index
from paperbrowse.paths import CATALOG_FILE, atomic_write

NO_NUMBER = 2**31 - 1  # Whoosh's column value for a document without the number
_DAY_US = 86_400_000_000


def long_ordinal(value: int) -> int:
    """A DATETIME column value as a date ordinal; 0 when the document has no date."""
    if value < 0 or value >= 2**63:
        return 0
    return value // _DAY_US + 1


class Catalog:
    """Per-document columns of one index generation, for filters and sorts without Whoosh.

    Built once per generation (the indexer builds it right after its commit) and saved beside
    the index as numpy arrays (`np.savez`, one file), so opening a library reads one file and
    a column is read only when first used: the date order for the first list, the counts for a
    count filter, the lengths for BM25F. At 1,000,000 papers the whole catalog is ~70 MB of
    arrays (Python lists of the same were ~420 MB).
    """

    FILE = CATALOG_FILE
    VERSION = 7
    SCORED = ("title", "abstract")
    WORDS = tuple(WORD_FIELDS.values())  # their lengths say which papers have any word
    COUNTS = ("upvotes", "comments", "authors", "stars")  # -1 where a document has none
    ORDERS = ("title", "date", "upvotes", "comments")

    def __init__(self, key: tuple[int, int, int], size: int, columns: Columns) -> None:
        self.key: tuple[int, int, int] = key
        self.size: int = size
        self._columns = columns

    @staticmethod
    def key_of(searcher: Searcher) -> tuple[int, int, int]:
        """What identifies a generation: TOC generation, documents with and without deletions.
        An empty index has no generation (Whoosh's EmptyReader gives None): -1 stands for it,
        as the key is saved as integers."""
        reader = searcher.reader()
        generation = reader.generation()
        return (
            -1 if generation is None else generation,
            reader.doc_count_all(),
            reader.doc_count(),
        )

    @classmethod
    def build(cls, searcher: Searcher) -> Catalog:
        """Read the columns of the searcher's generation and precompute the sort orders."""
        reader = searcher.reader()
        size = reader.doc_count_all()
        dates = np.fromiter(
            (long_ordinal(v) for v in _column(reader, "date", translate=False)),
            dtype=np.int32,
            count=size,
        )
        counts = {name: _counts(reader, name, size) for name in cls.COUNTS}
        live = np.fromiter(reader.all_doc_ids(), dtype=np.int32)
        keys = _column(reader, "title_key")
        title_order = np.array(sorted(live.tolist(), key=keys.__getitem__), dtype=np.int32)
        del keys
        title_rank = _rank(title_order, size)
        # Newest first; ties by upvotes, comments, then title order (unique: a total order).
        date_order = live[
            np.lexsort(
                (
                    title_rank[live],
                    -counts["comments"][live].astype(np.int64),
                    -counts["upvotes"][live].astype(np.int64),
                    -dates[live].astype(np.int64),
                )
            )
        ]
        date_rank = _rank(date_order, size)
        ids = ids_array(_column(reader, "id"))
        arrays: dict[str, np.ndarray] = {
            "ids": ids,
            "id_order": id_order(ids, live),
            "live": live,
            "dates": dates,
            "order_title": title_order,
            "order_date": date_order,
        }
        for name in ("upvotes", "comments"):
            by_count = np.lexsort((date_rank[live], -counts[name][live].astype(np.int64)))
            arrays["order_" + name] = live[by_count]
        arrays.update({"count_" + name: column for name, column in counts.items()})
        for name in cls.SCORED + cls.WORDS:
            arrays["length_" + name] = _field_lengths(reader, name, size)
        return cls(cls.key_of(searcher), size, Columns(arrays))

    @classmethod
    def load(cls, folder: Path, key: tuple[int, int, int]) -> Catalog | None:
        """The saved catalog of generation `key`, or None (missing, stale or unreadable).

        Only the arrays' headers are read here (each is checked for its length); an array's
        data is read on first use."""
        columns = Columns.open(folder / cls.FILE)
        if columns is None:
            return None
        try:
            meta = columns.get("meta").tolist()
            if meta[0] != cls.VERSION or tuple(meta[1:4]) != key:
                return None
            size = int(meta[4])
            wanted = ["ids", "id_order", "live", "dates"]
            wanted += ["order_" + name for name in cls.ORDERS]
            wanted += ["count_" + name for name in cls.COUNTS]
            wanted += ["length_" + name for name in cls.SCORED]
            if not columns.has(wanted, size):
                return None
            return cls(key, size, columns)
        except (KeyError, TypeError, ValueError, IndexError, OSError):
            return None

    def save(self, folder: Path) -> None:
        """Write the catalog beside the index (atomically; private to the user)."""
        meta = np.array([self.VERSION, *self.key, self.size], dtype=np.int64)
        blob = self._columns.saved(meta)
        atomic_write(folder / self.FILE, blob, prefix=".catalog-")

    @cached_property
    def ids(self) -> IdColumn:
        """Paper id per document number (a sequence of str)."""
        return IdColumn(self._columns.get("ids"))

    @cached_property
    def live(self) -> np.ndarray:
        """Live document numbers, ascending (int64)."""
        return self._columns.get("live").astype(np.int64)

    @property
    def live_array(self) -> np.ndarray:
        """Live document numbers as a sorted array."""
        return self.live

    @cached_property
    def dates(self) -> np.ndarray:
        """Date ordinal per document number (catalog.long_ordinal; 0: undated), int32."""
        return self._columns.get("dates")

    @cached_property
    def counts(self) -> dict[str, np.ndarray]:
        """Count name (COUNTS) -> value per document number (-1: none), int32."""
        return {name: self._columns.get("count_" + name) for name in self.COUNTS}

    @cached_property
    def lengths(self) -> dict[str, np.ndarray]:
        """Field -> terms per document as Whoosh records them (for BM25F and `*`), int32."""
        return {
            name: self._columns.get("length_" + name)
            for name in self.SCORED + self.WORDS
            if self._columns.exists("length_" + name)
        }

    def order_array(self, sort: str) -> np.ndarray:
        """Live documents in a sort order (date, upvotes, comments or title; else date), as an
        int64 array (read once per sort)."""
        arrays: dict[str, np.ndarray] = self.__dict__.setdefault("_order_arrays", {})
        name = sort if sort in self.ORDERS else "date"
        if name not in arrays:
            arrays[name] = self._columns.get("order_" + name).astype(np.int64)
        return arrays[name]

    def rank_array(self, sort: str) -> np.ndarray:
        """document number -> position in `order(sort)` (documents not in it rank last)."""
        arrays: dict[str, np.ndarray] = self.__dict__.setdefault("_rank_arrays", {})
        if sort not in arrays:
            order = self.order_array(sort)
            rank = np.full(self.size, len(order), dtype=np.int64)
            rank[order] = np.arange(len(order), dtype=np.int64)
            arrays[sort] = rank
        return arrays[sort]

    @cached_property
    def length_arrays(self) -> dict[str, np.ndarray]:
        """Terms per field per document, as float64 arrays (for BM25F: whole numbers, held as
        the floats its arithmetic converts them to, which at 10^6 papers cost a common word
        3 ms a search); "words" is title plus abstract, the length of the merged field an
        unfielded word is scored on."""
        found = {name: np.asarray(self.lengths[name], dtype=np.float64) for name in self.SCORED}
        found[WORDS_FIELD] = found["title"] + found["abstract"]
        return found

    @cached_property
    def nonempty(self) -> dict[str, np.ndarray]:
        """Word field -> flags of the documents with at least one word in it (for `*`)."""
        return {name: np.asarray(column) > 0 for name, column in self.lengths.items()}

    def mask(self, docs: np.ndarray | None = None) -> np.ndarray:
        """A per-document-number flag array: True for `docs` (all live documents if None)."""
        flags = np.zeros(self.size, dtype=bool)
        flags[self.live_array if docs is None else docs] = True
        return flags

    @property
    def upvotes(self) -> np.ndarray:
        """Upvotes per document number (-1: none shown)."""
        return self.counts["upvotes"]

    @property
    def authors(self) -> np.ndarray:
        """Author counts per document number (-1: unknown)."""
        return self.counts["authors"]

    def in_range(self, field_name: str, lo: int | None, hi: int | None) -> np.ndarray:
        """Flags of the documents whose column value lies in [lo, hi] (never those without).

        `field_name`: "date" (bounds are date ordinals) or one of COUNTS.
        """
        column = self.dates if field_name == "date" else self.counts[field_name]
        values = np.asarray(column)  # compared as they are: a copy as int64 cost 2.5 ms at 10^6
        flags: np.ndarray = values != (0 if field_name == "date" else -1)
        if lo is not None:
            flags &= values >= lo
        if hi is not None:
            flags &= values <= hi
        return flags

    def flags_of(self, ids: Iterable[str]) -> np.ndarray:
        """Flags of the live documents whose paper id is in `ids`."""
        flags = np.zeros(self.size, dtype=bool)
        flags[self.docnum_of.docnums(ids)] = True
        return flags

    @cached_property
    def docnum_of(self) -> DocnumLookup:
        """Paper id -> document number, for live documents (a binary search over the sorted
        ids, not a dict: a dict of a million ids was 29 MB of Python objects)."""
        by_id = self._columns.get("id_order") if self._columns.exists("id_order") else None
        return DocnumLookup(self.ids.raw, self.live, by_id)

    @property
    def date_order(self) -> list[int]:
        """Live documents newest first, undated last; ties by upvotes, comments, title order."""
        return self.order("date")

    def order(self, sort: str) -> list[int]:
        """Live documents in a sort order (date, upvotes, comments or title; else date)."""
        found: list[int] = self.order_array(sort).tolist()
        return found


def load_or_build(folder: Path, searcher: Searcher) -> Catalog:
    """The catalog of the searcher's generation of the index in `folder`: the saved one, else
    built and saved beside the index (a read-only library still works, only slower to open).
    LibraryError (one line) when the index cannot be read."""
    key = Catalog.key_of(searcher)
    catalog = Catalog.load(folder, key)
    if catalog is None:
        try:
            catalog = Catalog.build(searcher)
        except Exception as exc:
            raise LibraryError(damaged_index(folder, exc)) from None
        with contextlib.suppress(OSError):
            catalog.save(folder)
    return catalog


def _field_lengths(reader: Any, fieldname: str, size: int) -> np.ndarray:
    """Each document's length in `fieldname` as Whoosh records it (what BM25F uses), int32."""
    lengths = np.zeros(size, dtype=np.int32)
    for leaf, offset in reader.leaf_readers():
        length = leaf.doc_field_length
        n = leaf.doc_count_all()
        # Whoosh returns None, not 0, for a document whose field is empty (an abstract a card
        # did not show).
        lengths[offset : offset + n] = np.fromiter(
            (length(d, fieldname, 0) or 0 for d in range(n)), dtype=np.int32, count=n
        )
    return lengths


def _rank(order: np.ndarray, size: int) -> np.ndarray:
    """docnum -> position in `order` (documents not in it rank last), int64."""
    rank = np.full(size, len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank


def _counts(reader: Any, name: str, size: int) -> np.ndarray:
    """A count column (int32), -1 for documents without the count (and for a field an older
    segment never had)."""
    values = np.fromiter(_column(reader, name), dtype=np.int64, count=size)
    values[values >= NO_NUMBER] = -1
    return values.astype(np.int32)


def _column(reader: Any, name: str, translate: bool = True) -> list[Any]:
    """A column's value for every document number, read segment by segment.

    Not `reader.column_reader(name)` on a multi-segment reader: Whoosh's MultiReader skips the
    segments that have no value at all in the column, which shortens the list and shifts every
    later document's value onto the wrong document.
    """
    values: list[Any] = []
    for leaf, _offset in reader.leaf_readers():
        if leaf.doc_count_all() == 0:
            continue  # an empty library's EmptyReader has no columns (NotImplementedError)
        values.extend(leaf.column_reader(name, translate=translate))
    return values


def live_ids(searcher: Searcher) -> set[str]:
    """The paper ids of a generation's live documents (read from the `id` column, which every
    schema version has)."""
    ids = _column(searcher.reader(), "id")
    return {ids[d] for d in searcher.reader().all_doc_ids()}
