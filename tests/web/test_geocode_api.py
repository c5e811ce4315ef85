"""``/api/geocode``: an address to a point in the tour area, with a clear JSON error otherwise.

The app's geocoder talks to a Nominatim-like stub on 127.0.0.1 (tests/nominatim_stub.py).
Each test has its own stub (its own port, so its own one-request-a-second throttle) and app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nominatim_stub import NominatimStub

from routes import create_app
from tourapp.settings import Settings

ITALIAN_MARKET = (39.9387, -75.1579)


@pytest.fixture()
def stub():
    with NominatimStub({"italian market": ITALIAN_MARKET, "9th and christian": (39.9386, -75.1585)}) as running:
        yield running


def make_app(tmp_path: Path, **settings):
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": Settings(
        cache_dir=tmp_path / "cache", network_download=False, **settings)})


@pytest.fixture()
def geo_app(tmp_path, stub):
    return make_app(tmp_path, geocoder_url=stub.url, geocoder_timeout_s=0.5)


@pytest.fixture()
def geo_client(geo_app):
    return geo_app.test_client()


def _error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    return error["message"]


def test_an_address_is_found_as_a_point_with_its_name(geo_client):
    response = geo_client.get("/api/geocode?q=Italian%20Market")
    assert response.status_code == 200
    found = response.get_json()
    assert (found["lat"], found["lon"]) == pytest.approx(ITALIAN_MARKET)
    assert found["name"] == "Italian Market, Philadelphia, Pennsylvania, United States"
    assert "private" in response.headers["Cache-Control"]


def test_the_found_point_starts_a_plan(geo_client):
    found = geo_client.get("/api/geocode?q=9th and christian").get_json()
    response = geo_client.get(f"/api/plan?stops=rail-yard,moshulu&start={found['lat']},{found['lon']}")
    assert response.status_code == 200
    start = response.get_json(force=True)["features"][0]["geometry"]["coordinates"][0]
    assert start == [found["lon"], found["lat"]]


def test_the_search_is_bounded_to_the_planners_area(geo_app, geo_client, stub):
    geo_client.get("/api/geocode?q=Italian%20Market")
    (request,) = stub.searches
    area = geo_app.extensions["tourapp"].planner.area
    west, south, east, north = (float(v) for v in request.params["viewbox"].split(","))
    assert (south, west, north, east) == pytest.approx((area.south, area.west, area.north, area.east))
    assert request.params["bounded"] == "1"
    assert request.headers["user-agent"].startswith("montage-run/")


def test_asking_again_does_not_ask_the_service_again(geo_client, stub):
    first = geo_client.get("/api/geocode?q=Italian%20Market").get_json()
    assert geo_client.get("/api/geocode?q=italian+market+").get_json() == first
    assert len(stub.searches) == 1


def test_nothing_found_is_a_404_naming_the_query(geo_client):
    message = _error(geo_client.get("/api/geocode?q=Atlantis"), 404)
    assert message.startswith("no place called 'Atlantis' in the tour area")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "q is missing"),
        ("?q=", "at least 3 characters, got ''"),
        ("?q=ab", "at least 3 characters, got 'ab'"),
        ("?q=%20%20a%20", "at least 3 characters, got '  a '"),
        ("?q=" + "x" * 201, "at most 200 characters, got 201"),
        ("?q=rail%07yard", r"control characters, got 'rail\x07yard'"),
        ("?q=Italian+Market&q=Moshulu", "q is given 2 times"),
    ],
)
def test_a_query_that_cannot_be_an_address_is_a_400_naming_it(geo_client, stub, query, message):
    assert message in _error(geo_client.get(f"/api/geocode{query}"), 400)
    assert stub.requests == []


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ({"status": 500}, "address search is unavailable right now"),
        ({"status": 503}, "address search is unavailable right now"),
        ({"status": 504}, "address search is unavailable right now"),
        ({"status": 429}, "too many requests"),
        ({"body": b"<html>maintenance</html>"}, "address search is unavailable right now"),
        ({"delay_s": 3.0}, "did not answer within 0.5 s"),
    ],
)
def test_a_failing_service_is_a_503_with_a_message_and_the_planner_still_works(
        geo_client, stub, failure, message):
    for name, value in failure.items():
        setattr(stub, name, value)
    assert message in _error(geo_client.get("/api/geocode?q=Italian%20Market"), 503)
    assert geo_client.get("/api/plan?stops=rail-yard,moshulu").status_code == 200


def test_switched_off_it_is_a_503_saying_so_and_asks_nobody(tmp_path, stub):
    client = make_app(tmp_path, geocoder_url=stub.url, geocoding=False).test_client()
    assert "switched off" in _error(client.get("/api/geocode?q=Italian%20Market"), 503)
    assert stub.requests == []


def test_a_browser_asking_for_html_still_gets_json_from_the_api(geo_client):
    response = geo_client.get("/api/geocode?q=Atlantis", headers={"Accept": "text/html"})
    assert "no place called 'Atlantis'" in _error(response, 404)
