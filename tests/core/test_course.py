"""Courses: the route with a distance and a time for every point, and the points a watch
announces (stops and turns) at their real distance along the way; ``max_points`` on real
OpenStreetMap streets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from geopy.distance import geodesic
from osm_fixtures import at, distance_to_polyline_m

from tourapp.course import TURN_KINDS, Course, CoursePoint, build_course, numbered_label, points_needed, short_label
from tourapp.errors import BadPlan
from tourapp.model import Route
from tourapp.network import StreetNetwork
from tourapp.plan_request import PlanRequest
from tourapp.planner import TourPlanner, plan_route
from tourapp.settings import Settings
from tourapp.stops import Stop, load_stops
from tourapp.tours import load_tours

Place = Callable[..., Stop]
WHEN = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
EXTRACT = Path(__file__).resolve().parents[1] / "data" / "center-city.osm.bz2"


@pytest.fixture
def stops(place: Place, stop_at: Place) -> list[Stop]:
    return [place("federal-8th", montage_order=1), place("north-bank-east", montage_order=2),
            stop_at("mid-fitzwater", 150, 212), place("museum", montage_order=3)]


@pytest.fixture
def routed(town_net: StreetNetwork, stops: list[Stop]) -> Route:
    return plan_route(stops, network=town_net, tour_id="town", name="Town tour")


@pytest.fixture(scope="module")
def real_loop(tmp_path_factory: pytest.TempPathFactory) -> Route:
    """The Italian Market to the Moshulu and back on the real Center City extract: real
    streets, some 35 points and a dozen turns."""
    stops = load_stops()
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"), osm_file=EXTRACT,
                        network_download=False)
    planner = TourPlanner(settings, stops, load_tours(stops))
    return planner.plan(PlanRequest(stops=("italian-market", "moshulu"), loop=True))


def _course(route: Route, *, pace: float = 360.0, max_points: int | None = None) -> Course:
    return build_course(route, pace_s_per_km=pace, start_time=WHEN, max_points=max_points)


def test_distances_run_from_zero_to_the_route_length_and_never_go_back(routed: Route) -> None:
    course = _course(routed)
    assert course.distances_m[0] == 0.0
    assert course.length_m == pytest.approx(routed.length_m)
    assert all(b >= a for a, b in zip(course.distances_m, course.distances_m[1:]))


def test_each_step_of_distance_is_the_ground_between_the_points(routed: Route) -> None:
    course = _course(routed)
    for (a, b), (da, db) in zip(zip(course.points, course.points[1:]),
                                zip(course.distances_m, course.distances_m[1:])):
        assert db - da == pytest.approx(geodesic(a, b).meters, rel=0.01, abs=0.5)


def test_every_point_has_a_time_at_the_pace_from_the_start(routed: Route) -> None:
    course = _course(routed, pace=300.0)
    assert course.times[0] == WHEN
    assert all(b >= a for a, b in zip(course.times, course.times[1:]))
    # 5:00 per km over the whole route, to the second
    assert course.duration_s == pytest.approx(routed.duration_s(300.0), abs=1.0)
    assert all(t.microsecond == 0 for t in course.times)


def test_a_slower_pace_only_stretches_the_times(routed: Route) -> None:
    run, walk = _course(routed, pace=300.0), _course(routed, pace=600.0)
    assert run.points == walk.points and run.distances_m == walk.distances_m
    assert walk.duration_s == pytest.approx(2 * run.duration_s, abs=1.0)


def test_a_course_point_names_every_stop_in_visiting_order(routed: Route) -> None:
    places = [p for p in _course(routed).course_points if not p.is_turn]
    # the short name to show, numbered in visiting order; the full name as the note
    assert [(p.number, p.name, p.note) for p in places] == [
        (n, s.short_name, s.name) for n, s in enumerate(routed.stops, start=1)]
    assert [p.kind for p in places] == ["stop"] * len(routed.stops)


def test_stops_lie_where_the_legs_meet_at_the_sum_of_the_legs_before(routed: Route) -> None:
    places = [p for p in _course(routed).course_points if not p.is_turn]
    before = 0.0
    for leg, point in zip(routed.legs, places):
        assert point.distance_m == pytest.approx(before, abs=0.01)
        assert (point.lat, point.lon) == pytest.approx(leg.points[0])
        before += leg.length_m
    assert places[-1].distance_m == pytest.approx(routed.length_m)


def test_a_turn_point_for_every_turn_of_the_cue_sheet(routed: Route) -> None:
    turns = [p for p in _course(routed).course_points if p.is_turn]
    cue_turns = [c for leg in routed.legs for c in leg.cues if c.turn in TURN_KINDS]
    assert turns and [(p.kind, p.note) for p in turns] == [(c.turn, c.instruction) for c in cue_turns]


def test_a_turn_lies_on_the_course_at_its_distance(real_loop: Route) -> None:
    course = _course(real_loop)
    for turn in (p for p in course.course_points if p.is_turn):
        # track points at the turn's position, found by position alone (a loop that comes back
        # the same way passes a corner twice): one of them is at the turn's distance
        here = [d for p, d in zip(course.points, course.distances_m)
                if geodesic(p, (turn.lat, turn.lon)).meters < 2.0]
        assert here, turn
        assert min(abs(d - turn.distance_m) for d in here) < 3.0
        assert turn.time == WHEN + dt.timedelta(seconds=round(turn.distance_m * 0.36))


def test_course_points_come_in_order_along_the_course(real_loop: Route) -> None:
    distances = [p.distance_m for p in _course(real_loop).course_points]
    assert distances == sorted(distances)


def test_a_loop_ends_with_a_finish_back_at_its_first_stop(real_loop: Route) -> None:
    points = _course(real_loop).course_points
    first, last = points[0], points[-1]
    assert first.kind == "stop" and last.kind == "finish" and last.name == first.name
    assert geodesic((first.lat, first.lon), (last.lat, last.lon)).meters < 1.0
    assert last.distance_m == pytest.approx(real_loop.length_m)


def test_a_start_point_of_ones_own_is_the_first_course_point(town_net: StreetNetwork,
                                                             stops: list[Stop]) -> None:
    route = plan_route(stops, network=town_net, start=at(250, -20))
    first = _course(route).course_points[0]
    assert (first.kind, first.name, first.distance_m) == ("start", "Start", 0.0)


def test_straight_legs_make_a_course_too(stops: list[Stop]) -> None:
    route = plan_route(stops, network=None)
    course = _course(route)
    assert len(course.points) == len(stops)
    assert course.length_m == pytest.approx(route.length_m)
    assert not any(p.is_turn for p in course.course_points)


# -------------------------------------------------------------------------------------------
# max_points


@pytest.mark.parametrize("max_points", [10, 20, 30])
def test_max_points_keeps_only_original_points_and_at_most_that_many(real_loop: Route,
                                                                     max_points: int) -> None:
    full, short = _course(real_loop), _course(real_loop, max_points=max_points)
    assert len(full.points) > 30
    assert len(short.points) <= max_points
    assert set(short.points) <= set(full.points)
    assert short.points[0] == full.points[0] and short.points[-1] == full.points[-1]
    # kept points keep their distance and time along the full route, in the same order
    full_rows = list(zip(full.points, full.distances_m, full.times))
    rows = iter(full_rows)
    assert all(row in rows for row in zip(short.points, short.distances_m, short.times))
    assert short.course_points == full.course_points


@pytest.mark.parametrize("max_points", [10, 20, 40])
def test_no_original_point_lies_farther_from_the_simplified_line_than_it_says(
        real_loop: Route, max_points: int) -> None:
    short = _course(real_loop, max_points=max_points)
    worst = max(distance_to_polyline_m(p, list(short.points)) for p in real_loop.points)
    assert worst <= short.simplified_by_m + 0.5


def test_forty_points_stay_within_a_few_metres_of_the_streets(real_loop: Route) -> None:
    short = _course(real_loop, max_points=40)
    assert all(distance_to_polyline_m(p, list(short.points)) < 5.0 for p in real_loop.points)


def test_a_simplified_course_says_how_far_it_may_stray_from_the_streets(real_loop: Route) -> None:
    full, short = _course(real_loop), _course(real_loop, max_points=20)
    assert full.simplification_note == ""
    worst = max(distance_to_polyline_m(p, list(short.points)) for p in real_loop.points)
    metres = int(short.simplification_note.split("up to ")[1].split(" m")[0])
    assert short.simplification_note.startswith(f"Simplified to {len(short.points)} of {len(full.points)} points")
    assert worst <= metres + 0.5


def test_where_each_stop_meets_the_streets_is_never_dropped(real_loop: Route) -> None:
    short = _course(real_loop, max_points=points_needed(real_loop))
    assert len(short.points) == points_needed(real_loop) == len(real_loop.legs) + 1
    assert [leg.points[0] for leg in real_loop.legs] + [real_loop.legs[-1].points[-1]] == list(short.points)


def test_turns_are_kept_when_they_fit(real_loop: Route) -> None:
    full = _course(real_loop)
    turns = [p for p in full.course_points if p.is_turn]
    short = _course(real_loop, max_points=len(turns) + points_needed(real_loop))
    for turn in turns:
        assert min(geodesic(p, (turn.lat, turn.lon)).meters for p in short.points) < 2.0


def test_max_points_below_what_the_route_needs_is_a_bad_plan_naming_it(real_loop: Route) -> None:
    with pytest.raises(BadPlan, match=r"max_points must be at least 3 for this route .* got 2"):
        _course(real_loop, max_points=2)


def test_more_points_than_the_route_has_changes_nothing(real_loop: Route) -> None:
    assert _course(real_loop, max_points=10_000) == _course(real_loop)


@pytest.mark.parametrize("pace", [0.0, -360.0, float("nan"), float("inf")])
def test_a_pace_that_is_not_positive_is_a_bad_plan(routed: Route, pace: float) -> None:
    with pytest.raises(BadPlan, match="pace must be a positive number of seconds per km"):
        _course(routed, pace=pace)


# -------------------------------------------------------------------------------------------
# names on a watch


@pytest.mark.parametrize(("text", "limit", "short"), [
    ("South 4th Street", 10, "S 4th St"),
    ("South Street", 10, "South St"),
    ("East Passyunk Avenue", 16, "E Passyunk Ave"),
    ("The rail yard at dawn", 10, "rail yard"),
    ("The Italian Market run", 16, "Italian Market"),
    # a first word too long to fit gives way to the next ones, never to a cut word
    ("Christopher Columbus Boulevard", 10, "Columbus"),
    ("Christopher Columbus Boulevard", 16, "Christopher"),
    # a lone direction letter says nothing: "S" is passed over like a word that does not fit
    ("South Christopher Columbus Boulevard", 10, "Columbus"),
    ("South Christopher Columbus Boulevard", 16, "S Christopher"),
    ("footpath", 10, "footpath"),
    ("Schuylkillriverbanks", 10, ""),
])
def test_names_are_cut_to_fit_a_watch_at_a_word(text: str, limit: int, short: str) -> None:
    assert short_label(text, limit) == short


@pytest.mark.parametrize(("name", "number", "limit", "label"), [
    ("Moshulu", 6, 10, "6 Moshulu"),
    ("Italian Market", 2, 16, "2 Italian Market"),
    ("Italian Market", 2, 10, "2 Italian"),  # fewer words, with the number when it fits
    ("Rail yard", 1, 10, "Rail yard"),  # both words rather than "1 Rail"
    ("Meat plant site", 5, 10, "Meat plant"),
    ("Lucky Seven site", 2, 15, "2 Lucky Seven"),
    ("Lucky Seven site", 10, 16, "Lucky Seven site"),
    ("Museum steps", None, 10, "Museum"),
])
def test_a_stop_is_named_by_its_number_and_whole_words(name: str, number: int | None, limit: int,
                                                       label: str) -> None:
    assert numbered_label(name, number, limit) == label


def test_every_packaged_stop_fits_every_watch_in_whole_words() -> None:
    for stop in load_stops().values():
        for limit in (10, 15, 16):  # TCX, GPX on a watch, FIT
            for number in range(1, 12):
                label = numbered_label(stop.short_name, number, limit)
                words = label.split()
                if words[0] == str(number):
                    words = words[1:]
                assert 0 < len(label) <= limit and words == stop.short_name.split()[:len(words)], (stop.id, label)
        assert numbered_label(stop.short_name, None, 16) == stop.short_name  # FIT shows it all


def test_a_turn_onto_a_street_too_long_for_the_watch_says_which_way() -> None:
    def turn(name: str, kind: str) -> CoursePoint:
        return CoursePoint(name=name, kind=kind, lat=0.0, lon=0.0, distance_m=0.0, time=WHEN, note="")

    assert turn("Schuylkillriverbanks", "sharp right").label(10) == "Right"
    assert turn("Schuylkillriverbanks", "u-turn").label(10) == "U-turn"
    assert turn("South Christopher Columbus Boulevard", "left").label(10) == "Columbus"
