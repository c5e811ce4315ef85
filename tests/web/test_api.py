"""The JSON API: stops as RFC 7946 GeoJSON, and 404s that name the bad id."""

from __future__ import annotations

import pytest


def test_stops_are_a_geojson_feature_collection_in_lon_lat_order(client):
    response = client.get("/api/stops")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = response.get_json(force=True)
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert len(features) == 11
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -75.3 < lon < -75.0 and 39.8 < lat < 40.1  # longitude first
        assert {"id", "name", "montage_order", "filmed_here"} <= feature["properties"].keys()


def test_montage_stops_come_first_in_film_order(client):
    features = client.get("/api/stops").get_json(force=True)["features"]
    orders = [f["properties"]["montage_order"] for f in features]
    assert orders[:7] == [1, 2, 3, 4, 5, 6, 7]
    assert orders[7:] == [None] * 4
    assert features[6]["properties"]["id"] == "art-museum-steps"


def test_one_stop_is_a_feature(client):
    feature = client.get("/api/stops/moshulu").get_json(force=True)
    assert feature["type"] == "Feature"
    assert feature["properties"]["id"] == "moshulu"
    assert feature["properties"]["montage_order"] == 6


@pytest.mark.parametrize(
    ("bad_id", "named"),
    [("nowhere", "'nowhere'"), ("RAIL-YARD", "'RAIL-YARD'"), ("rail-yard%20", "'rail-yard '"),
     ("%3Cscript%3E", "'<script>'")],
)
def test_an_unknown_stop_is_a_json_404_naming_it_and_the_known_ones(client, bad_id, named):
    response = client.get(f"/api/stops/{bad_id}")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["status"] == 404
    assert error["message"].startswith(f"unknown stop {named}; known stops: rail-yard, italian-market")


def test_a_path_that_climbs_out_of_the_api_is_a_404_naming_the_path(client):
    response = client.get("/api/stops/..%2f..%2fetc")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "There is no page at /api/stops/../../etc."


def test_an_etag_lets_a_client_revalidate_without_the_body(fresh_client):
    first = fresh_client.get("/api/stops")  # rendered now, not from an earlier test's cache
    again = fresh_client.get("/api/stops", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
