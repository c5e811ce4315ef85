"""Planning: the plan request's rules (tours, custom plans, fixed ends, loops) and the planner service."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from osm_fixtures import at

from tourapp.errors import BadPlan, StopNotReachable, UnknownStop, UnknownTour
from tourapp.network import StreetNetwork
from tourapp.plan_request import MAX_STOPS, PlanRequest
from tourapp.planner import TourPlanner, plan_route
from tourapp.settings import Settings
from tourapp.stops import Stop, StopCatalog, load_stops
from tourapp.tours import TourCatalog, load_tours, parse_tours

Place = Callable[..., Stop]
FIVE = ("federal-8th", "north-bank-east", "museum", "christian-12th", "bainbridge-8th")


# -- plan_route: places and their order -------------------------------------------------------


def test_a_custom_start_begins_the_route_and_a_loop_returns_to_it(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("museum")], network=town_net, start=at(250, -20), loop=True)
    assert [leg.from_place.id for leg in route.legs] == ["start", "federal-8th", "museum"]
    assert route.legs[-1].to_place == route.places[0] == route.start
    assert route.legs[0].points[0] == route.start.position  # 20 m off Federal Street
    assert route.legs[0].length_m == pytest.approx(20 + 250, rel=0.01)
    assert route.points[-1] == route.points[0]


def test_a_loop_through_stops_ends_at_its_first_stop(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place(s) for s in FIVE], network=town_net, loop=True, order="shortest")
    assert route.legs[-1].to_place.id == route.stops[0].id == "federal-8th"
    assert route.points[-1] == route.points[0]


def test_a_finish_point_is_the_last_place(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("christian-8th")], network=town_net, end=at(250, -20))
    assert route.places[-1] == route.end and route.end is not None and route.end.kind == "end"
    assert [(leg.from_place.id, leg.to_place.id) for leg in route.legs] == [
        ("federal-8th", "christian-8th"), ("christian-8th", "end")]
    assert route.legs[-1].length_m == pytest.approx(350 + 20, rel=0.01)  # back down 8th, along Federal
    assert route.points[-1] == route.end.position  # 20 m off Federal Street
    assert route.legs[-1].cues[-1].instruction == "Arrive at your finish"


def test_a_finish_point_works_without_a_network(place: Place) -> None:
    route = plan_route([place("federal-8th")], network=None, start=at(0, -100), end=at(0, 200))
    assert [p.kind for p in route.places] == ["start", "stop", "end"]
    assert route.length_m == pytest.approx(300, rel=0.01)


def _all_orders(stops: list[Stop], *, loop: bool) -> list[list[Stop]]:
    """Every order a runner could pick with the first stop first (and, one-way, the last one last)."""
    first, middle, last = stops[0], stops[1:-1], stops[-1]
    if loop:
        return [[first, *p] for p in itertools.permutations(stops[1:])]
    return [[first, *p, last] for p in itertools.permutations(middle)]


@pytest.mark.parametrize("loop", [False, True])
def test_shortest_order_matches_brute_force_and_is_never_longer(town_net: StreetNetwork, place: Place,
                                                                loop: bool) -> None:
    stops = [place(s) for s in FIVE]
    best = plan_route(stops, network=town_net, order="shortest", loop=loop)
    lengths = [plan_route(o, network=town_net, loop=loop).length_m for o in _all_orders(stops, loop=loop)]
    assert best.length_m == pytest.approx(min(lengths), abs=0.01)
    assert best.length_m <= lengths[0] + 0.01  # the order given
    assert best.stops[0].id == "federal-8th"
    if not loop:
        assert best.stops[-1].id == "bainbridge-8th"


def test_shortest_order_keeps_the_start_first_and_the_finish_last(town_net: StreetNetwork, place: Place) -> None:
    stops = [place(s) for s in FIVE]
    start, end = at(250, -20), at(320, 180)
    best = plan_route(stops, network=town_net, order="shortest", start=start, end=end)
    assert best.places[0].kind == "start" and best.places[-1].kind == "end"
    lengths = [plan_route(list(p), network=town_net, start=start, end=end).length_m
               for p in itertools.permutations(stops)]
    assert best.length_m == pytest.approx(min(lengths), abs=0.01)


def test_shortest_order_refuses_a_cut_off_stop_rather_than_dropping_it(town_net: StreetNetwork,
                                                                      place: Place) -> None:
    stops = [place("federal-8th"), place("island"), place("museum"), place("christian-8th")]
    with pytest.raises(StopNotReachable, match="not all connected"):
        plan_route(stops, network=town_net, order="shortest")


def test_shortest_order_works_without_a_network(place: Place) -> None:
    stops = [place("federal-8th"), place("north-bank-east"), place("christian-8th"), place("christian-12th")]
    route = plan_route(stops, network=None, order="shortest")
    assert [s.id for s in route.stops] == ["federal-8th", "christian-8th", "north-bank-east", "christian-12th"]


def test_eleven_stops_a_start_and_a_finish_in_shortest_order(town_net: StreetNetwork, stop_at: Place) -> None:
    stops = [stop_at(f"s{i}", (i % 5) * 100, (i // 5) * 100 + 5) for i in range(MAX_STOPS)]
    route = plan_route(stops, network=town_net, start=at(10, 0), end=at(390, 0), order="shortest")
    assert len(route.legs) == MAX_STOPS + 1 and route.street_following
    assert sorted(s.id for s in route.stops) == sorted(s.id for s in stops)


def test_a_route_needs_two_places(place: Place) -> None:
    with pytest.raises(BadPlan, match="at least one more place"):
        plan_route([place("museum")], network=None)
    assert plan_route([place("museum")], network=None, start=at(0, 0)).legs


def test_a_route_takes_longer_at_a_slower_pace(place: Place) -> None:
    route = plan_route([place("christian-8th"), place("christian-12th")], network=None)  # 400 m
    assert route.duration_s(360) == pytest.approx(144, rel=0.01)  # 6:00 per km: 2 min 24 s
    assert route.duration_s(720) == pytest.approx(2 * route.duration_s(360))
    with pytest.raises(BadPlan, match="pace must be positive"):
        route.duration_s(0)


# -- the planner service ------------------------------------------------------------------------


@pytest.fixture
def town_catalogs(place: Place) -> tuple[StopCatalog, TourCatalog]:
    stops = StopCatalog([place("federal-8th", montage_order=1), place("north-bank-west", montage_order=2),
                         place("museum", montage_order=3), place("christian-8th"), place("island")],
                        version=1, updated="")
    tours = parse_tours({"tours": [
        {"id": "town", "name": "Town", "description": "Around town.",
         "stop_ids": ["federal-8th", "north-bank-west", "museum"], "loop": True, "activity": "run"},
        {"id": "to-island", "name": "Island", "description": "Cut off.",
         "stop_ids": ["federal-8th", "island"], "loop": False, "activity": "walk"},
    ]}, stops)
    return stops, tours


@pytest.fixture
def town_planner(tmp_path: Path, town_osm: Path, town_catalogs: tuple[StopCatalog, TourCatalog]) -> TourPlanner:
    stops, tours = town_catalogs
    return TourPlanner(Settings(cache_dir=tmp_path, osm_file=town_osm), stops, tours)


def test_a_tour_supplies_its_stops_name_loop_and_activity(town_planner: TourPlanner) -> None:
    route = town_planner.plan(PlanRequest(tour="town"))
    assert (route.tour_id, route.name, route.loop, route.activity) == ("town", "Town", True, "run")
    assert [s.id for s in route.stops] == ["federal-8th", "north-bank-west", "museum"]
    assert route.street_following
    assert town_planner.plan_tour("town") is route


def test_the_request_overrides_a_tours_loop_and_activity(town_planner: TourPlanner) -> None:
    route = town_planner.plan(PlanRequest(tour="town", loop=False, activity="walk"))
    assert (route.loop, route.activity, len(route.legs)) == (False, "walk", 2)


def test_a_finish_point_makes_a_loop_tour_one_way(town_planner: TourPlanner) -> None:
    route = town_planner.plan(PlanRequest(tour="town", end=at(250, -20)))
    assert not route.loop and route.places[-1].kind == "end"


def test_a_custom_plan_is_a_one_way_run_of_the_runners_own(town_planner: TourPlanner) -> None:
    route = town_planner.plan(PlanRequest(stops=("museum", "federal-8th", "christian-8th"),
                                          start=at(250, -20), order="shortest"))
    assert (route.tour_id, route.name, route.loop, route.activity) == ("plan", "Your Rocky run", False, "run")
    assert [p.id for p in route.places] == ["start", "museum", "federal-8th", "christian-8th"]


def test_routes_are_memoised_whatever_the_pace_or_units(town_planner: TourPlanner) -> None:
    request = PlanRequest(stops=("museum", "federal-8th"), start=at(250, -20))
    route = town_planner.plan(request)
    assert town_planner.plan(request.replace(pace_s_per_km=300.0, units="mi")) is route
    assert town_planner.plan(request.replace(order="shortest")) is not route


def test_unknown_ids_are_named_with_the_known_ones(town_planner: TourPlanner) -> None:
    with pytest.raises(UnknownTour, match="unknown tour 'nope'; known tours: town, to-island"):
        town_planner.plan(PlanRequest(tour="nope"))
    with pytest.raises(UnknownStop, match="unknown stop 'nope'; known stops: federal-8th"):
        town_planner.plan(PlanRequest(stops=("museum", "nope")))


@pytest.mark.parametrize("key", ["start", "end"])
def test_a_point_outside_the_area_is_refused_by_name(town_planner: TourPlanner, key: str) -> None:
    far = (40.13, -75.16)  # 20 km north of the stops
    with pytest.raises(BadPlan, match=rf"{key} 40.13,-75.16 is outside the tour area"):
        town_planner.plan(PlanRequest(stops=("museum", "federal-8th"), **{key: far}))


def test_the_area_holds_every_stop_with_a_margin(town_planner: TourPlanner) -> None:
    area = town_planner.area
    for stop in town_planner.stops.values():
        assert area.south < stop.lat - 0.005 and stop.lat + 0.005 < area.north
        assert area.west < stop.lon - 0.005 and stop.lon + 0.005 < area.east


def test_an_unreachable_tour_says_which_stop(town_planner: TourPlanner) -> None:
    with pytest.raises(StopNotReachable, match=r"Island \(island\) cannot be reached"):
        town_planner.plan_tour("to-island")


def test_the_status_says_what_the_routes_follow(town_planner: TourPlanner) -> None:
    status = town_planner.status()
    assert status.street_following and status.kind == "file" and status.nodes > 0 and status.error is None


def test_planner_without_any_source_draws_straight_legs(tmp_path: Path, town_catalogs: tuple) -> None:
    stops, tours = town_catalogs
    planner = TourPlanner(Settings(cache_dir=tmp_path), stops, tours)
    assert planner.plan_tour("town").street_following is False
    status = planner.status()
    assert (status.street_following, status.kind, status.nodes) == (False, None, 0)
    assert status.error == "no OSM file and no cached network"


def test_planner_with_a_broken_osm_file_falls_back_instead_of_crashing(tmp_path: Path,
                                                                       town_catalogs: tuple) -> None:
    stops, tours = town_catalogs
    planner = TourPlanner(Settings(cache_dir=tmp_path, osm_file=tmp_path / "missing.osm"), stops, tours)
    assert planner.plan_tour("town").street_following is False
    assert "does not exist" in (planner.status().error or "")


def test_planner_plans_the_packaged_tours_offline(tmp_path: Path) -> None:
    stops = load_stops()
    planner = TourPlanner(Settings(cache_dir=tmp_path), stops, load_tours(stops), network=None)
    montage = planner.plan_tour("montage")
    assert [s.montage_order for s in montage.stops] == list(range(1, 8))
    assert len(montage.legs) == 6 and not montage.street_following
