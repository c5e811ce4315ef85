"""Distances and directions as a runner reads them."""

from __future__ import annotations

import math
import random

import pytest
from geopy.distance import geodesic

from tourapp import geodesy
from tourapp.formatting import compass_point

CITY_HALL = (39.95233, -75.16379)
ART_MUSEUM = (39.96565, -75.18097)


def test_distance_matches_the_geodesic_between_city_hall_and_the_art_museum():
    # About 2.1 km along the Parkway as the crow flies.
    assert geodesy.distance_m(CITY_HALL, ART_MUSEUM) == pytest.approx(2096, abs=15)


def test_path_length_sums_segments_and_ignores_repeated_points():
    path = [CITY_HALL, CITY_HALL, ART_MUSEUM, CITY_HALL]
    assert geodesy.path_length_m(path) == pytest.approx(2 * geodesy.distance_m(CITY_HALL, ART_MUSEUM))


def test_the_art_museum_lies_north_west_of_city_hall():
    bearing = geodesy.initial_bearing_deg(CITY_HALL, ART_MUSEUM)
    assert 300 < bearing < 320
    assert compass_point(bearing) == "NW"


def test_vectorised_geodesic_agrees_with_geopy_to_a_millimetre():
    rng = random.Random(7)
    pairs = [((39.9 + rng.random() * 0.2, -75.3 + rng.random() * 0.3),
              (39.9 + rng.random() * 0.2, -75.3 + rng.random() * 0.3)) for _ in range(50)]
    pairs.append(((39.95, -75.16), (39.95, -75.16)))
    ours = geodesy.geodesic_m(*zip(*[(a[0], a[1], b[0], b[1]) for a, b in pairs]))
    theirs = [geodesic(a, b).meters for a, b in pairs]
    assert ours == pytest.approx(theirs, abs=1e-3)


@pytest.mark.parametrize("lat", [0.0, 39.95, 60.0])
def test_metres_per_degree_match_the_ellipsoid(lat):
    per_lat, per_lon = geodesy.metres_per_degree(lat)
    assert per_lat == pytest.approx(geodesic((lat - 0.005, 10), (lat + 0.005, 10)).meters / 0.01, rel=1e-5)
    assert per_lon == pytest.approx(geodesic((lat, 9.995), (lat, 10.005)).meters / 0.01, rel=1e-5)


def test_a_local_frame_measures_short_distances_like_the_ellipsoid():
    frame = geodesy.LocalFrame(*CITY_HALL)
    x, y = frame.xy(ART_MUSEUM[0], ART_MUSEUM[1])
    assert x < 0 < y  # west and north
    assert math.hypot(x, y) == pytest.approx(geodesy.distance_m(CITY_HALL, ART_MUSEUM), rel=1e-3)


def test_bounds_and_a_box_with_a_margin():
    assert geodesy.bounds([ART_MUSEUM, CITY_HALL]) == ((39.95233, -75.18097), (39.96565, -75.16379))
    box = geodesy.bbox_around([CITY_HALL], margin_m=1000)
    assert geodesy.distance_m((box.south, CITY_HALL[1]), CITY_HALL) == pytest.approx(1000, rel=1e-4)
    assert geodesy.distance_m((CITY_HALL[0], box.east), CITY_HALL) == pytest.approx(1000, rel=1e-4)
    assert box.key() == f"{box.south:.4f},{box.west:.4f},{box.north:.4f},{box.east:.4f}"
    with pytest.raises(ValueError, match="no points"):
        geodesy.bbox_around([])


@pytest.mark.parametrize(("point", "inside"), [
    (CITY_HALL, True),
    ((39.90, -75.25), True),  # a corner: the edges belong to the box
    ((40.00, -75.10), True),
    ((40.0001, -75.16), False),
    ((39.95, -75.2501), False),
    ((39.95, 75.16), False),  # the sign of the longitude matters
    ((math.nan, -75.16), False),
    ((39.95, math.nan), False),
])
def test_a_box_contains_the_points_on_and_within_its_edges(point, inside):
    box = geodesy.BBox(south=39.90, west=-75.25, north=40.00, east=-75.10)
    assert box.contains(*point) is inside
