"""GPX files as the app writes them (the export registry's GPX format): valid GPX 1.1, honest
metadata, and readable by GPSBabel as watches need."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import gpxpy
import pytest
from helpers import require_tool
from lxml import etree
from osm_fixtures import GPX_XSD_PATH, OsmBuilder, at, distance_to_polyline_m
from watch_names import is_whole_words, walking_tour

from tourapp.course import ExportOptions
from tourapp.errors import BadPlan, DataFileError
from tourapp.formats import FORMATS, get_format
from tourapp.gpx import WAYPOINT_NAME_CHARS, data_time
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


def _gpx(route: Route, *, kind: str | None = None, pace_s_per_km: float = 360.0,
         max_points: int | None = None) -> str:
    """What a download of ``route`` is: the registry's GPX format, with options checked as a
    user's are."""
    fmt = get_format("gpx")
    options = fmt.options(pace_s_per_km=pace_s_per_km, start_time=WHEN, kind=kind, max_points=max_points,
                          app_url=APP_URL)
    return fmt.write(route, options).decode("utf-8")


def _write(tmp_path: Path, text: str, name: str = "route.gpx") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["trk", "rte"])
@pytest.mark.parametrize("which", ["routed", "offline"])
def test_gpx_validates_against_the_gpx_1_1_schema(request: pytest.FixtureRequest, schema: etree.XMLSchema,
                                                  kind: str, which: str) -> None:
    route = request.getfixturevalue(which)
    doc = etree.fromstring(_gpx(route, kind=kind).encode())
    assert schema.validate(doc), schema.error_log
    assert doc.get("version") == "1.1" and doc.get("creator", "").startswith("Montage Run")


def test_gpx_has_a_waypoint_for_every_stop_in_route_order(routed: Route) -> None:
    gpx = gpxpy.parse(_gpx(routed))
    # numbered in visiting order, as the route's map numbers them; "2 North bank east" is 17
    assert [w.name for w in gpx.waypoints] == ["1 Federal 8th", "North bank east", "3 Mid fitzwater", "4 Museum"]
    first = gpx.waypoints[0]
    assert (first.latitude, first.longitude) == pytest.approx(at(0, 0))
    assert first.symbol == "Flag, Blue" and first.type == "Montage stop 1"
    assert first.description == "Federal 8Th. Rocky runs past federal-8th."  # the full name and the scene
    assert first.comment == "The place called federal-8th"  # the real place
    assert gpx.waypoints[2].type == "Rocky place"


def test_a_long_waypoint_description_ends_at_a_word(stops: list[Stop]) -> None:
    long = replace(stops[0], scene="Rocky runs " + "past the long row of market stalls " * 6)
    desc = gpxpy.parse(_gpx(plan_route([long, *stops[1:]], network=None))).waypoints[0].description
    full = f"{long.name}. {long.scene}"
    assert len(desc) <= 140 and desc.endswith("…")
    assert full.startswith(desc[:-1]) and full[len(desc) - 1] == " "  # cut before a space, not in a word


def test_the_packaged_stops_reach_the_watch_by_their_short_names(tmp_path: Path) -> None:
    route = walking_tour()
    source = _write(tmp_path, _gpx(route))
    out = tmp_path / "out.gpx"
    assert _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gpx", "-F", str(out)).returncode == 0
    waypoints = gpxpy.parse(out.read_text(encoding="utf-8")).waypoints
    assert len(waypoints) == len(route.stops)
    for number, (waypoint, stop) in enumerate(zip(waypoints, route.stops), start=1):
        assert is_whole_words(waypoint.name, stop.short_name, number, WAYPOINT_NAME_CHARS), (stop.id, waypoint.name)
        assert waypoint.description.startswith(f"{stop.name}. ")  # the full name, then the scene
    assert waypoints[6].name == "7 Moshulu" and waypoints[7].name == "Italian Market"


def test_gpx_track_follows_the_route_in_one_segment(routed: Route) -> None:
    gpx = gpxpy.parse(_gpx(routed))
    (track,) = gpx.tracks
    (segment,) = track.segments
    assert [(p.latitude, p.longitude) for p in segment.points] == [pytest.approx(p) for p in routed.points]
    assert track.type == "running"


