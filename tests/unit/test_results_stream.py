"""`Results.triaged`: the papers of a search with their triage, read a chunk at a time (what
`paperbrowse search --format json` of a whole library streams)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from paperbrowse.models import Paper, TriageState
from paperbrowse.results import Results, Row


class _Catalog:
    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = ids


class _Reader:
    """A library of `n` papers whose reads are recorded."""

    def __init__(self, n: int) -> None:
        self.papers = [
            Paper(title=f"Paper number {i}", abstract=f"Abstract {i}.") for i in range(n)
        ]
        self.catalog = _Catalog([p.id for p in self.papers])
        self.read: list[int] = []
        self.generation = 0

    def row(self, docnum: int) -> Row:
        raise AssertionError("triaged reads whole papers, not rows")

    def paper_at(self, docnum: int) -> Paper:
        self.read.append(docnum)
        return self.papers[docnum]


def test_triage_is_asked_a_chunk_at_a_time_and_papers_are_read_as_they_are_written() -> None:
    reader = _Reader(25)
    order = list(range(24, -1, -1))  # newest first: document numbers descending
    starred = reader.papers[3].id
    asked: list[list[str]] = []

    def states(ids: list[str]) -> Mapping[str, TriageState]:
        asked.append(list(ids))
        return {starred: TriageState(starred=True)} if starred in ids else {}

    stream = Results(reader, order, "date").triaged(states, chunk=10)
    first_paper, first_state = next(stream)
    assert first_paper is reader.papers[24] and first_state == TriageState()
    assert len(reader.read) == 10 and len(asked) == 1  # one chunk read, not all 25
    rest = list(stream)
    assert [p for p, _ in [(first_paper, first_state), *rest]] == [reader.papers[i] for i in order]
    assert [len(ids) for ids in asked] == [10, 10, 5]
    assert [s.starred for p, s in rest if p.id == starred] == [True]
    assert sum(s.starred for _, s in rest) == 1


def test_count_stops_the_stream_without_reading_further() -> None:
    reader = _Reader(12)
    got = list(Results(reader, list(range(12)), "date").triaged(lambda ids: {}, 7, chunk=5))
    assert [p for p, _ in got] == reader.papers[:7]
    assert reader.read == list(range(7))
    assert list(Results(reader, [], "date").triaged(lambda ids: {})) == []
