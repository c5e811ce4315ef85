"""Routing on the test town: the rules a runner relies on, and the fallback without a network."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from osm_fixtures import OsmBuilder, at, distance_to_polyline_m, make_stop

from tourapp.errors import BadPlan, StopNotReachable, UnknownTour
from tourapp.network import StreetNetwork
from tourapp.route_geojson import route_to_geojson
from tourapp.routing import MAX_STOPS, Route, TourPlanner, plan_route, shortest_order, thin
from tourapp.settings import Settings
from tourapp.stops import Stop, StopCatalog
from tourapp.tours import parse_tours

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
    route = plan_route([stop_at("south", 400, 300), place_at_north_east(stop_at)], network=town_net)
    assert route.legs[0].length_m == pytest.approx(700, rel=0.01)
    assert all(not (abs(_x_m(lon) - 400) < 1 and 301 < _y_m(lat) < 599) for lat, lon in route.points)


def place_at_north_east(stop_at: Place) -> Stop:
    return stop_at("north-bank-east", 400, 600)


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


def test_a_stop_too_far_from_the_streets_is_not_reachable(town_net: StreetNetwork, place: Place,
                                                         stop_at: Place) -> None:
    with pytest.raises(StopNotReachable, match=r"far-away is not within 150 m"):
        plan_route([place("federal-8th"), stop_at("far-away", 1200, 1200)], network=town_net)


@pytest.mark.parametrize(("a", "b"), [
    ("federal-8th", "north-bank-west"), ("christian-12th", "museum"), ("north-bank-east", "federal-11th"),
    ("museum", "bainbridge-8th"),
])
def test_leg_length_equals_an_independent_shortest_path(town_net: StreetNetwork, town_graph: nx.Graph,
                                                        town_data: OsmBuilder, place: Place,
                                                        a: str, b: str) -> None:
    stop_a, stop_b = place(a), place(b)
    node = {v: k for k, v in town_data.nodes.items()}
    expected = nx.shortest_path_length(town_graph, node[(stop_a.lat, stop_a.lon)],
                                       node[(stop_b.lat, stop_b.lon)], weight="length")
    route = plan_route([stop_a, stop_b], network=town_net)
    assert route.legs[0].length_m == pytest.approx(expected, abs=0.01)


def test_every_route_point_lies_on_a_walkable_way(town_net: StreetNetwork, town_data: OsmBuilder,
                                                  place: Place, stop_at: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("museum"), stop_at("mid", 150, 212)]
    route = plan_route(stops, network=town_net, loop=True, start=at(250, -20))
    ways = town_data.walkable_ways()
    for point in route.points:
        assert min(distance_to_polyline_m(point, way) for way in ways) < 1.0, point


def test_without_a_network_legs_are_straight_and_flagged(place: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("museum")]
    route = plan_route(stops, network=None)
    assert route.street_following is False
    assert all(not leg.street_following and len(leg.points) == 2 for leg in route.legs)
    assert route.legs[0].points == ((stops[0].lat, stops[0].lon), (stops[1].lat, stops[1].lon))
    assert route.legs[0].cues[0].instruction.endswith("in a direct line (not along streets)")


def test_a_routed_leg_starts_where_the_stop_meets_the_street(town_net: StreetNetwork, stop_at: Place,
                                                             place: Place) -> None:
    route = plan_route([stop_at("mid", 150, 212), place("christian-12th")], network=town_net)
    assert route.street_following
    assert route.legs[0].points[0] == pytest.approx(at(150, 200), abs=1e-7)
    assert route.legs[0].length_m == pytest.approx(350, rel=0.01)


def test_points_have_no_repeats_and_straight_streets_are_thinned(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("christian-8th"), place("christian-12th"), place("north-bank-west")],
                       network=town_net)
    points = route.points
    assert all(a != b for a, b in zip(points, points[1:]))
    assert route.legs[0].points == (at(0, 100), at(400, 100))  # 17 OSM nodes on a straight street


def test_thin_keeps_corners_and_drops_collinear_points() -> None:
    line = [at(x, 0) for x in range(0, 101, 10)] + [at(100, y) for y in range(10, 101, 10)]
    assert thin(line) == (at(0, 0), at(100, 0), at(100, 100))
    assert thin([at(0, 0), at(0, 0), at(5, 0)]) == (at(0, 0), at(5, 0))


def test_custom_start_and_loop(town_net: StreetNetwork, place: Place) -> None:
    start = at(250, -20)
    route = plan_route([place("federal-8th"), place("museum")], network=town_net, start=start, loop=True)
    assert [leg.from_place.id for leg in route.legs] == ["start", "federal-8th", "museum"]
    assert route.legs[-1].to_place.id == "start"
    assert route.legs[0].points[0] == pytest.approx(at(250, 0), abs=1e-7)
    assert route.legs[0].length_m == pytest.approx(250, rel=0.01)
    assert route.legs[-1].points[-1] == pytest.approx(at(250, 0), abs=1e-7)


def test_shortest_order_beats_every_other_order(town_net: StreetNetwork, place: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("museum"), place("christian-12th"),
             place("bainbridge-8th")]
    best = plan_route(stops, network=town_net, order="shortest")
    assert best.stops[0].id == "federal-8th"
    lengths = [plan_route([stops[0], *rest], network=town_net).length_m
               for rest in itertools.permutations(stops[1:])]
    assert best.length_m == pytest.approx(min(lengths), abs=0.01)
    kept = plan_route(stops, network=town_net, order="shortest", keep_last=True)
    assert kept.stops[-1].id == "bainbridge-8th"


def test_shortest_order_matches_brute_force_on_a_matrix() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    pts = rng.random((8, 2)) * 1000
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    for loop in (False, True):
        order = shortest_order(d, loop=loop)

        def total(seq: tuple[int, ...] | list[int]) -> float:
            s = sum(d[a, b] for a, b in zip(seq, seq[1:]))
            return s + (d[seq[-1], seq[0]] if loop else 0)

        brute = min(total((0, *p)) for p in itertools.permutations(range(1, 8)))
        assert total(order) == pytest.approx(brute)


def test_shortest_order_works_without_a_network(place: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("christian-8th")]
    route = plan_route(stops, network=None, order="shortest")
    assert [s.id for s in route.stops] == ["federal-8th", "christian-8th", "north-bank-east"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"order": "fastest"}, r"order must be one of given, shortest, got 'fastest'"),
    ({"activity": "swim"}, r"activity must be one of run, walk"),
    ({"start": (91.0, 0.0)}, r"start must be a \(lat, lon\)"),
    ({"start": "here"}, r"start must be \(lat, lon\)"),
])
def test_bad_plan_options_are_refused(place: Place, kwargs: dict, message: str) -> None:
    with pytest.raises(BadPlan, match=message):
        plan_route([place("federal-8th"), place("museum")], network=None, **kwargs)


def test_too_many_too_few_or_repeated_stops_are_refused(stop_at: Place, place: Place) -> None:
    many = [stop_at(f"s{i}", i * 10, 0) for i in range(MAX_STOPS + 1)]
    with pytest.raises(BadPlan, match=r"at most 11 stops, got 12"):
        plan_route(many, network=None)
    with pytest.raises(BadPlan, match=r"at least two places"):
        plan_route([place("museum")], network=None)
    with pytest.raises(BadPlan, match=r"stop 'museum' is listed twice"):
        plan_route([place("museum"), place("museum")], network=None)
    assert plan_route([place("museum")], network=None, start=at(0, 0)).legs


def test_eleven_stops_and_a_start_in_shortest_order(town_net: StreetNetwork, stop_at: Place) -> None:
    stops = [stop_at(f"s{i}", (i % 5) * 100, (i // 5) * 100 + 5) for i in range(MAX_STOPS)]
    route = plan_route(stops, network=town_net, start=at(10, 0), order="shortest")
    assert len(route.legs) == MAX_STOPS and route.street_following


def test_duration_follows_the_pace(place: Place) -> None:
    route = plan_route([place("christian-8th"), place("christian-12th")], network=None)
    assert route.duration_s(360) == pytest.approx(route.length_m / 1000 * 360)
    with pytest.raises(BadPlan, match="pace must be positive"):
        route.duration_s(0)


def test_geojson_has_the_line_the_stops_legs_and_cues(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("north-bank-west"), place("museum")], network=town_net,
                       tour_id="t", name="Town tour")
    doc = json.loads(json.dumps(route_to_geojson(route, pace_s_per_km=360)))
    line, *points = doc["features"]
    assert doc["type"] == "FeatureCollection"
    assert line["geometry"]["type"] == "LineString"
    assert line["geometry"]["coordinates"][0] == pytest.approx([at(0, 0)[1], at(0, 0)[0]])  # lon, lat
    props = line["properties"]
    assert props["tour_id"] == "t" and props["street_following"] is True
    assert props["length_m"] == pytest.approx(route.length_m, abs=0.1)
    assert [(leg["from"], leg["to"]) for leg in props["legs"]] == [
        ("federal-8th", "north-bank-west"), ("north-bank-west", "museum")]
    assert props["legs"][0]["cues"][0]["turn"] == "start"
    assert [p["properties"]["id"] for p in points] == ["federal-8th", "north-bank-west", "museum"]
    assert points[0]["geometry"]["coordinates"] == pytest.approx([at(0, 0)[1], at(0, 0)[0]])


def test_geojson_says_when_legs_are_straight(place: Place) -> None:
    route = plan_route([place("federal-8th"), place("museum")], network=None)
    props = route_to_geojson(route)["features"][0]["properties"]
    assert props["street_following"] is False and props["legs"][0]["street_following"] is False


@pytest.fixture
def town_catalogs(place: Place) -> tuple[StopCatalog, object]:
    stops = StopCatalog([place("federal-8th", montage_order=1), place("north-bank-west", montage_order=2),
                         place("museum", montage_order=3), place("island")], version=1, updated="")
    tours = parse_tours({"tours": [
        {"id": "town", "name": "Town", "description": "Around town.",
         "stop_ids": ["federal-8th", "north-bank-west", "museum"], "loop": True, "activity": "run"},
        {"id": "to-island", "name": "Island", "description": "Cut off.",
         "stop_ids": ["federal-8th", "island"], "loop": False, "activity": "walk"},
    ]}, stops)
    return stops, tours


def test_planner_loads_the_network_lazily_and_memoises_tours(tmp_path: Path, town_osm: Path,
                                                             town_catalogs: tuple) -> None:
    stops, tours = town_catalogs
    planner = TourPlanner(Settings(cache_dir=tmp_path, osm_file=town_osm), stops, tours)
    route = planner.plan_tour("town")
    assert isinstance(route, Route) and route.street_following and route.loop
    assert planner.plan_tour("town") is route
    assert planner.status()["street_following"] is True
    with pytest.raises(UnknownTour, match="unknown tour 'nope'"):
        planner.plan_tour("nope")
    with pytest.raises(StopNotReachable, match="cannot be reached"):
        planner.plan_tour("to-island")
    custom = planner.plan_stops(["museum", "federal-8th"], start=at(250, -20), order="shortest")
    assert custom.legs[0].from_place.id == "start"


def test_planner_without_any_source_draws_straight_legs(tmp_path: Path, town_catalogs: tuple) -> None:
    stops, tours = town_catalogs
    planner = TourPlanner(Settings(cache_dir=tmp_path), stops, tours)
    route = planner.plan_tour("town")
    assert route.street_following is False
    assert planner.status() == {"street_following": False, "source": None, "nodes": 0,
                                "error": "no OSM file and no cached network"}


def test_planner_with_a_broken_osm_file_falls_back_instead_of_crashing(tmp_path: Path,
                                                                       town_catalogs: tuple) -> None:
    stops, tours = town_catalogs
    planner = TourPlanner(Settings(cache_dir=tmp_path, osm_file=tmp_path / "missing.osm"), stops, tours)
    assert planner.plan_tour("town").street_following is False
    assert "does not exist" in (planner.status()["error"] or "")


def test_planner_plans_the_packaged_tours_offline(tmp_path: Path) -> None:
    from tourapp.stops import load_stops
    from tourapp.tours import load_tours

    stops = load_stops()
    planner = TourPlanner(Settings(cache_dir=tmp_path), stops, load_tours(stops), network=None)
    montage = planner.plan_tour("montage")
    assert [s.montage_order for s in montage.stops] == list(range(1, 8))
    assert len(montage.legs) == 6 and not montage.street_following


def test_custom_stops_are_checked_against_the_catalogue(tmp_path: Path, town_catalogs: tuple) -> None:
    from tourapp.errors import UnknownStop

    stops, tours = town_catalogs
    planner = TourPlanner(Settings(cache_dir=tmp_path), stops, tours, network=None)
    with pytest.raises(UnknownStop, match="unknown stop 'nope'"):
        planner.plan_stops(["museum", "nope"])
    with pytest.raises(BadPlan, match="at most 11"):
        planner.plan_stops(["museum"] * 12)


def test_stops_helper_builds_valid_stops() -> None:
    assert make_stop("x", 39.95, -75.16).lat == 39.95


def test_two_stops_at_the_same_corner_make_an_empty_leg(town_net: StreetNetwork, stop_at: Place) -> None:
    route = plan_route([stop_at("a", 0, 0), stop_at("b", 0, 0)], network=town_net)
    (leg,) = route.legs
    assert leg.length_m == 0 and len(leg.points) == 1
    assert [c.turn for c in leg.cues] == ["arrive"]
