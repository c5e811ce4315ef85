"""Fewer points for the same line: what a GPS track or a map needs, not every OSM vertex.

Kept points are always original vertices, so a simplified route still lies exactly on the
walkable ways it was planned along.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .geodesy import LatLon, LocalFrame

#: Points closer than this to the line through their neighbours are dropped (metres): a GPS
#: track is no more precise, and a straight street then needs only its two ends.
THIN_TOLERANCE_M = 1.0


def thin(points: Sequence[LatLon], tolerance_m: float = THIN_TOLERANCE_M) -> tuple[LatLon, ...]:
    """Drop repeated points, then points within ``tolerance_m`` of a straight run (Douglas-Peucker).

    The kept points are original vertices, so they still lie exactly on the ways.
    """
    pts = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(pts) <= 2:
        return tuple(pts)
    x, y = _metres(pts)
    keep = np.zeros(len(pts), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        k, dist = _farthest(x, y, i, j)
        if dist > tolerance_m:
            keep[k] = True
            stack.append((i, k))
            stack.append((k, j))
    return tuple(pts[i] for i in np.flatnonzero(keep))


@dataclass(frozen=True)
class Simplified:
    """What :func:`simplify_to_count` kept: indices into the full line, in order, and the
    tolerance it took (metres): no dropped point lies farther than that from the new line."""

    indices: tuple[int, ...]
    tolerance_m: float


def simplify_to_count(points: Sequence[LatLon], max_points: int, *, keep: Iterable[int] = (),
                      prefer: Iterable[int] = ()) -> Simplified:
    """At most ``max_points`` of ``points``, staying as close to the full line as that allows.

    Douglas-Peucker at the smallest tolerance that fits the budget, found in one pass rather
    than by trying tolerances: each point is ranked by the tolerance below which
    Douglas-Peucker keeps it (its distance from the chord it splits, capped by its parent's
    rank), and the points ranked above the budget's cut are kept. Distances are measured in
    the metric local frame, so the tolerance is metres on the ground; kept points are
    original vertices, so the line still lies on the streets.

    Parameters
    ----------
    points
        The full polyline, ``(lat, lon)``.
    max_points
        The budget (a watch's limit, e.g. 500).
    keep
        Indices that must stay (where a stop meets the streets); the two ends always stay.
    prefer
        Indices kept as well when they all fit beside ``keep`` (turns); otherwise the shape
        decides which of them stay.

    Raises
    ------
    ValueError
        When ``keep`` and the ends alone need more than ``max_points`` (callers check the
        budget first and answer with a message that names it).
    """
    n = len(points)
    if n <= max_points:
        return Simplified(indices=tuple(range(n)), tolerance_m=0.0)
    anchors = {0, n - 1} | {int(i) for i in keep}
    if len(anchors) > max_points:
        raise ValueError(f"{len(anchors)} points must stay, more than max_points={max_points}")
    preferred = {int(i) for i in prefer} - anchors
    if len(anchors) + len(preferred) <= max_points:
        anchors |= preferred
    ordered = sorted(anchors)

    x, y = _metres(points)
    rank = np.full(n, np.inf)
    stack = [(a, b, np.inf) for a, b in zip(ordered, ordered[1:])]
    while stack:
        i, j, ceiling = stack.pop()
        if j <= i + 1:
            continue
        k, dist = _farthest(x, y, i, j)
        rank[k] = min(dist, ceiling)
        stack.append((i, k, rank[k]))
        stack.append((k, j, rank[k]))

    free = np.setdiff1d(np.arange(n), ordered)
    budget = max_points - len(ordered)  # less than len(free): n > max_points
    # the cut: keep what ranks strictly above the first point that does not fit, so ties
    # are dropped together and the result is exactly Douglas-Peucker at that tolerance
    cut = float(np.sort(rank[free])[::-1][budget])
    chosen = free[rank[free] > cut]
    return Simplified(indices=tuple(sorted(anchors | {int(i) for i in chosen})), tolerance_m=cut)


def _metres(points: Sequence[LatLon]) -> tuple[np.ndarray, np.ndarray]:
    """The points as ``x, y`` metres in a local frame at the first one (tolerances are metres)."""
    arr = np.asarray(points, dtype=float)
    x, y = LocalFrame(float(arr[0, 0]), float(arr[0, 1])).xy(arr[:, 0], arr[:, 1])
    return x, y


def _farthest(x: np.ndarray, y: np.ndarray, i: int, j: int) -> tuple[int, float]:
    """The point strictly between ``i`` and ``j`` farthest from the segment i-j, and its distance.

    The one Douglas-Peucker step, shared by :func:`thin` (split while farther than a
    tolerance) and :func:`simplify_to_count` (rank every point by it).
    """
    dx, dy = x[j] - x[i], y[j] - y[i]
    len2 = dx * dx + dy * dy
    px, py = x[i + 1:j] - x[i], y[i + 1:j] - y[i]
    t = np.clip((px * dx + py * dy) / len2, 0, 1) if len2 else np.zeros_like(px)
    dist = np.hypot(px - t * dx, py - t * dy)
    k = int(np.argmax(dist))
    return i + 1 + k, float(dist[k])
