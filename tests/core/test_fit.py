"""FIT courses, read back with Garmin's own decoder (garmin-fit-sdk), which the app does not use
to write: a course file whose course points (stops and turns) carry their real distance along
the course, and a record track with positions, distances and times."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gpxpy
import pytest
from garmin_fit_sdk import Decoder, Stream
from helpers import require_tool
from osm_fixtures import at
from watch_names import walking_tour

from tourapp.course import ExportOptions, build_course
from tourapp.fit import POINT_NAME_CHARS, write_fit
from tourapp.model import Route
from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.stops import Stop

Place = Callable[..., Stop]
WHEN = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
DEGREES_PER_SEMICIRCLE = 180.0 / 2**31
FIT_TYPES = {"start": "segment_start", "stop": "generic", "finish": "segment_end", "left": "left",
             "right": "right", "slight left": "slight_left", "slight right": "slight_right",
             "sharp left": "sharp_left", "sharp right": "sharp_right", "u-turn": "u_turn"}


@pytest.fixture
def routed(town_net: StreetNetwork, watch_stops: list[Stop]) -> Route:
    return plan_route(watch_stops, network=town_net, tour_id="town", name="Town tour")


def _options(**changes: object) -> ExportOptions:
    values: dict[str, object] = {"pace_s_per_km": 360.0, "start_time": WHEN, **changes}
    return ExportOptions(**values)  # type: ignore[arg-type]


def _decode(body: bytes) -> dict[str, list[dict[str, Any]]]:
    decoder = Decoder(Stream.from_byte_array(bytearray(body)))
    assert decoder.is_fit() and decoder.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(body))).read()
    assert errors == []
    return messages


def _degrees(message: dict[str, Any], prefix: str = "position") -> tuple[float, float]:
    return (message[f"{prefix}_lat"] * DEGREES_PER_SEMICIRCLE, message[f"{prefix}_long"] * DEGREES_PER_SEMICIRCLE)


def test_the_file_is_a_running_course(routed: Route) -> None:
    fit = _decode(write_fit(routed, _options()))
    (file_id,) = fit["file_id_mesgs"]
    assert file_id["type"] == "course" and file_id["time_created"] == WHEN
    (course,) = fit["course_mesgs"]
    assert course["name"] == "Town tour" and course["sport"] == "running"
    (lap,) = fit["lap_mesgs"]
    assert lap["total_distance"] == pytest.approx(routed.length_m, abs=0.01)
    assert lap["total_timer_time"] == pytest.approx(routed.duration_s(360.0), abs=1.0)
    assert [e["event_type"] for e in fit["event_mesgs"]] == ["start", "stop_disable_all"]


def test_the_records_follow_the_route_with_distance_and_time(routed: Route) -> None:
    records = _decode(write_fit(routed, _options(pace_s_per_km=300.0)))["record_mesgs"]
    assert len(records) == len(routed.points)
    assert _degrees(records[0]) == pytest.approx(routed.points[0], abs=1e-6)
    assert _degrees(records[-1]) == pytest.approx(routed.points[-1], abs=1e-6)
    distances = [r["distance"] for r in records]
    assert distances[0] == 0.0 and distances == sorted(distances)
    assert distances[-1] == pytest.approx(routed.length_m, abs=0.01)
    times = [r["timestamp"] for r in records]
    assert times[0] == WHEN and times == sorted(times)
    assert (times[-1] - WHEN).total_seconds() == pytest.approx(routed.duration_s(300.0), abs=1.0)


def test_every_stop_and_turn_is_a_course_point_at_its_distance_along_the_course(routed: Route) -> None:
    fit = _decode(write_fit(routed, _options()))
    points = fit["course_point_mesgs"]
    expected = build_course(routed, pace_s_per_km=360.0, start_time=WHEN).course_points
    assert len(points) == len(expected) > len(routed.stops)
    for message, point in zip(points, expected):
        assert message["name"] == point.label(POINT_NAME_CHARS)
        assert message["type"] == FIT_TYPES[point.kind]
        assert message["distance"] == pytest.approx(point.distance_m, abs=0.01)
        assert _degrees(message) == pytest.approx((point.lat, point.lon), abs=1e-6)
    # Garmin's "Up Ahead" needs real distances: none is 0 but the first, and they only grow
    distances = [m["distance"] for m in points]
    assert distances == sorted(distances) and distances[0] == 0.0 and min(distances[1:]) > 0


def test_a_turn_point_sits_on_a_record_at_the_same_distance(routed: Route) -> None:
    fit = _decode(write_fit(routed, _options()))
    records = fit["record_mesgs"]
    for turn in (m for m in fit["course_point_mesgs"] if m["type"] not in ("generic", "segment_start", "segment_end")):
        here = [r["distance"] for r in records if _degrees(r) == pytest.approx(_degrees(turn), abs=2e-5)]
        assert here and min(abs(d - turn["distance"]) for d in here) < 3.0


def test_stops_are_named_in_visiting_order(routed: Route) -> None:
    points = _decode(write_fit(routed, _options()))["course_point_mesgs"]
    stops = [m["name"] for m in points if m["type"] == "generic"]
    # the number and the short name; "2 North bank east" is 17, so the name alone
    assert stops == ["1 Federal corner", "North bank east", "3 Fitzwater", "4 Museum"]


def test_the_packaged_stops_reach_the_watch_by_their_short_names() -> None:
    route = walking_tour()
    points = _decode(write_fit(route, _options()))["course_point_mesgs"]
    names = [m["name"] for m in points if m["type"] in ("generic", "segment_end")]
    assert len(names) == len(route.stops)
    for number, (name, stop) in enumerate(zip(names, route.stops), start=1):
        # 16 characters hold every short name whole, with its number when that fits too
        assert name in (f"{number} {stop.short_name}", stop.short_name), (stop.id, name)
    assert names[6] == "7 Moshulu" and names[1] == "Lucky Seven site"


def test_a_start_of_ones_own_and_a_loop_finish(town_net: StreetNetwork, watch_stops: list[Stop]) -> None:
    route = plan_route(watch_stops, network=town_net, start=at(250, -20), loop=True, activity="walk")
    fit = _decode(write_fit(route, _options()))
    points = fit["course_point_mesgs"]
    assert (points[0]["type"], points[0]["name"]) == ("segment_start", "Start")
    assert (points[-1]["type"], points[-1]["name"]) == ("segment_end", "Finish")
    assert points[-1]["distance"] == pytest.approx(route.length_m, abs=0.01)
    assert fit["course_mesgs"][0]["sport"] == "walking"


def test_max_points_shortens_the_records_not_the_course_points(routed: Route) -> None:
    full = _decode(write_fit(routed, _options()))
    short = _decode(write_fit(routed, _options(max_points=len(routed.legs) + 1)))
    assert len(short["record_mesgs"]) == len(routed.legs) + 1 < len(full["record_mesgs"])
    assert short["course_point_mesgs"] == full["course_point_mesgs"]
    assert short["record_mesgs"][-1]["distance"] == full["record_mesgs"][-1]["distance"]


def test_the_same_route_gives_the_same_bytes(routed: Route) -> None:
    assert write_fit(routed, _options()) == write_fit(routed, _options())


def test_gpsbabel_reads_the_record_track_too(tmp_path: Path, routed: Route) -> None:
    gpsbabel = require_tool("gpsbabel")  # skipped without it, failed under CI
    source, out = tmp_path / "course.fit", tmp_path / "out.gpx"
    source.write_bytes(write_fit(routed, _options()))
    result = subprocess.run([gpsbabel, "-t", "-i", "garmin_fit", "-f", str(source), "-o", "gpx", "-F", str(out)],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    back = gpxpy.parse(out.read_text(encoding="utf-8"))
    points = [p for track in back.tracks for segment in track.segments for p in segment.points]
    assert [(p.latitude, p.longitude) for p in points] == [pytest.approx(p, abs=1e-6) for p in routed.points]
    assert points[0].time == WHEN
