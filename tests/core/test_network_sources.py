"""Where the network comes from: the configured OSM file, the cache, or Overpass when asked."""

from __future__ import annotations

import math
from pathlib import Path

import osmnx as ox
import pytest
from osm_fixtures import OsmBuilder, at
from overpass_stub import OverpassStub

from tourapp.errors import NetworkUnavailable
from tourapp.network import cache_file, fetch_network, load_network, network_bbox, sources
from tourapp.settings import Settings


def test_no_source_means_no_network(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    assert load_network(settings) is None
    assert load_network(settings, bbox=network_bbox([at(0, 0)])) is None


def test_a_configured_osm_file_that_is_missing_is_network_unavailable(tmp_path: Path) -> None:
    with pytest.raises(NetworkUnavailable, match="does not exist"):
        load_network(Settings(cache_dir=tmp_path, osm_file=tmp_path / "nope.osm"))


@pytest.mark.parametrize("name", ["broken.osm", "garbled.osm.bz2", "truncated.osm.bz2"])
def test_a_broken_osm_file_is_network_unavailable(tmp_path: Path, town_data: OsmBuilder, name: str) -> None:
    broken = tmp_path / name
    if name == "broken.osm":
        broken.write_text("<osm><node", encoding="utf-8")
    elif name == "garbled.osm.bz2":
        broken.write_bytes(b"BZh91AY&SY garbled")
    else:
        whole = town_data.write(tmp_path / "town.osm.bz2").read_bytes()
        broken.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(NetworkUnavailable, match=f"cannot read OSM file .*{name}"):
        load_network(Settings(cache_dir=tmp_path / "cache", osm_file=broken))
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


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
    assert cache_file(settings, sources._overpass_key(settings, bbox)).is_file()
    assert again.edge_count == net.edge_count
    loaded = load_network(settings, bbox=bbox)
    assert loaded is not None and loaded.node_count == net.node_count


def test_fetch_with_overpass_down_is_network_unavailable(tmp_path: Path, town_data: OsmBuilder,
                                                         no_overpass_rate_limit: None) -> None:
    bbox = network_bbox([at(0, 0)])
    with OverpassStub(town_data.overpass_elements(), status=400) as stub:
        settings = Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=5)
        with pytest.raises(NetworkUnavailable, match=r"refused the query \(HTTP 400 Bad Request\)"):
            fetch_network(settings, bbox)
    assert not list(tmp_path.glob("*.npz"))


def test_fetch_when_downloads_are_disabled_is_network_unavailable(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, network_download=False)
    with pytest.raises(NetworkUnavailable, match="disabled"):
        fetch_network(settings, network_bbox([at(0, 0)]))


def test_network_bbox_adds_a_margin_and_rounds_outwards() -> None:
    box = network_bbox([(39.95, -75.16), (39.96, -75.15)], margin_m=500)
    assert box.south < 39.95 - 0.0044 and box.north > 39.96 + 0.0044
    assert box.west < -75.16 - 0.0058 and box.east > -75.15 + 0.0058
    for value in (box.south, box.west, box.north, box.east):
        assert math.isclose(round(value / 0.005) * 0.005, value, abs_tol=1e-9)
    assert box.as_osmnx() == (box.west, box.south, box.east, box.north)
    assert network_bbox([(39.9501, -75.1601), (39.9601, -75.1501)], margin_m=500) == box
