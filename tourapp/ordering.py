"""The shortest visiting order of a few places, exactly (Held-Karp dynamic programming).

A plan has at most :data:`~tourapp.plan_request.MAX_STOPS` stops plus a start and an end
point, so the exact answer (``O(2^n n^2)``, vectorised over subsets) costs milliseconds and
a runner never gets a detour a heuristic would have left in.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from .errors import StopNotReachable


@functools.lru_cache(maxsize=16)
def _subset_layers(m: int) -> tuple[tuple[np.ndarray, ...], ...]:
    """For Held-Karp over ``m`` places: per subset size 2..m, per place j, the subsets holding j."""
    masks = np.arange(1 << m)
    popcount = np.zeros(1 << m, dtype=np.int64)
    for bit in range(m):
        popcount += (masks >> bit) & 1
    return tuple(
        tuple(layer[(layer >> j) & 1 == 1] for j in range(m))
        for layer in (masks[popcount == size] for size in range(2, m + 1))
    )


def order_length(d: np.ndarray, order: list[int], *, loop: bool = False) -> float:
    """Total distance of visiting places in ``order`` (back to the first one if ``loop``), metres."""
    total = sum(float(d[a, b]) for a, b in zip(order, order[1:]))
    return total + (float(d[order[-1], order[0]]) if loop and order else 0.0)


def shortest_order(d: np.ndarray, *, loop: bool = False, keep_last: bool = False,
                   labels: Sequence[str] | None = None) -> list[int]:
    """The visiting order of minimum total distance, place 0 first.

    Parameters
    ----------
    d
        Symmetric ``(n, n)`` matrix of distances in metres (``inf`` where unreachable).
    loop
        Count the way back from the last place to place 0.
    keep_last
        Place ``n - 1`` must be visited last (a one-way plan's fixed finish).
    labels
        How a runner knows each place (``"the start point"``, ``"Rail Yard (rail-yard)"``),
        so that a refusal names the place that is cut off; default ``"place i"``.

    Raises
    ------
    StopNotReachable
        When no order connects all places; the message names the place cut off.
    """
    n = d.shape[0]
    if labels is not None and len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} places")
    fixed_end = keep_last and n > 2
    free = list(range(1, n - 1 if fixed_end else n))
    m = len(free)
    if m <= 1:
        order = [0, *free] + ([n - 1] if fixed_end else [])
    else:
        sub = d[np.ix_(free, free)]
        full = (1 << m) - 1
        dp = np.full((1 << m, m), np.inf)
        parent = np.full((1 << m, m), -1, dtype=np.int64)
        for j in range(m):
            dp[1 << j, j] = d[0, free[j]]
        for layer in _subset_layers(m):
            for j, with_j in enumerate(layer):
                cand = dp[with_j ^ (1 << j)] + sub[:, j][None, :]
                best = np.argmin(cand, axis=1)
                dp[with_j, j] = cand[np.arange(len(with_j)), best]
                parent[with_j, j] = best
        tail = np.zeros(m)
        if fixed_end:
            tail = d[free, n - 1]
        elif loop:
            tail = d[free, 0]
        totals = dp[full] + tail
        if not np.isfinite(totals).any():  # argmin over all-inf would rebuild a bogus order
            raise _not_connected(d, labels)
        last = int(np.argmin(totals))
        sequence = []
        mask, j = full, last
        while j >= 0:
            sequence.append(free[j])
            mask, j = mask ^ (1 << j), int(parent[mask, j])
        order = [0, *sequence[::-1]] + ([n - 1] if fixed_end else [])
    if not math.isfinite(order_length(d, order, loop=loop)):
        raise _not_connected(d, labels)
    return order


def _not_connected(d: np.ndarray, labels: Sequence[str] | None) -> StopNotReachable:
    """The refusal for places no order connects, naming the place that is cut off.

    A place with no finite distance to any other is cut off on its own (the first such is
    named: a start point on an island names the start point, not every stop). Otherwise the
    first place that cannot be reached from place 0 is named.
    """
    n = d.shape[0]
    names = list(labels) if labels is not None else [f"place {i}" for i in range(n)]
    linked = (np.isfinite(d) | np.isfinite(d.T)) & ~np.eye(n, dtype=bool)
    alone = [i for i in range(n) if not linked[i].any()]
    if alone:
        name = names[alone[0]]
        return StopNotReachable(f"{name[:1].upper()}{name[1:]} is cut off: the places are not all connected "
                                "by walkable ways")
    reached, frontier = {0}, [0]
    while frontier:
        i = frontier.pop()
        for j in np.flatnonzero(linked[i]):
            if int(j) not in reached:
                reached.add(int(j))
                frontier.append(int(j))
    cut = next((i for i in range(n) if i not in reached), None)
    if cut is None:
        return StopNotReachable("the places are not all connected by walkable ways")
    name = names[cut]
    return StopNotReachable(f"{name[:1].upper()}{name[1:]} cannot be reached from {names[0]}: the places "
                            "are not all connected by walkable ways")
