"""GPX files: valid GPX 1.1, honest metadata, and readable by GPSBabel as watches need."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import gpxpy
import pytest
from helpers import require_tool
from lxml import etree
from osm_fixtures import GPX_XSD_PATH, OsmBuilder, at, distance_to_polyline_m

from tourapp.course import ExportOptions
from tourapp.errors import BadPlan
from tourapp.gpx import route_to_gpx, write_gpx
from tourapp.model import Route
from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.stops import Stop

Place = Callable[..., Stop]
APP_URL = "https://montage-run.example.org/"
WHEN = dt.datetime(2025, 5, 1, 6, 0, tzinfo=dt.UTC)
NS = {"g": "http://www.topografix.com/GPX/1/1"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(GPX_XSD_PATH)))


@pytest.fixture
def stops(place: Place, stop_at: Place) -> list[Stop]:
    return [place("federal-8th", montage_order=1), place("north-bank-east", montage_order=2),
            stop_at("mid-fitzwater", 150, 212), place("museum", montage_order=3)]


@pytest.fixture
def routed(town_net: StreetNetwork, stops: list[Stop]) -> Route:
    return plan_route(stops, network=town_net, tour_id="town", name="Town tour",
                      description="Around the test town.")


@pytest.fixture
def offline(stops: list[Stop]) -> Route:
    return plan_route(stops, network=None, tour_id="town", name="Town tour", description="Around.")


def _write(tmp_path: Path, text: str, name: str = "route.gpx") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["trk", "rte"])
@pytest.mark.parametrize("which", ["routed", "offline"])
def test_gpx_validates_against_the_gpx_1_1_schema(request: pytest.FixtureRequest, schema: etree.XMLSchema,
                                                  kind: str, which: str) -> None:
    route = request.getfixturevalue(which)
    doc = etree.fromstring(route_to_gpx(route, app_url=APP_URL, kind=kind, time=WHEN).encode())
    assert schema.validate(doc), schema.error_log
    assert doc.get("version") == "1.1" and doc.get("creator", "").startswith("Montage Run")


def test_gpx_has_a_waypoint_for_every_stop_in_route_order(routed: Route) -> None:
    gpx = gpxpy.parse(route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    assert [w.name for w in gpx.waypoints] == [s.name for s in routed.stops]
    first = gpx.waypoints[0]
    assert (first.latitude, first.longitude) == pytest.approx(at(0, 0))
    assert first.symbol == "Flag, Blue" and first.type == "Montage stop 1"
    assert first.description and len(first.description) <= 140
    assert gpx.waypoints[2].type == "Rocky place"


def test_gpx_track_follows_the_route_in_one_segment(routed: Route) -> None:
    gpx = gpxpy.parse(route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    (track,) = gpx.tracks
    (segment,) = track.segments
    assert [(p.latitude, p.longitude) for p in segment.points] == [pytest.approx(p) for p in routed.points]
    assert track.type == "running"


def test_every_track_point_lies_on_a_way_the_fixture_marks_walkable(routed: Route,
                                                                    town_data: OsmBuilder) -> None:
    gpx = gpxpy.parse(route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    ways = town_data.walkable_ways()
    places = [[place.position, place.position] for place in routed.places]  # the line walks in to each place
    for p in gpx.tracks[0].segments[0].points:
        assert min(distance_to_polyline_m((p.latitude, p.longitude), w) for w in ways + places) < 1.0


def test_track_points_are_sensibly_spaced(routed: Route) -> None:
    points = routed.points
    assert all(a != b for a, b in zip(points, points[1:]))
    # ~3.4 km of streets with a node every 25-50 m in OSM: corners are enough
    assert len(points) < 40


def test_routed_gpx_credits_openstreetmap(routed: Route) -> None:
    gpx = gpxpy.parse(route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    assert gpx.copyright_author == "OpenStreetMap contributors"
    assert gpx.copyright_license == "https://opendatacommons.org/licenses/odbl/"
    assert "© OpenStreetMap contributors, ODbL" in gpx.description
    assert gpx.author_link == APP_URL and gpx.time == WHEN
    assert "straight lines" not in gpx.description


def test_offline_gpx_says_its_legs_are_straight_lines(offline: Route) -> None:
    gpx = gpxpy.parse(route_to_gpx(offline, app_url=APP_URL, time=WHEN))
    assert "All legs are straight lines, not routes along streets" in gpx.description
    assert gpx.copyright_author is None
    assert len(gpx.tracks[0].segments[0].points) == 4


def test_rte_variant_writes_a_route_and_the_waypoints(routed: Route) -> None:
    gpx = gpxpy.parse(route_to_gpx(routed, app_url=APP_URL, kind="rte", time=WHEN))
    assert not gpx.tracks
    assert len(gpx.routes[0].points) == len(routed.points)
    assert len(gpx.waypoints) == len(routed.stops)


def test_same_route_and_time_give_the_same_bytes(routed: Route) -> None:
    assert route_to_gpx(routed, app_url=APP_URL, time=WHEN) == route_to_gpx(routed, app_url=APP_URL, time=WHEN)


def test_a_custom_start_gets_its_own_waypoint(town_net: StreetNetwork, stops: list[Stop]) -> None:
    route = plan_route(stops, network=town_net, start=at(250, -20))
    gpx = gpxpy.parse(route_to_gpx(route, app_url=APP_URL, time=WHEN))
    assert gpx.waypoints[0].name == "Start" and len(gpx.waypoints) == len(stops) + 1


def test_unknown_gpx_kind_is_a_bad_plan(routed: Route) -> None:
    with pytest.raises(BadPlan, match="GPX kind must be one of trk, rte, got 'csv'"):
        route_to_gpx(routed, app_url=APP_URL, kind="csv")


def _options(**changes: object) -> ExportOptions:
    values: dict[str, object] = {"pace_s_per_km": 360.0, "start_time": WHEN, "app_url": APP_URL, **changes}
    return ExportOptions(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["trk", "rte"])
def test_every_point_has_a_time_at_the_pace(routed: Route, schema: etree.XMLSchema, kind: str) -> None:
    body = write_gpx(routed, _options(kind=kind, pace_s_per_km=300.0))
    assert schema.validate(etree.fromstring(body)), schema.error_log
    gpx = gpxpy.parse(body.decode())
    points = gpx.tracks[0].segments[0].points if kind == "trk" else gpx.routes[0].points
    times = [p.time for p in points]
    assert None not in times and times == sorted(times)
    assert times[0] == WHEN
    assert (times[-1] - WHEN).total_seconds() == pytest.approx(routed.duration_s(300.0), abs=1.0)
    assert "Point times are planned at 5:00 min/km." in gpx.description


def test_the_route_to_gpx_of_old_writes_no_times_without_a_pace(routed: Route) -> None:
    gpx = gpxpy.parse(route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    assert all(p.time is None for p in gpx.tracks[0].segments[0].points)


def test_max_points_shortens_the_track_but_keeps_every_waypoint(routed: Route, schema: etree.XMLSchema) -> None:
    full = gpxpy.parse(write_gpx(routed, _options()).decode())
    body = write_gpx(routed, _options(max_points=len(routed.legs) + 1))
    assert schema.validate(etree.fromstring(body)), schema.error_log
    short = gpxpy.parse(body.decode())
    assert short.get_track_points_no() == len(routed.legs) + 1 < full.get_track_points_no()
    assert [w.name for w in short.waypoints] == [w.name for w in full.waypoints]
    assert "Simplified to" in short.description and "Simplified" not in full.description


def test_a_finish_point_of_ones_own_gets_its_own_waypoint(town_net: StreetNetwork, stops: list[Stop]) -> None:
    route = plan_route(stops, network=town_net, end=at(250, -20))
    gpx = gpxpy.parse(write_gpx(route, _options()).decode())
    assert gpx.waypoints[-1].name == "Finish" and len(gpx.waypoints) == len(stops) + 1


def _gpsbabel(*args: str) -> subprocess.CompletedProcess[str]:
    gpsbabel = require_tool("gpsbabel")  # skipped without it, failed under CI
    return subprocess.run([gpsbabel, *args], capture_output=True, text=True, timeout=30, check=False)


@pytest.mark.parametrize("which", ["routed", "offline"])
def test_gpsbabel_reads_back_every_track_point_and_waypoint(request: pytest.FixtureRequest, tmp_path: Path,
                                                            which: str) -> None:
    route = request.getfixturevalue(which)
    source = _write(tmp_path, route_to_gpx(route, app_url=APP_URL, time=WHEN))
    out = tmp_path / "out.gpx"
    result = _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gpx", "-F", str(out))
    assert result.returncode == 0, result.stderr
    back = etree.parse(str(out))
    ns = {"g": back.getroot().nsmap[None]}
    assert len(back.findall(".//g:trkpt", ns)) == len(route.points)
    assert len(back.findall(".//g:wpt", ns)) == len(route.stops)


def test_gpsbabel_reads_every_track_point_with_its_time(tmp_path: Path, routed: Route) -> None:
    source = tmp_path / "route.gpx"
    source.write_bytes(write_gpx(routed, _options()))
    result = _gpsbabel("-t", "-i", "gpx", "-f", str(source), "-o", "unicsv,utc=0", "-F", "-")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(float(r["Latitude"]), float(r["Longitude"])) for r in rows] == [
        pytest.approx(p, abs=1e-6) for p in routed.points]
    times = [dt.datetime.strptime(f"{r['Date']} {r['Time']}", "%Y/%m/%d %H:%M:%S") for r in rows]
    assert times[0] == WHEN.replace(tzinfo=None) and times == sorted(times)
    assert (times[-1] - times[0]).total_seconds() == pytest.approx(routed.duration_s(360.0), abs=1.0)


def test_gpsbabel_reads_back_the_rte_variant(tmp_path: Path, routed: Route) -> None:
    source = _write(tmp_path, route_to_gpx(routed, app_url=APP_URL, kind="rte", time=WHEN))
    out = tmp_path / "out.gpx"
    assert _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gpx", "-F", str(out)).returncode == 0
    back = etree.parse(str(out))
    ns = {"g": back.getroot().nsmap[None]}
    assert len(back.findall(".//g:rtept", ns)) == len(routed.points)
    assert len(back.findall(".//g:wpt", ns)) == len(routed.stops)


def test_gpsbabel_converts_the_gpx_to_a_garmin_tcx_course(tmp_path: Path, routed: Route) -> None:
    source = _write(tmp_path, route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    tcx = tmp_path / "course.tcx"
    result = _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gtrnctr,course=1,sport=Running", "-F", str(tcx))
    assert result.returncode == 0, result.stderr
    doc = etree.parse(str(tcx))
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    assert doc.find(".//t:Courses/t:Course", ns) is not None
    # TCX courses carry the track (waypoints are dropped by GPSBabel's writer)
    assert len(doc.findall(".//t:Trackpoint", ns)) == len(routed.points)


def test_gpsbabel_converts_the_gpx_to_a_garmin_fit_course(tmp_path: Path, routed: Route) -> None:
    source = _write(tmp_path, route_to_gpx(routed, app_url=APP_URL, time=WHEN))
    fit = tmp_path / "course.fit"
    result = _gpsbabel("-i", "gpx", "-f", str(source), "-o", "garmin_fit", "-F", str(fit))
    assert result.returncode == 0, result.stderr
    assert fit.stat().st_size > 0
    back = tmp_path / "fit.gpx"
    assert _gpsbabel("-i", "garmin_fit", "-f", str(fit), "-o", "gpx", "-F", str(back)).returncode == 0
    doc = etree.parse(str(back))
    ns = {"g": doc.getroot().nsmap[None]}
    assert len(doc.findall(".//g:trkpt", ns)) == len(routed.points)
