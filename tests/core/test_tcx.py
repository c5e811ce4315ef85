"""TCX courses: valid against Garmin's schema, and read back by GPSBabel with every track point,
its time, and a course point for every stop and turn."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

import gpxpy
import pytest
from helpers import REPO, require_tool
from lxml import etree
from osm_fixtures import at
from watch_names import is_whole_words, walking_tour

from tourapp.course import ExportOptions, build_course
from tourapp.model import Route
from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.stops import Stop
from tourapp.tcx import POINT_NAME_CHARS, write_tcx

Place = Callable[..., Stop]
WHEN = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
TCX_XSD = REPO / "tests" / "data" / "TrainingCenterDatabasev2.xsd"
NS = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(TCX_XSD)))


@pytest.fixture
def routed(town_net: StreetNetwork, watch_stops: list[Stop]) -> Route:
    return plan_route(watch_stops, network=town_net, tour_id="town", name="The training montage",
                      description="Around the test town.")


def _options(**changes: object) -> ExportOptions:
    values: dict[str, object] = {"pace_s_per_km": 360.0, "start_time": WHEN, **changes}
    return ExportOptions(**values)  # type: ignore[arg-type]


def _tcx(route: Route, **changes: object) -> etree._Element:
    return etree.fromstring(write_tcx(route, _options(**changes)))


@pytest.mark.parametrize("which", ["routed", "offline", "started", "loop"])
def test_the_tcx_validates_against_garmins_schema(request: pytest.FixtureRequest, schema: etree.XMLSchema,
                                                  town_net: StreetNetwork, watch_stops: list[Stop], which: str) -> None:
    route = {
        "routed": lambda: request.getfixturevalue("routed"),
        "offline": lambda: plan_route(watch_stops, network=None),
        "started": lambda: plan_route(watch_stops, network=town_net, start=at(250, -20)),
        "loop": lambda: plan_route(watch_stops, network=town_net, loop=True),
    }[which]()
    schema.assertValid(_tcx(route))


def test_the_track_has_a_time_and_a_distance_for_every_point(routed: Route) -> None:
    doc = _tcx(routed, pace_s_per_km=300.0)
    points = doc.findall(".//t:Track/t:Trackpoint", NS)
    assert len(points) == len(routed.points)
    distances = [float(p.findtext("t:DistanceMeters", namespaces=NS)) for p in points]
    assert distances[0] == 0.0 and distances == sorted(distances)
    assert distances[-1] == pytest.approx(routed.length_m, abs=0.1)
    times = [dt.datetime.fromisoformat(p.findtext("t:Time", namespaces=NS)) for p in points]
    assert times[0] == WHEN
    assert (times[-1] - WHEN).total_seconds() == pytest.approx(routed.duration_s(300.0), abs=1.0)
    lap = doc.find(".//t:Lap", NS)
    assert float(lap.findtext("t:DistanceMeters", namespaces=NS)) == pytest.approx(routed.length_m, abs=0.1)


def test_a_course_point_for_every_stop_and_turn_with_the_full_text_in_notes(routed: Route) -> None:
    doc = _tcx(routed)
    points = doc.findall(".//t:CoursePoint", NS)
    course = build_course(routed, pace_s_per_km=360.0, start_time=WHEN)
    assert len(points) == len(course.course_points)
    notes = [p.findtext("t:Notes", namespaces=NS) for p in points]
    assert [s.name for s in routed.stops] == [n for n in notes if not n.startswith(("Turn", "Bear", "Make"))]
    types = {p.findtext("t:PointType", namespaces=NS) for p in points}
    assert {"Generic", "Left", "Right"} <= types
    # 10 characters at most: the number and the short name, or its first whole words
    names = [p.findtext("t:Name", namespaces=NS) for p in points
             if p.findtext("t:PointType", namespaces=NS) == "Generic"]
    assert names == ["1 Federal", "North bank", "Fitzwater", "4 Museum"]


def test_max_points_shortens_the_track_not_the_course_points(routed: Route) -> None:
    full, short = _tcx(routed), _tcx(routed, max_points=len(routed.legs) + 1)
    assert len(short.findall(".//t:Trackpoint", NS)) == len(routed.legs) + 1
    assert len(short.findall(".//t:CoursePoint", NS)) == len(full.findall(".//t:CoursePoint", NS))


def test_the_course_name_fits_the_schema_and_notes_keep_the_whole(routed: Route) -> None:
    doc = _tcx(routed)
    assert doc.findtext(".//t:Course/t:Name", namespaces=NS) == "training"
    assert doc.findtext(".//t:Course/t:Notes", namespaces=NS).startswith("The training montage. Around")


def test_the_notes_credit_openstreetmap_only_for_a_line_along_its_streets(routed: Route,
                                                                          watch_stops: list[Stop]) -> None:
    notes = _tcx(routed).findtext(".//t:Course/t:Notes", namespaces=NS)
    assert notes.endswith("Route data © OpenStreetMap contributors (ODbL).")
    straight = _tcx(plan_route(watch_stops, network=None)).findtext(".//t:Course/t:Notes", namespaces=NS)
    assert "OpenStreetMap" not in straight
    assert "All legs are straight lines, not routes along streets" in straight


def test_the_same_route_gives_the_same_bytes(routed: Route) -> None:
    assert write_tcx(routed, _options()) == write_tcx(routed, _options())


def _gpsbabel_to_gpx(tmp_path: Path, body: bytes) -> gpxpy.gpx.GPX:
    gpsbabel = require_tool("gpsbabel")  # skipped without it, failed under CI
    source, out = tmp_path / "course.tcx", tmp_path / "out.gpx"
    source.write_bytes(body)
    result = subprocess.run([gpsbabel, "-w", "-t", "-i", "gtrnctr", "-f", str(source), "-o", "gpx", "-F", str(out)],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    return gpxpy.parse(out.read_text(encoding="utf-8"))


def test_gpsbabel_reads_back_every_track_point_with_its_time(tmp_path: Path, routed: Route) -> None:
    back = _gpsbabel_to_gpx(tmp_path, write_tcx(routed, _options()))
    points = [p for track in back.tracks for segment in track.segments for p in segment.points]
    assert [(p.latitude, p.longitude) for p in points] == [pytest.approx(p, abs=1e-6) for p in routed.points]
    course = build_course(routed, pace_s_per_km=360.0, start_time=WHEN)
    assert [p.time for p in points] == list(course.times)


def test_gpsbabel_reads_the_course_points_as_named_waypoints(tmp_path: Path, routed: Route) -> None:
    back = _gpsbabel_to_gpx(tmp_path, write_tcx(routed, _options()))
    course = build_course(routed, pace_s_per_km=360.0, start_time=WHEN)
    # GPSBabel adds a waypoint of its own for the lap; the course points follow, in order
    waypoints = [w for w in back.waypoints if not w.name.startswith("LAP")]
    assert len(waypoints) == len(course.course_points)
    for waypoint, point in zip(waypoints, course.course_points):
        assert (waypoint.latitude, waypoint.longitude) == pytest.approx((point.lat, point.lon), abs=1e-6)
        assert waypoint.time == point.time
        # the short name as the name, the full text (TCX <Notes>) as the comment, the type as symbol
        assert waypoint.name == point.label(POINT_NAME_CHARS) and len(waypoint.name) <= POINT_NAME_CHARS
        assert waypoint.comment == point.note
        assert waypoint.symbol in {"Generic", "Left", "Right"}
    turns = [w.name for w, p in zip(waypoints, course.course_points) if p.is_turn]
    assert "Bainbridge" in turns  # "Bainbridge Street": the first word that fits, not "Bainbridge St" cut


def test_the_packaged_stops_reach_the_watch_by_their_short_names(tmp_path: Path, schema: etree.XMLSchema) -> None:
    route = walking_tour()
    body = write_tcx(route, _options())
    schema.assertValid(etree.fromstring(body))
    back = _gpsbabel_to_gpx(tmp_path, body)
    stops = [w for w in back.waypoints if not w.name.startswith("LAP")]
    assert len(stops) == len(route.stops)
    for number, (waypoint, stop) in enumerate(zip(stops, route.stops), start=1):
        assert is_whole_words(waypoint.name, stop.short_name, number, POINT_NAME_CHARS), (stop.id, waypoint.name)
        assert waypoint.comment == stop.name  # the full name in <Notes>
    names = [w.name for w in stops]
    assert names[6] == "7 Moshulu" and names[0] == "1 Rocky's" and names[2] == "Rail yard"
