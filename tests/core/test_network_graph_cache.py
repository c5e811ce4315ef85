"""The graph cache file: round trips exactly, same bytes every time, survives bad files and full disks."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
from osm_fixtures import OsmBuilder, at, make_stop

from tourapp.network import CACHE_FORMAT, CacheUnreadable, StreetNetwork, graph_cache, load_network, sources
from tourapp.planner import plan_route
from tourapp.settings import Settings


def _same(a: StreetNetwork, b: StreetNetwork) -> None:
    for name in StreetNetwork.ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert getattr(a, name).dtype == getattr(b, name).dtype
    assert (a.names, a.kinds) == (b.names, b.kinds)


def test_a_saved_network_loads_back_identical(tmp_path: Path, town_net: StreetNetwork) -> None:
    town_net.save(tmp_path / "net.npz")
    loaded = StreetNetwork.load(tmp_path / "net.npz")
    _same(loaded, town_net)
    assert loaded.meta == {**town_net.meta, "format": CACHE_FORMAT}


def test_saving_twice_writes_the_same_bytes(tmp_path: Path, town_net: StreetNetwork) -> None:
    town_net.save(tmp_path / "a.npz")
    town_net.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.npz") as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_cache_round_trip_gives_identical_routes(tmp_path: Path, town_data: OsmBuilder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    osm = town_data.write(tmp_path / "town.osm")
    settings = Settings(cache_dir=tmp_path / "cache", osm_file=osm)
    built = load_network(settings)
    assert built is not None
    assert list((tmp_path / "cache").glob("walk-network-*.npz"))

    def no_parsing(*args: object, **kwargs: object) -> StreetNetwork:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(sources, "build_network_from_xml", no_parsing)
    cached = load_network(settings)
    assert cached is not None and cached is not built
    _same(cached, built)
    stops = [make_stop("a", *at(0, 0)), make_stop("b", *at(0, 600)), make_stop("c", *at(150, 212))]
    assert plan_route(stops, network=cached) == plan_route(stops, network=built)


def _cached_town(tmp_path: Path, town_data: OsmBuilder) -> tuple[Settings, Path]:
    settings = Settings(cache_dir=tmp_path / "cache", osm_file=town_data.write(tmp_path / "town.osm"))
    assert load_network(settings) is not None
    (cached,) = (tmp_path / "cache").glob("*.npz")
    return settings, cached


def _spoil_edge_u(path: Path) -> None:
    """A well-formed cache whose edges name nodes that do not exist."""
    with np.load(path, allow_pickle=False) as data:
        members = {name: data[name] for name in data.files}
    members["edge_u"] = members["edge_u"] + 10_000
    np.savez(path, **members)


@pytest.mark.parametrize(("spoil", "reason"), [
    (lambda p: p.write_bytes(b"not a zip file"), "pickled"),
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "BadZipFile"),
    (lambda p: p.write_bytes(b""), "No data left"),
    (_spoil_edge_u, "names a node that does not exist"),
], ids=["garbage", "truncated", "empty", "inconsistent"])
def test_a_spoilt_cache_is_refused_with_the_reason_and_rebuilt(
        tmp_path: Path, town_data: OsmBuilder, town_net: StreetNetwork, spoil: Callable[[Path], object], reason: str,
        caplog: pytest.LogCaptureFixture) -> None:
    settings, cached = _cached_town(tmp_path, town_data)
    spoil(cached)
    with pytest.raises(CacheUnreadable, match=reason):
        StreetNetwork.load(cached)
    with caplog.at_level(logging.WARNING, logger="tourapp.network"):
        rebuilt = load_network(settings)
    assert rebuilt is not None and rebuilt.edge_count == town_net.edge_count
    assert any("unusable network cache" in r.getMessage() and cached.name in r.getMessage()
               for r in caplog.records)
    _same(StreetNetwork.load(cached), rebuilt)  # the bad file was replaced by a good one


def test_a_cache_of_another_format_is_refused(tmp_path: Path, town_net: StreetNetwork,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_cache, "CACHE_FORMAT", CACHE_FORMAT - 1)
    town_net.save(tmp_path / "old.npz")
    monkeypatch.undo()
    with pytest.raises(CacheUnreadable, match=f"cache format {CACHE_FORMAT - 1}, want {CACHE_FORMAT}"):
        StreetNetwork.load(tmp_path / "old.npz")


def test_a_spoilt_overpass_cache_means_straight_legs_not_a_crash(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    box = sources.network_bbox([at(0, 0)])
    target = graph_cache.cache_file(settings, sources._overpass_key(settings, box))
    target.write_bytes(b"PK\x03\x04 truncated")
    assert load_network(settings, bbox=box) is None


class _DiskFull(OSError):
    pass


def test_a_write_that_fails_midway_leaves_the_old_cache_intact(
        tmp_path: Path, town_data: OsmBuilder, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    settings, cached = _cached_town(tmp_path, town_data)
    before = cached.read_bytes()
    real_write = np.lib.format.write_array
    written: list[str] = []

    def write_until_the_disk_is_full(fh: IO[bytes], array: np.ndarray, **kwargs: Any) -> None:
        if len(written) == 3:
            raise _DiskFull(28, "No space left on device")
        written.append("member")
        real_write(fh, array, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_until_the_disk_is_full)
    net = StreetNetwork.load(cached)
    with pytest.raises(_DiskFull):
        net.save(cached)
    assert cached.read_bytes() == before
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temporary left

    # the app itself only logs it: a full disk costs speed, not the service
    cached.unlink()
    written.clear()
    with caplog.at_level(logging.WARNING, logger="tourapp.network"):
        assert load_network(settings) is not None
    assert any("No space left" in r.getMessage() for r in caplog.records)
    assert not list(cached.parent.iterdir())
