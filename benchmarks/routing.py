"""How fast the street network loads and routes plan, on a generated city of realistic size.

Generates a ~50,000-intersection street grid as OSM XML (named streets and avenues, some
one-way streets, park footpaths, a river crossed only by a few bridges, a motorway pedestrians
may not use), then prints:

* graph build time from XML (cold parse through osmnx, filtering, simplification);
* cache write and cache load time (``.npz``);
* graph ready from cache (load + snap 11 stops + one SciPy Dijkstra per stop);
* planning the 7-stop montage tour warm (median of many runs);
* planning 11 stops + a custom start in shortest order (median);
* for comparison, plain networkx Dijkstra for the montage's six legs.

Never asserted in tests. Run: ``python benchmarks/routing.py [--side 224] [--runs 50]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tourapp.network import StreetNetwork, build_network_from_xml  # noqa: E402
from tourapp.routing import plan_route  # noqa: E402
from tourapp.stops import FilmedHere, Location, Source, Stop, Today  # noqa: E402

LAT0, LON0 = 39.90, -75.25
BLOCK_M = 80.0


def _latlon(x_m: float, y_m: float) -> tuple[float, float]:
    return (LAT0 + y_m / 111_132.0, LON0 + x_m / (111_320.0 * math.cos(math.radians(LAT0))))


def generate_city(path: Path, side: int) -> int:
    """Write a ``side`` x ``side`` grid city as OSM XML; returns the number of OSM nodes."""
    river_row = side // 2
    bridges = set(range(5, side, 25))
    node_id = {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="benchmark">']

    def node(i: int, j: int) -> int:
        key = (i, j)
        if key not in node_id:
            node_id[key] = len(node_id) + 1
            lat, lon = _latlon(i * BLOCK_M, j * BLOCK_M)
            lines.append(f'<node id="{node_id[key]}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
        return node_id[key]

    ways: list[tuple[list[int], dict[str, str]]] = []
    for j in range(side):
        if j == river_row:
            continue
        tags = {"highway": "residential" if j % 10 else "secondary", "name": f"{j + 1} Street"}
        if j % 3 == 1:
            tags["oneway"] = "yes"
        ways.append(([node(i, j) for i in range(side)], tags))
    for i in range(side):
        tags = {"highway": "tertiary" if i % 8 else "primary", "name": f"Avenue {i + 1}"}
        if i in bridges:
            ways.append(([node(i, j) for j in range(side)], tags))
        else:  # the river cuts every other avenue
            ways.append(([node(i, j) for j in range(river_row)], tags))
            ways.append(([node(i, j) for j in range(river_row + 1, side)], tags))
    for b in range(0, side - 1, 7):  # diagonal park paths through some blocks
        for c in range(3, side - 1, 11):
            if c in (river_row - 1, river_row):
                continue
            ways.append(([node(b, c), node(b + 1, c + 1)], {"highway": "footway"}))
    ways.append(([node(i, river_row) for i in range(0, side, 4)], {"waterway": "river", "name": "River"}))
    ways.append(([node(side - 1, j) for j in range(0, side, 3)], {"highway": "motorway", "foot": "no"}))
    for k, (nds, tags) in enumerate(ways):
        lines.append(f'<way id="{k + 1}" version="1">')
        lines.extend(f'<nd ref="{n}"/>' for n in nds)
        lines.extend(f"<tag k={quoteattr(a)} v={quoteattr(v)}/>" for a, v in tags.items())
        lines.append("</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return len(node_id)


def _stop(stop_id: str, x_m: float, y_m: float) -> Stop:
    source = Source(key="b", title="b", publisher="b", url="https://example.org/", accessed="2025-01-01")
    lat, lon = _latlon(x_m, y_m)
    return Stop(id=stop_id, name=stop_id, real_place=stop_id, address="", montage_order=None,
                location=Location(lat=lat, lon=lon, source=source, confidence="high", note=""),
                scene="", exercise=None, filmed_here=FilmedHere(status="yes", note=""),
                today=Today(description="", access="public", note=""), safety=(), sources=(source,))


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=224, help="grid side in intersections (224 -> ~50k)")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    side = args.side
    span = (side - 1) * BLOCK_M
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "city.osm"
        osm_nodes = generate_city(xml, side)
        print(f"generated {xml.stat().st_size / 1e6:.1f} MB OSM XML, {osm_nodes:,} nodes")

        build_s, net = _timed(lambda: build_network_from_xml(xml))
        assert isinstance(net, StreetNetwork)
        print(f"graph build from XML (cold parse)   {build_s:8.2f} s   "
              f"({net.node_count:,} nodes, {net.edge_count:,} edges)")
        cache = Path(tmp) / "city.npz"
        save_s, _ = _timed(lambda: net.save(cache))
        print(f"cache write                         {save_s * 1000:8.1f} ms  ({cache.stat().st_size / 1e6:.1f} MB)")
        load_s, cached = _timed(lambda: StreetNetwork.load(cache))
        assert isinstance(cached, StreetNetwork)
        print(f"cache load                          {load_s * 1000:8.1f} ms")

        f = span / 10
        montage = [_stop(f"m{i}", x, y) for i, (x, y) in enumerate(
            [(2 * f, 8 * f), (4 * f, 1 * f), (1 * f, 6 * f), (3 * f, 7.5 * f), (3.2 * f, 9 * f),
             (7 * f, 2 * f), (5 * f, 5.5 * f)])]
        others = [_stop(f"o{i}", x, y) for i, (x, y) in enumerate(
            [(2.2 * f, 8.3 * f), (3.1 * f, 7.2 * f), (2.4 * f, 8.1 * f), (5.1 * f, 5.4 * f)])]
        everyone = montage + others
        places = [(s.id, s.lat, s.lon) for s in everyone]

        def ready() -> object:
            fresh = StreetNetwork.load(cache)
            return fresh.prepare(places, limit_m=150)

        ready_s, prepared = _timed(ready)
        print(f"graph ready from cache (load + snap + 11 Dijkstra trees) {ready_s * 1000:6.1f} ms")

        montage_s = _median(lambda: plan_route(montage, network=prepared), args.runs)
        route = plan_route(montage, network=prepared)
        print(f"plan montage (7 stops) warm, median {montage_s * 1000:8.2f} ms  "
              f"({route.length_m / 1000:.1f} km, {len(route.points)} points)")
        start = _latlon(0.5 * f, 0.5 * f)
        big_s = _median(lambda: plan_route(everyone, network=prepared, start=start, order="shortest"), args.runs)
        big = plan_route(everyone, network=prepared, start=start, order="shortest")
        print(f"plan 11 stops + start, shortest order, median {big_s * 1000:6.2f} ms  "
              f"({big.length_m / 1000:.1f} km)")

        graph = nx.Graph()
        for u, v, length in zip(net.edge_u.tolist(), net.edge_v.tolist(), net.edge_length_m.tolist()):
            graph.add_edge(u, v, length=length)
        ends = [net.snap(s.lat, s.lon, limit_m=150) for s in montage]
        nodes = [int(net.edge_u[e.edge]) for e in ends]

        def nx_legs() -> None:
            for a, b in zip(nodes, nodes[1:]):
                nx.shortest_path(graph, a, b, weight="length")

        nx_s = _median(nx_legs, max(3, args.runs // 10))
        print(f"networkx Dijkstra, six legs, median {nx_s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
