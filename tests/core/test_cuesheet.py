"""Cue sheets: one cue per street, turns on the correct side, words for unnamed ways."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from osm_fixtures import OsmBuilder, at, make_stop

from tourapp.cuesheet import Destination, build_cues, cue_sheet, cue_text, merge_stretches, street_label, turn_name
from tourapp.model import Cue, Stretch
from tourapp.network import StreetNetwork, build_network_from_xml
from tourapp.planner import plan_route
from tourapp.stops import Stop
from tourapp.streets import street_key

Place = Callable[..., Stop]


def test_a_long_street_is_one_cue(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("christian-12th"), place("christian-8th")], network=town_net)
    cues = route.legs[0].cues
    assert [c.instruction for c in cues] == ["Head west on Christian Street", "Arrive at stop 2, Christian 8th"]
    assert cues[0].distance_m == pytest.approx(400, rel=0.01)


def test_turns_are_named_from_the_street_names(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("north-bank-west")], network=town_net)
    assert cue_sheet(route) == [
        "Head north on 8th Street — 300 m",
        "Turn right onto Bainbridge Street — 200 m",
        "Turn left onto Stone Bridge — 300 m",
        "Turn left onto Kelly Drive — 200 m",
        "Arrive at stop 2, North bank west",
    ]
    turns = [c.turn for c in route.legs[0].cues]
    assert turns == ["start", "right", "left", "left", "arrive"]


def test_unnamed_ways_get_a_plain_label(town_net: StreetNetwork, stop_at: Place, place: Place) -> None:
    route = plan_route([stop_at("fitzwater-12th", 400, 200), place("museum")], network=town_net)
    streets = [c.street for c in route.legs[0].cues]
    assert streets == ["steps", "footpath", ""]
    assert route.legs[0].cues[1].instruction == "Turn left onto the footpath"


def test_every_stop_gets_an_arrival_cue(town_net: StreetNetwork, place: Place) -> None:
    stops = [place("federal-8th"), place("museum"), place("north-bank-east")]
    route = plan_route(stops, network=town_net, loop=True)
    arrivals = [leg.cues[-1] for leg in route.legs]
    assert [c.turn for c in arrivals] == ["arrive"] * 3
    # named as a runner says them, numbered in visiting order; a loop comes back to stop 1
    assert [c.instruction for c in arrivals] == ["Arrive at stop 2, Museum", "Arrive at stop 3, North bank east",
                                                 "Arrive at stop 1, Federal 8th"]
    assert arrivals[0].at == pytest.approx(at(500, 250), abs=1e-7)


def test_the_runners_own_points_are_the_start_and_your_finish(town_net: StreetNetwork, place: Place) -> None:
    one_way = plan_route([place("federal-8th"), place("museum")], network=town_net, start=at(250, -20),
                         end=at(320, 180))
    assert [leg.cues[-1].instruction for leg in one_way.legs] == [
        "Arrive at stop 1, Federal 8th", "Arrive at stop 2, Museum", "Arrive at your finish"]
    loop = plan_route([place("federal-8th")], network=town_net, start=at(250, -20), loop=True)
    assert loop.legs[-1].cues[-1].instruction == "Arrive at the start"
    # the scene's title is never part of a cue
    assert not any("Federal 8Th" in c.instruction for leg in one_way.legs for c in leg.cues)


def test_cue_distances_add_up_to_the_leg(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("north-bank-east"), place("museum")], network=town_net)
    for leg in route.legs:
        assert sum(c.distance_m for c in leg.cues) == pytest.approx(leg.length_m)


@pytest.mark.parametrize(("delta", "turn"), [
    (0, "straight"), (15, "straight"), (-30, "slight left"), (40, "slight right"), (90, "right"),
    (-90, "left"), (150, "sharp right"), (-150, "sharp left"), (178, "u-turn"), (350, "straight"),
    (270, "left"),
])
def test_turns_are_classified_by_the_change_of_heading(delta: float, turn: str) -> None:
    assert turn_name(delta) == turn


def test_cue_text_in_kilometres_and_miles() -> None:
    cue = Cue(instruction="Turn left onto Christian Street", street="Christian Street",
              distance_m=1400, turn="left", at=(39.95, -75.16))
    assert cue_text(cue) == "Turn left onto Christian Street — 1.4 km"
    assert cue_text(cue, "mi") == "Turn left onto Christian Street — 0.9 mi"
    with pytest.raises(ValueError, match="units must be 'km' or 'mi'"):
        cue_text(cue, "furlongs")


def test_short_unnamed_links_do_not_break_a_street_into_two_cues() -> None:
    stretches = [Stretch(name="9th Street", kind="tertiary", start_index=0, length_m=200),
                 Stretch(name="", kind="crossing", start_index=3, length_m=8),
                 Stretch(name="9th Street", kind="tertiary", start_index=4, length_m=150)]
    merged = merge_stretches(stretches)
    assert [(street_label(s.name, s.kind), s.length_m) for s in merged] == [("9th Street", 358)]


def test_a_straight_line_leg_says_it_is_not_along_streets() -> None:
    points = [at(0, 0), at(300, 300)]
    cues = build_cues(points, [Stretch(name="", kind="direct", start_index=0, length_m=424)],
                      to=Destination("stop 3, Museum", "Museum"))
    assert cues[0].instruction == "Head northeast in a direct line (not along streets)"
    assert cues[-1].instruction == "Arrive at stop 3, Museum"


@pytest.mark.parametrize(("heading_deg", "street_cue", "approach_cue"), [
    (0, "Continue onto Elm Street", "Continue towards Museum"),
    (-35, "Bear left onto Elm Street", "Bear left towards Museum"),
    (90, "Turn right onto Elm Street", "Turn right towards Museum"),
    (-150, "Turn sharp left onto Elm Street", "Turn sharp left towards Museum"),
    (180, "Make a U-turn onto Elm Street", "Make a U-turn towards Museum"),
])
def test_a_turn_reads_the_same_onto_a_street_and_towards_a_place(heading_deg: float, street_cue: str,
                                                                  approach_cue: str) -> None:
    # 100 m north on Oak Street, then 60 m at the heading (clockwise from north)
    turn = math.radians(heading_deg)
    points = [at(0, 0), at(0, 100), at(60 * math.sin(turn), 100 + 60 * math.cos(turn))]
    oak = Stretch(name="Oak Street", kind="residential", start_index=0, length_m=100)
    to = Destination("stop 3, Museum", "Museum")
    onto_street = build_cues(points, [oak, Stretch(name="Elm Street", kind="residential", start_index=1,
                                                   length_m=60)], to=to)
    into_place = build_cues(points, [oak, Stretch(name="", kind="approach", start_index=1, length_m=60)], to=to)
    assert onto_street[1].instruction == street_cue
    assert into_place[1].instruction == approach_cue


# -- collapsing what a runner does not need to be told (OSRM-style), keeping every real turn --


def _network(tmp_path: Path, build: Callable[[OsmBuilder], None]) -> StreetNetwork:
    town = OsmBuilder()
    build(town)
    return build_network_from_xml(town.write(tmp_path / "town.osm"))


def _sheet(net: StreetNetwork, *stops_xy: tuple[float, float]) -> list[str]:
    stops = [make_stop(f"s{i}", *at(x, y), name=f"The scene at corner {i}", short_name=f"Corner {i}")
             for i, (x, y) in enumerate(stops_xy, start=1)]
    return cue_sheet(plan_route(stops, network=net))


def _fifteenth(town: OsmBuilder) -> None:
    """15th Street is "South" below Market Street and "North" above it."""
    town.way([(0, 0), (0, 200)], walkable=True, step_m=50, highway="tertiary", name="South 15th Street")
    town.way([(0, 200), (0, 400)], walkable=True, step_m=50, highway="tertiary", name="North 15th Street")
    town.way([(-200, 200), (200, 200)], walkable=True, step_m=50, highway="primary", name="Market Street")


def test_a_direction_word_does_not_make_a_new_street(tmp_path: Path) -> None:
    net = _network(tmp_path, _fifteenth)
    assert _sheet(net, (0, 0), (0, 400)) == ["Head north on South 15th Street — 400 m", "Arrive at stop 2, Corner 2"]
    # the turn at the same corner is still a turn
    assert _sheet(net, (0, 0), (200, 200)) == [
        "Head north on South 15th Street — 200 m", "Turn right onto Market Street — 200 m",
        "Arrive at stop 2, Corner 2"]


def test_south_street_is_not_north_street() -> None:
    assert street_key("South 15th Street") == street_key("North 15th Street") == "15th street"
    assert street_key("East Passyunk Avenue") == street_key("Passyunk Avenue")
    assert street_key("South Street") != street_key("North Street")


def _dog_leg(town: OsmBuilder) -> None:
    """Passyunk Avenue jogs 10 m east along Fitzwater Street at an offset junction."""
    town.way([(0, 0), (0, 200)], walkable=True, step_m=50, highway="secondary", name="East Passyunk Avenue")
    town.way([(10, 200), (10, 400)], walkable=True, step_m=50, highway="secondary", name="East Passyunk Avenue")
    town.way([(-200, 200), (0, 200), (10, 200), (200, 200)], walkable=True, highway="residential",
             name="Fitzwater Street")


def test_a_few_metres_on_another_street_are_part_of_the_street(tmp_path: Path) -> None:
    net = _network(tmp_path, _dog_leg)
    assert _sheet(net, (0, 0), (10, 400)) == ["Head north on East Passyunk Avenue — 410 m",
                                              "Arrive at stop 2, Corner 2"]
    # turning off onto Fitzwater Street for good is a turn
    assert _sheet(net, (0, 0), (200, 200)) == [
        "Head north on East Passyunk Avenue — 200 m", "Turn right onto Fitzwater Street — 200 m",
        "Arrive at stop 2, Corner 2"]


def _sidewalk(town: OsmBuilder) -> None:
    """Christian Street's middle block is mapped as a separate sidewalk; a footpath leaves it."""
    town.way([(0, 0), (200, 0)], walkable=True, step_m=50, highway="residential", name="Christian Street")
    town.way([(200, 0), (300, 0)], walkable=True, step_m=50, highway="footway", footway="sidewalk")
    town.way([(300, 0), (500, 0)], walkable=True, step_m=50, highway="residential", name="Christian Street")
    town.way([(200, -100), (200, 100)], walkable=True, step_m=50, highway="residential", name="10th Street")
    town.way([(300, -100), (300, 100)], walkable=True, step_m=50, highway="residential", name="11th Street")
    town.way([(100, 0), (100, -150)], walkable=True, highway="footway")


