"""Which documents match a Whoosh query, computed as sets of document numbers.

Whoosh's matchers yield one posting at a time through several Python calls each; for a common
word in 100,000 abstracts that alone takes a few hundred milliseconds. The browser only needs the
set of matching documents (the catalog sorts them), so here terms are read a postings block at a
time (each block's ids are one array) and boolean queries become set operations. Phrases first
narrow to documents holding every word of the phrase, then Whoosh checks positions on those
alone. (An index of word pairs made phrases cheap but indexing four times slower, so it was
dropped: see docs/performance.md.) Any query kind not handled here falls back to
Whoosh's own matcher, so results are always Whoosh's; a test compares both on many queries.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from whoosh import query
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher

# An unfielded word means "in the title or the abstract"; the words field holds both at once.
WORDS_FIELD = "words"
MERGED_FIELDS = {"title", "abstract"}


def leaf_postings(searcher: Searcher, fieldname: str, text: Any) -> Iterator[tuple[Any, int]]:
    """(raw postings matcher, document offset) of a term in each index segment holding it.

    Deleted documents are not filtered here: callers intersect with the live set once.
    """
    for leaf, offset in searcher.reader().leaf_readers():
        try:
            if (fieldname, text) not in leaf:
                continue
            matcher = leaf.postings(fieldname, text)
        except Exception:  # a field this segment never saw
            continue
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        yield matcher, offset


def term_docs(searcher: Searcher, fieldname: str, text: Any) -> set[int]:
    """Document numbers holding a term (deleted ones included: callers intersect with live)."""
    docs: set[int] = set()
    for matcher, offset in leaf_postings(searcher, fieldname, text):
        if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
            while matcher.is_active():
                if matcher._ids is None:
                    matcher._read_ids()
                ids = matcher._ids
                docs.update(ids if not offset else (i + offset for i in ids))
                matcher._next_block()
        else:
            docs.update(i + offset for i in matcher.all_ids())
    return docs


def term_positions(
    searcher: Searcher, fieldname: str, text: Any, docs: set[int]
) -> dict[int, list[int]] | None:
    """Positions of a term in each of `docs` that holds it (None: not a positional field).

    Reads the term's postings a block at a time and decodes positions only for `docs`.
    """
    field_obj = searcher.schema[fieldname]
    decode = getattr(field_obj.format, "decode_positions", None)
    if decode is None:
        return None
    found: dict[int, list[int]] = {}
    for matcher, offset in leaf_postings(searcher, fieldname, text):
        if not hasattr(matcher, "_read_values"):
            return None
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            ids = [i + offset for i in matcher._ids] if offset else matcher._ids
            if not docs.isdisjoint(ids):
                if matcher._values is None:
                    matcher._read_values()
                values = matcher._values
                for i, doc in enumerate(ids):
                    if doc in docs:
                        found[doc] = decode(values[i])
            matcher._next_block()
    return found


def phrase_docs(
    searcher: Searcher, fieldname: str, words: list[Any], candidates: set[int]
) -> set[int] | None:
    """The candidates where `words` stand at consecutive positions (None: cannot tell)."""
    per_word: list[dict[int, list[int]]] = []
    docs = set(candidates)
    for word in words:
        positions = term_positions(searcher, fieldname, word, docs)
        if positions is None:
            return None
        per_word.append(positions)
        docs &= positions.keys()
        if not docs:
            return set()
    matched: set[int] = set()
    for doc in docs:
        starts = set(per_word[0][doc])
        for offset, positions in enumerate(per_word[1:], 1):
            starts &= {p - offset for p in positions[doc]}
            if not starts:
                break
        if starts:
            matched.add(doc)
    return matched


class DocSets:
    """Evaluates queries to document-number sets against one searcher."""

    def __init__(self, searcher: Searcher, live: set[int]) -> None:
        self.searcher = searcher
        self.live = live

    def docs(self, q: query.Query) -> set[int]:
        """The live documents matching `q`."""
        found = self._eval(q)
        return found & self.live

    def _eval(self, q: query.Query) -> set[int]:
        if isinstance(q, query.Term):
            return term_docs(self.searcher, q.fieldname, q.text)
        if isinstance(q, query.And):
            parts = sorted((self._eval(c) for c in q.subqueries), key=len)
            if not parts:
                return set()
            result = set(parts[0])
            for part in parts[1:]:
                result &= part
                if not result:
                    break
            return result
        if isinstance(q, query.Or) and not isinstance(q, query.DisjunctionMax):
            if q.minmatch and q.minmatch > 1:
                return self._whoosh(q)
            word = unfielded_word(q)
            if word is not None:
                return term_docs(self.searcher, WORDS_FIELD, word)
            result = set()
            for child in q.subqueries:
                result |= self._eval(child)
            return result
        if isinstance(q, query.DisjunctionMax):
            result = set()
            for child in q.subqueries:
                result |= self._eval(child)
            return result
        if isinstance(q, query.Not):
            return self.live - self._eval(q.query)
        if isinstance(q, query.AndNot):
            return self._eval(q.a) - self._eval(q.b)
        if isinstance(q, query.AndMaybe):
            return self._eval(q.a)
        if isinstance(q, query.Phrase):
            return self._phrase(q)
        if isinstance(q, query.Every) and not q.fieldname:
            return set(self.live)
        if isinstance(q, query.NullQuery.__class__):
            return set()
        return self._whoosh(q)

    def _phrase(self, q: query.Phrase) -> set[int]:
        words = list(q.words)
        if not words:
            return set()
        # Only documents holding every word can hold the phrase: narrow with fast term sets,
        # then let Whoosh check positions on those alone.
        candidates: set[int] | None = None
        for word in words:
            found = term_docs(self.searcher, q.fieldname, word)
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return set()
        assert candidates is not None
        candidates &= self.live
        if len(words) == 1:
            return candidates
        if q.slop != 1 or not candidates:
            return self._whoosh(q, candidates)
        checked = phrase_docs(self.searcher, q.fieldname, words, candidates)
        return self._whoosh(q, candidates) if checked is None else checked

    def _whoosh(self, q: query.Query, within: set[int] | None = None) -> set[int]:
        if within is not None:
            if not within:
                return set()
            hits = self.searcher.search(q, limit=None, filter=within, scored=False)
            return {hit.docnum for hit in hits}
        return set(q.docs(self.searcher))


# BM25 with Whoosh's defaults, summed over the query's terms. An unfielded word is scored once
# on the words field, whose weights are field-weighted frequencies (title x2): the BM25F of
# Robertson et al. Whoosh's own "BM25F" instead sums a BM25 per field; fielded terms
# (title:, abstract:) are scored exactly as Whoosh scores them.
_B, _K1 = 0.75, 1.2


def unfielded_word(q: query.Query) -> Any | None:
    """The word of `title:w OR abstract:w` (what an unfielded word parses to), else None."""
    if not isinstance(q, query.Or) or len(q.subqueries) != 2:
        return None
    if not all(isinstance(c, query.Term) for c in q.subqueries):
        return None
    fields_ = {c.fieldname for c in q.subqueries}
    texts = {c.text for c in q.subqueries}
    return texts.pop() if fields_ == MERGED_FIELDS and len(texts) == 1 else None


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
    allowed: set[int],
    lengths: dict[str, Any],
    limit: int,
) -> list[int] | None:
    """The `limit` best documents of `allowed` by BM25F over the query's terms.

    None when the query has no scorable terms (Whoosh then decides).
    """
    scores = bm25f_scores(searcher, q, allowed, lengths)
    if scores is None:
        return None
    return heapq.nlargest(limit, scores, key=scores.__getitem__)


def bm25f_scores(
    searcher: Searcher, q: query.Query, allowed: set[int], lengths: dict[str, Any]
) -> dict[int, float] | None:
    """BM25F score of each allowed document holding a positive term of `q`.

    Reads each term's postings a block at a time (ids and weights are arrays), the same
    figures Whoosh's scorer reads one posting at a time.
    """
    terms = {(f, t) for f, t in positive_terms(q) if f in lengths}
    if not terms:
        return None
    scores: dict[int, float] = {}
    get = scores.get
    for fieldname, text in terms:
        avg = searcher.avg_field_length(fieldname) or 1.0
        idf = searcher.idf(fieldname, text)
        numer = idf * (_K1 + 1)
        base = _K1 * (1 - _B)
        per_len = _K1 * _B / avg
        field_lengths = lengths[fieldname]
        for matcher, offset in leaf_postings(searcher, fieldname, text):
            if not hasattr(matcher, "_read_weights"):
                return None
            while matcher.is_active():
                if matcher._ids is None:
                    matcher._read_ids()
                if matcher._weights is None:
                    matcher._read_weights()
                for doc, weight in zip(matcher._ids, matcher._weights, strict=False):
                    doc += offset
                    if doc in allowed:
                        score = numer * weight / (weight + base + per_len * field_lengths[doc])
                        scores[doc] = get(doc, 0.0) + score
                matcher._next_block()
    return scores
