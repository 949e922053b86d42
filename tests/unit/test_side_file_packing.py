"""The side file's small-term packing (engine/codec.py `packed`, `half_floats`) writes the bytes
numpy's conversions write (`astype` to little-endian uint16, uint32, float32, float16, with the
float16 round trip deciding), for short arrays packed by `struct` and long ones by numpy."""

from __future__ import annotations

import random
from array import array

import numpy as np
import pytest

from paperbrowse.engine.codec import half_floats, packed

EDGE_FLOATS = [0.0, -0.0, 1.0, 2.5, 1 / 3, 0.1, 65504.0, 65519.0, 65520.0, 1e6, 6e-8, 1e-9, 3e-5]
EDGE_FLOATS += [float("inf"), float("-inf"), float("nan"), -7.25]


def numpy_half(weights: array) -> bytes | None:
    """What the side file wrote before: float16 when the round trip is exact, else None."""
    full = np.frombuffer(weights, dtype=np.float32)
    half = full.astype("<f2")
    return half.tobytes() if np.array_equal(half.astype(np.float32), full) else None


@pytest.mark.parametrize("size", [0, 1, 2, 3, 16, 17, 40])
def test_ids_and_lengths_pack_as_numpy_does(size: int) -> None:
    rng = random.Random(size)
    for top in (2**16 - 1, 2**32 - 1):
        values = array("I", (rng.randint(0, top) for _ in range(size)))
        wide = np.frombuffer(values, dtype=np.uint32)
        assert packed(values, "I") == wide.astype("<u4").tobytes()
        if top < 2**16:
            assert packed(values, "H") == wide.astype("<u2").tobytes()


@pytest.mark.parametrize("size", [1, 2, 3, 16, 17, 40])
def test_weights_narrow_to_float16_exactly_when_numpy_would(size: int) -> None:
    rng = random.Random(size)
    for _ in range(300):
        pool = EDGE_FLOATS + [rng.uniform(0, 70000), float(rng.randint(1, 40)), rng.random()]
        weights = array("f", (rng.choice(pool) for _ in range(size)))
        assert half_floats(weights) == numpy_half(weights), list(weights)
        full = np.frombuffer(weights, dtype=np.float32).astype("<f4").tobytes()
        assert packed(weights, "f") == full


def test_an_empty_term_packs_to_nothing() -> None:
    assert packed(array("I"), "H") == b"" and half_floats(array("f")) == b""
