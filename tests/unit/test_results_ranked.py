"""`RankedDocs`: a relevance search's best-scored documents, then the rest made only when a
caller reads past them; it must read exactly as the whole array would."""

from __future__ import annotations

import numpy as np
import pytest

from paperbrowse.results import FIRST_PAGE, RankedDocs, in_order


def _ranked(head: list[int], rest: list[int]) -> tuple[RankedDocs, list[int]]:
    """A RankedDocs of `head` then `rest`, and how many times its rest was made (`calls`)."""
    calls: list[int] = []

    def make() -> np.ndarray:
        calls.append(1)
        return np.array(rest, dtype=np.int64)

    return RankedDocs(np.array(head, dtype=np.int64), len(head) + len(rest), make), calls


def test_reads_within_the_head_never_make_the_rest() -> None:
    ranked, calls = _ranked([7, 3, 9], [1, 2, 4, 5])
    assert len(ranked) == 7
    assert [ranked[i] for i in range(3)] == [7, 3, 9]
    assert ranked[:2].tolist() == [7, 3]
    assert ranked[0:3:2].tolist() == [7, 9]
    assert calls == []


@pytest.mark.parametrize(
    "cut",
    [
        slice(None),
        slice(2, 5),
        slice(None, 100),
        slice(-2, None),
        slice(None, None, -1),
        slice(1, 6, 2),
        slice(3, 3),
    ],
)
def test_slices_read_as_the_whole_array_does(cut: slice) -> None:
    head, rest = [7, 3, 9], [1, 2, 4, 5]
    ranked, _ = _ranked(head, rest)
    assert ranked[cut].tolist() == (head + rest)[cut]


def test_reads_past_the_head_make_the_rest_once() -> None:
    head, rest = [7, 3, 9], [1, 2, 4, 5]
    ranked, calls = _ranked(head, rest)
    assert ranked[3] == 1
    assert ranked[-1] == 5
    assert ranked.tolist() == head + rest
    assert [ranked[i] for i in range(len(ranked))] == head + rest
    assert calls == [1]


def test_index_past_the_end_raises_as_an_array_does() -> None:
    ranked, _ = _ranked([7], [1])
    with pytest.raises(IndexError):
        ranked[2]


@pytest.mark.parametrize(("documents", "density"), [(100_000, 0.1), (100_000, 0.6), (5_000, 0.01)])
def test_in_order_lists_the_flagged_documents_in_the_order(documents: int, density: float) -> None:
    rng = np.random.default_rng(documents)
    order = rng.permutation(documents).astype(np.int64)
    flags = rng.random(documents) < density
    expected = [d for d in order.tolist() if flags[d]]
    found = in_order(order, flags)
    assert len(found) == len(expected)
    assert [found[i] for i in range(min(FIRST_PAGE, len(expected)))] == expected[:FIRST_PAGE]
    assert found.tolist() == expected


def test_in_order_of_common_flags_picks_a_first_page_from_a_prefix() -> None:
    rng = np.random.default_rng(7)
    order = rng.permutation(200_000).astype(np.int64)
    flags = rng.random(200_000) < 0.3
    found = in_order(order, flags)
    assert isinstance(found, RankedDocs)
    assert FIRST_PAGE <= len(found.head) < len(found) // 4
    expected = [d for d in order.tolist() if flags[d]]
    assert found.tolist() == expected
