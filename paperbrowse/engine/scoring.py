"""Scoring: BM25F over whole postings arrays, and the query terms that add to a score.

BM25 with Whoosh's defaults (B 0.75, K1 1.2), summed over the query's terms. An unfielded word is
scored once on a merged field holding title and abstract, whose weights are field-weighted
frequencies (title x2) and whose length is the sum of both: the BM25F of Robertson et al.
Whoosh's own "BM25F" instead sums a BM25 per field; fielded terms (title:, abstract:) are scored
exactly as Whoosh scores them. The same figures Whoosh's scorer reads one posting at a time,
computed for a whole postings list at once.
"""

from __future__ import annotations

from math import log
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from paperbrowse.engine.doc_arrays import lent_zeros
from paperbrowse.engine.matching import MERGED_FIELDS, WORDS_FIELD, term_bytes
from paperbrowse.engine.term_postings import BlockPostings
from paperbrowse.engine.whoosh_internals import leaf_postings, postings_blocks

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays

_B, _K1 = 0.75, 1.2


def unfielded_word(q: query.Query) -> Any | None:
    """The word of `title:w OR abstract:w` (what an unfielded word parses to), else None."""
    if not isinstance(q, query.Or) or len(q.subqueries) != 2:
        return None
    if not all(isinstance(c, query.Term) for c in q.subqueries):
        return None
    fields_ = {c.fieldname for c in q.subqueries}
    texts = {c.text for c in q.subqueries}
    return texts.pop() if fields_ == set(MERGED_FIELDS) and len(texts) == 1 else None


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
) -> np.ndarray | None:
    """The `limit` best documents of `allowed` by BM25F over the query's terms, best first.

    Equal scores go by `rank` (a position per document number: the catalog's date order).
    `permitted`: `allowed` as a flag per document number, when the caller has it (`allowed`
    may then be None); `blocks`:
    the terms of other fields already read by this search's matching.
    None when the query has no scorable terms (Whoosh then decides).
    """
    scored = bm25f(searcher, q, allowed, lengths, arrays, permitted, blocks)
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
) -> tuple[np.ndarray, np.ndarray] | None:
    """(documents of `allowed` holding a positive term of `q`, their BM25F scores), sorted by
    document; None when the query has no scorable terms. `allowed`: document numbers, sorted
    and unique. `lengths`: each field's length per document, with WORDS_FIELD the title's
    plus the abstract's. `permitted`: `allowed` as a flag per document number, when the
    caller has it (else it is made here; `allowed` may then be None, and is found from it
    when needed).

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
            searcher, ordered[0], lengths, arrays, (permitted, allowed), blocks, size
        )
    # Several terms: each one's BM25 of every permitted document, 0.0 where it is absent
    # (adding 0.0 changes no sum), summed in that order: the permitted documents once, then a
    # gather per term, instead of scatters of each term's scores and flags into dense totals.
    docs = np.flatnonzero(permitted[:size]) if allowed is None else allowed
    total: np.ndarray | None = None
    hit: np.ndarray | None = None
    for fieldname, text in ordered:
        dense = _dense_weights(searcher, arrays, blocks, fieldname, text, size)
        if dense is None:
            return None
        weights, idf, avg = dense
        found = weights[docs]
        present = found > 0  # every posting's weight is positive (see _merged_weights)
        hit = present if hit is None else np.logical_or(hit, present, out=hit)
        if int(np.count_nonzero(present)) * 2 < len(docs):  # (a title word's, often)
            at = np.flatnonzero(present)  # scored where present, added there alone
            scores = _bm25(found[at], lengths[fieldname][docs[at]], idf, avg, True)
            if total is None:
                total = np.zeros(len(docs), dtype=np.float64)
            total[at] += scores  # indices unique
            continue
        scores = _bm25(found, lengths[fieldname][docs], idf, avg, True)
        total = scores if total is None else np.add(total, scores, out=total)
    assert total is not None and hit is not None
    if not hit.all():
        docs, total = docs[hit], total[hit]
    return docs, total


def _term_scores(
    searcher: Searcher,
    term: tuple[str, Any],
    lengths: dict[str, np.ndarray],
    arrays: TermArrays | None,
    allowed: tuple[np.ndarray, np.ndarray | None],
    blocks: BlockPostings | None,
    size: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(the allowed documents holding one term, ascending; their BM25F scores). `allowed`:
    (a flag per document number, those documents sorted or None)."""
    permitted, flagged = allowed
    fieldname, text = term
    if fieldname == WORDS_FIELD:
        merged = _merged_weights(searcher, arrays, text, size)
        if merged is None:
            return None
        dense, holding, idf, avg = merged
        ids = _permitted_of(holding, permitted, size, flagged)
        weights = dense[ids]
        owned = True  # a gather of this search's own: scored in place
    else:
        found = _postings(searcher, arrays, fieldname, text, blocks)
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


