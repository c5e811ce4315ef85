"""The walking network: pedestrian rules, sources (file, cache, Overpass), snapping."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import osmnx as ox
import pytest
from geopy.distance import geodesic
from osm_fixtures import OsmBuilder, at, make_stop
from overpass_stub import OverpassStub

from tourapp import network as network_module
from tourapp.errors import NetworkUnavailable, StopNotReachable
from tourapp.network import (
    StreetNetwork,
    build_network_from_xml,
    cache_file,
    fetch_network,
    geodesic_m,
    is_walkable,
    load_network,
    network_bbox,
)
from tourapp.routing import plan_route
from tourapp.settings import Settings


@pytest.mark.parametrize(("tags", "walkable"), [
    ({"highway": "residential"}, True),
    ({"highway": "residential", "oneway": "yes"}, True),
    ({"highway": "footway"}, True),
    ({"highway": "footway", "footway": "sidewalk"}, True),
    ({"highway": "steps"}, True),
    ({"highway": "pedestrian"}, True),
    ({"highway": "living_street"}, True),
    ({"highway": "service"}, True),
    ({"highway": "primary"}, True),
    ({"highway": "path"}, True),
    ({"highway": "motorway"}, False),
    ({"highway": "motorway", "foot": "no"}, False),
    ({"highway": "motorway_link", "foot": "yes"}, True),
    ({"highway": "trunk"}, False),
    ({"highway": "trunk", "sidewalk": "both"}, True),
    ({"highway": "cycleway"}, False),
    ({"highway": "cycleway", "foot": "designated"}, True),
    ({"highway": "residential", "foot": "no"}, False),
    ({"highway": "service", "access": "private"}, False),
    ({"highway": "residential", "access": "no"}, False),
    ({"highway": "residential", "access": "no", "foot": "yes"}, True),
    ({"highway": "service", "service": "private"}, False),
    ({"highway": "pedestrian", "area": "yes"}, False),
    ({"highway": "construction"}, False),
    ({"railway": "rail"}, False),
    ({"waterway": "river"}, False),
    ({"highway": ["residential", "service"]}, True),
])
def test_pedestrian_rules(tags: dict, walkable: bool) -> None:
    assert is_walkable(tags) is walkable


def test_vectorised_geodesic_agrees_with_geopy_to_a_millimetre() -> None:
    rng = random.Random(7)
    pairs = [((39.9 + rng.random() * 0.2, -75.3 + rng.random() * 0.3),
              (39.9 + rng.random() * 0.2, -75.3 + rng.random() * 0.3)) for _ in range(50)]
    pairs.append(((39.95, -75.16), (39.95, -75.16)))
    ours = geodesic_m(*zip(*[(a[0], a[1], b[0], b[1]) for a, b in pairs]))
    theirs = [geodesic(a, b).meters for a, b in pairs]
    assert ours == pytest.approx(theirs, abs=1e-3)


def test_file_network_keeps_only_walkable_ways(town_net: StreetNetwork) -> None:
    names = set(town_net.names)
    assert {"Christian Street", "Kelly Drive", "Stone Bridge"} <= names
    assert not names & {"Schuylkill River", "Connecting Railway", "Schuylkill Expressway", "Private Lane"}
    assert "steps" in town_net.kinds


def test_file_network_is_simplified_to_intersections(town_net: StreetNetwork, town_data: OsmBuilder) -> None:
    # the fixture's streets have a node every 25 m; only junctions and ends stay graph nodes
    assert town_net.node_count < len(town_data.nodes) / 3
    assert town_net.edge_length_m.sum() == pytest.approx(
        sum(geodesic(town_data.nodes[a], town_data.nodes[b]).meters
            for w in town_data.ways if w.walkable for a, b in zip(w.node_ids, w.node_ids[1:])),
        abs=1e-3)


def test_bz2_file_gives_the_same_network(tmp_path: Path, town_data: OsmBuilder, town_net: StreetNetwork) -> None:
    net = build_network_from_xml(town_data.write(tmp_path / "town.osm.bz2"))
    assert (net.node_count, net.edge_count) == (town_net.node_count, town_net.edge_count)
    assert net.edge_length_m.sum() == pytest.approx(town_net.edge_length_m.sum())


def test_a_stop_between_corners_snaps_to_the_street_beside_it(town_net: StreetNetwork) -> None:
    lat, lon = at(150, 212)  # 12 m north of Fitzwater Street, mid-block
    snap = town_net.snap(lat, lon, limit_m=150)
    assert snap.distance_m == pytest.approx(12, abs=0.5)
    assert (snap.lat, snap.lon) == pytest.approx(at(150, 200), abs=1e-7)
    assert town_net.label(snap.edge)[0] == "Fitzwater Street"


def test_a_stop_too_far_from_any_way_is_not_reachable(town_net: StreetNetwork) -> None:
    lat, lon = at(1500, 1500)
    with pytest.raises(StopNotReachable, match=r"lonely-place is not within 150 m of a walkable way"):
        town_net.snap(lat, lon, limit_m=150, what="lonely-place")


def test_no_source_means_no_network(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    assert load_network(settings) is None
    assert load_network(settings, bbox=network_bbox([at(0, 0)])) is None


def test_a_configured_osm_file_that_is_missing_is_network_unavailable(tmp_path: Path) -> None:
    with pytest.raises(NetworkUnavailable, match="does not exist"):
        load_network(Settings(cache_dir=tmp_path, osm_file=tmp_path / "nope.osm"))


def test_a_broken_osm_file_is_network_unavailable(tmp_path: Path) -> None:
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node", encoding="utf-8")
    with pytest.raises(NetworkUnavailable, match="broken.osm"):
        load_network(Settings(cache_dir=tmp_path / "cache", osm_file=broken))


def test_cache_round_trip_gives_identical_routes(tmp_path: Path, town_data: OsmBuilder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    osm = town_data.write(tmp_path / "town.osm")
    settings = Settings(cache_dir=tmp_path / "cache", osm_file=osm)
    built = load_network(settings)
    assert built is not None
    assert list((tmp_path / "cache").glob("walk-network-*.npz"))

    def no_parsing(*args: object, **kwargs: object) -> StreetNetwork:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(network_module, "build_network_from_xml", no_parsing)
    cached = load_network(settings)
    assert cached is not None and cached is not built
    for name in StreetNetwork.ARRAYS:
        np.testing.assert_array_equal(getattr(cached, name), getattr(built, name))
    stops = [make_stop("a", *at(0, 0)), make_stop("b", *at(0, 600)), make_stop("c", *at(150, 212))]
    assert plan_route(stops, network=cached) == plan_route(stops, network=built)


def test_an_edited_osm_file_is_parsed_again(tmp_path: Path, town_data: OsmBuilder) -> None:
    osm = town_data.write(tmp_path / "town.osm")
    settings = Settings(cache_dir=tmp_path / "cache", osm_file=osm)
    first = load_network(settings)
    extended = OsmBuilder(nodes=dict(town_data.nodes), ways=list(town_data.ways),
                          _by_xy=dict(town_data._by_xy))
    extended.way([(0, 0), (-100, 0)], walkable=True, highway="footway", name="New Path")
    extended.write(osm)
    second = load_network(settings)
    assert first is not None and second is not None
    assert "New Path" in second.names and "New Path" not in first.names


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path, town_data: OsmBuilder) -> None:
    osm = town_data.write(tmp_path / "town.osm")
    settings = Settings(cache_dir=tmp_path / "cache", osm_file=osm)
    load_network(settings)
    (cached,) = (tmp_path / "cache").glob("*.npz")
    cached.write_bytes(b"not a zip file")
    assert load_network(settings) is not None


@pytest.fixture
def no_overpass_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)


def test_fetch_downloads_from_overpass_filters_and_caches(tmp_path: Path, town_data: OsmBuilder,
                                                          no_overpass_rate_limit: None) -> None:
    bbox = network_bbox([at(-100, -500), at(600, 700)], margin_m=100)
    messages: list[str] = []
    with OverpassStub(town_data.overpass_elements()) as stub:
        settings = Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=5)
        net = fetch_network(settings, bbox, progress=messages.append)
        queries = list(stub.queries)
        again = fetch_network(settings, bbox)
        assert len(stub.queries) == len(queries), "second fetch should come from the cache"
    assert queries and all('way["highway"' in q for q in queries)
    assert any(m.startswith("downloading") for m in messages) and any("cached" in m for m in messages)
    assert "Kelly Drive" in net.names and "Schuylkill Expressway" not in net.names
    assert cache_file(settings, network_module._overpass_key(settings, bbox)).is_file()
    assert again.edge_count == net.edge_count
    loaded = load_network(settings, bbox=bbox)
    assert loaded is not None and loaded.node_count == net.node_count


def test_fetch_with_overpass_down_is_network_unavailable(tmp_path: Path, town_data: OsmBuilder,
                                                         no_overpass_rate_limit: None) -> None:
    bbox = network_bbox([at(0, 0)])
    with OverpassStub(town_data.overpass_elements(), status=400) as stub:
        settings = Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=5)
        with pytest.raises(NetworkUnavailable, match="cannot download"):
            fetch_network(settings, bbox)
    assert not list(tmp_path.glob("*.npz"))


def test_fetch_when_downloads_are_disabled_is_network_unavailable(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, network_download=False)
    with pytest.raises(NetworkUnavailable, match="disabled"):
        fetch_network(settings, network_bbox([at(0, 0)]))


def test_network_bbox_adds_a_margin_and_rounds_outwards() -> None:
    box = network_bbox([(39.95, -75.16), (39.96, -75.15)], margin_m=500)
    assert box.south < 39.95 - 0.0044 and box.north > 39.96 + 0.0044
    assert box.west < -75.16 and box.east > -75.15
    for value in (box.south, box.west, box.north, box.east):
        assert math.isclose(round(value / 0.005) * 0.005, value, abs_tol=1e-9)
    assert box.as_osmnx() == (box.west, box.south, box.east, box.north)
