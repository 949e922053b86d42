"""What a search returns and what `stats` counts: `Results` (an ordered set of document numbers
whose list rows and records are read lazily), `Row` (what a list row shows) and `LibraryStats`.

`Results` reads through a `PaperReader` (the `Library` that ran the search), so this module
needs nothing of the library itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, overload
from urllib.parse import urlsplit

import numpy as np

from paperbrowse.models import Paper, TriageState

TRIAGE_CHUNK = 500  # papers whose triage `Results.triaged` reads in one query


class Ids(Protocol):
    """The part of a catalog `Results.ids` reads: paper ids by document number."""

    @property
    def ids(self) -> Sequence[str]: ...


class PaperReader(Protocol):
    """What `Results` reads rows and records through (a `Library`)."""

    @property
    def catalog(self) -> Ids: ...

    @property
    def generation(self) -> int: ...

    def row(self, docnum: int) -> Row: ...

    def paper_at(self, docnum: int) -> Paper: ...


@dataclass(frozen=True)
class Row:
    """What a list row shows of a paper, read from its stored record."""

    docnum: int
    id: str
    title: str
    published: date | None
    upvotes: int | None
    org: str | None
    authors: int | None
    has_code: bool
    comments: int | None = None
    arxiv_id: str | None = None


class RankedDocs:
    """Document numbers in order whose first `head` are known and whose rest is made on the
    first read past them: a relevance search's best-scored few hundred, then its other
    matches newest first (a gather of a million flags at 10^6 papers that a caller reading
    the first page of rows never needs).

    `count`: how many in all (the head's and the rest's); `rest()`: the numbers after the head,
    in order, as int64 (`count - len(head)` of them), called at most once. Reads as a read-only
    int64 array would: `len`, an index, a slice (an array), `tolist()`.
    """

    def __init__(self, head: np.ndarray, count: int, rest: Callable[[], np.ndarray]) -> None:
        self.head = head
        self.count = count
        self._rest: Callable[[], np.ndarray] | None = rest
        self._full: np.ndarray | None = None

    def full(self) -> np.ndarray:
        """Every document number, in order (int64; made once)."""
        if self._full is None:
            rest = self._rest
            assert rest is not None
            self._full = np.concatenate([self.head, rest()])
            self._rest = None
        return self._full

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, i: int) -> int: ...

    @overload
    def __getitem__(self, i: slice) -> np.ndarray: ...

    def __getitem__(self, i: int | slice) -> int | np.ndarray:
        """The i-th document number, or an array of those of a slice."""
        head = self.head
        if isinstance(i, slice):
            start, stop, step = i.indices(self.count)
            if step > 0 and stop <= len(head):
                part: np.ndarray = head[start:stop:step]
                return part
            cut: np.ndarray = self.full()[i]
            return cut
        if 0 <= i < len(head):
            return int(head[i])
        return int(self.full()[i])

    def tolist(self) -> list[int]:
        """Every document number, in order, as a list."""
        found: list[int] = self.full().tolist()
        return found


FIRST_PAGE = 256  # matches picked out of a sort order at once; the rest when read past them


def in_order(order: np.ndarray, flags: np.ndarray) -> np.ndarray | RankedDocs:
    """The documents flagged in `flags` (a bool per document number; the search's own, read
    later) in `order` (an int64 array of document numbers holding every flagged one): the
    first FIRST_PAGE or so picked out of a prefix of `order` long enough to hold them at the
    flags' density, the rest only when read (RankedDocs). A gather of every flag of a
    million documents in `order` costs ~3 ms; a page of list rows reads only the first.
    """
    count = int(np.count_nonzero(flags))
    prefix = 2 * FIRST_PAGE * len(order) // count + 64 if count else len(order)
    if prefix * 4 >= len(order):  # most of the order would be read: all of it at once
        found: np.ndarray = order[flags[order]]
        return found
    head = order[:prefix]
    head = head[flags[head]]
    tail = order[prefix:]

    def rest() -> np.ndarray:
        kept: np.ndarray = tail[flags[tail]]
        return kept

    return RankedDocs(head, count, rest)


@dataclass(eq=False)
class Results(Sequence[Row]):
    """An ordered result set of document numbers; rows and papers are read lazily.

    The document numbers may be given as a numpy array of int64 or a RankedDocs (what a
    search makes): `docnums` is then made a list only when a caller reads it (100,000 results:
    ~3 ms), and from then on the list is the result set. Two result sets are equal only if
    they are one.
    """

    library: PaperReader
    _docs: list[int] | np.ndarray | RankedDocs
    sort: str
    terms: tuple[str, ...] = ()
    _rows: dict[int, Row] = field(default_factory=dict, repr=False)
    _generation: int = field(default=-1, init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self._docs, list | np.ndarray | RankedDocs):
            self._docs = list(self._docs)
        self._generation = self.library.generation

    @property
    def stale(self) -> bool:
        """True once the library has opened another generation than the one these document
        numbers are of (an `index` run committed and the library was refreshed): a row not
        read yet, or a paper, would be another document's or none. Search again."""
        return self.library.generation != self._generation

    @property
    def docnums(self) -> list[int]:
        """The document numbers, in order (a list: callers may index, slice and search it)."""
        docs = self._docs
        if not isinstance(docs, list):
            docs = self._docs = docs.tolist()
        return docs

    @docnums.setter
    def docnums(self, value: Sequence[int]) -> None:
        self._docs = list(value)
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._docs)

    @overload
    def __getitem__(self, i: int) -> Row: ...

    @overload
    def __getitem__(self, i: slice) -> list[Row]: ...

    def __getitem__(self, i: int | slice) -> Row | list[Row]:
        """The row at `i`, or a list of rows for a slice."""
        if isinstance(i, slice):
            return [self.row(j) for j in range(*i.indices(len(self)))]
        return self.row(i)

    def row(self, i: int) -> Row:
        """The list row of the i-th result."""
        doc = int(self._docs[i])
        row = self._rows.get(doc)
        if row is None:
            row = self.library.row(doc)
            if len(self._rows) > 4096:
                self._rows.clear()
            self._rows[doc] = row
        return row

    def kept_row(self, i: int) -> Row | None:
        """The i-th result's row if it was read already (None: not yet); reads nothing."""
        return self._rows.get(int(self._docs[i]))

    def paper(self, i: int) -> Paper:
        """The full record of the i-th result."""
        return self.library.paper_at(int(self._docs[i]))

    def papers(self) -> Iterator[Paper]:
        """Every result's full record, in order, read one at a time."""
        for i in range(len(self._docs)):
            yield self.library.paper_at(int(self._docs[i]))

    def triaged(
        self,
        states: Callable[[list[str]], Mapping[str, TriageState]],
        count: int | None = None,
        chunk: int = TRIAGE_CHUNK,
    ) -> Iterator[tuple[Paper, TriageState]]:
        """The first `count` results (None: all) with their triage, in order, read `chunk` at a
        time: `states(ids)` (a `TriageStore.get_many`) gives the triage of a chunk's ids, an id
        it leaves out is untriaged. Memory holds one chunk, whatever the number of results
        (what `paperbrowse search --format json` of a whole library streams)."""
        end = len(self) if count is None else min(count, len(self))
        for start in range(0, end, chunk):
            papers = [self.paper(i) for i in range(start, min(end, start + chunk))]
            found = states([p.id for p in papers])
            for paper in papers:
                yield paper, found.get(paper.id) or TriageState()

    @property
    def ids(self) -> list[str]:
        """The paper ids, in order."""
        ids = self.library.catalog.ids
        return [ids[d] for d in self.docnums]


