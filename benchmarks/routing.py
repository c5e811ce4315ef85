"""What the street network costs as the area grows: generated cities of 50k to 1M nodes, and real data.

For each size a grid city is generated as OSM XML (named streets and avenues, some one-way
streets, park footpaths, a river crossed only by a few bridges, a motorway pedestrians may not
use; 80 m blocks) and measured in two fresh processes, so one size's memory never leaks into
the next one's figures:

* **build** (what ``tourapp network fetch`` or a new ``TOURAPP_OSM_FILE`` costs, once): graph
  build from XML through osmnx (cold parse, filtering, simplification), the ``.npz`` cache
  written, and the process's peak memory;
* **first start** (once per new cache): load, snap the 11 stops and compute their
  shortest-path trees (plain and turn-aware Dijkstra per stop), which are saved beside the
  cache;
* **worker** (what every app worker costs afterwards): ready from cache (load + snap + the
  saved trees memory-mapped, as the planner does at start-up; median of 3 fresh loads), the
  7-stop montage planned warm in the given order and 11 stops + a custom start in the shortest
  order (medians of ``--runs``), and the process's peak memory (``ru_maxrss``, which counts
  the mapped file pages it touched) -- also minus what the imports alone take, i.e. the
  network's own share -- and its private memory (what it does not share with other workers);
  then, for comparison, plain networkx Dijkstra for the montage's six legs (after the peak is
  read).

Times are wall clock and CPU (``time.process_time``): on a shared machine CPU is the steadier.

The tours stay the same size on every network (stops spread over the 17.8 km square of the
50k city, centred in bigger ones, the river through the middle): the question is what a
bigger *area* costs, since the app's tours do not grow with it.

Then the real OpenStreetMap extract in ``tests/data/center-city.osm.bz2`` (eastern Center
City, Society Hill, the Italian Market, Penn's Landing) through the same two steps, with the
catalogue stops that fall inside it, and the Moshulu -> Italian Market leg: its length, cues,
turns per km, and how much longer it is than the straight line.

Never asserted in tests. Run: ``python benchmarks/routing.py [--sizes 50k,250k,1m] [--runs 50]
[--no-real]``; ``--sizes 50k`` is the quick run.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LAT0, LON0 = 39.90, -75.25
BLOCK_M = 80.0
#: The tours are laid out over the square of the 224 x 224 (~50k node) city, whatever the size.
TOUR_SPAN_M = 223 * BLOCK_M
EXTRACT = REPO / "tests" / "data" / "center-city.osm.bz2"
LEG = ("moshulu", "italian-market")
#: Cue turns that are not a turn a runner makes.
NOT_TURNS = {"start", "straight", "arrive"}
READY_RUNS = 3
Result = dict[str, Any]


# --------------------------------------------------------------------------------------------
# the generated city


def _latlon(x_m: float, y_m: float) -> tuple[float, float]:
    return (LAT0 + y_m / 111_132.0, LON0 + x_m / (111_320.0 * math.cos(math.radians(LAT0))))


def generate_city(path: Path, side: int) -> int:
    """Write a ``side`` x ``side`` grid city as OSM XML; returns the number of OSM nodes."""
    river_row = side // 2
    bridges = set(range(5, side, 25))
    node_id: dict[tuple[int, int], int] = {}

    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="benchmark">\n')

        def node(i: int, j: int) -> int:
            key = (i, j)
            if key not in node_id:
                node_id[key] = len(node_id) + 1
                lat, lon = _latlon(i * BLOCK_M, j * BLOCK_M)
                out.write(f'<node id="{node_id[key]}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
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
        ways.append(([node(i, river_row) for i in range(0, side, 4)],
                     {"waterway": "river", "name": "River"}))
        ways.append(([node(side - 1, j) for j in range(0, side, 3)],
                     {"highway": "motorway", "foot": "no"}))
        for k, (nds, tags) in enumerate(ways):
            out.write(f'<way id="{k + 1}" version="1">\n')
            out.writelines(f'<nd ref="{n}"/>\n' for n in nds)
            out.writelines(f"<tag k={quoteattr(a)} v={quoteattr(v)}/>\n" for a, v in tags.items())
            out.write("</way>\n")
        out.write("</osm>\n")
    return len(node_id)


def side_for(size: str) -> int:
    """Grid side for a size such as ``50k``, ``1m`` or ``120000`` (nodes = side squared)."""
    text = size.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        nodes = float(text[:-1] if scale != 1 else text) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 50k, 250k, 1m or 120000, got {size!r}") from None
    if nodes < 100:
        raise argparse.ArgumentTypeError(f"size must be at least 100 nodes, got {size!r}")
    return 224 if text == "50k" else round(math.sqrt(nodes))


def _tour(side: int) -> tuple[list[Any], list[Any], tuple[float, float]]:
    """The montage (7 stops), 4 more stops and a custom start, at the same places on any city."""
    from tourapp.stops import FilmedHere, Location, Source, Stop, Today

    source = Source(key="b", title="b", publisher="b", url="https://example.org/", accessed="2025-01-01")

    def stop(stop_id: str, x_m: float, y_m: float) -> Stop:
        lat, lon = _latlon(x_m, y_m)
        return Stop(id=stop_id, name=stop_id, short_name=stop_id, real_place=stop_id, address="", montage_order=None,
                    location=Location(lat=lat, lon=lon, source=source, confidence="high", note=""),
                    scene="", exercise=None, filmed_here=FilmedHere(status="yes", note=""),
                    today=Today(description="", access="public", note=""), safety=(),
                    sources=(source,))

    span = (side - 1) * BLOCK_M
    tour_span = min(span, TOUR_SPAN_M)
    off = (span - tour_span) / 2
    f = tour_span / 10
    montage = [stop(f"m{i}", off + x * f, off + y * f) for i, (x, y) in enumerate(
        [(2, 8), (4, 1), (1, 6), (3, 7.5), (3.2, 9), (7, 2), (5, 5.5)])]
    others = [stop(f"o{i}", off + x * f, off + y * f) for i, (x, y) in enumerate(
        [(2.2, 8.3), (3.1, 7.2), (2.4, 8.1), (5.1, 5.4)])]
    return montage, others, _latlon(off + 0.5 * f, off + 0.5 * f)


# --------------------------------------------------------------------------------------------
# measuring


#: CPU seconds (``time.process_time``) of the last :func:`_timed` call and the median of the
#: last :func:`_median_s` call: the machine may be shared, and CPU time is what a loaded
#: machine does not inflate.
_CPU: dict[str, float] = {"timed": 0.0, "median": 0.0}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    _CPU["timed"] = time.process_time() - c
    return time.perf_counter() - t, result


def _median_s(fn: Callable[[], object], runs: int) -> float:
    times, cpus = [], []
    for _ in range(max(1, runs)):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    _CPU["median"] = statistics.median(cpus)
    return statistics.median(times)


def _peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_build(xml: Path, cache: Path) -> Result:
    """Build the network from OSM XML and write its cache (run in its own process)."""
    from tourapp.network import build_network_from_xml

    build_s, net = _timed(lambda: build_network_from_xml(xml))
    save_s, _ = _timed(lambda: net.save(cache))
    return {"nodes": net.node_count, "edges": net.edge_count, "build_s": build_s,
            "save_s": save_s, "cache_mb": cache.stat().st_size / 1e6, "build_peak_mb": _peak_mb()}


def _ready(cache: Path, places: Sequence[tuple[str, float, float]]) -> Any:
    """What the planner does at start-up: load the cache, snap the places, one tree per place."""
    from tourapp.errors import StopNotReachable
    from tourapp.network import StreetNetwork

    net = StreetNetwork.load(cache)
    reachable = []
    for key, lat, lon in places:
        try:
            net.snap(lat, lon, limit_m=150, what=key)
        except StopNotReachable:
            continue  # the planner logs it and plans without that stop
        reachable.append((key, lat, lon))
    return net.prepare(reachable, limit_m=150)


def _places(side: int) -> list[tuple[str, float, float]]:
    """The places a worker prepares: the generated city's 11 stops, or (``side`` 0) the catalogue."""
    if side:
        montage, others, _ = _tour(side)
        return [(s.id, s.lat, s.lon) for s in montage + others]
    from tourapp.stops import load_stops

    return [(s.id, s.lat, s.lon) for s in load_stops().values()]