def test_going_straight_on_along_a_sidewalk_is_no_news(tmp_path: Path) -> None:
    net = _network(tmp_path, _sidewalk)
    assert _sheet(net, (0, 0), (500, 0)) == ["Head east on Christian Street — 500 m", "Arrive at stop 2, Corner 2"]
    assert _sheet(net, (0, 0), (300, 100)) == [
        "Head east on Christian Street — 300 m", "Turn left onto 11th Street — 100 m", "Arrive at stop 2, Corner 2"]
    # a turn onto an unnamed way is a turn all the same
    assert _sheet(net, (0, 0), (100, -150)) == [
        "Head east on Christian Street — 100 m", "Turn right onto the footpath — 150 m", "Arrive at stop 2, Corner 2"]


def test_a_short_last_piece_is_named_in_the_arrival(tmp_path: Path) -> None:
    net = _network(tmp_path, _fifteenth)
    # the stop is 8 m up North 15th Street's first block, i.e. almost at the corner
    assert _sheet(net, (-200, 200), (0, 208)) == [
        "Head east on Market Street — 210 m", "Arrive on North 15th Street at stop 2, Corner 2"]


def test_a_stop_set_back_from_the_street_gets_a_cue_for_the_way_out(tmp_path: Path) -> None:
    net = _network(tmp_path, _fifteenth)
    assert _sheet(net, (60, 0), (0, 400)) == [
        "Head west to South 15th Street — 60 m", "Turn right onto South 15th Street — 400 m",
        "Arrive at stop 2, Corner 2"]
    # a few metres off the street are part of the first cue
    assert _sheet(net, (10, 0), (0, 400)) == ["Head north on South 15th Street — 410 m", "Arrive at stop 2, Corner 2"]


def test_collapsing_keeps_the_distances_adding_up(tmp_path: Path) -> None:
    net = _network(tmp_path, _dog_leg)
    stops = [make_stop("a", *at(30, -20)), make_stop("b", *at(10, 400)), make_stop("c", *at(200, 230))]
    route = plan_route(stops, network=net)
    for leg in route.legs:
        assert sum(c.distance_m for c in leg.cues) == pytest.approx(leg.length_m)


def test_the_cue_sheet_needs_neither_the_router_nor_scipy_to_name_streets() -> None:
    # presentation reads street names with the shared rules (tourapp.streets), not the router's
    code = ("import sys, tourapp.cuesheet\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy' or m.startswith('tourapp.network')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
