"""The postings of a segment being written, kept as flat arrays and grouped by term when the
segment is written (`TermPool`, used by whoosh_segment_writer.PaperSegmentWriter).

Whoosh's own pool (`whoosh.writing.PostingPool`) keeps a tuple per posting, about 200 bytes of
Python objects, sorts them all when the segment is written, and past its `limitmb` spills
sorted runs to disk and merges them back: at 10,000 papers (about 290 postings each) a writer
process held 375 MB. Here a posting is three array entries (term number, document number,
weight: 12 bytes) plus, in a positional field, a reference to its value (8 bytes, the value
itself often a shared object); a term is one dict entry per field. Grouping is one numpy sort
per field when the segment is written. Nothing spills: a run's memory grows by ~20 bytes a
posting, which the indexer bounds by the number of papers a writer process takes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np

TermPostings = tuple[bytes, "array[int]", "array[float]", list[bytes]]
_CHUNK = 1 << 20  # postings whose values are reordered at once


class FieldPostings:
    """One field's postings in arrival order: `terms` numbers each distinct term (bytes);
    `term_ids`, `docs`, `weights` hold one entry per posting; `values` each posting's value
    when the field's postings have values (positions), else nothing."""

    __slots__ = ("terms", "term_ids", "docs", "weights", "values")

    def __init__(self) -> None:
        self.terms: dict[bytes, int] = {}
        self.term_ids = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.values: list[bytes] = []

    def clear(self) -> None:
        """Drop every posting."""
        self.terms = {}
        self.term_ids = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.values = []

    def add(self, btext: bytes, docnum: int, weight: float, value: bytes | None) -> None:
        """One posting (the writer's hot loop inlines this)."""
        number = self.terms.get(btext)
        if number is None:
            number = self.terms[btext] = len(self.terms)
        self.term_ids.append(number)
        self.docs.append(docnum)
        self.weights.append(weight)
        if value:
            self.values.append(value)

    def grouped(self, fieldname: str) -> Iterator[TermPostings]:
        """(term, document numbers ascending, weights, values) for each term in byte order;
        the arrays are Whoosh's block types (array("I"), array("f")). ValueError when only
        some postings have a value (Whoosh's block format cannot hold that either)."""
        count = len(self.docs)
        if self.values and len(self.values) != count:
            raise ValueError(f"field {fieldname!r}: some postings have no value")
        term_ids = np.frombuffer(self.term_ids, dtype=np.uintc)
        docs = np.frombuffer(self.docs, dtype=np.uintc)
        order = np.lexsort((docs, term_ids))  # by term, then document
        ids = array("I")
        ids.frombytes(_raw(docs[order]))  # copied from the array's buffer, not through bytes
        weights = array("f")
        weights.frombytes(_raw(np.frombuffer(self.weights, dtype=np.single)[order]))
        bounds = np.zeros(len(self.terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=len(self.terms)), out=bounds[1:])
        starts = bounds.tolist()
        terms = sorted(self.terms.items())
        arrived = self.values
        del term_ids, docs
        self.clear()  # the arrival-order arrays go before the values are sorted
        values: list[bytes] = []
        for at in range(0, len(arrived), _CHUNK):  # a chunk of Python ints at a time, not all
            values.extend(map(arrived.__getitem__, order[at : at + _CHUNK].tolist()))
        del arrived, order
        for btext, number in terms:
            start, end = starts[number], starts[number + 1]
            yield btext, ids[start:end], weights[start:end], values[start:end]


def _raw(values: np.ndarray) -> memoryview:
    """The bytes of a contiguous array, without a copy."""
    return np.ascontiguousarray(values).view(np.uint8).data


class TermPool:
    """Every field's postings of one segment (see the module docstring). Has the parts of
    Whoosh's pool its writers use: `add`, `fieldnames`, `iter_postings`, `cleanup`."""

    def __init__(self) -> None:
        self.fields: dict[str, FieldPostings] = {}
        self.fieldnames: set[str] = set()  # as Whoosh's pool: read by its multiprocess writer

    def field(self, fieldname: str) -> FieldPostings:
        """The postings of a field (created empty)."""
        found = self.fields.get(fieldname)
        if found is None:
            found = self.fields[fieldname] = FieldPostings()
            self.fieldnames.add(fieldname)
        return found

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting as Whoosh's pool takes it: (field, term, document, weight, value).
        Spelling words (document -1) are dropped: Whoosh's `add_postings` skips them too."""
        fieldname, btext, docnum, weight, value = item
        if docnum >= 0:
            self.field(fieldname).add(btext, docnum, weight, value)

    def terms(self) -> Iterator[tuple[str, Iterator[TermPostings]]]:
        """(field, its terms' postings as `FieldPostings.grouped` gives them), fields in name
        order; each field's postings leave the pool as it is read."""
        for fieldname in sorted(self.fields):
            postings = self.fields.pop(fieldname)
            if postings.docs:  # Whoosh's pool names no field without postings
                yield fieldname, postings.grouped(fieldname)

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Every posting in Whoosh's order (field, term, document), as its pool gives them."""
        for fieldname, terms in self.terms():
            for btext, ids, weights, values in terms:
                for i, docnum in enumerate(ids):
                    yield fieldname, btext, docnum, weights[i], values[i] if values else b""

    def cleanup(self) -> None:
        """Drop what is left (a cancelled writer)."""
        self.fields.clear()

    def __len__(self) -> int:
        """Postings held."""
        return sum(len(f.docs) for f in self.fields.values())