def child_prepare(side: int, cache: Path) -> Result:
    """The first start on a new cache: the trees computed and saved beside it (own process)."""
    places = _places(side)
    imports_mb = _peak_mb()
    first_s, _ = _timed(lambda: _ready(cache, places))
    saved = sum(p.stat().st_size for p in cache.parent.glob(f"{cache.name}.prepared-*"))
    return {"first_start_s": first_s, "first_start_cpu_s": _CPU["timed"], "trees_mb": saved / 1e6,
            "first_start_peak_mb": _peak_mb(), "first_start_imports_mb": imports_mb}


def _private_mb() -> float | None:
    """Memory this process has written and holds alone, MB (``Private_Dirty``): not the mapped
    cache and trees, whose pages the kernel shares between workers and can drop and re-read."""
    try:
        text = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return None
    kb = sum(int(line.split()[1]) for line in text.splitlines()
             if line.startswith("Private_Dirty:"))
    return kb / 1024


def _more_readies(cache: Path, places: Sequence[tuple[str, float, float]], first_s: float) -> float:
    """Median ready time over the first and READY_RUNS - 1 more fresh loads, seconds.

    Called after the worker's peak memory is read: the loads overlap the first network.
    """
    first_cpu = _CPU["timed"]
    rest, cpus = [], [first_cpu]
    for _ in range(READY_RUNS - 1):
        rest.append(_timed(lambda: _ready(cache, places))[0])
        cpus.append(_CPU["timed"])
    _CPU["median"] = statistics.median(cpus)
    return statistics.median([first_s, *rest])


