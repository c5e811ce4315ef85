"""Downloads for a watch or planner: GPX, TCX and FIT of every tour and of a plan of one's own,
named for what they are, with the right media types, cacheable, and read back by readers the
app does not write with (the GPX and TCX schemas, GPSBabel, Garmin's FIT decoder)."""

from __future__ import annotations

import re
import subprocess

import gpxpy
import pytest
from garmin_fit_sdk import Decoder, Stream
from helpers import GPX_XSD, REPO, require_tool
from lxml import etree

from routes.state import get_state

TCX_XSD = REPO / "tests" / "data" / "TrainingCenterDatabasev2.xsd"
TCX = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
JSON = {"Accept": "application/json"}
TOURS = ["montage", "steps-finale", "walking-tour"]
#: A start point inside the test town (its stops' area).
TOWN_START = "39.9498,-75.1571"


@pytest.fixture(scope="module")
def gpx_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(GPX_XSD)))


@pytest.fixture(scope="module")
def tcx_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(TCX_XSD)))


def _fit(body: bytes) -> dict:
    decoder = Decoder(Stream.from_byte_array(bytearray(body)))
    assert decoder.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(body))).read()
    assert errors == []
    return messages


def _file_name(response) -> str:
    match = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    return match.group(1)


# -------------------------------------------------------------------------------------------
# the packaged tours (offline here: straight legs)


