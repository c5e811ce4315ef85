"""Routing on real OpenStreetMap data: from the Moshulu at Penn's Landing to the Italian Market.

The extract in ``tests/data/center-city.osm.bz2`` (see its README for source and licence)
covers eastern Center City, Society Hill, the Italian Market and Columbus Boulevard. The
planner loads it the way the app does with ``TOURAPP_OSM_FILE``, and the leg is checked for
what a runner would notice: it starts on Columbus Boulevard, crosses Society Hill on named
streets, never touches the expressway, reaches 9th Street at the market, and is not much
longer than the straight line. The street names are checked against the ways of the file
itself, read here without osmnx.
"""

from __future__ import annotations

import bz2
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tourapp.errors import StopNotReachable
from tourapp.geodesy import distance_m, path_length_m
from tourapp.model import Route
from tourapp.plan_request import PlanRequest
from tourapp.planner import TourPlanner
from tourapp.settings import Settings
from tourapp.stops import load_stops
from tourapp.tours import load_tours

EXTRACT = Path(__file__).resolve().parents[1] / "data" / "center-city.osm.bz2"
#: How close a runner must come to a stop for the app to check it in, metres.
ARRIVAL_RADIUS_M = 30.0


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> TourPlanner:
    """The packaged stops and tours, routed on the real extract; never downloads."""
    stops = load_stops()
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"), osm_file=EXTRACT,
                        network_download=False)
    return TourPlanner(settings, stops, load_tours(stops))


@pytest.fixture(scope="module")
def route(planner: TourPlanner) -> Route:
    return planner.plan(PlanRequest(stops=("moshulu", "italian-market")))


@pytest.fixture(scope="module")
def street_names() -> set[str]:
    """Names of every highway in the file, read straight from the XML."""
    names: set[str] = set()
    with bz2.open(EXTRACT) as fh:
        for _, way in ET.iterparse(fh):
            if way.tag != "way":
                continue
            tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
            name = tags.get("name")
            if "highway" in tags and name:
                names.add(name)
            way.clear()
    return names


def named_streets(route: Route) -> list[str]:
    """The named streets of the cue sheet, in order.

    Unnamed ways are labelled with a plain lower-case word ("footpath", "sidewalk"); OSM names
    start with a capital; the arrival cue names no street.
    """
    return [c.street for c in route.legs[0].cues if c.turn != "arrive" and c.street[:1].isupper()]


def test_the_app_routes_on_the_extract(planner: TourPlanner) -> None:
    status = planner.status()
    assert status.street_following
    assert status.kind == "file"
    assert status.nodes > 1000


def test_moshulu_to_italian_market_follows_walkable_ways(route: Route) -> None:
    assert route.street_following
    assert [(leg.from_place.id, leg.to_place.id) for leg in route.legs] == [("moshulu", "italian-market")]


def test_the_leg_is_a_plausible_walk_not_a_straight_line(route: Route) -> None:
    a, b = route.stops
    straight_m = distance_m((a.lat, a.lon), (b.lat, b.lon))
    assert straight_m < route.length_m < 1.6 * straight_m
    # the distance shown is the length of the line drawn on the map
    assert path_length_m(route.points) == pytest.approx(route.length_m, rel=0.01)
    # a line along city blocks, not two points
    assert len(route.points) > 10


def test_the_cues_name_real_streets_of_the_area(route: Route, street_names: set[str]) -> None:
    streets = named_streets(route)
    assert streets, "a cue sheet with no street names"
    assert set(streets) <= street_names
    assert "Columbus Boulevard" in streets[0]  # the Moshulu is moored on Columbus Blvd
    assert "Christian Street" in streets  # the way in to the market from the east
    assert streets[-1] == "South 9th Street"  # the Italian Market is 9th Street
    assert not [s for s in streets if "Expressway" in s or "I 95" in s]


def test_the_turns_read_like_a_city_walk(route: Route) -> None:
    cues = route.legs[0].cues
    assert cues[0].turn == "start"
    turns = cues[1:-1]
    assert all(c.turn in {"left", "right", "slight left", "slight right", "straight"} for c in turns)
    # a grid walk of about 2 km: a handful of turns, not one per block or one per vertex
    assert 3 <= len(turns) <= 20


def test_it_ends_at_the_italian_market(route: Route) -> None:
    market = route.stops[-1]
    assert market.id == "italian-market"
    assert distance_m(route.points[-1], (market.lat, market.lon)) < ARRIVAL_RADIUS_M
    last = route.legs[0].cues[-1]
    assert last.turn == "arrive"
    assert market.name in last.instruction


def test_a_stop_outside_the_extract_is_named_in_the_error(planner: TourPlanner) -> None:
    with pytest.raises(StopNotReachable, match="art-museum-steps"):
        planner.plan(PlanRequest(stops=("moshulu", "art-museum-steps")))
