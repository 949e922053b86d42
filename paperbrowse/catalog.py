"""Per-document columns of one index generation (ids, dates, counts) and its sort orders.

Filters by date and count, triage views and sorts read these arrays instead of running Whoosh
range queries; see library.py.
"""

from __future__ import annotations

import contextlib
import pickle
from array import array
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from paperbrowse.engine.matching import WORDS_FIELD
from paperbrowse.engine.patterns import WORD_FIELDS
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
    the index, so opening a library of 100,000 papers reads one file instead of five columns.
    """

    FILE = CATALOG_FILE
    VERSION = 6
    SCORED = ("title", "abstract")
    WORDS = tuple(WORD_FIELDS.values())  # their lengths say which papers have any word
    COUNTS = ("upvotes", "comments", "authors", "stars")  # -1 where a document has none

    def __init__(self, data: dict[str, Any]) -> None:
        self.key: tuple[int, int, int] = tuple(data["key"])
        self.size: int = data["size"]
        self.ids: list[str] = data["ids"]
        self.dates: Sequence[int] = data["dates"]
        self.counts: dict[str, Sequence[int]] = data["counts"]
        self.live: list[int] = data["live"]
        self._orders: dict[str, list[int]] = data["orders"]
        self.lengths: dict[str, Sequence[int]] = data["lengths"]  # terms per field, for BM25F

    @staticmethod
    def key_of(searcher: Searcher) -> tuple[int, int, int]:
        """What identifies a generation: TOC generation, documents with and without deletions."""
        reader = searcher.reader()
        return (reader.generation(), reader.doc_count_all(), reader.doc_count())

    @classmethod
    def build(cls, searcher: Searcher) -> Catalog:
        """Read the columns of the searcher's generation and precompute the sort orders."""
        reader = searcher.reader()
        dates = array("l", (long_ordinal(v) for v in _column(reader, "date", translate=False)))
        counts = {name: _counts(reader, name) for name in cls.COUNTS}
        ups, comments = counts["upvotes"], counts["comments"]
        live = list(reader.all_doc_ids())
        keys = _column(reader, "title_key")
        title_order = sorted(live, key=keys.__getitem__)
        title_rank = _rank(title_order, len(keys))
        date_order = sorted(live, key=lambda d: (-dates[d], -ups[d], -comments[d], title_rank[d]))
        date_rank = _rank(date_order, len(keys))
        orders = {"title": title_order, "date": date_order}
        for name in ("upvotes", "comments"):
            orders[name] = _by_count(live, counts[name], date_rank)
        return cls(
            {
                "key": cls.key_of(searcher),
                "size": reader.doc_count_all(),
                "ids": _column(reader, "id"),
                "dates": dates,
                "counts": counts,
                "live": live,
                "orders": orders,
                "lengths": {f: _field_lengths(reader, f) for f in cls.SCORED + cls.WORDS},
            }
        )

    @classmethod
    def load(cls, folder: Path, key: tuple[int, int, int]) -> Catalog | None:
        """The saved catalog of generation `key`, or None (missing, stale or unreadable)."""
        try:
            with open(folder / cls.FILE, "rb") as handle:
                data = pickle.load(handle)
        except Exception:  # unreadable, truncated, or not ours: build it again
            return None
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            return None
        try:
            if tuple(data.get("key", ())) != key:
                return None
            catalog = cls(data)
            columns = [catalog.ids, catalog.dates, *catalog.counts.values()]
            if any(len(column) != catalog.size for column in columns):
                return None
            if not {"title", "date", "upvotes"} <= set(data["orders"]):
                return None
            if not set(cls.SCORED) <= set(catalog.lengths):
                return None
            return catalog
        except (KeyError, TypeError, ValueError):  # a catalog missing keys
            return None

    def save(self, folder: Path) -> None:
        """Write the catalog beside the index (atomically; private to the user)."""
        data = {
            "version": self.VERSION,
            "key": list(self.key),
            "size": self.size,
            "ids": self.ids,
            "dates": self.dates,
            "counts": self.counts,
            "live": self.live,
            "orders": self._orders,
            "lengths": self.lengths,
        }
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write(folder / self.FILE, blob, prefix=".catalog-")

    @cached_property
    def live_array(self) -> np.ndarray:
        """Live document numbers as a sorted array."""
        return np.array(sorted(self.live), dtype=np.int64)

    def order_array(self, sort: str) -> np.ndarray:
        """`order(sort)` as an array (made once per sort)."""
        arrays: dict[str, np.ndarray] = self.__dict__.setdefault("_order_arrays", {})
        if sort not in arrays:
            arrays[sort] = np.array(self.order(sort), dtype=np.int64)
        return arrays[sort]

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
        """Terms per field per document, as arrays (for BM25F); "words" is title plus abstract,
        the length of the merged field an unfielded word is scored on."""
        found = {name: np.asarray(self.lengths[name], dtype=np.int64) for name in self.SCORED}
        found[WORDS_FIELD] = found["title"] + found["abstract"]
        return found

    @cached_property
    def nonempty(self) -> dict[str, np.ndarray]:
        """Word field -> flags of the documents with at least one word in it (for `*`)."""
        return {
            name: np.asarray(self.lengths[name], dtype=np.int64) > 0
            for name in self.WORDS
            if name in self.lengths
        }

    def mask(self, docs: np.ndarray | None = None) -> np.ndarray:
        """A per-document-number flag array: True for `docs` (all live documents if None)."""
        flags = np.zeros(self.size, dtype=bool)
        flags[self.live_array if docs is None else docs] = True
        return flags

    @property
    def upvotes(self) -> Sequence[int]:
        """Upvotes per document number (-1: none shown)."""
        return self.counts["upvotes"]

    @property
    def authors(self) -> Sequence[int]:
        """Author counts per document number (-1: unknown)."""
        return self.counts["authors"]

    def in_range(self, field_name: str, lo: int | None, hi: int | None) -> np.ndarray:
        """Flags of the documents whose column value lies in [lo, hi] (never those without).

        `field_name`: "date" (bounds are date ordinals) or one of COUNTS.
        """
        column = self.dates if field_name == "date" else self.counts[field_name]
        values = np.asarray(column, dtype=np.int64)
        flags: np.ndarray = values != (0 if field_name == "date" else -1)
        if lo is not None:
            flags &= values >= lo
        if hi is not None:
            flags &= values <= hi
        return flags

    def flags_of(self, ids: set[str]) -> np.ndarray:
        """Flags of the live documents whose paper id is in `ids`."""
        docnum_of = self.docnum_of
        docs = [docnum_of[i] for i in ids if i in docnum_of]
        flags = np.zeros(self.size, dtype=bool)
        flags[np.array(docs, dtype=np.int64)] = True
        return flags

    @cached_property
    def docnum_of(self) -> dict[str, int]:
        """Paper id -> document number, for live documents."""
        return {self.ids[d]: d for d in self.live}

    @property
    def date_order(self) -> list[int]:
        """Live documents newest first, undated last; ties by upvotes, comments, title order."""
        return self._orders["date"]

    def order(self, sort: str) -> list[int]:
        """Live documents in a sort order (date, upvotes, comments or title; else date)."""
        return self._orders.get(sort, self._orders["date"])


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


def _field_lengths(reader: Any, fieldname: str) -> array[int]:
    """Each document's length in `fieldname` as Whoosh records it (what BM25F uses)."""
    lengths = array("l")
    for leaf, _offset in reader.leaf_readers():
        length = leaf.doc_field_length
        # Whoosh returns None, not 0, for a document whose field is empty (an abstract a card
        # did not show).
        lengths.extend(length(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all()))
    return lengths


def _rank(order: list[int], size: int) -> list[int]:
    """docnum -> position in `order` (documents not in it rank last)."""
    rank = [len(order)] * size
    for pos, doc in enumerate(order):
        rank[doc] = pos
    return rank


def _by_count(live: list[int], column: Sequence[int], date_rank: list[int]) -> list[int]:
    """Live documents by a count, largest first (those without it last), then by date order."""
    return sorted(live, key=lambda d: (-column[d], date_rank[d]))


def _counts(reader: Any, name: str) -> array[int]:
    """A count column, -1 for documents without the count (and for a field an older segment
    never had)."""
    return array("l", (-1 if v >= NO_NUMBER else v for v in _column(reader, name)))


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
