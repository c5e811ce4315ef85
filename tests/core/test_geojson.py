"""Stops as GeoJSON: RFC 7946 points whose properties carry what the map and the phone show."""

from __future__ import annotations

from tourapp.geojson import stop_feature, stops_collection
from tourapp.stops import load_stops


def test_a_stop_feature_carries_its_scene_title_and_its_short_name() -> None:
    moshulu = load_stops()["moshulu"]
    feature = stop_feature(moshulu)
    assert feature["geometry"]["coordinates"] == [moshulu.lon, moshulu.lat]  # lon, lat
    props = feature["properties"]
    assert (props["name"], props["short_name"]) == ("Along the docks with a tall ship", "Moshulu")


def test_every_stop_has_its_short_name_in_the_collection() -> None:
    stops = load_stops()
    features = stops_collection(stops.values())["features"]
    assert [f["properties"]["short_name"] for f in features] == [s.short_name for s in stops.values()]
    assert all(f["properties"]["short_name"] for f in features)
