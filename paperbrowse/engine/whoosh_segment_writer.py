"""A segment writer whose postings are grouped by term as they arrive (`PaperSegmentWriter`,
its pool `TermPool` in term_pool.py), writing each term's blocks whole through the capturing
field writer (whoosh_capture_writers.py).

Whoosh internals used here (see whoosh_internals.py for the version they were read against):
`SegmentWriter`'s `add_document`, `_flush_segment`, `_check_state`, `_check_fields`, `_added`,
`_doc_boost`, `_field_boost` and `pool`.
"""

from __future__ import annotations

from typing import Any

from whoosh.writing import SegmentWriter

from paperbrowse.engine.term_pool import TermPool
from paperbrowse.engine.whoosh_capture_writers import CapturingFieldWriter


class PaperSegmentWriter(SegmentWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's SegmentWriter with a TermPool: the same segment, written with less Python work
    per posting and a fraction of the memory (no `limitmb` pool to fill, no runs on disk).

    `add_document` is Whoosh's, except that postings go straight into the term pool; a codec
    whose field writer has `add_terms` (CapturingCodec's) writes each term's blocks whole, any
    other codec gets the postings one at a time as from Whoosh's own pool.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # Replaces Whoosh's PostingPool, which holds nothing yet (its runs are files only
        # once it spills).
        self.terms = TermPool()
        self.pool = self.terms  # the name Whoosh's writers use

    def add_document(self, **fields: Any) -> None:
        """Add one document (Whoosh's `add_document`, postings into the term pool)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.terms
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    into = pool.field(fieldname)  # FieldPostings.add, inlined: the hot loop
                    terms, numbers, docs, weights = (
                        into.terms,
                        into.term_ids,
                        into.docs,
                        into.weights,
                    )
                    values = into.values
                    for btext, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        number = terms.get(btext)
                        if number is None:
                            number = terms[btext] = len(terms)
                        numbers.append(number)
                        docs.append(docnum)
                        weights.append(weight * fieldboost)
                        if vbytes:
                            values.append(vbytes)
                if field.separate_spelling() or field.vector:
                    raise ValueError(f"field {fieldname!r}: spelling and vectors are not written")
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        fieldwriter = self.fieldwriter
        if isinstance(fieldwriter, CapturingFieldWriter):
            fieldwriter.add_terms(self.schema, lengths, self.terms)
        else:
            fieldwriter.add_postings(self.schema, lengths, self.terms.iter_postings())
        fieldwriter.close()
        if lengths is not None:
            lengths.close()
