"""OSM data written by the tests: a tiny town laid out in metres, saved as OSM XML.

No real OpenStreetMap extract goes into the repo, so tests draw the streets they need. Every
way records whether the *fixture* considers it walkable (``walkable=``), independently of the
app's rules, so tests can check the app against the fixture's own intent.

The town (x east, y north, metres from the origin)::

        y=600  Kelly Drive  (0,600) ─────────── (400,600) ──
                             │rail        │bridge          │motorway foot=no
        y=450  ~~~~~~~~~~~~~ river ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
        y=300  Bainbridge St ┼──────┼──────┼──────┼
        y=200  Fitzwater St  ┼──────┼──────┼──────┼ ══steps══ (500,200) ─ (500,250) museum
        y=100  Christian St  ┼──────┼──────┼──────┼     (one-way west→east)
        y=0    Federal St    ┼──────┼──────┼──────┼  ╲ private road (300,0)→(400,100)
               8th St       9th    10th   11th   12th
        y=-400 an island footway (0,-400)─(100,-400), connected to nothing
"""

from __future__ import annotations

import bz2
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tourapp.stops import FilmedHere, Location, Source, Stop, Today

REPO = Path(__file__).resolve().parents[1]
#: The GPX 1.1 schema, kept in the repository (``tests/data/README.md`` says where it is from).
GPX_XSD_PATH = REPO / "tests" / "data" / "gpx-1.1.xsd"

ORIGIN = (39.95, -75.16)
M_PER_DEG_LAT = 111_000.0


def at(x_m: float, y_m: float, origin: tuple[float, float] = ORIGIN) -> tuple[float, float]:
    """``(lat, lon)`` of a point ``x_m`` east and ``y_m`` north of the origin (approximately)."""
    lat0, lon0 = origin
    return (
        round(lat0 + y_m / M_PER_DEG_LAT, 9),
        round(lon0 + x_m / (M_PER_DEG_LAT * math.cos(math.radians(lat0))), 9),
    )


@dataclass
class Way:
    id: int
    node_ids: list[int]
    tags: dict[str, str]
    walkable: bool


@dataclass
class OsmBuilder:
    """Collects nodes and ways; coordinates in metres are turned into lat/lon by :func:`at`."""

    origin: tuple[float, float] = ORIGIN
    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    ways: list[Way] = field(default_factory=list)
    _by_xy: dict[tuple[float, float], int] = field(default_factory=dict)

    def node(self, x_m: float, y_m: float) -> int:
        """The node at ``(x_m, y_m)``, shared by every way that passes there."""
        key = (round(x_m, 3), round(y_m, 3))
        if key not in self._by_xy:
            node_id = 1000 + len(self._by_xy)
            self._by_xy[key] = node_id
            self.nodes[node_id] = at(x_m, y_m, self.origin)
        return self._by_xy[key]

    def way(self, points: list[tuple[float, float]], *, walkable: bool, step_m: float = 0.0,
            **tags: str) -> Way:
        """A way through ``points`` (metres); ``step_m`` adds intermediate nodes on straight runs."""
        xy: list[tuple[float, float]] = [points[0]]
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            if step_m:
                n = max(1, round(math.hypot(x2 - x1, y2 - y1) / step_m))
                xy.extend((x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n) for i in range(1, n + 1))
            else:
                xy.append((x2, y2))
        way = Way(id=5000 + len(self.ways), node_ids=[self.node(x, y) for x, y in xy],
                  tags=dict(tags), walkable=walkable)
        self.ways.append(way)
        return way

    def walkable_ways(self) -> list[list[tuple[float, float]]]:
        """Each walkable way as a list of ``(lat, lon)``."""
        return [[self.nodes[n] for n in w.node_ids] for w in self.ways if w.walkable]

    def to_xml(self) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<osm version="0.6" generator="montage-run tests">']
        for node_id, (lat, lon) in self.nodes.items():
            lines.append(f'  <node id="{node_id}" version="1" lat="{lat}" lon="{lon}"/>')
        for way in self.ways:
            lines.append(f'  <way id="{way.id}" version="1">')
            lines.extend(f'    <nd ref="{n}"/>' for n in way.node_ids)
            lines.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in way.tags.items())
            lines.append("  </way>")
        lines.append("</osm>")
        return "\n".join(lines) + "\n"

    def write(self, path: Path) -> Path:
        """Write ``.osm`` (or ``.osm.bz2`` when the name says so)."""
        data = self.to_xml().encode("utf-8")
        path.write_bytes(bz2.compress(data) if path.suffix == ".bz2" else data)
        return path

    def overpass_elements(self) -> list[dict]:
        """The same data as Overpass JSON elements (what the stub server answers)."""
        elements: list[dict] = [
            {"type": "node", "id": node_id, "lat": lat, "lon": lon}
            for node_id, (lat, lon) in self.nodes.items()
        ]
        elements.extend({"type": "way", "id": w.id, "nodes": list(w.node_ids), "tags": dict(w.tags)}
                        for w in self.ways)
        return json.loads(json.dumps(elements))