def test_every_track_point_lies_on_a_way_the_fixture_marks_walkable(routed: Route,
                                                                    town_data: OsmBuilder) -> None:
    gpx = gpxpy.parse(_gpx(routed))
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
    gpx = gpxpy.parse(_gpx(routed))
    assert gpx.copyright_author == "OpenStreetMap contributors"
    assert gpx.copyright_license == "https://opendatacommons.org/licenses/odbl/"
    assert gpx.description.endswith("Route data © OpenStreetMap contributors (ODbL).")
    assert gpx.author_link == APP_URL and gpx.time == WHEN
    assert "straight lines" not in gpx.description


def test_offline_gpx_says_its_legs_are_straight_lines(offline: Route) -> None:
    gpx = gpxpy.parse(_gpx(offline))
    assert "All legs are straight lines, not routes along streets" in gpx.description
    assert gpx.copyright_author is None and "OpenStreetMap" not in gpx.description
    assert len(gpx.tracks[0].segments[0].points) == 4


def test_rte_variant_writes_a_route_and_the_waypoints(routed: Route) -> None:
    gpx = gpxpy.parse(_gpx(routed, kind="rte"))
    assert not gpx.tracks
    assert len(gpx.routes[0].points) == len(routed.points)
    assert len(gpx.waypoints) == len(routed.stops)


def test_same_route_and_time_give_the_same_bytes(routed: Route) -> None:
    assert _gpx(routed) == _gpx(routed)


def test_a_custom_start_gets_its_own_waypoint(town_net: StreetNetwork, stops: list[Stop]) -> None:
    route = plan_route(stops, network=town_net, start=at(250, -20))
    gpx = gpxpy.parse(_gpx(route))
    assert gpx.waypoints[0].name == "Start" and len(gpx.waypoints) == len(stops) + 1


def test_unknown_gpx_kind_is_a_bad_plan(routed: Route) -> None:
    with pytest.raises(BadPlan, match="format must be one of trk, rte, got 'csv'"):
        _gpx(routed, kind="csv")
    with pytest.raises(BadPlan, match="GPX kind must be one of trk, rte, got 'csv'"):  # options built by hand
        FORMATS["gpx"].write(routed, _options(kind="csv"))


def _options(**changes: object) -> ExportOptions:
    values: dict[str, object] = {"pace_s_per_km": 360.0, "start_time": WHEN, "app_url": APP_URL, **changes}
    return ExportOptions(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["trk", "rte"])
def test_every_point_has_a_time_at_the_pace(routed: Route, schema: etree.XMLSchema, kind: str) -> None:
    body = _gpx(routed, kind=kind, pace_s_per_km=300.0)
    assert schema.validate(etree.fromstring(body.encode())), schema.error_log
    gpx = gpxpy.parse(body)
    points = gpx.tracks[0].segments[0].points if kind == "trk" else gpx.routes[0].points
    times = [p.time for p in points]
    assert None not in times and times == sorted(times)
    assert times[0] == WHEN
    assert (times[-1] - WHEN).total_seconds() == pytest.approx(routed.duration_s(300.0), abs=1.0)
    assert "Point times are planned at 5:00 min/km." in gpx.description


def test_max_points_shortens_the_track_but_keeps_every_waypoint(routed: Route, schema: etree.XMLSchema) -> None:
    full = gpxpy.parse(_gpx(routed))
    body = _gpx(routed, max_points=len(routed.legs) + 1)
    assert schema.validate(etree.fromstring(body.encode())), schema.error_log
    short = gpxpy.parse(body)
    assert short.get_track_points_no() == len(routed.legs) + 1 < full.get_track_points_no()
    assert [w.name for w in short.waypoints] == [w.name for w in full.waypoints]
    assert "Simplified to" in short.description and "Simplified" not in full.description


def test_a_finish_point_of_ones_own_gets_its_own_waypoint(town_net: StreetNetwork, stops: list[Stop]) -> None:
    route = plan_route(stops, network=town_net, end=at(250, -20))
    gpx = gpxpy.parse(_gpx(route))
    assert gpx.waypoints[-1].name == "Finish" and len(gpx.waypoints) == len(stops) + 1


def test_the_files_time_is_the_datas_update_time_in_utc() -> None:
    assert data_time("2026-11-23") == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    # an offset is converted, not overwritten: 07:00 at +02:00 is 05:00 UTC
    assert data_time("2026-11-23T07:00:00+02:00") == dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
    assert data_time("2026-11-23T07:00:00+02:00").utcoffset() == dt.timedelta(0)