@dataclass
class LibraryStats:
    """Numbers for `paperbrowse stats`."""

    papers: int = 0
    dated: int = 0
    sources: int = 0
    first: date | None = None
    last: date | None = None
    months: list[tuple[str, int]] = field(default_factory=list)
    orgs: list[tuple[str, int]] = field(default_factory=list)
    hosts: list[tuple[str, int]] = field(default_factory=list)


def count_stats(papers: Iterable[Paper], sources: int) -> LibraryStats:
    """The numbers of `paperbrowse stats` over `papers`: how many (and how many dated), the
    date span, papers per month (`YYYY-MM`, ascending), the ten commonest organisations and
    link hosts (`www.` dropped), and the number of recorded `sources`."""
    stats = LibraryStats()
    months: Counter[str] = Counter()
    orgs: Counter[str] = Counter()
    hosts: Counter[str] = Counter()
    dates: list[date] = []
    for paper in papers:
        stats.papers += 1
        if paper.published:
            dates.append(paper.published)
            months[paper.published.strftime("%Y-%m")] += 1
        if paper.org:
            orgs[paper.org] += 1
        for link in paper.links:
            hosts[urlsplit(link).netloc.lower().removeprefix("www.")] += 1
    stats.dated = len(dates)
    if dates:
        stats.first, stats.last = min(dates), max(dates)
    stats.months = sorted(months.items())
    stats.orgs = orgs.most_common(10)
    stats.hosts = hosts.most_common(10)
    stats.sources = sources
    return stats
