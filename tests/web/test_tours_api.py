"""The tours API: routes as GeoJSON, honest about straight legs, strict about options."""

from __future__ import annotations

import pytest
from osm_fixtures import distance_to_polyline_m

from tourapp.geodesy import path_length_m


def _route(client, path: str) -> tuple[dict, list[dict]]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    data = response.get_json(force=True)
    assert data["type"] == "FeatureCollection"
    line, *points = data["features"]
    assert line["geometry"]["type"] == "LineString"
    return line, points


def test_the_tour_list_links_each_tour_to_its_route_gpx_and_page(client):
    data = client.get("/api/tours").get_json()
    ids = [t["id"] for t in data["tours"]]
    assert ids == ["montage", "steps-finale", "walking-tour"]
    montage = data["tours"][0]
    assert montage["gpx"] == "/tours/montage.gpx"
    assert montage["route"] == "/api/tours/montage"
    assert montage["stops"][0] == "rail-yard" and montage["stops"][-1] == "art-museum-steps"
    assert data["network"]["street_following"] is False


def test_without_a_network_the_montage_is_straight_legs_and_says_so(client):
    line, points = _route(client, "/api/tours/montage")
    props = line["properties"]
    assert props["street_following"] is False
    assert all(leg["street_following"] is False for leg in props["legs"])
    assert [leg["from"] for leg in props["legs"]] == [
        "rail-yard", "italian-market", "stone-arch-bridge", "mighty-micks-gym", "meat-plant", "moshulu",
    ]
    assert [p["properties"]["id"] for p in points][-1] == "art-museum-steps"
    # Straight legs: the line is just the seven stops, [lon, lat] order.
    assert len(line["geometry"]["coordinates"]) == 7
    lon, lat = line["geometry"]["coordinates"][0]
    assert -75.2 < lon < -75.1 and 39.9 < lat < 40.1


def test_the_route_length_is_the_sum_of_its_legs(client):
    props = _route(client, "/api/tours/montage")[0]["properties"]
    assert props["length_m"] == pytest.approx(sum(leg["length_m"] for leg in props["legs"]), abs=1)


def test_a_pace_gives_a_time_estimate(client):
    props = _route(client, "/api/tours/steps-finale?pace=300")[0]["properties"]
    assert props["pace_s_per_km"] == 300
    assert props["duration_s"] == pytest.approx(props["length_m"] / 1000 * 300, rel=0.01)


def test_the_walking_tour_uses_the_walking_pace_by_default(client):
    props = _route(client, "/api/tours/walking-tour")[0]["properties"]
    assert props["activity"] == "walk"
    assert props["pace_s_per_km"] == 720


def test_on_the_street_network_the_route_follows_walkable_ways(town_client, town_walkable_ways):
    line, points = _route(town_client, "/api/tours/town-run")
    assert line["properties"]["street_following"] is True
    for lon, lat in line["geometry"]["coordinates"]:
        nearest = min(distance_to_polyline_m((lat, lon), way) for way in town_walkable_ways)
        assert nearest < 1.0, (lat, lon)
    coords = [(lat, lon) for lon, lat in line["geometry"]["coordinates"]]
    assert path_length_m(coords) == pytest.approx(line["properties"]["length_m"], rel=0.01)


def test_street_cues_name_the_streets(town_client):
    legs = _route(town_client, "/api/tours/town-run")[0]["properties"]["legs"]
    streets = {cue["street"] for leg in legs for cue in leg["cues"]}
    assert streets & {"Christian Street", "Federal Street", "12th Street", "8th Street"}


def test_a_loop_tour_returns_to_its_first_stop(town_client):
    props = _route(town_client, "/api/tours/bridge-walk")[0]["properties"]
    assert props["loop"] is True
    assert props["legs"][-1]["to"] == "corner"


def test_shortest_order_and_a_custom_start_are_accepted(town_client):
    props = _route(town_client, "/api/tours/town-run?order=shortest&start=39.9501,-75.1601")[0]["properties"]
    assert props["order"] == "shortest"
    assert props["legs"][0]["from"] == "start"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("order=fastest", "order must be one of given, shortest, got 'fastest'"),
        ("start=40", "start must be 'latitude,longitude'"),
        ("start=abc,def", "start must be 'latitude,longitude'"),
        ("start=0,0", "outside Philadelphia"),
        ("start=nan,nan", "outside Philadelphia"),
        ("pace=fast", "pace must be seconds per km, got 'fast'"),
        ("pace=5", "pace must be between 120 and 1800"),
    ],
)
def test_bad_options_are_a_400_that_names_the_problem(client, query, message):
    response = client.get(f"/api/tours/montage?{query}")
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_an_unknown_tour_is_a_404_naming_the_known_ones(client):
    response = client.get("/api/tours/marathon")
    assert response.status_code == 404
    assert "unknown tour 'marathon'; known tours: montage" in response.get_json()["error"]["message"]


def test_the_shortest_order_still_finishes_a_one_way_tour_on_its_last_stop(client):
    line, _ = _route(client, "/api/tours/montage?order=shortest")
    legs = line["properties"]["legs"]
    assert legs[0]["from"] == "rail-yard" and legs[-1]["to"] == "art-museum-steps"
    visited = [leg["to"] for leg in legs]
    assert sorted(visited) == sorted(
        ["italian-market", "stone-arch-bridge", "mighty-micks-gym", "meat-plant", "moshulu", "art-museum-steps"]
    )


def test_many_different_paces_do_not_grow_the_response_cache_without_bound(app, client):
    from routes.state import RESPONSE_CACHE_SIZE, get_state

    for pace in range(300, 300 + RESPONSE_CACHE_SIZE + 20):
        assert client.get(f"/api/tours/steps-finale?pace={pace}").status_code == 200
    with app.app_context():
        assert len(get_state().pages) == RESPONSE_CACHE_SIZE