def _dense_weights(
    searcher: Searcher,
    arrays: TermArrays | None,
    blocks: BlockPostings | None,
    fieldname: str,
    text: Any,
    size: int,
) -> tuple[np.ndarray, float, float] | None:
    """A term's weight per document number (`size` of them as float64, 0.0 where absent; in
    this thread's lent work array: read it before the next call), its idf and its field's
    average length; None when its postings cannot be read."""
    if fieldname == WORDS_FIELD:
        merged = _merged_weights(searcher, arrays, text, size)
        return None if merged is None else (merged[0], merged[2], merged[3])
    found = _postings(searcher, arrays, fieldname, text, blocks)
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
    base = _K1 * (1 - _B)
    per_len = _K1 * _B / (avg or 1.0)
    if field_lengths.dtype == np.float64:  # (the catalog's lengths are floats)
        denominator = np.multiply(field_lengths, per_len, out=field_lengths)
    else:
        denominator = per_len * field_lengths
    scores: np.ndarray = np.multiply(weights, idf * (_K1 + 1))
    shifted = np.add(weights, base, out=weights if owned else None)
    np.add(denominator, shifted, out=denominator)
    np.divide(scores, denominator, out=scores)
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


def _merged_weights(
    searcher: Searcher, arrays: TermArrays | None, text: Any, size: int
) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """A word's postings in title and abstract as one field: (its weight per document number,
    `size` of them as float64, 0.0 where absent, in this thread's lent work array
    (doc_arrays.lent_zeros: read it before the next call); a flag per document number
    holding it; its
    idf; the merged field's average length). Each document's weight is its title weight
    (2 x frequency, the title's field boost) plus its abstract frequency; the idf counts the
    documents of all (deleted ones included) holding the word in either field."""
    parts = [_postings(searcher, arrays, f, text) for f in MERGED_FIELDS]
    if any(part is None for part in parts):
        return None
    # Dense weights per document number: a boolean mask of 88,000 postings half kept costs
    # ~0.5 ms an array (branch mispredictions); these scatters a tenth of that. (numpy's
    # `np.add.at` costs what `weights[ids] += w` does, or less: measured at 10^6 papers.)
    weights = lent_zeros(size, [part[0] for part in parts if part is not None])
    for part in parts:
        assert part is not None
        ids, w = part
        np.add.at(weights, ids, w)  # a field's numbers are unique: title's, then abstract's
    # Every posting's weight is positive (its frequency, at least 1, times the field's boost):
    # the documents holding the word are those weighed, without a scatter of flags per field.
    holding = weights > 0
    count = int(np.count_nonzero(holding))
    avg = sum(searcher.field_length(f) for f in MERGED_FIELDS) / (size or 1)
    return weights, holding, log(size / (count + 1)) + 1, avg


def _postings(
    searcher: Searcher,
    arrays: TermArrays | None,
    fieldname: str,
    text: Any,
    blocks: BlockPostings | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(document numbers, weights) of a term: from the side files, else Whoosh's blocks."""
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
