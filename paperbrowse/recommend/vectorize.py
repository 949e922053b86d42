"""Papers -> tf-idf rows in two vectorised passes, with memory bounded by the output.

One Python pass reads each paper's words once (the index's analysis: analysis.kept_words, Porter
stems) and keeps them as word numbers. Everything after is numpy over chunks of papers: a
feature is a 64-bit key (a stem's or name's column; a word pair packs two columns), a chunk's
(paper, key) pairs are summed with one sort, pass 1 counts document frequencies, pass 2 keeps the
frequent features and weighs them. No string is made per word pair: at 100,000 abstracts there
are tens of millions of pairs, most of them seen once.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from paperbrowse.analysis import kept_words, stem_word
from paperbrowse.recommend.sparse import INDEX, VALUE, SparseRows

AUTHOR_PREFIX = "author:"
ORG_PREFIX = "org:"
_PAIR_SHIFT = 21  # a pair's key: (first column + 1) << 21 | second column
_DOC_SHIFT = 43  # a chunk's sort key: paper in chunk << 43 | feature key
_MAX_COLUMNS = 1 << _PAIR_SHIFT
_CHUNK = 8192  # papers per numpy step


class PaperText(Protocol):
    """What features are built from: `paperbrowse.models.Paper` has all of it."""

    @property
    def id(self) -> str:
        """The paper id (models.paper_id)."""
        ...

    title: str
    abstract: str
    author_names: list[str] | None
    org: str | None
    summary: str | None


@dataclass(frozen=True)
class Settings:
    """What counts as a feature and how much.

    `title_weight`: a title word counts this many times (the index boosts titles 2x).
    `phrases`: adjacent kept words (stop words removed) of the title or abstract are a feature.
    `min_df`/`pair_min_df`: fewest papers a word or name / a word pair must be in.
    `max_df`: most papers a feature may be in, as a share of all (1.0: no limit).
    """

    title_weight: float = 2.0
    phrases: bool = True
    min_df: int = 2
    pair_min_df: int = 3
    max_df: float = 1.0


@dataclass
class _Stream:
    """Word numbers of one field of every paper: paper i's are `ids[ptr[i]:ptr[i+1]]`."""

    ids: array[int] = field(default_factory=lambda: array("i"))
    ptr: array[int] = field(default_factory=lambda: array("q", [0]))

    def add(self, numbers: Iterator[int]) -> None:
        self.ids.extend(numbers)
        self.ptr.append(len(self.ids))


@dataclass
class Vectorized:
    """The result: rows (papers x features, unit length), feature keys, labels and idf."""

    rows: SparseRows
    terms: list[str]
    labels: list[str]
    idf: np.ndarray


class _Reader:
    """The Python pass: word numbers per field, the stem column of every word, display names."""

    def __init__(self) -> None:
        self.word_id: dict[str, int] = {}
        self.column_of_word = array("q")  # word number -> column of its stem or name
        self.columns: dict[str, int] = {}  # stem or name key -> column
        self.shown: dict[int, str] = {}  # name column -> the name as first written
        self.title, self.body, self.names = _Stream(), _Stream(), _Stream()

    def column(self, key: str) -> int:
        found = self.columns.get(key)
        if found is None:
            found = self.columns[key] = len(self.columns)
            if found >= _MAX_COLUMNS:
                raise ValueError("too many distinct words and names for the feature keys")
        return found

    def read(self, paper: PaperText) -> None:
        head = kept_words(paper.title)
        body = kept_words(paper.abstract or paper.summary or "")
        names: list[str] = []
        for prefix, name in [(AUTHOR_PREFIX, n) for n in paper.author_names or ()] + [
            (ORG_PREFIX, paper.org or "")
        ]:
            shown = " ".join(name.split())
            if shown:
                names.append(prefix + shown.casefold())
                self.shown.setdefault(self.column(names[-1]), shown)
        word_id = self.word_id
        for word in sorted(set(head).union(body, names).difference(word_id)):
            word_id[word] = len(word_id)
            # Words never hold a colon; name keys always do and are their own feature.
            self.column_of_word.append(self.column(word if ":" in word else stem_word(word)))
        self.title.add(map(word_id.__getitem__, head))
        self.body.add(map(word_id.__getitem__, body))
        self.names.add(map(word_id.__getitem__, dict.fromkeys(names)))


