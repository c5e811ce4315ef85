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


LABELS = ["the start point", "Rail Yard (rail-yard)", "Meat Plant (meat-plant)", "the finish point"]


def _cut_off(d: np.ndarray, place: int) -> np.ndarray:
    d = d.copy()
    d[place, :] = d[:, place] = np.inf
    d[place, place] = 0.0
    return d


@pytest.mark.parametrize(("place", "named"), [
    (0, "The start point is cut off: the places are not all connected"),
    (2, r"Meat Plant \(meat-plant\) is cut off: the places are not all connected"),
    (3, "The finish point is cut off: the places are not all connected"),
])
@pytest.mark.parametrize(("loop", "keep_last"), [(False, True), (True, False), (False, False)])
def test_a_place_cut_off_is_named(place: int, named: str, loop: bool, keep_last: bool) -> None:
    with pytest.raises(StopNotReachable, match=named):
        shortest_order(_cut_off(_matrix(4, 0), place), loop=loop, keep_last=keep_last, labels=LABELS)


def test_two_islands_name_the_first_place_the_start_cannot_reach() -> None:
    d = _matrix(4, 0)
    d[np.ix_([0, 1], [2, 3])] = d[np.ix_([2, 3], [0, 1])] = np.inf
    with pytest.raises(StopNotReachable, match=r"^Meat Plant \(meat-plant\) cannot be reached from the start point"):
        shortest_order(d, keep_last=True, labels=LABELS)


def test_a_cut_off_place_is_named_by_number_without_labels() -> None:
    with pytest.raises(StopNotReachable, match="Place 3 is cut off: the places are not all connected"):
        shortest_order(_cut_off(_matrix(4, 0), 3))


def test_labels_must_match_the_places() -> None:
    with pytest.raises(ValueError, match="3 labels for 4 places"):
        shortest_order(_matrix(4, 0), labels=LABELS[:3])