@pytest.mark.parametrize(("suffix", "media_type"), [
    ("gpx", "application/gpx+xml"),
    ("tcx", "application/vnd.garmin.tcx+xml"),
    ("fit", "application/vnd.ant.fit"),
])
def test_each_download_is_an_attachment_named_for_the_tour_and_its_length(client, suffix, media_type):
    response = client.get(f"/tours/montage.{suffix}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    name = _file_name(response)
    assert re.fullmatch(rf"montage-run-montage-\d+\.\dkm\.{suffix}", name), name
    assert response.headers["ETag"]


def test_the_file_name_carries_the_tours_length(client):
    gpx = gpxpy.parse(client.get("/tours/montage.gpx").get_data(as_text=True))
    length_km = gpx.length_2d() / 1000  # straight legs: gpxpy's own measure of the track
    name = _file_name(client.get("/tours/montage.gpx"))
    assert float(re.search(r"-(\d+\.\d)km", name).group(1)) == pytest.approx(length_km, abs=0.11)


def test_the_same_file_is_served_byte_for_byte_and_revalidates(fresh_client):
    for suffix in ("gpx", "tcx", "fit"):
        first = fresh_client.get(f"/tours/steps-finale.{suffix}")  # rendered now, not cached
        again = fresh_client.get(f"/tours/steps-finale.{suffix}", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304


@pytest.mark.parametrize("tour_id", TOURS)
def test_every_tour_gpx_validates_and_times_every_point(client, gpx_schema, tour_id):
    response = client.get(f"/tours/{tour_id}.gpx")
    gpx_schema.assertValid(etree.fromstring(response.data))
    gpx = gpxpy.parse(response.get_data(as_text=True))
    assert all(p.time is not None for p in gpx.tracks[0].segments[0].points)


@pytest.mark.parametrize("tour_id", TOURS)
def test_every_tour_tcx_validates_against_garmins_schema(client, tcx_schema, tour_id):
    tcx_schema.assertValid(etree.fromstring(client.get(f"/tours/{tour_id}.tcx").data))


@pytest.mark.parametrize("tour_id", TOURS)
def test_every_tour_fit_is_a_course_with_a_point_per_stop(client, tour_id):
    fit = _fit(client.get(f"/tours/{tour_id}.fit").data)
    assert fit["file_id_mesgs"][0]["type"] == "course"
    waypoints = gpxpy.parse(client.get(f"/tours/{tour_id}.gpx").get_data(as_text=True)).waypoints
    places = [m for m in fit["course_point_mesgs"] if m["type"] in ("generic", "segment_start", "segment_end")]
    # one per stop, and a loop's finish back at the start
    assert len(waypoints) <= len(places) <= len(waypoints) + 1


def test_the_gpx_has_a_named_waypoint_for_every_stop_in_order(client):
    gpx = gpxpy.parse(client.get("/tours/montage.gpx").get_data(as_text=True))
    # what a watch shows in 15 characters: the number and the short name, whole words only
    assert [w.name for w in gpx.waypoints] == ["1 Rail yard", "Italian Market", "3 Stone bridge", "4 Mick's gym",
                                               "Meat plant site", "6 Moshulu", "7 Museum steps"]
    assert gpx.waypoints[5].description.startswith("Along the docks with a tall ship. ")
    assert len(gpx.tracks) == 1 and len(gpx.tracks[0].segments) == 1


def test_the_watch_files_name_the_montage_stops_by_their_short_names(client):
    tcx = etree.fromstring(client.get("/tours/montage.tcx").data)
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    stops = [p for p in tcx.findall(".//t:CoursePoint", ns) if p.findtext("t:PointType", namespaces=ns) == "Generic"]
    assert [p.findtext("t:Name", namespaces=ns) for p in stops] == [
        "Rail yard", "2 Italian", "3 Stone", "Mick's gym", "Meat plant", "6 Moshulu", "7 Museum"]
    assert stops[5].findtext("t:Notes", namespaces=ns) == "Along the docks with a tall ship"
    fit = _fit(client.get("/tours/montage.fit").data)
    assert [m["name"] for m in fit["course_point_mesgs"] if m["type"] == "generic"] == [
        "1 Rail yard", "2 Italian Market", "3 Stone bridge", "4 Mick's gym", "Meat plant site", "6 Moshulu",
        "7 Museum steps"]


def test_an_offline_gpx_says_its_legs_are_straight_lines(client):
    gpx = gpxpy.parse(client.get("/tours/montage.gpx").get_data(as_text=True))
    assert "straight" in gpx.description.lower()


def test_the_route_variant_is_a_gpx_route(client, gpx_schema):
    response = client.get("/tours/montage.gpx?format=rte")
    assert re.fullmatch(r"montage-run-montage-\d+\.\dkm-rte\.gpx", _file_name(response))
    gpx_schema.assertValid(etree.fromstring(response.data))
    gpx = gpxpy.parse(response.get_data(as_text=True))
    assert len(gpx.routes) == 1 and not gpx.tracks


def test_the_pace_sets_the_point_times(client):
    slow, fast = (gpxpy.parse(client.get(f"/tours/montage.gpx?pace={p}").get_data(as_text=True))
                  for p in (600, 300))
    slow_s, fast_s = (g.get_duration() for g in (slow, fast))
    assert slow_s == pytest.approx(2 * fast_s, abs=2)


# -------------------------------------------------------------------------------------------
# on streets: the test town


def _texts(suffix: str, body: bytes) -> str:
    """Every piece of text the file carries, as a reader of that format finds it."""
    if suffix == "fit":
        messages = _fit(body)
        return " ".join(str(value) for kind in messages.values() for message in kind
                        for value in message.values() if isinstance(value, str))
    return " ".join(etree.fromstring(body).itertext()) + " " + " ".join(
        str(value) for element in etree.fromstring(body).iter() for value in element.attrib.values())


#: Where the OpenStreetMap credit can go: GPX and TCX have free text; a FIT course has only its
#: name, which the credit would push off a watch's screen (the download page says it instead).
CREDIT_IN_FILE = {"gpx": True, "tcx": True, "fit": False}


@pytest.mark.parametrize("suffix", ["gpx", "tcx", "fit"])
def test_a_street_following_download_credits_openstreetmap_where_it_can(town_client, gpx_schema, tcx_schema,
                                                                        suffix):
    response = town_client.get(f"/tours/town-run.{suffix}")
    assert response.status_code == 200
    if suffix != "fit":
        {"gpx": gpx_schema, "tcx": tcx_schema}[suffix].assertValid(etree.fromstring(response.data))
    credited = "Route data © OpenStreetMap contributors (ODbL)" in _texts(suffix, response.data)
    assert credited == CREDIT_IN_FILE[suffix]
    if suffix == "gpx":
        gpx = gpxpy.parse(response.get_data(as_text=True))
        assert gpx.copyright_author == "OpenStreetMap contributors"
        assert len(gpx.tracks[0].segments[0].points) > 3
    if suffix == "fit":  # the name a watch lists the course by stays the route's own
        assert _fit(response.data)["course_mesgs"][0]["name"] == "Town run"


@pytest.mark.parametrize("suffix", ["gpx", "tcx", "fit"])
def test_a_straight_line_download_claims_nothing_of_openstreetmap(client, suffix):
    response = client.get(f"/plan.{suffix}?stops=moshulu,italian-market")
    assert response.status_code == 200
    assert "openstreetmap" not in _texts(suffix, response.data).lower()


def test_max_points_shortens_the_track_and_says_so_in_the_name(town_client):
    full = gpxpy.parse(town_client.get("/tours/town-run.gpx").get_data(as_text=True))
    response = town_client.get("/tours/town-run.gpx?max_points=4")
    short = gpxpy.parse(response.get_data(as_text=True))
    assert short.get_track_points_no() <= 4 < full.get_track_points_no()
    assert len(short.waypoints) == len(full.waypoints) == 3
    assert _file_name(response).endswith("-4pts.gpx")
    fit = _fit(town_client.get("/tours/town-run.fit?max_points=4").data)
    assert len(fit["record_mesgs"]) <= 4


def test_the_fit_turns_carry_their_distance_along_the_course(town_client):
    fit = _fit(town_client.get("/tours/town-run.fit").data)
    turns = [m for m in fit["course_point_mesgs"] if m["type"] not in ("generic", "segment_start", "segment_end")]
    total = fit["lap_mesgs"][0]["total_distance"]
    assert turns and all(0 < m["distance"] < total for m in turns)


def test_gpsbabel_reads_the_downloads_back_with_every_point(town_client, tmp_path):
    gpsbabel = require_tool("gpsbabel")
    source = tmp_path / "town-run.gpx"
    source.write_bytes(town_client.get("/tours/town-run.gpx").data)
    original = gpxpy.parse(source.read_text())
    for suffix, reader in (("gpx", "gpx"), ("tcx", "gtrnctr"), ("fit", "garmin_fit")):
        path = tmp_path / f"town-run.{suffix}"
        path.write_bytes(town_client.get(f"/tours/town-run.{suffix}").data)
        copy = tmp_path / f"copy-{suffix}.gpx"
        subprocess.run([gpsbabel, "-t", "-i", reader, "-f", path, "-o", "gpx", "-F", copy], check=True, timeout=30)
        read_back = gpxpy.parse(copy.read_text())
        assert read_back.get_track_points_no() == original.get_track_points_no(), suffix


# -------------------------------------------------------------------------------------------
# a plan of one's own: /plan.gpx|.tcx|.fit with the planner's query


def test_a_plan_downloads_with_a_name_for_its_stops(town_client, gpx_schema):
    response = town_client.get("/plan.gpx?stops=corner,museum")
    assert response.status_code == 200 and response.mimetype == "application/gpx+xml"
    assert re.fullmatch(r"montage-run-2-stops-\d+\.\dkm\.gpx", _file_name(response))
    gpx_schema.assertValid(etree.fromstring(response.data))
    assert [w.name for w in gpxpy.parse(response.get_data(as_text=True)).waypoints] == ["1 Corner", "2 Museum"]


def test_a_plan_with_a_start_of_ones_own_as_tcx_and_fit(town_client, tcx_schema):
    tcx = town_client.get(f"/plan.tcx?stops=corner,museum&start={TOWN_START}&order=shortest")
    assert tcx.status_code == 200, tcx.get_data(as_text=True)
    tcx_schema.assertValid(etree.fromstring(tcx.data))
    fit = _fit(town_client.get(f"/plan.fit?stops=corner,museum&start={TOWN_START}").data)
    assert (fit["course_point_mesgs"][0]["type"], fit["course_point_mesgs"][0]["name"]) == ("segment_start", "Start")


def test_a_tour_with_its_query_gives_the_same_file_as_the_plan_of_that_tour(town_client):
    tour = town_client.get("/tours/town-run.fit?pace=300")
    assert tour.data == town_client.get("/plan.fit?tour=town-run&pace=300").data


def test_a_file_served_from_the_cache_keeps_its_name(fresh_client):
    url = "/plan.gpx?stops=moshulu,italian-market&units=mi&format=rte"
    first, again = fresh_client.get(url), fresh_client.get(url)
    assert again.data == first.data
    assert _file_name(again) == _file_name(first)
    assert re.fullmatch(r"montage-run-2-stops-\d+\.\dmi-rte\.gpx", _file_name(again))
    walk = fresh_client.get("/plan.gpx?stops=moshulu,italian-market&activity=walk")
    assert walk.data != first.data  # another plan, another file: the key is the plan


@pytest.mark.parametrize(("query", "message"), [
    ("tour=no-such-tour", "no-such-tour"),
    ("stops=moshulu,nope-2", "nope-2"),
])
def test_a_file_of_an_unknown_id_is_a_404_and_nothing_is_kept(fresh_app, query, message):
    client = fresh_app.test_client()
    with fresh_app.app_context():
        pages = get_state().pages
        before = len(pages)
        response = client.get(f"/plan.gpx?{query}", headers={"Accept": "application/json"})
        assert response.status_code == 404 and message in response.get_json()["error"]["message"]
        assert len(pages) == before


def test_files_of_fixed_tours_are_kept_and_free_start_points_are_not(fresh_app):
    client = fresh_app.test_client()
    with fresh_app.app_context():
        pages = get_state().pages
        before = len(pages)
        assert client.get("/tours/montage.fit?max_points=7").status_code == 200
        kept = len(pages)
        for lat in ("39.9500", "39.9510", "39.9520"):
            assert client.get(f"/plan.fit?stops=moshulu,italian-market&start={lat},-75.1500").status_code == 200
        assert kept == before + 1 and len(pages) == kept


# -------------------------------------------------------------------------------------------
# bad input: 400 naming it, as JSON or a page


@pytest.mark.parametrize(("url", "message"), [
    ("/tours/montage.gpx?format=kml", "format must be one of trk, rte, got 'kml'"),
    ("/tours/montage.tcx?format=rte", "a TCX file has one form, got 'rte'"),
    ("/tours/montage.gpx?max_points=many", "max_points must be a whole number of points, got 'many'"),
    ("/tours/montage.fit?max_points=1", "max_points must be at least 2, got 1"),
    ("/tours/montage.fit?max_points=3", "max_points must be at least 7 for this route"),
    ("/tours/montage.gpx?max_points=5&max_points=6", "max_points is given 2 times"),
    ("/tours/montage.gpx?pace=0", "pace must be between 120 and 1800 seconds per km"),
    ("/tours/montage.gpx?tour=steps-finale", "the tour is in the path ('montage')"),
    ("/plan.gpx", "the plan is empty"),
    ("/plan.fit?stops=moshulu,moshulu", "stop 'moshulu' is listed twice"),
    ("/plan.tcx?stops=moshulu,italian-market&start=40.5,-75.1", "start 40.5,-75.1 is outside the tour area"),
])
def test_bad_input_is_a_400_naming_it(client, url, message):
    response = client.get(url, headers=JSON)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    page = client.get(url)
    assert page.status_code == 400 and page.mimetype == "text/html"


def test_an_unknown_tour_or_stop_is_a_404_naming_it(client):
    response = client.get("/tours/nope.fit")
    assert response.status_code == 404
    assert "unknown tour &#39;nope&#39;" in response.get_data(as_text=True)
    response = client.get("/plan.gpx?stops=moshulu,nope", headers=JSON)
    assert response.status_code == 404 and "unknown stop 'nope'" in response.get_json()["error"]["message"]


def test_a_file_type_the_app_does_not_write_is_not_found(client):
    assert client.get("/tours/montage.kml").status_code == 404


def test_max_points_that_drops_nothing_is_the_same_file_and_cache_entry_as_none(fresh_app):
    """``?max_points=N`` for every large N must not each make a new cache entry."""
    client = fresh_app.test_client()
    full = client.get("/tours/montage.gpx")
    points = gpxpy.parse(full.get_data(as_text=True)).get_track_points_no()
    with fresh_app.app_context():
        pages = get_state().pages
        before = len(pages)
        for n in [*range(2 * points, 2 * points + 5), 100_000, 10**9]:
            response = client.get(f"/tours/montage.gpx?max_points={n}")
            assert response.status_code == 200
            assert response.headers["ETag"] == full.headers["ETag"], n
            assert _file_name(response) == _file_name(full)  # no "-Npts": nothing was dropped
        assert len(pages) == before