def vectorize(papers: Sequence[PaperText], settings: Settings) -> Vectorized:
    """tf-idf rows of `papers` (see features.py for the weighting)."""
    reader = _Reader()
    for paper in papers:
        reader.read(paper)
    n = len(papers)
    word_cols = np.frombuffer(reader.column_of_word, dtype=np.int64)
    streams = [
        (reader.title, settings.title_weight, True),
        (reader.body, 1.0, True),
        (reader.names, 1.0, False),
    ]
    chunks = [(lo, min(n, lo + _CHUNK)) for lo in range(0, n, _CHUNK)]
    n_cols = len(reader.columns)

    # Pass 1: document frequencies; each chunk's (paper, key) pairs are distinct. Words and
    # names first; then only pairs of two words that are each in pair_min_df papers can be.
    word_df = np.zeros(n_cols, dtype=np.int64)
    for lo, hi in chunks:
        word_df += np.bincount(_entries(streams, word_cols, lo, hi, None)[1], minlength=n_cols)
    pairable = (word_df >= settings.pair_min_df) if settings.phrases else None
    pair_keys = np.zeros(0, dtype=np.int64)
    pair_df = np.zeros(0, dtype=np.int64)
    if pairable is not None:
        for lo, hi in chunks:
            key = _entries(streams, word_cols, lo, hi, pairable)[1]
            found, counts = np.unique(key[key >= _MAX_COLUMNS], return_counts=True)
            pair_keys, pair_df = _merge(pair_keys, pair_df, found, counts)
    keys = np.concatenate([np.arange(n_cols, dtype=np.int64), pair_keys])
    df = np.concatenate([word_df, pair_df])
    del pair_keys, pair_df
    pair = keys >= _MAX_COLUMNS
    keep = (df >= np.where(pair, settings.pair_min_df, settings.min_df)) & (
        df <= settings.max_df * n
    )
    kept, kept_df = keys[keep], df[keep]
    idf = (np.log((1.0 + n) / (1.0 + kept_df)) + 1.0).astype(VALUE)

    # Pass 2: the kept features of each paper, weighted and scaled to unit length, written
    # straight into arrays of the final size (each kept feature has df entries).
    nnz = int(kept_df.sum())
    indices = np.empty(nnz, dtype=INDEX)
    data = np.empty(nnz, dtype=VALUE)
    indptr = np.zeros(n + 1, dtype=np.int64)
    filled = 0
    for lo, hi in chunks:
        doc, key, tf = _entries(streams, word_cols, lo, hi, pairable)
        col = np.searchsorted(kept, key)
        hit = col < len(kept)
        hit[hit] = kept[col[hit]] == key[hit]
        doc, col, tf = doc[hit], col[hit], tf[hit]
        weight = (1.0 + np.log(tf)) * idf[col]
        norm = np.sqrt(np.bincount(doc, weights=weight * weight, minlength=hi - lo))
        weight = weight / np.where(norm > 0, norm, 1.0)[doc]
        np.cumsum(np.bincount(doc, minlength=hi - lo), out=indptr[lo + 1 : hi + 1])
        indptr[lo + 1 : hi + 1] += filled
        indices[filled : filled + len(col)] = col
        data[filled : filled + len(col)] = weight
        filled += len(col)
    assert filled == nnz, "every kept (paper, feature) pair was counted in pass 1"
    rows = SparseRows(indptr, indices, data, len(kept))
    terms, labels = _names(reader, kept)
    return Vectorized(rows, terms, labels, idf)


def _merge(
    keys: np.ndarray, counts: np.ndarray, more: np.ndarray, more_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted (unique keys, counts) lists as one, counts of a key in both summed."""
    every = np.concatenate([keys, more])
    order = np.argsort(every, kind="stable")  # two sorted runs: a linear merge
    every = every[order]
    summed = np.concatenate([counts, more_counts])[order]
    if len(every) == 0:
        return every, summed
    starts = np.flatnonzero(np.concatenate([[True], every[1:] != every[:-1]]))
    return every[starts], np.add.reduceat(summed, starts)


def _entries(
    streams: list[tuple[_Stream, float, bool]],
    word_cols: np.ndarray,
    lo: int,
    hi: int,
    pairable: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(paper in chunk, feature key, summed count) of papers lo..hi-1, each (paper, key) once,
    sorted by paper then key. Word pairs only of two `pairable` columns (none when None)."""
    docs, keys, counts = [], [], []
    for stream, weight, pairs in streams:
        ptr = np.frombuffer(stream.ptr, dtype=np.int64)[lo : hi + 1]
        ids = np.frombuffer(stream.ids, dtype=np.int32)[ptr[0] : ptr[-1]]
        doc = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(ptr))
        cols = word_cols[ids]
        docs.append(doc)
        keys.append(cols)
        counts.append(np.full(len(cols), weight))
        if pairs and pairable is not None and len(cols) > 1:
            same = (doc[1:] == doc[:-1]) & pairable[cols[:-1]] & pairable[cols[1:]]
            keys.append((((cols[:-1] + 1) << _PAIR_SHIFT) | cols[1:])[same])
            docs.append(doc[1:][same])
            counts.append(np.full(int(same.sum()), weight))
    packed = (np.concatenate(docs) << _DOC_SHIFT) | np.concatenate(keys)
    order = np.argsort(packed, kind="stable")
    packed = packed[order]
    if len(packed) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    starts = np.flatnonzero(np.concatenate([[True], packed[1:] != packed[:-1]]))
    summed = np.add.reduceat(np.concatenate(counts)[order], starts)
    first = packed[starts]
    return first >> _DOC_SHIFT, first & ((1 << _DOC_SHIFT) - 1), summed


def _names(reader: _Reader, kept: np.ndarray) -> tuple[list[str], list[str]]:
    """Feature keys as text (`stem`, `stem stem`, `author:name`) and what a user reads: a stem's
    most used word (ties: the alphabetically first), a name as written, a pair's two words."""
    keys = [""] * len(reader.columns)
    for key, col in reader.columns.items():
        keys[col] = key
    word_cols = np.frombuffer(reader.column_of_word, dtype=np.int64)
    used = np.bincount(
        np.concatenate([np.frombuffer(s.ids, dtype=np.int32) for s in (reader.title, reader.body)]),
        minlength=len(word_cols),
    )
    shown = [""] * len(keys)
    best = np.full(len(keys), -1, dtype=np.int64)
    for word, wid in sorted(reader.word_id.items()):
        col = int(word_cols[wid])
        if used[wid] > best[col]:
            best[col], shown[col] = used[wid], word
    for col, name in reader.shown.items():
        shown[col] = name
    terms, labels = [], []
    for key in kept.tolist():
        if key >= _MAX_COLUMNS:
            first, second = (key >> _PAIR_SHIFT) - 1, key & (_MAX_COLUMNS - 1)
            terms.append(f"{keys[first]} {keys[second]}")
            labels.append(f"{shown[first]} {shown[second]}")
        else:
            terms.append(keys[key])
            labels.append(shown[key])
    return terms, labels
