"""Legs on the test town: the way a runner is sent between two places, and the straight fallback."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest
from osm_fixtures import OsmBuilder, at, distance_to_polyline_m

from tourapp.errors import StopNotReachable
from tourapp.geodesy import path_length_m
from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.stops import Stop

Place = Callable[..., Stop]


def _x_m(lon: float) -> float:
    """Metres east of the town origin (inverse of osm_fixtures.at, approximately)."""
    return (lon - at(0, 0)[1]) / (at(100, 0)[1] - at(0, 0)[1]) * 100


def _y_m(lat: float) -> float:
    return (lat - at(0, 0)[0]) / (at(0, 100)[0] - at(0, 0)[0]) * 100


def test_the_shortest_path_is_chosen(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("christian-12th")], network=town_net)
    assert route.legs[0].length_m == pytest.approx(500, rel=0.01)


def test_the_river_is_crossed_only_at_the_bridge(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("bainbridge-8th"), place("north-bank-west")], network=town_net)
    points = route.legs[0].points
    # the railway bridge beside the stops would be 300 m; the footbridge at 10th Street is 700 m
    assert route.legs[0].length_m == pytest.approx(700, rel=0.01)
    assert any(abs(_x_m(lon) - 200) < 1 and abs(_y_m(lat) - 450) < 151 for lat, lon in points)
    assert all(abs(_x_m(lon)) > 1 or not 301 < _y_m(lat) < 599 for lat, lon in points)


def test_the_foot_no_motorway_is_never_used(town_net: StreetNetwork, stop_at: Place) -> None:
    route = plan_route([stop_at("south", 400, 300), stop_at("north-bank-east", 400, 600)], network=town_net)
    assert route.legs[0].length_m == pytest.approx(700, rel=0.01)
    assert all(not (abs(_x_m(lon) - 400) < 1 and 301 < _y_m(lat) < 599) for lat, lon in route.points)


def test_the_private_road_is_never_used(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-11th"), place("christian-12th")], network=town_net)
    assert route.legs[0].length_m == pytest.approx(200, rel=0.01)  # not the 141 m private lane


def test_steps_are_usable(town_net: StreetNetwork, stop_at: Place, place: Place) -> None:
    route = plan_route([stop_at("fitzwater-12th", 400, 200), place("museum")], network=town_net)
    assert route.legs[0].length_m == pytest.approx(150, rel=0.01)
    assert "steps" in [c.street for c in route.legs[0].cues]


@pytest.mark.parametrize("direction", ["with", "against"])
def test_a_one_way_street_is_walkable_both_ways(town_net: StreetNetwork, place: Place, direction: str) -> None:
    ends = [place("christian-8th"), place("christian-12th")]
    if direction == "against":
        ends.reverse()
    route = plan_route(ends, network=town_net)
    assert route.legs[0].length_m == pytest.approx(400, rel=0.01)
    assert all(abs(_y_m(lat) - 100) < 1 for lat, _ in route.points)


def test_a_stop_cut_off_from_the_others_is_an_error(town_net: StreetNetwork, place: Place) -> None:
    with pytest.raises(StopNotReachable, match=r"Island \(island\) cannot be reached from Federal 8Th"):
        plan_route([place("federal-8th"), place("island")], network=town_net)


def test_a_finish_cut_off_from_the_last_stop_is_an_error(town_net: StreetNetwork, place: Place) -> None:
    with pytest.raises(StopNotReachable, match=r"The finish point cannot be reached from Federal 8Th"):
        plan_route([place("federal-8th")], network=town_net, end=at(50, -410))


def test_a_stop_too_far_from_the_streets_is_not_reachable(town_net: StreetNetwork, place: Place,
                                                         stop_at: Place) -> None:
    with pytest.raises(StopNotReachable, match=r"far-away is not within 150 m"):
        plan_route([place("federal-8th"), stop_at("far-away", 1200, 1200)], network=town_net)


@pytest.mark.parametrize(("a", "b"), [
    ("federal-8th", "north-bank-west"), ("christian-12th", "museum"), ("north-bank-east", "federal-11th"),
    ("museum", "bainbridge-8th"),
])
def test_leg_length_is_within_three_percent_of_an_independent_shortest_path(
        town_net: StreetNetwork, town_graph: nx.Graph, town_data: OsmBuilder, place: Place,
        a: str, b: str) -> None:
    stop_a, stop_b = place(a), place(b)
    node = {v: k for k, v in town_data.nodes.items()}
    shortest = nx.shortest_path_length(town_graph, node[(stop_a.lat, stop_a.lon)],
                                       node[(stop_b.lat, stop_b.lon)], weight="length")
    route = plan_route([stop_a, stop_b], network=town_net)
    # fewer turns may cost a few metres more, never more than 3 %; nothing beats the shortest
    assert shortest - 0.01 <= route.legs[0].length_m <= 1.03 * shortest


def test_every_route_point_lies_on_a_walkable_way(town_net: StreetNetwork, town_data: OsmBuilder,
                                                  place: Place, stop_at: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("museum"), stop_at("mid", 150, 212)]
    ways = town_data.walkable_ways()
    for route in (plan_route(stops, network=town_net, loop=True, start=at(250, -20)),
                  plan_route(stops, network=town_net, start=at(250, -20), end=at(320, 180))):
        places = {p.position for p in route.places}  # each leg walks in from the street to its place
        for point in route.points:
            assert point in places or min(distance_to_polyline_m(point, way) for way in ways) < 1.0, point


def test_the_legs_add_up_to_the_length_of_the_drawn_line(town_net: StreetNetwork, place: Place,
                                                         stop_at: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("museum"), stop_at("mid", 150, 212)]
    route = plan_route(stops, network=town_net, start=at(250, -20), end=at(320, 180))
    assert route.length_m == pytest.approx(sum(leg.length_m for leg in route.legs))
    # thinning drops only points within 1 m of the line, so the drawn line is as long as the walk
    assert path_length_m(route.points) == pytest.approx(route.length_m, rel=0.002)


def test_without_a_network_legs_are_straight_and_flagged(place: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("museum")]
    route = plan_route(stops, network=None)
    assert route.street_following is False
    assert all(not leg.street_following and len(leg.points) == 2 for leg in route.legs)
    assert route.legs[0].points == ((stops[0].lat, stops[0].lon), (stops[1].lat, stops[1].lon))
    assert route.legs[0].cues[0].instruction.endswith("in a direct line (not along streets)")
    assert route.legs[0].length_m == pytest.approx(721, rel=0.01)  # (0,0) to (400,600): √(400²+600²)


def test_a_routed_leg_walks_from_the_stop_itself_to_the_street(town_net: StreetNetwork, stop_at: Place,
                                                               place: Place) -> None:
    stop = stop_at("mid", 150, 212)  # 12 m north of Fitzwater Street
    route = plan_route([stop, place("christian-12th")], network=town_net)
    assert route.street_following
    leg = route.legs[0]
    assert leg.points[0] == (stop.lat, stop.lon)
    assert leg.points[1] == pytest.approx(at(150, 200), abs=1e-7)
    assert leg.length_m == pytest.approx(12 + 350, rel=0.01)
    assert sum(c.distance_m for c in leg.cues) == pytest.approx(leg.length_m)


def test_a_routed_leg_ends_at_the_stop_not_where_it_meets_the_street(town_net: StreetNetwork,
                                                                     stop_at: Place, place: Place) -> None:
    stop = stop_at("pier", 150, 260, name="Along the docks with a tall ship", short_name="Pier")
    # 60 m north of Fitzwater Street, 40 m south of Bainbridge
    route = plan_route([place("christian-12th"), stop], network=town_net)
    leg = route.legs[0]
    assert leg.points[-1] == (stop.lat, stop.lon)
    assert leg.points[-2] == pytest.approx(at(150, 300), abs=1e-7)
    assert leg.length_m == pytest.approx(200 + 250 + 40, rel=0.01)
    # the way in gets its own cue before the arrival: a runner following the line is at the stop;
    # both name it as a runner would, not by its scene (heading west, the pier is on the left)
    assert [c.instruction for c in leg.cues[-2:]] == ["Turn left towards Pier", "Arrive at stop 2, Pier"]
    assert leg.cues[-2].distance_m == pytest.approx(40, rel=0.01)


def test_every_leg_begins_and_ends_at_its_places_and_the_legs_add_up(town_net: StreetNetwork,
                                                                    place: Place, stop_at: Place) -> None:
    stops = [stop_at("a", 30, 40), place("museum"), stop_at("b", 180, 130)]
    for route in (plan_route(stops, network=town_net, start=at(250, -20), end=at(320, 180)),
                  plan_route(stops, network=town_net, start=at(250, -20), loop=True)):
        for leg in route.legs:
            assert leg.points[0] == leg.from_place.position
            assert leg.points[-1] == leg.to_place.position
            assert sum(c.distance_m for c in leg.cues) == pytest.approx(leg.length_m)
        assert route.points[0] == route.places[0].position
        assert route.length_m == pytest.approx(sum(leg.length_m for leg in route.legs))
        assert path_length_m(route.points) == pytest.approx(route.length_m, rel=0.002)


def test_points_have_no_repeats_and_straight_streets_are_thinned(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("christian-8th"), place("christian-12th"), place("north-bank-west")],
                       network=town_net)
    points = route.points
    assert all(a != b for a, b in zip(points, points[1:]))
    assert route.legs[0].points == (at(0, 100), at(400, 100))  # 17 OSM nodes on a straight street


def test_two_stops_at_the_same_corner_make_an_empty_leg(town_net: StreetNetwork, stop_at: Place) -> None:
    route = plan_route([stop_at("a", 0, 0), stop_at("b", 0, 0)], network=town_net)
    (leg,) = route.legs
    assert leg.length_m == 0 and len(leg.points) == 1
    assert [c.turn for c in leg.cues] == ["arrive"]
