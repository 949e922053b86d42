"""A term's postings with their weights, and an unfielded word's weights over title and abstract.

What matching (matching.py) and scoring (scoring.py) both read. An unfielded word means "in
the title or the abstract" and scores as one field holding both (BM25F; WORDS_FIELD names that
merged field): its weight in a document is its title weight (2 x frequency, the title's field
boost) plus its abstract frequency. WordWeights makes those weights once per search, so that
matching finds which documents hold each word from them and scoring reads their weights,
instead of each building its own (at 10^6 papers a common word's two postings lists hold
~900,000 documents: a union for matching, then dense weights for scoring, ~5 ms each).
"""

from __future__ import annotations

from math import log
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from paperbrowse.engine.doc_arrays import lent_zeros
from paperbrowse.engine.term_postings import BlockPostings
from paperbrowse.engine.whoosh_internals import leaf_postings, postings_blocks

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays

# An unfielded word means "in the title or the abstract", and scores as one field holding both
# (BM25F): "words" names that merged field in scoring.positive_terms and scoring.bm25f.
WORDS_FIELD = "words"
MERGED_FIELDS = ("title", "abstract")


class Merged(NamedTuple):
    """An unfielded word's postings in title and abstract as one field."""

    weights: np.ndarray  # float64 per document number, 0.0 where absent (a lent work array)
    holding: np.ndarray  # bool per document number: the documents holding the word
    idf: float  # log(documents / (documents holding it + 1)) + 1, Whoosh's BM25 idf
    avg: float  # the merged field's average length in words (title's plus abstract's)


def term_bytes(searcher: Searcher, fieldname: str, text: Any) -> bytes:
    """A term's text as the index stores it."""
    if isinstance(text, bytes):
        return text
    try:
        stored: bytes = searcher.schema[fieldname].to_bytes(text)
        return stored
    except Exception:
        return str(text).encode("utf-8")


def unfielded_word(q: query.Query) -> Any | None:
    """The word of `title:w OR abstract:w` (what an unfielded word parses to), else None."""
    if not isinstance(q, query.Or) or len(q.subqueries) != 2:
        return None
    if not all(isinstance(c, query.Term) for c in q.subqueries):
        return None
    fields_ = {c.fieldname for c in q.subqueries}
    texts = {c.text for c in q.subqueries}
    return texts.pop() if fields_ == set(MERGED_FIELDS) and len(texts) == 1 else None


def postings(
    searcher: Searcher,
    arrays: TermArrays | None,
    fieldname: str,
    text: Any,
    blocks: BlockPostings | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(sorted document numbers as int64, weights as float64) of a term: from the side files,
    else Whoosh's postings blocks (`blocks`: those this search already read); None when the
    term's postings cannot be read so (the caller falls back to Whoosh)."""
    if arrays is not None and arrays.captures(fieldname):
        return arrays.postings(fieldname, term_bytes(searcher, fieldname, text))
    found = blocks.read(fieldname, text) if blocks is not None else None
    if found is not None:
        return found[0], found[1]
    ids: list[int] = []
    weights: list[float] = []
    for matcher, offset in leaf_postings(searcher, fieldname, text):
        read = postings_blocks(matcher, "weights")
        if read is None:
            return None
        for block in read:
            ids.extend(i + offset for i in block.ids)
            weights.extend(block.weights)
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def merged_weights(
    searcher: Searcher, arrays: TermArrays | None, text: Any, size: int, slot: int = 0
) -> Merged | None:
    """A word's postings in title and abstract as one field (Merged), its weights in this
    thread's lent work array number `slot` (doc_arrays.lent_zeros: valid until the thread's
    next call for that slot); `size` documents (deleted ones included). The idf counts the
    documents of all holding the word in either field. None when a field's postings cannot
    be read."""
    parts = [postings(searcher, arrays, f, text) for f in MERGED_FIELDS]
    if any(part is None for part in parts):
        return None
    # Dense weights per document number: a boolean mask of 88,000 postings half kept costs
    # ~0.5 ms an array (branch mispredictions); these scatters a tenth of that. (numpy's
    # `np.add.at` costs what `weights[ids] += w` does, or less: measured at 10^6 papers.)
    weights = lent_zeros(size, [part[0] for part in parts if part is not None], slot)
    for part in parts:
        assert part is not None
        ids, w = part
        np.add.at(weights, ids, w)  # a field's numbers are unique: title's, then abstract's
    # Every posting's weight is positive (its frequency, at least 1, times the field's boost):
    # the documents holding the word are those weighed, without a scatter of flags per field.
    holding = weights > 0
    count = int(np.count_nonzero(holding))
    avg = sum(searcher.field_length(f) for f in MERGED_FIELDS) / (size or 1)
    return Merged(weights, holding, log(size / (count + 1)) + 1, avg)


class WordWeights:
    """One search's unfielded words' Merged weights, each made once: matching reads which
    documents hold a word (`holding`), scoring its weights. The first SLOTS words are kept
    (lent work arrays 1 to SLOTS: 8 bytes per document each, per thread); for others, and
    for fields not read from the side files, `merged` returns None and each caller makes its
    own as before. Valid until the thread's next search (the arrays are lent)."""

    SLOTS = 2

    def __init__(self, searcher: Searcher, arrays: TermArrays | None, size: int) -> None:
        self.searcher = searcher
        self.arrays = arrays
        self.size = size
        self._made: dict[Any, Merged | None] = {}
        self._readable = arrays is not None and all(arrays.captures(f) for f in MERGED_FIELDS)

    def merged(self, text: Any) -> Merged | None:
        """The word's Merged weights, made at the first call; None when this search does not
        keep them (see the class)."""
        if text in self._made:
            return self._made[text]
        if not self._readable or len(self._made) >= self.SLOTS:
            return None
        slot = len(self._made) + 1
        made = self._made[text] = merged_weights(self.searcher, self.arrays, text, self.size, slot)
        return made
