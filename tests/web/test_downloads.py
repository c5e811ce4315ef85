"""GPX downloads: a file a watch accepts, named for the tour, cacheable, valid GPX 1.1."""

from __future__ import annotations

import subprocess

import gpxpy
import pytest
from lxml import etree

from tests.conftest import GPX_XSD, require_tool


@pytest.fixture(scope="module")
def gpx_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(GPX_XSD)))


def test_the_gpx_download_is_an_attachment_named_for_the_tour(client):
    response = client.get("/tours/montage.gpx")
    assert response.status_code == 200
    assert response.mimetype == "application/gpx+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="montage-run-montage.gpx"'
    assert response.headers["ETag"]


def test_the_same_gpx_is_served_byte_for_byte_and_revalidates(client):
    first = client.get("/tours/steps-finale.gpx")
    again = client.get("/tours/steps-finale.gpx", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("tour_id", ["montage", "steps-finale", "walking-tour"])
def test_every_tour_gpx_validates_against_the_gpx_1_1_schema(client, gpx_schema, tour_id):
    document = etree.fromstring(client.get(f"/tours/{tour_id}.gpx").data)
    gpx_schema.assertValid(document)


def test_the_gpx_has_a_named_waypoint_for_every_stop_in_order(client):
    gpx = gpxpy.parse(client.get("/tours/montage.gpx").get_data(as_text=True))
    names = [w.name for w in gpx.waypoints]
    assert len(names) == 7
    assert names[0].startswith("1") or "rail" in names[0].lower()
    assert len(gpx.tracks) == 1 and len(gpx.tracks[0].segments) == 1


def test_an_offline_gpx_says_its_legs_are_straight_lines(client):
    gpx = gpxpy.parse(client.get("/tours/montage.gpx").get_data(as_text=True))
    assert "straight" in gpx.description.lower()


def test_the_route_variant_is_a_gpx_route(client, gpx_schema):
    response = client.get("/tours/montage.gpx?format=rte")
    assert response.headers["Content-Disposition"] == 'attachment; filename="montage-run-montage-rte.gpx"'
    gpx_schema.assertValid(etree.fromstring(response.data))
    gpx = gpxpy.parse(response.get_data(as_text=True))
    assert len(gpx.routes) == 1 and not gpx.tracks


def test_a_street_following_gpx_credits_openstreetmap(town_client, gpx_schema):
    response = town_client.get("/tours/town-run.gpx")
    gpx_schema.assertValid(etree.fromstring(response.data))
    text = response.get_data(as_text=True)
    assert "OpenStreetMap contributors" in text
    gpx = gpxpy.parse(text)
    assert len(gpx.tracks[0].segments[0].points) > 3


def test_gpsbabel_reads_the_download_back_with_every_point(town_client, tmp_path):
    gpsbabel = require_tool("gpsbabel")
    source = tmp_path / "town-run.gpx"
    source.write_bytes(town_client.get("/tours/town-run.gpx").data)
    copy = tmp_path / "copy.gpx"
    subprocess.run([gpsbabel, "-i", "gpx", "-f", source, "-o", "gpx", "-F", copy], check=True)
    original, read_back = (gpxpy.parse(p.read_text()) for p in (source, copy))
    assert read_back.get_track_points_no() == original.get_track_points_no()
    assert len(read_back.waypoints) == len(original.waypoints) == 3


@pytest.mark.parametrize(("query", "status", "message"), [
    ("format=kml", 400, "format must be one of trk, rte, got 'kml'"),
])
def test_a_bad_format_is_a_400_naming_it(client, query, status, message):
    response = client.get(f"/tours/montage.gpx?{query}", headers={"Accept": "application/json"})
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_an_unknown_tour_gpx_is_a_404(client):
    response = client.get("/tours/nope.gpx")
    assert response.status_code == 404
    assert "unknown tour &#39;nope&#39;" in response.get_data(as_text=True)
