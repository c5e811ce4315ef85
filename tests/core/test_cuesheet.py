"""Cue sheets: one cue per street, turns on the correct side, words for unnamed ways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from osm_fixtures import at

from tourapp.cuesheet import build_cues, cue_sheet, cue_text, merge_stretches, street_label, turn_name
from tourapp.model import Cue, Stretch
from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.stops import Stop

Place = Callable[..., Stop]


def test_a_long_street_is_one_cue(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("christian-12th"), place("christian-8th")], network=town_net)
    cues = route.legs[0].cues
    assert [c.instruction for c in cues] == ["Head west on Christian Street", "Arrive at Christian 8Th"]
    assert cues[0].distance_m == pytest.approx(400, rel=0.01)


def test_turns_are_named_from_the_street_names(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("north-bank-west")], network=town_net)
    assert cue_sheet(route) == [
        "Head north on 8th Street — 300 m",
        "Turn right onto Bainbridge Street — 200 m",
        "Turn left onto Stone Bridge — 300 m",
        "Turn left onto Kelly Drive — 200 m",
        "Arrive at North Bank West",
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
    assert [c.instruction for c in arrivals] == ["Arrive at Museum", "Arrive at North Bank East",
                                                 "Arrive at Federal 8Th"]
    assert arrivals[0].at == pytest.approx(at(500, 250), abs=1e-7)


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
                      arrive_at="Museum")
    assert cues[0].instruction == "Head northeast in a direct line (not along streets)"
    assert cues[-1].instruction == "Arrive at Museum"
