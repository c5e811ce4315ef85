"""Thinning: fewer points, the same line, only original vertices."""

from __future__ import annotations

import pytest
from osm_fixtures import at, distance_to_polyline_m

from tourapp.simplify import simplify_to_count, thin


def test_thin_keeps_corners_and_drops_collinear_points() -> None:
    line = [at(x, 0) for x in range(0, 101, 10)] + [at(100, y) for y in range(10, 101, 10)]
    assert thin(line) == (at(0, 0), at(100, 0), at(100, 100))


def test_thin_drops_repeated_points() -> None:
    assert thin([at(0, 0), at(0, 0), at(5, 0)]) == (at(0, 0), at(5, 0))


def test_a_bend_wider_than_the_tolerance_is_kept() -> None:
    line = [at(0, 0), at(50, 3), at(100, 0)]
    assert thin(line) == tuple(line)
    assert thin(line, tolerance_m=5.0) == (at(0, 0), at(100, 0))


# -------------------------------------------------------------------------------------------
# simplify_to_count: a point budget (max_points) rather than a tolerance


def _wiggly_line(n: int = 400, seed: int = 7) -> list[tuple[float, float]]:
    """A path that wanders like a street route: straight runs, bends and noise, no repeats."""
    import numpy as np

    rng = np.random.default_rng(seed)
    heading = np.cumsum(rng.normal(0.0, 0.35, n))
    steps = rng.uniform(5.0, 25.0, n)
    x, y = np.cumsum(steps * np.cos(heading)), np.cumsum(steps * np.sin(heading))
    return [at(float(a), float(b)) for a, b in zip(x, y)]


@pytest.mark.parametrize("max_points", [3, 10, 50, 200])
def test_a_budget_gives_douglas_peucker_at_the_smallest_tolerance_that_fits(max_points: int) -> None:
    line = _wiggly_line()
    result = simplify_to_count(line, max_points)
    kept = tuple(line[i] for i in result.indices)
    assert len(kept) <= max_points
    # the same points as plain Douglas-Peucker (thin) at the tolerance it reports ...
    assert thin(line, tolerance_m=result.tolerance_m) == kept
    # ... and no smaller tolerance would fit the budget
    assert len(thin(line, tolerance_m=result.tolerance_m * 0.999)) > max_points


@pytest.mark.parametrize("max_points", [4, 12])
def test_a_loop_back_to_its_start_simplifies_the_same_both_ways(max_points: int) -> None:
    # the first chord has no length (start = finish): farthest from the start point, then
    line = _wiggly_line(120, seed=3)
    loop = [*line, *reversed(line[:-1])]
    result = simplify_to_count(loop, max_points)
    kept = tuple(loop[i] for i in result.indices)
    assert loop[0] == loop[-1] and len(kept) <= max_points
    assert thin(loop, tolerance_m=result.tolerance_m) == kept


def test_no_dropped_point_lies_farther_than_the_reported_tolerance() -> None:
    line = _wiggly_line()
    result = simplify_to_count(line, 40)
    kept = [line[i] for i in result.indices]
    assert max(distance_to_polyline_m(p, kept) for p in line) <= result.tolerance_m + 0.1


def test_points_to_keep_are_kept_and_preferred_ones_when_they_fit() -> None:
    line = _wiggly_line()
    result = simplify_to_count(line, 20, keep=[100, 101, 102], prefer=[300, 301])
    assert {0, 100, 101, 102, 300, 301, len(line) - 1} <= set(result.indices)
    assert len(result.indices) <= 20


def test_preferred_points_give_way_when_they_do_not_all_fit() -> None:
    line = _wiggly_line()
    result = simplify_to_count(line, 10, prefer=range(50, 70))
    assert len(result.indices) <= 10 and not set(range(50, 70)) <= set(result.indices)


def test_a_line_within_the_budget_is_left_as_it_is() -> None:
    line = _wiggly_line(30)
    assert simplify_to_count(line, 30).indices == tuple(range(30))


def test_more_points_to_keep_than_the_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="5 points must stay, more than max_points=4"):
        simplify_to_count(_wiggly_line(), 4, keep=[10, 20, 30])
