"""Where a stop or a runner's start meets the walkable streets."""

from __future__ import annotations

import pytest
from osm_fixtures import at

from tourapp.errors import StopNotReachable
from tourapp.network import StreetNetwork


def test_a_stop_between_corners_snaps_to_the_street_beside_it(town_net: StreetNetwork) -> None:
    lat, lon = at(150, 212)  # 12 m north of Fitzwater Street, mid-block
    snap = town_net.snap(lat, lon, limit_m=150)
    assert snap.distance_m == pytest.approx(12, abs=0.5)
    assert (snap.lat, snap.lon) == pytest.approx(at(150, 200), abs=1e-7)
    assert town_net.label(snap.edge)[0] == "Fitzwater Street"
    assert town_net.point_at(snap.edge, snap.offset_m) == pytest.approx((snap.lat, snap.lon))


def test_a_point_at_a_corner_snaps_onto_the_corner(town_net: StreetNetwork) -> None:
    snap = town_net.snap(*at(100, 100), limit_m=150)
    assert snap.distance_m == pytest.approx(0, abs=0.01)


def test_a_stop_too_far_from_any_way_is_not_reachable(town_net: StreetNetwork) -> None:
    lat, lon = at(1500, 1500)
    with pytest.raises(StopNotReachable, match=r"lonely-place is not within 150 m of a walkable way"):
        town_net.snap(lat, lon, limit_m=150, what="lonely-place")