def child_serve(side: int, cache: Path, runs: int) -> Result:
    """A worker on a cached network: ready time, warm plans, peak memory (own process)."""
    from tourapp.network import StreetNetwork
    from tourapp.planner import plan_route

    montage, others, start = _tour(side)
    everyone = montage + others
    places = [(s.id, s.lat, s.lon) for s in everyone]
    imports_mb = _peak_mb()
    first_s, prepared = _timed(lambda: _ready(cache, places))
    first_cpu = _CPU["timed"]
    montage_s = _median_s(lambda: plan_route(montage, network=prepared), runs)
    montage_cpu = _CPU["median"]
    route = plan_route(montage, network=prepared)
    big_s = _median_s(lambda: plan_route(everyone, network=prepared, start=start, order="shortest"), runs)
    big_cpu = _CPU["median"]
    big = plan_route(everyone, network=prepared, start=start, order="shortest")
    result = {"imports_mb": imports_mb, "worker_peak_mb": _peak_mb(), "ready_first_s": first_s,
              "worker_private_mb": _private_mb(),
              "ready_first_cpu_s": first_cpu, "montage_s": montage_s, "montage_cpu_s": montage_cpu,
              "montage_km": route.length_m / 1000, "montage_points": len(route.points),
              "eleven_s": big_s, "eleven_cpu_s": big_cpu, "eleven_km": big.length_m / 1000}
    _CPU["timed"] = first_cpu
    result["ready_s"] = _more_readies(cache, places, first_s)
    result["ready_cpu_s"] = _CPU["median"]

    import networkx as nx  # for comparison only, after the peak is read

    net = StreetNetwork.load(cache)
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist(),
                                      net.edge_length_m.tolist()), weight="length")
    nodes = [int(net.edge_u[net.snap(s.lat, s.lon, limit_m=150).edge]) for s in montage]

    def nx_legs() -> None:
        for a, b in zip(nodes, nodes[1:]):
            nx.shortest_path(graph, a, b, weight="length")

    result["networkx_s"] = _median_s(nx_legs, max(3, runs // 10))
    return result


def child_real_serve(cache: Path, runs: int) -> Result:
    """The real extract as a worker sees it, and the Moshulu -> Italian Market leg."""
    from tourapp.geodesy import distance_m
    from tourapp.planner import plan_route
    from tourapp.stops import load_stops

    stops = load_stops()
    imports_mb = _peak_mb()
    places = [(s.id, s.lat, s.lon) for s in stops.values()]
    first_s, prepared = _timed(lambda: _ready(cache, places))
    first_cpu = _CPU["timed"]
    pair = [stops[s] for s in LEG]
    leg_s = _median_s(lambda: plan_route(pair, network=prepared), runs)
    route = plan_route(pair, network=prepared)
    worker_peak_mb = _peak_mb()
    private_mb = _private_mb()
    _CPU["timed"] = first_cpu
    ready_s = _more_readies(cache, places, first_s)
    cues = route.legs[0].cues
    turns = [c for c in cues if c.turn not in NOT_TURNS]
    straight_m = distance_m((pair[0].lat, pair[0].lon), (pair[1].lat, pair[1].lon))
    return {"imports_mb": imports_mb, "ready_first_s": first_s, "ready_s": ready_s,
            "ready_first_cpu_s": first_cpu, "ready_cpu_s": _CPU["median"],
            "worker_peak_mb": worker_peak_mb, "worker_private_mb": private_mb,
            "stops_inside": len(prepared.keys),
            "leg_s": leg_s, "leg_m": route.length_m, "straight_m": straight_m,
            "street_following": route.street_following, "cues": len(cues), "turns": len(turns),
            "streets": [c.street for c in cues if c.turn != "arrive"]}


def run_child(args: Sequence[str], memory_limit_gb: float | None) -> Result:
    """Run this script's ``--child`` step in a fresh interpreter; its JSON answer, or an error."""
    def limit() -> None:  # a runaway size fails alone instead of waking the OOM killer
        if memory_limit_gb:
            cap = int(memory_limit_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, preexec_fn=limit, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        if "MemoryError" in proc.stderr:
            last = f"out of memory (limit {memory_limit_gb:.1f} GB)"
        return {"error": last}
    answer: Result = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


# --------------------------------------------------------------------------------------------
# the table


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "ms":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:,.0f} MB" if value >= 10 else f"{value:.1f} MB"
    if unit == "km":
        return f"{value:.1f} km"
    if unit == "n":
        return f"{value:,}"
    return str(value)


ROWS: tuple[tuple[str, str, str], ...] = (
    ("graph nodes", "nodes", "n"),
    ("graph edges", "edges", "n"),
    ("OSM XML", "xml_mb", "MB"),
    ("build from XML (osmnx)", "build_s", "s"),
    ("build: peak memory", "build_peak_mb", "MB"),
    ("cache file (.npz)", "cache_mb", "MB"),
    ("cache write", "save_s", "ms"),
    ("1st start: trees computed", "first_start_s", "ms"),
    ("  CPU", "first_start_cpu_s", "ms"),
    ("  trees saved beside cache", "trees_mb", "MB"),
    ("  peak memory", "first_start_peak_mb", "MB"),
    ("ready from cache, 1st", "ready_first_s", "ms"),
    ("  CPU", "ready_first_cpu_s", "ms"),
    ("ready from cache, median", "ready_s", "ms"),
    ("  CPU", "ready_cpu_s", "ms"),
    ("plan montage (7), median", "montage_s", "ms"),
    ("  CPU", "montage_cpu_s", "ms"),
    ("  montage route", "montage_km", "km"),
    ("plan 11 + start, shortest", "eleven_s", "ms"),
    ("  CPU", "eleven_cpu_s", "ms"),
    ("  11-stop route", "eleven_km", "km"),
    ("worker: peak memory", "worker_peak_mb", "MB"),
    ("worker: network's share", "network_mb", "MB"),
    ("worker: own (dirty) memory", "worker_private_mb", "MB"),
    ("networkx, six legs", "networkx_s", "ms"),
)
#: Figures whose growth with the node count is worth a sentence.
GROWTH = (("build time", "build_s"), ("build peak memory", "build_peak_mb"),
          ("cache file", "cache_mb"), ("ready from cache", "ready_s"),
          ("ready from cache, CPU", "ready_cpu_s"), ("montage plan", "montage_s"),
          ("montage plan, CPU", "montage_cpu_s"), ("11-stop plan", "eleven_s"),
          ("11-stop plan, CPU", "eleven_cpu_s"),
          ("worker peak memory", "worker_peak_mb"), ("network's share of a worker", "network_mb"),
          ("worker's own (dirty) memory", "worker_private_mb"), ("1st start, trees computed", "first_start_s"),
          ("1st start, CPU", "first_start_cpu_s"))


def print_table(columns: Sequence[tuple[str, Result]]) -> None:
    width = max(14, *(len(name) + 2 for name, _ in columns))
    head = f"{'':28}" + "".join(f"{name:>{width}}" for name, _ in columns)
    print(head)
    print("-" * len(head))
    for label, key, unit in ROWS:
        cells = "".join(f"{_fmt(r.get(key), unit):>{width}}" for _, r in columns)
        print(f"{label:28}{cells}")


def exponent(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log y on log x: y ~ x ** slope."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line y = a + b x."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def print_growth(columns: Sequence[tuple[str, Result]]) -> None:
    done = [(name, r) for name, r in columns if "nodes" in r and "error" not in r]
    if len(done) < 2:
        return
    print(f"\nHow each figure grows with the node count N ({', '.join(n for n, _ in done)}):")
    for label, key in GROWTH:
        pairs = [(r["nodes"], r[key]) for _, r in done if r.get(key)]
        if len(pairs) < 2:
            continue
        xs, ys = zip(*pairs)
        b = exponent(xs, ys)
        steps = ", ".join(f"x{y2 / y1:.1f}" for y1, y2 in zip(ys, ys[1:]))
        shape = ("flat" if abs(b) < 0.25 else "falling" if b < 0 else "linear" if 0.8 <= b <= 1.2
                 else "sub-linear" if b < 0.8 else "super-linear")
        print(f"  {label:29} ~ N^{b:4.2f}  ({shape}; {steps} as N grows x{xs[-1] / xs[0]:.0f})")
    for label, key in (("worker peak memory", "worker_peak_mb"), ("cache file", "cache_mb"),
                       ("build peak memory", "build_peak_mb")):
        pairs = [(r["nodes"], r[key]) for _, r in done if r.get(key)]
        if len(pairs) >= 2:
            a, b = linear_fit(*zip(*pairs))
            print(f"  {label:29} ~ {round(a):,} MB + {b * 1e6 / 1e3:,.2f} KB per node "
                  f"({b * 1e5:,.0f} MB per 100k nodes)")


def print_real(result: Result) -> None:
    if "error" in result:
        print(f"\nreal extract: failed: {result['error']}")
        return
    km = result["leg_m"] / 1000
    print(f"\nReal OSM extract {EXTRACT.name}: {result['nodes']:,} nodes, {result['edges']:,} edges, "
          f"{result['stops_inside']} catalogue stops inside it")
    print(f"Moshulu -> Italian Market: {km:.2f} km along the streets "
          f"(street_following {str(result['street_following']).lower()}), "
          f"{result['straight_m'] / 1000:.2f} km straight, x{result['leg_m'] / result['straight_m']:.2f}; "
          f"{result['cues']} cues, {result['turns']} turns = {result['turns'] / km:.1f} turns per km; "
          f"planned in {result['leg_s'] * 1000:.1f} ms")
    print("  via " + " -> ".join(result["streets"]))


# --------------------------------------------------------------------------------------------


def _available_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def _child_main(argv: Sequence[str]) -> None:
    logging.disable(logging.WARNING)  # stops outside the real extract are expected
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=("build", "prepare", "serve", "real-serve"))
    parser.add_argument("--xml", type=Path)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--side", type=int, default=224)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    if args.step == "build":
        result = child_build(args.xml, args.cache)
    elif args.step == "prepare":
        result = child_prepare(args.side, args.cache)
    elif args.step == "serve":
        result = child_serve(args.side, args.cache, args.runs)
    else:
        result = child_real_serve(args.cache, args.runs)
    print(json.dumps(result))


def measure(name: str, xml: Path, cache: Path, steps: Sequence[Sequence[str]],
            memory_limit_gb: float | None) -> Result:
    result: Result = {}
    for step in steps:
        print(f"[{name}] {step[0]} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        answer = run_child([*step, "--cache", str(cache), "--xml", str(xml)], memory_limit_gb)
        print(f"[{name}] {step[0]} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
        result.update(answer)
        if "error" in answer:
            print(f"[{name}] {step[0]} failed: {answer['error']}", file=sys.stderr, flush=True)
            break
    if "worker_peak_mb" in result:
        result["network_mb"] = result["worker_peak_mb"] - result["imports_mb"]
    return result


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50k,250k,1m",
                        help="comma-separated network sizes in nodes (50k, 250k, 1m, 120000); '' for none")
    parser.add_argument("--runs", type=int, default=50, help="repetitions of each warm plan (median)")
    parser.add_argument("--real", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the real Center City extract")
    available = _available_gb()
    parser.add_argument("--memory-limit-gb", type=float,
                        default=None if available is None else round(available * 0.85, 1),
                        help="address-space cap per measuring process (default 85%% of available)")
    args = parser.parse_args()
    sizes = [s for s in args.sizes.split(",") if s.strip()]
    sides = [side_for(s) for s in sizes]
    started = time.perf_counter()
    columns: list[tuple[str, Result]] = []
    with tempfile.TemporaryDirectory(prefix="routing-bench-") as tmp:
        for size, side in zip(sizes, sides):
            xml = Path(tmp) / f"city-{side}.osm"
            cache = Path(tmp) / f"city-{side}.npz"
            print(f"[{size}] generating a {side} x {side} grid ...", file=sys.stderr, flush=True)
            osm_nodes = generate_city(xml, side)
            result = measure(size, xml, cache, [["build"], ["prepare", "--side", str(side)],
                                                ["serve", "--side", str(side), "--runs", str(args.runs)]],
                             args.memory_limit_gb)
            result.update(osm_nodes=osm_nodes, xml_mb=xml.stat().st_size / 1e6)
            xml.unlink()
            cache.unlink(missing_ok=True)
            for trees in cache.parent.glob(f"{cache.name}.prepared-*"):
                trees.unlink()
            columns.append((size, result))
        real: Result | None = None
        if args.real:
            real = measure("center-city", EXTRACT, Path(tmp) / "center-city.npz",
                           [["build"], ["prepare", "--side", "0"], ["real-serve", "--runs", str(args.runs)]],
                           args.memory_limit_gb)
            real["xml_mb"] = EXTRACT.stat().st_size / 1e6
            columns.append(("center-city", real))

    print(f"\nStreet network cost by size ({args.runs} runs per plan; "
          f"center-city's XML is bzip2, its montage columns do not apply)\n")
    print_table(columns)
    for name, r in columns:
        if "error" in r:
            print(f"  {name}: failed: {r['error']}")
    print_growth([c for c in columns if c[0] != "center-city"])
    if real is not None:
        print_real(real)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