def test_an_update_time_that_is_not_a_date_is_refused_not_replaced() -> None:
    with pytest.raises(DataFileError, match="updated: must be an ISO 8601 date or time, got 'soon'"):
        data_time("soon")


def _gpsbabel(*args: str) -> subprocess.CompletedProcess[str]:
    gpsbabel = require_tool("gpsbabel")  # skipped without it, failed under CI
    return subprocess.run([gpsbabel, *args], capture_output=True, text=True, timeout=30, check=False)


@pytest.mark.parametrize("which", ["routed", "offline"])
def test_gpsbabel_reads_back_every_track_point_and_waypoint(request: pytest.FixtureRequest, tmp_path: Path,
                                                            which: str) -> None:
    route = request.getfixturevalue(which)
    source = _write(tmp_path, _gpx(route))
    out = tmp_path / "out.gpx"
    result = _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gpx", "-F", str(out))
    assert result.returncode == 0, result.stderr
    back = etree.parse(str(out))
    ns = {"g": back.getroot().nsmap[None]}
    assert len(back.findall(".//g:trkpt", ns)) == len(route.points)
    assert len(back.findall(".//g:wpt", ns)) == len(route.stops)


def test_gpsbabel_reads_every_track_point_with_its_time(tmp_path: Path, routed: Route) -> None:
    source = tmp_path / "route.gpx"
    source.write_text(_gpx(routed), encoding="utf-8")
    result = _gpsbabel("-t", "-i", "gpx", "-f", str(source), "-o", "unicsv,utc=0", "-F", "-")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(float(r["Latitude"]), float(r["Longitude"])) for r in rows] == [
        pytest.approx(p, abs=1e-6) for p in routed.points]
    times = [dt.datetime.strptime(f"{r['Date']} {r['Time']}", "%Y/%m/%d %H:%M:%S") for r in rows]
    assert times[0] == WHEN.replace(tzinfo=None) and times == sorted(times)
    assert (times[-1] - times[0]).total_seconds() == pytest.approx(routed.duration_s(360.0), abs=1.0)


def test_gpsbabel_reads_back_the_rte_variant(tmp_path: Path, routed: Route) -> None:
    source = _write(tmp_path, _gpx(routed, kind="rte"))
    out = tmp_path / "out.gpx"
    assert _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gpx", "-F", str(out)).returncode == 0
    back = etree.parse(str(out))
    ns = {"g": back.getroot().nsmap[None]}
    assert len(back.findall(".//g:rtept", ns)) == len(routed.points)
    assert len(back.findall(".//g:wpt", ns)) == len(routed.stops)


def test_gpsbabel_converts_the_gpx_to_a_garmin_tcx_course(tmp_path: Path, routed: Route) -> None:
    source = _write(tmp_path, _gpx(routed))
    tcx = tmp_path / "course.tcx"
    result = _gpsbabel("-i", "gpx", "-f", str(source), "-o", "gtrnctr,course=1,sport=Running", "-F", str(tcx))
    assert result.returncode == 0, result.stderr
    doc = etree.parse(str(tcx))
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    assert doc.find(".//t:Courses/t:Course", ns) is not None
    # TCX courses carry the track (waypoints are dropped by GPSBabel's writer)
    assert len(doc.findall(".//t:Trackpoint", ns)) == len(routed.points)


def test_gpsbabel_converts_the_gpx_to_a_garmin_fit_course(tmp_path: Path, routed: Route) -> None:
    source = _write(tmp_path, _gpx(routed))
    fit = tmp_path / "course.fit"
    result = _gpsbabel("-i", "gpx", "-f", str(source), "-o", "garmin_fit", "-F", str(fit))
    assert result.returncode == 0, result.stderr
    assert fit.stat().st_size > 0
    back = tmp_path / "fit.gpx"
    assert _gpsbabel("-i", "garmin_fit", "-f", str(fit), "-o", "gpx", "-F", str(back)).returncode == 0
    doc = etree.parse(str(back))
    ns = {"g": doc.getroot().nsmap[None]}
    assert len(doc.findall(".//g:trkpt", ns)) == len(routed.points)
