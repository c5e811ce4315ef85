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
from tourapp.model import Cue, Route
from tourapp.network.turn_costs import street_key
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
    # the Italian Market is 9th Street: the last street, or (reached at the corner) the arrival's
    arrival = route.legs[0].cues[-1].instruction  # "Arrive on <street> at stop 2, …" when it says
    assert "South 9th Street" in (streets[-1], arrival.removeprefix("Arrive on ").split(" at ")[0])
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
    # named as a runner says it, not by the scene ("The Italian Market run")
    assert last.instruction.endswith(" at stop 2, Italian Market")
    assert market.name not in last.instruction


def test_the_way_in_to_the_moshulu_reads_naturally(planner: TourPlanner) -> None:
    route = planner.plan(PlanRequest(stops=("italian-market", "moshulu")))
    cues = route.legs[0].cues
    # down Columbus Boulevard, then the 40 m out to the ship at the pier
    assert cues[-3].instruction == "Turn right onto South Christopher Columbus Boulevard"
    assert [c.instruction for c in cues[-2:]] == ["Turn left towards Moshulu", "Arrive at stop 2, Moshulu"]
    assert 30 < cues[-2].distance_m < 50
    assert not any("Along the docks" in c.instruction for c in cues)


def test_a_stop_outside_the_extract_is_named_in_the_error(planner: TourPlanner) -> None:
    with pytest.raises(StopNotReachable, match="art-museum-steps"):
        planner.plan(PlanRequest(stops=("moshulu", "art-museum-steps")))


# -- directions a runner can follow (issue 9): the approach, collapsed cues, fewer turns --

#: Start points inside the extract: Washington Square, Rittenhouse Square, Head House Square.
STARTS = ((39.9470, -75.1527), (39.9496, -75.1718), (39.9418, -75.1452))
#: Cue turns that are not a turn a runner makes.
NOT_TURNS = {"start", "straight", "arrive"}


def collapsible(cues: tuple[Cue, ...]) -> list[str]:
    """Cues OSRM-style guidance collapses, judged from the cue sheet alone."""
    body = [c for c in cues if c.turn != "arrive"]
    found = []
    for prev, cue in zip(body, body[1:]):
        if cue.street and prev.street and street_key(cue.street) == street_key(prev.street):
            found.append(f"one street as two cues: {cue.instruction}")
        if cue.turn == "straight" and cue.street in ("sidewalk", "crossing"):
            found.append(f"straight on along a street's sidewalk: {cue.instruction}")
        if cue.distance_m < 15:
            found.append(f"a cue for {cue.distance_m:.0f} m: {cue.instruction}")
    for prev, cue, after in zip(body, body[1:], body[2:]):
        if cue.distance_m <= 30 and prev.street and street_key(prev.street) == street_key(after.street):
            found.append(f"a dog-leg off {prev.street}: {cue.instruction}")
    return found


@pytest.fixture(scope="module")
def legs(planner: TourPlanner) -> list[Route]:
    """Moshulu <-> Italian Market, and from three start points to each of them."""
    routes = [planner.plan(PlanRequest(stops=("moshulu", "italian-market"))),
              planner.plan(PlanRequest(stops=("italian-market", "moshulu")))]
    routes += [planner.plan(PlanRequest(stops=(stop,), start=start))
               for start in STARTS for stop in ("moshulu", "italian-market")]
    return routes


def test_the_line_runs_from_the_moshulu_itself_to_the_market_itself(route: Route) -> None:
    moshulu, market = route.stops
    # the Moshulu is moored some 40 m off Columbus Boulevard: the line walks out to it
    assert route.points[0] == (moshulu.lat, moshulu.lon)
    assert route.points[-1] == (market.lat, market.lon)
    cues = route.legs[0].cues
    assert cues[0].instruction.startswith("Head west to South Christopher Columbus Boulevard")
    assert 30 < cues[0].distance_m < 50
    assert route.length_m == pytest.approx(sum(c.distance_m for c in cues))


def test_no_collapsible_cue_is_left(legs: list[Route]) -> None:
    for route in legs:
        assert collapsible(route.legs[0].cues) == [], [c.instruction for c in route.legs[0].cues]


def test_routes_are_at_most_three_percent_longer_than_the_shortest(planner: TourPlanner,
                                                                  legs: list[Route]) -> None:
    prepared = planner._prepared
    assert prepared is not None
    for route in legs:
        leg = route.legs[0]
        a, b = leg.from_place, leg.to_place
        approach_m = sum(distance_m(p.position, (s.lat, s.lon)) for p, s in
                         ((a, prepared.net.snap(a.lat, a.lon, limit_m=150)),
                          (b, prepared.net.snap(b.lat, b.lon, limit_m=150))))
        if a.kind == "stop":
            shortest = prepared.shortest_m(a.id, b.id)
        else:  # a start point: the shortest by networkx-free means, the plain tree of the stop
            attachment = prepared.attach(a.lat, a.lon)
            row, lo, hi = prepared.row_of[b.id], attachment.lo, attachment.hi
            shortest = min(prepared.dist[row, lo[1]] + attachment.snap.offset_m - lo[0],
                           prepared.dist[row, hi[1]] + hi[0] - attachment.snap.offset_m)
        assert shortest - 0.01 <= leg.length_m - approach_m <= 1.03 * shortest, (a.name, b.name)


def test_moshulu_to_the_market_has_at_most_four_turns_per_km(route: Route, legs: list[Route]) -> None:
    def turns(routes: list[Route]) -> int:
        return sum(c.turn not in NOT_TURNS for r in routes for leg in r.legs for c in leg.cues)

    assert turns([route]) / (route.length_m / 1000) <= 4.0
    assert turns(legs) / (sum(r.length_m for r in legs) / 1000) <= 4.0
