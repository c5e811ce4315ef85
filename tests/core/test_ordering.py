"""Shortest order: exact (it matches brute force), with the ends a runner fixed kept in place."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tourapp.errors import StopNotReachable
from tourapp.ordering import order_length, shortest_order


def _matrix(n: int, seed: int) -> np.ndarray:
    pts = np.random.default_rng(seed).random((n, 2)) * 1000
    return np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("loop", "keep_last"), [(False, False), (True, False), (False, True)])
def test_shortest_order_matches_brute_force(seed: int, loop: bool, keep_last: bool) -> None:
    n = 8
    d = _matrix(n, seed)
    order = shortest_order(d, loop=loop, keep_last=keep_last)
    assert order[0] == 0 and sorted(order) == list(range(n))
    if keep_last:
        assert order[-1] == n - 1
        candidates = [(0, *p, n - 1) for p in itertools.permutations(range(1, n - 1))]
    else:
        candidates = [(0, *p) for p in itertools.permutations(range(1, n))]
    brute = min(order_length(d, list(c), loop=loop) for c in candidates)
    assert order_length(d, order, loop=loop) == pytest.approx(brute)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_few_places_keep_their_order(n: int) -> None:
    assert shortest_order(_matrix(n, 0), keep_last=True) == list(range(n))


def test_places_that_cannot_all_be_connected_are_refused() -> None:
    d = _matrix(4, 0)
    d[3, :3] = d[:3, 3] = np.inf
    with pytest.raises(StopNotReachable, match="not all connected"):
        shortest_order(d)
