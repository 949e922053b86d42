"""The sorted-array set operations and the top-k cut of the engine, against Python's own sets
and sorts (the definition of what they compute)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from paperbrowse.engine.doc_arrays import (
    difference,
    intersect,
    intersect_keys,
    unique_ascending,
)
from paperbrowse.engine.scoring import top_scored
from paperbrowse.results import Results, Row


def _sorted_sample(rng: random.Random, size: int, count: int) -> np.ndarray:
    return np.array(sorted(rng.sample(range(size), count)), dtype=np.int64)


@pytest.mark.parametrize("seed", range(12))
def test_intersect_and_difference_are_the_set_operations(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.choice([1, 50, 1000, 20000])
    for _ in range(20):
        a = _sorted_sample(rng, size, rng.randint(0, size))
        # a long side and a short one, so both the flag and the binary-search paths run
        b = _sorted_sample(rng, size, rng.randint(0, max(0, min(size, len(a) // 20 + 1))))
        for x, y in ((a, b), (b, a), (a, a)):
            expected = sorted(set(x.tolist()) & set(y.tolist()))
            assert intersect(x, y, size).tolist() == expected
            assert intersect_keys(x, y).tolist() == expected
            assert difference(x, y, size).tolist() == sorted(set(x.tolist()) - set(y.tolist()))


def test_intersect_keys_takes_any_int64_values() -> None:
    a = np.array([-5, 3, 1 << 40, (7 << 32) + 2], dtype=np.int64)
    b = np.array([-7, -5, (7 << 32) + 2, 1 << 41], dtype=np.int64)
    assert intersect_keys(a, b).tolist() == [-5, (7 << 32) + 2]


@pytest.mark.parametrize("seed", range(6))
def test_unique_ascending_is_the_sorted_set(seed: int) -> None:
    """A phrase's documents from its ascending (document, position) keys: repeats dropped."""
    rng = random.Random(seed)
    for count in (0, 1, 2, 50, 3000):
        keys = sorted(
            rng.randrange(-(1 << 40), 1 << 40) >> rng.choice([0, 20, 38]) for _ in range(count)
        )
        found = unique_ascending(np.array(keys, dtype=np.int64))
        assert found.tolist() == sorted(set(keys))


def test_difference_never_hands_out_its_input() -> None:
    a = np.arange(5, dtype=np.int64)
    found = difference(a, np.zeros(0, dtype=np.int64), 5)
    found[0] = 99
    assert a[0] == 0


@pytest.mark.parametrize("seed", range(8))
def test_top_scored_cuts_by_score_then_rank(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `limit` best by score, equal scores in `rank` order, even at the cut (many ties)."""
    from paperbrowse.engine import scoring

    rng = random.Random(seed)
    size = 400
    docs = np.array(sorted(rng.sample(range(size), 300)), dtype=np.int64)
    scores = np.array([float(rng.choice([1, 2, 2.5, 3])) for _ in docs])
    rank = np.array(rng.sample(range(size), size), dtype=np.int64)
    monkeypatch.setattr(scoring, "bm25f", lambda *args, **kwargs: (docs, scores))
    limit = rng.choice([1, 17, 100, 299, 300, 500])
    got = top_scored(None, None, docs, {}, limit, rank)
    expected = sorted(docs.tolist(), key=lambda d: (-scores[docs.tolist().index(d)], int(rank[d])))[
        :limit
    ]
    assert got is not None and got.tolist() == expected


@pytest.mark.parametrize("seed", range(8))
def test_top_scored_of_a_long_list_cuts_by_score_then_rank(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list long enough for the cut to be guessed from a sample (scoring._over_best): the
    same best, whatever the scores' spread, ties or their order by document."""
    from paperbrowse.engine import scoring

    rng = np.random.default_rng(seed)
    size = 60_000
    docs = np.sort(rng.choice(size, 50_000, replace=False)).astype(np.int64)
    kind = seed % 4
    if kind == 3:  # scores only where a strided sample for 500 looks: its guess is too high
        scores = np.zeros(len(docs))
        sampled = scores[:: len(docs) // (16 * 500)]
        sampled[:] = rng.permutation(len(sampled)) + 1.0
    elif kind == 0:  # few distinct scores: long runs of ties at the cut
        scores = rng.choice([1.0, 2.0, 2.5, 3.0], len(docs))
    elif kind == 1:  # rising with the document number: a strided sample is skewed
        scores = np.linspace(0.0, 10.0, len(docs))
    else:  # a few high scores in a flat sea
        scores = np.ones(len(docs))
        scores[rng.choice(len(docs), 40, replace=False)] = 5.0
    rank = rng.permutation(size).astype(np.int64)
    monkeypatch.setattr(scoring, "bm25f", lambda *args, **kwargs: (docs, scores))
    for limit in (1, 7, 40, 100, 500):
        got = top_scored(None, None, docs, {}, limit, rank)
        by_doc = dict(zip(docs.tolist(), scores.tolist(), strict=True))
        expected = sorted(by_doc, key=lambda d: (-by_doc[d], int(rank[d])))[:limit]
        assert got is not None and got.tolist() == expected, limit


class _Reader:
    def __init__(self) -> None:
        self.read: list[int] = []
        self.generation = 0

    @property
    def catalog(self) -> _Reader:
        return self

    @property
    def ids(self) -> list[str]:
        return [f"p{i}" for i in range(10)]

    def row(self, docnum: int) -> Row:
        self.read.append(docnum)
        return Row(docnum, f"p{docnum}", "", None, None, None, None, False)

    def paper_at(self, docnum: int) -> object:
        return docnum


def test_results_of_an_array_read_as_of_a_list() -> None:
    reader = _Reader()
    order = [4, 2, 9, 0]
    from_array = Results(reader, np.array(order, dtype=np.int64), "date")  # type: ignore[arg-type]
    from_list = Results(reader, list(order), "date")  # type: ignore[arg-type]
    assert len(from_array) == len(from_list) == 4
    assert [r.docnum for r in from_array] == [r.docnum for r in from_list] == order
    assert all(type(r.docnum) is int for r in from_array)
    assert from_array.ids == ["p4", "p2", "p9", "p0"]
    assert list(from_array.papers()) == order
    docnums = from_array.docnums
    assert docnums == order and isinstance(docnums, list)
    assert docnums.index(9) == 2  # what the browser does with it
    assert from_array.docnums is docnums  # made once; from then on the list is the result set


def test_lent_zeros_are_zeros_each_time_in_one_array_per_thread() -> None:
    import threading

    from paperbrowse.engine.doc_arrays import lent_zeros

    first = lent_zeros(10)
    assert first.dtype == np.float64 and first.tolist() == [0.0] * 10
    first[[2, 7]] = 3.5
    again = lent_zeros(10, [np.array([1])])
    assert again is first and again.tolist() == [0.0] * 10  # zeroed again, not remade
    again[1] = 2.0  # where it said it writes: zeroed alone next time
    assert lent_zeros(10, [np.arange(10)]).tolist() == [0.0] * 10
    lent_zeros(10)[:] = 1.0  # writes named (many): all zeroed next time
    assert lent_zeros(10).tolist() == [0.0] * 10
    assert len(lent_zeros(12)) == 12 and lent_zeros(12).tolist() == [0.0] * 12
    others: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: others.append(lent_zeros(12)))
    thread.start()
    thread.join()
    assert others[0] is not lent_zeros(12)  # another thread scores in its own
