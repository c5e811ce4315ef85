"""The street graph as arrays: only walkable ways, simplified, and the same from the same data."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from geopy.distance import geodesic
from osm_fixtures import REPO, OsmBuilder

from tourapp.network import StreetNetwork, build_network_from_xml

CENTER_CITY = REPO / "tests" / "data" / "center-city.osm.bz2"


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


def test_the_source_names_the_file_not_the_folder_it_sits_in(tmp_path: Path, town_data: OsmBuilder) -> None:
    net = build_network_from_xml(town_data.write(tmp_path / "town.osm"))
    assert net.meta["source"] == "file:town.osm"


def test_the_same_ways_in_another_order_give_the_same_arrays(tmp_path: Path, town_data: OsmBuilder,
                                                              town_net: StreetNetwork) -> None:
    shuffled = OsmBuilder(nodes=dict(reversed(town_data.nodes.items())), ways=town_data.ways[::-1],
                          _by_xy=dict(town_data._by_xy))
    net = build_network_from_xml(shuffled.write(tmp_path / "shuffled.osm"))
    assert (net.names, net.kinds) == (town_net.names, town_net.kinds)
    for name in StreetNetwork.ARRAYS:
        assert getattr(net, name).tobytes() == getattr(town_net, name).tobytes(), name


_BUILD = """
import hashlib, json, sys
from pathlib import Path
from tourapp.network import build_network_from_xml
net = build_network_from_xml(sys.argv[1])
net.save(Path(sys.argv[2]))
# Moshulu (Penn's Landing) to the Italian Market
prepared = net.prepare([("moshulu", 39.9425, -75.1417), ("market", 39.9386, -75.1577)], limit_m=300)
print(json.dumps({"order": list({"crossing", "sidewalk"}),
                  "cache": hashlib.sha256(Path(sys.argv[2]).read_bytes()).hexdigest(),
                  "path": prepared.path_between("moshulu", "market")}))
"""


@pytest.mark.slow
def test_two_builds_under_different_hash_seeds_give_byte_identical_caches(tmp_path: Path) -> None:
    results = []
    procs = []
    for seed in ("1", "4"):
        folder = tmp_path / f"seed-{seed}"  # a different folder each: paths must not matter
        folder.mkdir()
        osm = folder / CENTER_CITY.name
        osm.write_bytes(CENTER_CITY.read_bytes())
        env = {**os.environ, "PYTHONHASHSEED": seed}
        procs.append(subprocess.Popen([sys.executable, "-c", _BUILD, str(osm), str(folder / "net.npz")],
                                      env=env, cwd=REPO, stdout=subprocess.PIPE, text=True))
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        results.append(json.loads(out))
    first, second = results
    # the seeds are chosen so that the two processes iterate sets of strings differently
    assert first["order"] != second["order"]
    assert first["cache"] == second["cache"]
    assert first["path"] == second["path"] and len(first["path"]) > 5
    assert hashlib.sha256((tmp_path / "seed-1" / "net.npz").read_bytes()).hexdigest() == first["cache"]
