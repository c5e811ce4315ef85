"""A route as GeoJSON: the line, the places in visiting order, lengths in metres."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from osm_fixtures import at

from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.route_geojson import route_to_geojson
from tourapp.stops import Stop

Place = Callable[..., Stop]


def test_geojson_has_the_line_the_stops_legs_and_cues(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("north-bank-west"), place("museum")], network=town_net,
                       tour_id="t", name="Town tour")
    doc = json.loads(json.dumps(route_to_geojson(route, pace_s_per_km=360)))
    line, *points = doc["features"]
    assert doc["type"] == "FeatureCollection"
    assert line["geometry"]["type"] == "LineString"
    assert line["geometry"]["coordinates"][0] == pytest.approx([at(0, 0)[1], at(0, 0)[0]])  # lon, lat
    props = line["properties"]
    assert props["tour_id"] == "t" and props["street_following"] is True
    assert props["length_m"] == pytest.approx(route.length_m, abs=0.1)
    assert [(leg["from"], leg["to"]) for leg in props["legs"]] == [
        ("federal-8th", "north-bank-west"), ("north-bank-west", "museum")]
    assert props["legs"][0]["cues"][0]["turn"] == "start"
    assert [p["properties"]["id"] for p in points] == ["federal-8th", "north-bank-west", "museum"]
    # the phone says "Checked in at stop 2, North bank west" with this name, not the scene's
    assert [p["properties"]["short_name"] for p in points] == ["Federal 8th", "North bank west", "Museum"]
    assert points[0]["geometry"]["coordinates"] == pytest.approx([at(0, 0)[1], at(0, 0)[0]])


def test_geojson_marks_the_runners_own_start_and_finish(place: Place) -> None:
    route = plan_route([place("museum")], network=None, start=at(0, 0), end=at(100, 0))
    points = route_to_geojson(route)["features"][1:]
    assert [(p["properties"]["kind"], p["properties"]["sequence"]) for p in points] == [
        ("start", 1), ("stop", 2), ("end", 3)]


def test_geojson_says_when_legs_are_straight(place: Place) -> None:
    route = plan_route([place("federal-8th"), place("museum")], network=None)
    props = route_to_geojson(route)["features"][0]["properties"]
    assert props["street_following"] is False and props["legs"][0]["street_following"] is False
