"""Scoring: BM25F over whole postings arrays, and the query terms that add to a score.

BM25 with Whoosh's defaults (B 0.75, K1 1.2), summed over the query's terms. An unfielded word is
scored once on a merged field holding title and abstract, whose weights are field-weighted
frequencies (title x2) and whose length is the sum of both: the BM25F of Robertson et al.
Whoosh's own "BM25F" instead sums a BM25 per field; fielded terms (title:, abstract:) are scored
exactly as Whoosh scores them. The same figures Whoosh's scorer reads one posting at a time,
computed for a whole postings list at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from paperbrowse.engine.doc_arrays import lent_zeros
from paperbrowse.engine.term_postings import BlockPostings
from paperbrowse.engine.term_weights import (
    WORDS_FIELD,
    Merged,
    WordWeights,
    merged_weights,
    postings,
    unfielded_word,
)

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays

_B, _K1 = 0.75, 1.2


def positive_terms(q: query.Query) -> set[tuple[str, Any]]:
    """The (field, text) terms that add to a document's score: not those under NOT."""
    if isinstance(q, query.Not):
        return set()
    if isinstance(q, query.AndNot):
        return positive_terms(q.a)
    word = unfielded_word(q)
    if word is not None:
        return {(WORDS_FIELD, word)}
    if isinstance(q, query.Term):
        return {(q.fieldname, q.text)}
    if isinstance(q, query.Phrase):
        return {(q.fieldname, w) for w in q.words}
    found: set[tuple[str, Any]] = set()
    for child in q.children():
        found |= positive_terms(child)
    return found


def top_scored(
    searcher: Searcher,
    q: query.Query,
    allowed: np.ndarray | None,
    lengths: dict[str, np.ndarray],
    limit: int,
    rank: np.ndarray,
    arrays: TermArrays | None = None,
    permitted: np.ndarray | None = None,
    blocks: BlockPostings | None = None,
    words: WordWeights | None = None,
) -> np.ndarray | None:
    """The `limit` best documents of `allowed` by BM25F over the query's terms, best first.

    Equal scores go by `rank` (a position per document number: the catalog's date order).
    `permitted`: `allowed` as a flag per document number, when the caller has it (`allowed`
    may then be None); `blocks`: the terms of other fields already read by this search's
    matching; `words`: the unfielded words' weights it made. None when the query has no
    scorable terms (Whoosh then decides).
    """
    scored = bm25f(searcher, q, allowed, lengths, arrays, permitted, blocks, words)
    if scored is None:
        return None
    docs, scores = scored
    if len(docs) > limit:
        # The `limit` best: every score above the limit-th best, then of the scores equal to
        # it those first in `rank` (argpartition alone would pick among equals arbitrarily).
        candidates = _over_best(scores, limit)
        kept = scores[candidates]
        kth = len(kept) - limit
        threshold = np.partition(kept, kth)[kth]
        above = candidates[kept > threshold]
        tied = candidates[kept == threshold]
        if len(tied) > limit - len(above):
            tied = tied[np.argsort(rank[docs[tied]], kind="stable")[: limit - len(above)]]
        best = np.concatenate([above, tied])
        docs, scores = docs[best], scores[best]
    order = np.lexsort((rank[docs], -scores))
    return docs[order]