STREETS_EW = {0: "Federal Street", 100: "Christian Street", 200: "Fitzwater Street",
              300: "Bainbridge Street"}
STREETS_NS = {0: "8th Street", 100: "9th Street", 200: "10th Street", 300: "11th Street",
              400: "12th Street"}

#: Named places of the town, in metres, for stops the tests build.
PLACES = {
    "federal-8th": (0, 0),
    "christian-12th": (400, 100),
    "christian-8th": (0, 100),
    "federal-11th": (300, 0),
    "christian-12th-corner": (400, 100),
    "north-bank-west": (0, 600),
    "north-bank-east": (400, 600),
    "museum": (500, 250),
    "bainbridge-8th": (0, 300),
    "island": (50, -400),
}


def town() -> OsmBuilder:
    """The test town of the module docstring."""
    b = OsmBuilder()
    for y, name in STREETS_EW.items():
        tags = {"highway": "residential", "name": name}
        if name == "Christian Street":
            tags["oneway"] = "yes"
        b.way([(0, y), (400, y)], walkable=True, step_m=25, **tags)
    for x, name in STREETS_NS.items():
        b.way([(x, 0), (x, 300)], walkable=True, step_m=25, highway="tertiary", name=name)
    b.way([(0, 600), (400, 600)], walkable=True, step_m=50, highway="secondary", name="Kelly Drive")
    b.way([(200, 300), (200, 600)], walkable=True, highway="footway", bridge="yes",
          name="Stone Bridge")
    b.way([(400, 300), (400, 600)], walkable=False, highway="motorway", foot="no",
          name="Schuylkill Expressway")
    b.way([(0, 300), (0, 600)], walkable=False, railway="rail", name="Connecting Railway")
    b.way([(-50, 450), (450, 450)], walkable=False, waterway="river", name="Schuylkill River")
    b.way([(300, 0), (400, 100)], walkable=False, highway="service", access="private",
          name="Private Lane")
    b.way([(400, 200), (500, 200)], walkable=True, highway="steps")
    b.way([(500, 200), (500, 250)], walkable=True, highway="footway")
    b.way([(0, -400), (100, -400)], walkable=True, highway="footway", name="Island Path")
    return b


_SOURCE = Source(key="test", title="Test data", publisher="tests", url="https://example.org/",
                 accessed="2025-01-01")


def make_stop(stop_id: str, lat: float, lon: float, *, name: str | None = None,
              montage_order: int | None = None, short_name: str | None = None) -> Stop:
    """A valid :class:`Stop` anywhere (the packaged data is not needed for unit tests)."""
    return Stop(
        id=stop_id,
        name=name or stop_id.replace("-", " ").title(),
        short_name=short_name or stop_id.replace("-", " ").capitalize(),
        real_place=f"The place called {stop_id}",
        address="1 Test Street",
        location=Location(lat=lat, lon=lon, source=_SOURCE, confidence="high", note="test"),
        montage_order=montage_order,
        scene=f"Rocky runs past {stop_id}.",
        exercise=None,
        filmed_here=FilmedHere(status="yes", note="test"),
        today=Today(description="test", access="public", note="test"),
        safety=(),
        sources=(_SOURCE,),
    )



def distance_to_polyline_m(point: tuple[float, float], line: list[tuple[float, float]]) -> float:
    """Metres from a point to a polyline, in a local plane (fine at a few hundred metres)."""
    lat0 = point[0]
    ky, kx = 111_132.0, 111_320.0 * math.cos(math.radians(lat0))
    px, py = 0.0, 0.0
    best = math.inf
    for (la1, lo1), (la2, lo2) in zip(line, line[1:]):
        ax, ay = (lo1 - point[1]) * kx, (la1 - point[0]) * ky
        bx, by = (lo2 - point[1]) * kx, (la2 - point[0]) * ky
        dx, dy = bx - ax, by - ay
        len2 = dx * dx + dy * dy
        t = 0.0 if len2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / len2))
        best = min(best, math.hypot(ax + t * dx - px, ay + t * dy - py))
    return best
