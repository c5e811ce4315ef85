"""Shortest-path trees saved beside the graph cache: a later start reads them, same routes."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from osm_fixtures import PLACES, at, make_stop

from tourapp.network import StreetNetwork, shortest_paths
from tourapp.planner import plan_route

STOPS = [make_stop(key, *at(*PLACES[key])) for key in ("federal-8th", "museum", "federal-11th")]
PLACE_ROWS = [(s.id, s.lat, s.lon) for s in STOPS]
START = at(50, 0)  # on Federal Street, 50 m east of 8th


def _saved(tmp_path: Path, town_net: StreetNetwork) -> Path:
    town_net.save(tmp_path / "net.npz")
    return tmp_path / "net.npz"


def _trees(cache: Path) -> list[Path]:
    return sorted(cache.parent.glob(f"{cache.name}.prepared-*"))


def _routes(net: StreetNetwork) -> list[object]:
    prepared = net.prepare(PLACE_ROWS, limit_m=150)
    return [plan_route(STOPS, network=prepared),
            plan_route(STOPS, network=prepared, start=START, order="shortest")]


def test_a_later_start_reads_the_trees_instead_of_searching(tmp_path: Path, town_net: StreetNetwork,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = _saved(tmp_path, town_net)
    first = _routes(StreetNetwork.load(cache))
    assert len(_trees(cache)) == 1
    assert first == _routes(town_net)  # as on the network built from OSM data, which has no file

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("the saved trees should have been used")

    monkeypatch.setattr(shortest_paths, "dijkstra", no_search)
    assert _routes(StreetNetwork.load(cache)) == first


def test_other_stops_get_their_own_trees_and_replace_the_old_file(tmp_path: Path,
                                                                  town_net: StreetNetwork) -> None:
    cache = _saved(tmp_path, town_net)
    StreetNetwork.load(cache).prepare(PLACE_ROWS, limit_m=150)
    before = _trees(cache)
    moved = [*PLACE_ROWS[:2], ("federal-11th", *at(150, 212))]
    prepared = StreetNetwork.load(cache).prepare(moved, limit_m=150)
    after = _trees(cache)
    assert len(after) == 1 and after != before
    assert prepared.position_of("federal-11th") == at(150, 212)


@pytest.mark.parametrize("spoil", [
    lambda p: p.write_bytes(b"not a zip file"),
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
], ids=["garbage", "truncated"])
def test_a_spoilt_trees_file_is_computed_again_and_rewritten(
        tmp_path: Path, town_net: StreetNetwork, spoil: object, caplog: pytest.LogCaptureFixture) -> None:
    cache = _saved(tmp_path, town_net)
    first = _routes(StreetNetwork.load(cache))
    (trees,) = _trees(cache)
    spoil(trees)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="tourapp.network"):
        again = _routes(StreetNetwork.load(cache))
    assert again == first
    assert any("unusable prepared trees" in r.getMessage() for r in caplog.records)
    assert _trees(cache) == [trees] and StreetNetwork.load(cache).prepare(PLACE_ROWS, limit_m=150) is not None


def test_a_read_only_cache_folder_costs_time_not_the_routes(tmp_path: Path, town_net: StreetNetwork,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    cache = _saved(tmp_path, town_net)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    with caplog.at_level(logging.WARNING, logger="tourapp.network"):
        routes = _routes(StreetNetwork.load(cache))
    monkeypatch.undo()
    assert routes == _routes(town_net)
    assert _trees(cache) == []
    assert any("could not save prepared trees" in r.getMessage() for r in caplog.records)


def test_the_saved_snap_index_finds_what_a_new_one_finds(tmp_path: Path, town_net: StreetNetwork) -> None:
    loaded = StreetNetwork.load(_saved(tmp_path, town_net))
    rng = np.random.default_rng(7)
    # inside the town, near its edge and far outside it (the error names the distance)
    for x, y in [*rng.uniform(-100, 700, size=(40, 2)).tolist(), (1500, 1500), (-3000, 200)]:
        lat, lon = at(x, y)
        assert loaded.snap(lat, lon, limit_m=10_000) == town_net.snap(lat, lon, limit_m=10_000), (x, y)
