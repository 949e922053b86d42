"""Which documents match a Whoosh query, and how well: sorted numpy arrays of document numbers.

Whoosh's matchers yield one posting at a time through several Python calls each; for a common
word in 100,000 abstracts that alone takes a few hundred milliseconds. Here a term of the title
or abstract is read whole from the segments' postings side files (side_files.py) and boolean
queries become array set operations. Phrases narrow to the documents holding every word, then
intersect (document, position - offset) keys of each word. Other terms (org, wildcards,
ranges) are read from Whoosh's postings blocks, and any query kind not handled here falls back
to Whoosh's own matcher, so results are always Whoosh's; tests compare both on many queries.

Scoring is in scoring.py; the sets' operations in doc_arrays.py; reading terms other than whole
side-file arrays in term_postings.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from paperbrowse.engine.doc_arrays import (
    EMPTY,
    as_array,
    difference,
    intersect,
    intersect_keys,
    sorted_unique,
    union,
    unique_ascending,
)
from paperbrowse.engine.patterns import (
    Selection,
    all_stars,
    check_breadth,
    is_pattern,
    pattern_nodes,
    select,
    whoosh_pattern_docs,
)
from paperbrowse.engine.term_postings import (
    BlockPostings,
    consecutive,
    phrase_docs,
    term_docs,
    term_keys_in,
)
from paperbrowse.engine.term_weights import WordWeights, term_bytes, unfielded_word
from paperbrowse.engine.word_pairs import PAIR_FIELDS, phrase_pair_terms

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays


class DocSets:
    """Evaluates queries to sorted arrays of document numbers against one searcher.

    With `arrays` (the segments' postings side files, see side_files.py) terms of the text fields
    are read as whole arrays; other terms, and any segment without a side file, go through
    Whoosh's postings blocks. With `words` (a search that scores next) an unfielded word's
    documents are those its merged weights hold, made once for both (term_weights.py), and
    words that must all match are combined as flags.
    """

    def __init__(
        self,
        searcher: Searcher,
        live: np.ndarray,
        arrays: TermArrays | None = None,
        nonempty: dict[str, np.ndarray] | None = None,
        blocks: BlockPostings | None = None,
        words: WordWeights | None = None,
    ) -> None:
        self.searcher = searcher
        self.words = words
        self.live = live
        self.arrays = arrays
        self.blocks = blocks  # other fields' terms, read once per search
        self.nonempty = nonempty  # word field -> flags of documents with a word (for `*`)
        self._selections: dict[int, Selection] = {}  # pattern node id -> its words

    def docs(self, q: query.Query) -> np.ndarray:
        """The live documents matching `q`, sorted.

        Patterns are counted first: a query whose patterns are too broad raises
        PatternTooBroad before any postings are read.
        """
        self._selections = {}
        if self.arrays is not None:
            counted: list[tuple[query.Query, Selection]] = []
            for node in pattern_nodes(q):
                if all_stars(node):
                    continue
                found_words = select(node, self.arrays)
                if found_words is None:
                    break
                self._selections[id(node)] = found_words
                counted.append((node, found_words))
            check_breadth(counted)
        found = self._eval(q)
        if len(self.live) == self.size:
            return found
        return intersect(found, self.live, self.size)

    @property
    def size(self) -> int:
        """Document numbers in all (deleted ones included)."""
        size: int = self.searcher.reader().doc_count_all()
        return size

    def term(self, fieldname: str, text: Any) -> np.ndarray:
        """Sorted document numbers holding a term (deleted ones included)."""
        if self.arrays is not None and self.arrays.captures(fieldname):
            return self.arrays.docs(fieldname, term_bytes(self.searcher, fieldname, text))
        found = self.blocks.read(fieldname, text) if self.blocks is not None else None
        if found is not None:
            return found[0]
        return as_array(term_docs(self.searcher, fieldname, text))

    def _held(self, q: query.Query) -> np.ndarray | None:
        """A flag per document number holding `q`, when it is an unfielded word whose merged
        weights this search keeps (`words`), else None. Not to be changed: scoring reads it."""
        word = unfielded_word(q) if self.words is not None else None
        merged = self.words.merged(word) if self.words is not None and word is not None else None
        return None if merged is None else merged.holding

    def _eval(self, q: query.Query) -> np.ndarray:
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text)
        held = self._held(q)
        if held is not None:
            return np.flatnonzero(held)
        if isinstance(q, query.And):
            # `a NOT b`: a's documents less b's, not a's and all but b's (a million at 10^6)
            kept = [c for c in q.subqueries if not isinstance(c, query.Not)]
            negated = [c.query for c in q.subqueries if isinstance(c, query.Not)]
            if not kept:
                kept, negated = q.subqueries, []
            parts = sorted(self._all_of(kept), key=len)
            if not parts:
                return EMPTY
            result = parts[0]
            for part in parts[1:]:
                if not len(result):
                    break
                result = intersect(result, part, self.size)
            for inner in negated:
                if len(result):
                    result = difference(result, self._eval(inner), self.size)
            return result
        if isinstance(q, query.Or) and not isinstance(q, query.DisjunctionMax):
            if q.minmatch and q.minmatch > 1:
                return self._whoosh(q)
            return self._union(q.subqueries)
        if isinstance(q, query.DisjunctionMax):
            return self._union(q.subqueries)
        if isinstance(q, query.Not):
            return difference(self.live, self._eval(q.query), self.size)
        if isinstance(q, query.AndNot):
            return difference(self._eval(q.a), self._eval(q.b), self.size)
        if isinstance(q, query.AndMaybe):
            return self._eval(q.a)
        if isinstance(q, query.Phrase):
            return self._phrase(q)
        if is_pattern(q):
            return self._pattern(q)
        if isinstance(q, query.Every) and (not q.fieldname or q.fieldname == "has_code"):
            every: np.ndarray = self.live.copy()  # every document has has_code, true or false
            return every
        if isinstance(q, query.NullQuery.__class__):
            return EMPTY
        return self._whoosh(q)

    def _all_of(self, children: list[query.Query]) -> list[np.ndarray]:
        """The documents of each child of an And; those of its kept words (`_held`) as one:
        their flags ANDed (a pass over a byte per document) instead of each word's documents
        found and intersected."""
        flags: np.ndarray | None = None
        parts: list[np.ndarray] = []
        for child in children:
            held = self._held(child)
            if held is None:
                parts.append(self._eval(child))
            else:
                flags = held.copy() if flags is None else np.logical_and(flags, held, out=flags)
        if flags is not None:
            parts.append(np.flatnonzero(flags))
        return parts

    def _pattern(self, q: query.Query) -> np.ndarray:
        """A wildcard, prefix, range or `*` over a word field (see patterns.py)."""
        if all_stars(q) and self.nonempty and q.fieldname in self.nonempty:
            return np.flatnonzero(self.nonempty[q.fieldname])
        chosen = self._selections.get(id(q))
        if chosen is not None:
            return chosen.docs(self.size)
        return whoosh_pattern_docs(self.searcher, q)

    def _union(self, children: list[query.Query]) -> np.ndarray:
        parts = [self._eval(c) for c in children]
        parts = [p for p in parts if len(p)]
        if not parts:
            return EMPTY
        if len(parts) == 1:
            return parts[0]
        return union(parts, self.size)

    def _phrase(self, q: query.Phrase) -> np.ndarray:
        words = list(q.words)
        if not words:
            return EMPTY
        # Adjacent common words (any words of an organisation): their pair terms
        # (word_pairs.py) hold exactly the documents where the two stand together; a two-word
        # phrase is its pair's postings (`docs` leaves out the deleted ones).
        pairs = self._pair_docs(q.fieldname, words) if q.slop == 1 else None
        if pairs is not None and len(words) == 2:
            return pairs[0]
        # Only documents holding every word can hold the phrase: narrow with the words' sets,
        # then check positions on those alone.
        if q.slop == 1 and self.blocks is not None and not self._side(q.fieldname):
            for word in words:  # read with positions once, for both steps
                self.blocks.read(q.fieldname, word, values=True)
        # Each word's documents, the rarest first (their counts order the words: a lookup of
        # Whoosh's term info per word and segment cost more than the intersections).
        holding = {word: self.term(q.fieldname, word) for word in dict.fromkeys(words)}
        candidates: np.ndarray | None = None
        for found in sorted(pairs or (), key=len):  # a longer phrase: its pairs narrow first
            candidates = found if candidates is None else intersect(candidates, found, self.size)
            if not len(candidates):
                return EMPTY
        for found in sorted(holding.values(), key=len):
            candidates = found if candidates is None else intersect(candidates, found, self.size)
            if not len(candidates):
                return EMPTY
        assert candidates is not None
        if len(self.live) != self.size:
            candidates = intersect(candidates, self.live, self.size)
        if len(words) == 1 or not len(candidates):
            return candidates
        if q.slop == 1 and self.arrays is not None and self.arrays.captures(q.fieldname):
            counts = {word: len(found) for word, found in holding.items()}
            checked = self._phrase_arrays(q.fieldname, words, candidates, counts)
            if checked is not None:
                return checked
        if q.slop == 1:
            from_blocks = self._phrase_blocks(q.fieldname, words, candidates)
            if from_blocks is not None:
                return from_blocks
        within = set(candidates.tolist())
        if q.slop != 1:
            return self._whoosh(q, within)
        slow = phrase_docs(self.searcher, q.fieldname, words, within)
        return self._whoosh(q, within) if slow is None else as_array(slow)

    def _phrase_arrays(
        self, fieldname: str, words: list[Any], candidates: np.ndarray, counts: dict[Any, int]
    ) -> np.ndarray | None:
        """Candidates where the words stand at consecutive positions, from the side files.
        `counts`: how many documents hold each word."""
        assert self.arrays is not None
        starts: np.ndarray | None = None
        # The rarest word first: each word's positions are decoded only in the documents where
        # the phrase can still start (the candidates narrow as the words are checked).
        checked = sorted(enumerate(words), key=lambda ow: counts[ow[1]])
        for n, (offset, word) in enumerate(checked):
            # (document, position of the phrase's first word), packed in one int64 key
            found = term_keys_in(
                self.arrays,
                fieldname,
                term_bytes(self.searcher, fieldname, word),
                candidates,
                offset,
            )
            if found is None:
                return None
            keys = sorted_unique(found)
            starts = keys if starts is None else intersect_keys(starts, keys)
            if not len(starts):
                return EMPTY
            # Every candidate holds the first word: narrowing pays from the second word on.
            # The keys ascend, so their documents are deduplicated without a sort.
            if 0 < n < len(checked) - 1:
                candidates = unique_ascending(starts >> 32)
        assert starts is not None
        return unique_ascending(starts >> 32)

    def _pair_docs(self, fieldname: str, words: list[Any]) -> list[np.ndarray] | None:
        """The documents of each pair term of a phrase's words in `fieldname` (a stemmed field
        with a pair field, word_pairs.py), read from the side files; None when the phrase has
        no pair the field keeps (`phrase_pair_terms`) or the library keeps none here."""
        pair_field = PAIR_FIELDS.get(fieldname)
        if pair_field is None or not self._side(pair_field):
            return None
        if pair_field not in self.searcher.schema or not all(isinstance(w, str) for w in words):
            return None
        found = phrase_pair_terms(fieldname, words)
        if not found:
            return None
        return [self.term(pair_field, term) for term in found]

    def _side(self, fieldname: str) -> bool:
        """Whether the field's terms are read from the side files."""
        return self.arrays is not None and self.arrays.captures(fieldname)

    def _phrase_blocks(
        self, fieldname: str, words: list[Any], candidates: np.ndarray
    ) -> np.ndarray | None:
        """Candidates where the words stand at consecutive positions, from Whoosh's postings
        blocks read once per search (None: not a positional field, or not readable so)."""
        decode = getattr(self.searcher.schema[fieldname].format, "decode_positions", None)
        if decode is None or self.blocks is None:
            return None
        docs = candidates.tolist()
        per_word: list[dict[int, list[int]]] = []
        for word in words:
            found = self.blocks.read(fieldname, word, values=True)
            values = found[2] if found is not None else None
            if found is None or values is None:
                return None
            at = np.searchsorted(found[0], candidates).tolist()  # each candidate has each word
            per_word.append({doc: decode(values[i]) for doc, i in zip(docs, at, strict=True)})
        return as_array(consecutive(per_word, docs))

    def _whoosh(self, q: query.Query, within: set[int] | None = None) -> np.ndarray:
        if within is not None:
            if not within:
                return EMPTY
            hits = self.searcher.search(q, limit=None, filter=within, scored=False)
            return as_array(hit.docnum for hit in hits)
        return as_array(set(q.docs(self.searcher)))