def _over_best(scores: np.ndarray, limit: int) -> np.ndarray:
    """Indices (ascending) of `scores` (more than `limit` of them) holding every score at
    least the `limit`-th best: all of them, or for a long list those at least a bound guessed
    from a strided sample (a sample's 4 x limit x len/len(all)-th best: about 4 x limit
    scores reach it), checked to hold `limit` or more (else all). One pass over the scores
    instead of a partition of all of them (~1.5 ms at 890,000) and two passes."""
    sample_size = 16 * limit
    if len(scores) <= 4 * sample_size:
        return np.arange(len(scores))
    sample = scores[:: len(scores) // sample_size]
    j = 4 * limit * len(sample) // len(scores)  # the j-th best of the sample: the bound
    bound = np.partition(sample, len(sample) - 1 - j)[len(sample) - 1 - j]
    candidates = np.flatnonzero(scores >= bound)
    if len(candidates) >= limit:  # then the limit-th best is at least the bound
        return candidates
    return np.arange(len(scores))


def bm25f(
    searcher: Searcher,
    q: query.Query,
    allowed: np.ndarray | None,
    lengths: dict[str, np.ndarray],
    arrays: TermArrays | None = None,
    permitted: np.ndarray | None = None,
    blocks: BlockPostings | None = None,
    words: WordWeights | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(documents of `allowed` holding a positive term of `q`, their BM25F scores), sorted by
    document; None when the query has no scorable terms. `allowed`: document numbers, sorted
    and unique. `lengths`: each field's length per document, with WORDS_FIELD the title's
    plus the abstract's. `permitted`: `allowed` as a flag per document number, when the
    caller has it (else it is made here; `allowed` may then be None, and is found from it
    when needed). `words`: the search's unfielded words' weights, when matching made them
    (else each is made here).

    The same figures Whoosh's scorer reads one posting at a time, computed for a whole
    postings list at once.
    """
    terms = {(f, t) for f, t in positive_terms(q) if f in lengths}
    if not terms:
        return None
    size = searcher.reader().doc_count_all()
    if permitted is None:
        assert allowed is not None, "bm25f needs `allowed` or `permitted`"
        permitted = np.zeros(size, dtype=bool)
        permitted[allowed] = True
    # In a fixed order: floating-point sums of three or more terms depend on their order, and
    # a set of strings iterates in an order that changes with each process's hash seed (a
    # phrase's four terms scored last bits apart from one run to the next).
    ordered = sorted(terms, key=repr)
    if len(ordered) == 1:  # the commonest query: its scores are the result, no totals
        return _term_scores(
            searcher, ordered[0], lengths, (arrays, blocks, words), (permitted, allowed), size
        )
    # Several terms: each one's BM25 of every permitted document, 0.0 where it is absent
    # (adding 0.0 changes no sum), summed in that order: the permitted documents once, then a
    # gather per term, instead of scatters of each term's scores and flags into dense totals.
    docs = np.flatnonzero(permitted[:size]) if allowed is None else allowed
    total: np.ndarray | None = None
    hit: np.ndarray | None = None
    scaled: dict[tuple[str, float], np.ndarray] = {}  # the terms of a field share lengths
    for fieldname, text in ordered:
        dense = _dense_weights(searcher, (arrays, blocks, words), fieldname, text, size)
        if dense is None:
            return None
        weights, idf, avg = dense
        found = weights[docs]
        present = found > 0  # every posting's weight is positive (term_weights.Merged)
        hit = present if hit is None else np.logical_or(hit, present, out=hit)
        if int(np.count_nonzero(present)) * 2 < len(docs):  # (a title word's, often)
            at = np.flatnonzero(present)  # scored where present, added there alone
            scores = _bm25(found[at], lengths[fieldname][docs[at]], idf, avg, True)
            if total is None:
                total = np.zeros(len(docs), dtype=np.float64)
            total[at] += scores  # indices unique
            continue
        per_length = scaled.get((fieldname, avg))
        if per_length is None:
            per_length = scaled[(fieldname, avg)] = _scaled_lengths(lengths[fieldname][docs], avg)
        scores = _bm25_scaled(found, per_length, idf)
        total = scores if total is None else np.add(total, scores, out=total)
    assert total is not None and hit is not None
    if not hit.all():
        docs, total = docs[hit], total[hit]
    return docs, total


def _term_scores(
    searcher: Searcher,
    term: tuple[str, Any],
    lengths: dict[str, np.ndarray],
    read: tuple[TermArrays | None, BlockPostings | None, WordWeights | None],
    allowed: tuple[np.ndarray, np.ndarray | None],
    size: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(the allowed documents holding one term, ascending; their BM25F scores). `read`: the
    side files, the blocks and the words' weights this search read; `allowed`: (a flag per
    document number, those documents sorted or None)."""
    arrays, blocks, words = read
    permitted, flagged = allowed
    fieldname, text = term
    if fieldname == WORDS_FIELD:
        merged = _merged(searcher, arrays, words, text, size)
        if merged is None:
            return None
        dense, holding, idf, avg = merged
        ids = _permitted_of(holding, permitted, size, flagged)
        weights = dense[ids]
        owned = True  # a gather of this search's own: scored in place
    else:
        found = postings(searcher, arrays, fieldname, text, blocks)
        if found is None:
            return None
        ids, weights = found
        owned = False  # maybe the side files' cached arrays: never changed
        avg = searcher.avg_field_length(fieldname)
        idf = searcher.idf(fieldname, text)
        keep = permitted[ids]
        if not keep.all():
            ids, weights = ids[keep], weights[keep]
    return ids, _bm25(weights, lengths[fieldname][ids], idf, avg, owned)


def _merged(
    searcher: Searcher, arrays: TermArrays | None, words: WordWeights | None, text: Any, size: int
) -> Merged | None:
    """An unfielded word's weights: those matching made (`words`), else made now in this
    thread's lent work array 0."""
    made = words.merged(text) if words is not None else None
    return made if made is not None else merged_weights(searcher, arrays, text, size)


def _dense_weights(
    searcher: Searcher,
    read: tuple[TermArrays | None, BlockPostings | None, WordWeights | None],
    fieldname: str,
    text: Any,
    size: int,
) -> tuple[np.ndarray, float, float] | None:
    """A term's weight per document number (`size` of them as float64, 0.0 where absent; in
    a lent work array: read it before the thread's next call), its idf and its field's
    average length; None when its postings cannot be read. `read`: as in _term_scores."""
    arrays, blocks, words = read
    if fieldname == WORDS_FIELD:
        merged = _merged(searcher, arrays, words, text, size)
        return None if merged is None else (merged.weights, merged.idf, merged.avg)
    found = postings(searcher, arrays, fieldname, text, blocks)
    if found is None:
        return None
    ids, weights = found
    dense = lent_zeros(size, [ids])
    dense[ids] = weights  # a term's numbers are unique
    return dense, searcher.idf(fieldname, text), searcher.avg_field_length(fieldname)


def _bm25(
    weights: np.ndarray, field_lengths: np.ndarray, idf: float, avg: float, owned: bool
) -> np.ndarray:
    """BM25 of postings: `weights` (float64) and `field_lengths` (their documents' lengths in
    the field, a gather of this search's own: overwritten when float64; the same figures, as
    whole numbers converted exactly, when not) as arrays of one length, `idf`,
    `avg` (the field's average length); `owned`: `weights` may be overwritten too.

    `idf * (K1 + 1) * w / (w + K1 * (1 - B) + K1 * B / avg * length)`, each operation in
    the order and rounding of that expression evaluated on whole arrays (products and sums
    of two terms are the same whichever comes first), but into the arrays at hand: at 10^6
    papers a common word's 890,000 postings made five 7 MB temporaries, each paid for in
    page faults, about as dear as the arithmetic itself.
    """
    own = weights if owned else weights.copy()
    return _bm25_scaled(own, _scaled_lengths(field_lengths, avg), idf)


def _scaled_lengths(field_lengths: np.ndarray, avg: float) -> np.ndarray:
    """`K1 * B / avg * length` of each length (a gather of this search's own, overwritten when
    float64): the part of _bm25's denominator every term of a field shares."""
    per_len = _K1 * _B / (avg or 1.0)
    if field_lengths.dtype == np.float64:
        scaled: np.ndarray = np.multiply(field_lengths, per_len, out=field_lengths)
        return scaled
    return per_len * field_lengths


def _bm25_scaled(weights: np.ndarray, scaled: np.ndarray, idf: float) -> np.ndarray:
    """_bm25 of `weights` (float64, overwritten) with the field's lengths already scaled
    (_scaled_lengths, not changed): the same operations on the same operands, so the same
    scores to the bit (a sum of two terms is the same whichever comes first)."""
    scores: np.ndarray = np.multiply(weights, idf * (_K1 + 1))
    np.add(weights, _K1 * (1 - _B), out=weights)
    np.add(weights, scaled, out=weights)
    np.divide(scores, weights, out=scores)
    return scores


def _permitted_of(
    flags: np.ndarray, permitted: np.ndarray, size: int, flagged: np.ndarray | None = None
) -> np.ndarray:
    """The document numbers flagged in `flags` (a bool per document, `size` long; changed in
    place) that `permitted` (a bool per document number, maybe shorter) allows, ascending.
    `flagged`: the documents `permitted` flags, sorted, when the caller has them: when every
    one is in `flags` (a word's own search) they are the answer, with no pass over the flags."""
    if len(permitted) >= size:
        np.logical_and(flags, permitted[:size], out=flags)
        if flagged is not None and int(np.count_nonzero(flags)) == len(flagged):
            return flagged
        return np.flatnonzero(flags)
    docs = np.flatnonzero(flags)
    kept: np.ndarray = docs[permitted[docs]]
    return kept
