"""The walking street network: OpenStreetMap ways a runner may use, as a compact routable graph.

osmnx reads the OSM data (a local XML file, or the Overpass API) and networkx holds it while
we filter and simplify it; after that the graph is flattened into a handful of NumPy arrays
(:class:`StreetNetwork`) because that is what makes the app fast:

* arrays save to and load from an ``.npz`` cache in milliseconds (GraphML takes seconds for a
  city and pickle would execute whatever a tampered cache file says);
* SciPy's compiled Dijkstra runs on a CSR matrix built from them, once per fixed stop, when the
  network is prepared (:meth:`StreetNetwork.prepare`); every later leg is a walk along a
  predecessor array, so planning a tour costs milliseconds, not a graph search per request.

Sources, in the order :func:`load_network` tries them:

1. ``settings.osm_file`` (``.osm`` XML, optionally ``.bz2``), through ``osmnx.graph_from_xml``
   -- its parsed graph is cached, keyed by the file's path, size and modification time;
2. a graph cached in ``settings.cache_dir`` by an earlier :func:`fetch_network`, keyed by the
   Overpass URL and the bounding box;
3. nothing: :func:`load_network` returns ``None`` and routes fall back to straight legs.

Downloading (:func:`fetch_network`) happens only when asked, by ``tourapp network fetch``.

Pedestrian rules live in one predicate, :func:`is_walkable`, applied to every edge whatever
the source (``graph_from_xml`` keeps every way in the file -- rivers and railways included --
and an Overpass filter cannot express "unless foot=yes" in a single query).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .errors import NetworkUnavailable, StopNotReachable
from .geodesy import distance_m
from .settings import Settings

log = logging.getLogger(__name__)

#: Bump when the arrays saved in the cache change meaning; older cache files are then ignored.
CACHE_FORMAT = 3

#: Highway values a pedestrian may use (when no access tag says otherwise).
WALKABLE_HIGHWAYS = frozenset({
    "footway", "path", "pedestrian", "steps", "living_street", "residential", "service",
    "unclassified", "road", "track", "tertiary", "tertiary_link", "secondary",
    "secondary_link", "primary", "primary_link", "corridor", "crossing", "elevator",
})
#: Highway values walkable only when a tag grants pedestrians access (``foot=yes``, a sidewalk).
FOOT_TAG_REQUIRED_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "cycleway", "bridleway",
})
#: Highways that are not (or not yet / no longer) ways at all.
NOT_A_WAY = frozenset({
    "construction", "proposed", "planned", "abandoned", "razed", "disused", "no",
    "platform", "rest_area", "services", "bus_guideway", "busway", "raceway", "escape",
})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
FOOT_DENIED = frozenset({"no", "private", "use_sidepath"})
ACCESS_DENIED = frozenset({"no", "private"})
SIDEWALK_PRESENT = frozenset({"both", "left", "right", "yes"})

#: Overpass way filters (osmnx ``custom_filter``; osmnx sends one query per filter and merges
#: the answers). They only keep the download small -- :func:`is_walkable` makes the decision,
#: so a file and a download obey exactly the same rules. The second filter brings in ways that
#: the first excludes by type but that grant pedestrians access (``foot=yes`` motorway link,
#: a cycleway with ``foot=designated``, a trunk road with sidewalks).
WALK_FILTERS: tuple[str, ...] = (
    '["highway"]["area"!~"yes"]'
    '["highway"!~"^(motorway|motorway_link|trunk|trunk_link|cycleway|bridleway|'
    + "|".join(sorted(NOT_A_WAY)) + ')$"]'
    '["foot"!~"^(no|private|use_sidepath)$"]["access"!~"^(no|private)$"]["service"!~"^private$"]',
    '["highway"]["area"!~"yes"]["foot"~"^(yes|designated|permissive)$"]',
    '["highway"~"^(trunk|trunk_link)$"]["sidewalk"~"^(both|left|right|yes)$"]',
)

#: OSM way tags osmnx must keep on edges so that :func:`is_walkable` and the cue sheet can
#: read them (osmnx drops tags not listed in ``settings.useful_tags_way``).
WAY_TAGS = (
    "highway", "name", "ref", "foot", "access", "service", "area", "sidewalk", "footway",
    "oneway", "bridge", "tunnel", "junction",
)

#: Default margin around the stops' bounding box when downloading (metres): enough for a route
#: to swing out around the river or a rail yard without leaving the data.
DEFAULT_MARGIN_M = 1000.0
#: Spacing of the points the snapping index samples along every segment (metres).
_SNAP_SAMPLE_M = 40.0

Progress = Callable[[str], None]


def is_walkable(tags: Mapping[str, Any]) -> bool:
    """Whether a runner on foot may use an OSM way with these tags, in both directions.

    Rules (documented in the module and the issue): a ``highway`` is required (so rivers and
    railways never count); areas are skipped; ``foot=no|private|use_sidepath`` forbids;
    ``foot=yes|designated|permissive`` allows anything that is a real way; otherwise
    ``access=no|private`` and ``service=private`` forbid, motorways / trunks / cycleways /
    bridleways need a sidewalk tag (trunks) or nothing allows them, and the ordinary street and
    path types of :data:`WALKABLE_HIGHWAYS` are allowed. One-way tags are ignored on purpose:
    a pedestrian may walk a one-way street either way.
    """
    highway = _tag(tags, "highway")
    if not highway or highway in NOT_A_WAY:
        return False
    if _tag(tags, "area") == "yes":
        return False
    foot = _tag(tags, "foot")
    if foot in FOOT_DENIED:
        return False
    if foot in FOOT_ALLOWED:
        return True
    if _tag(tags, "access") in ACCESS_DENIED or _tag(tags, "service") == "private":
        return False
    if highway in FOOT_TAG_REQUIRED_HIGHWAYS:
        return highway.startswith("trunk") and _tag(tags, "sidewalk") in SIDEWALK_PRESENT
    return highway in WALKABLE_HIGHWAYS


def _tag(tags: Mapping[str, Any], key: str) -> str:
    """A tag value as a string; osmnx turns merged values into lists, take the first."""
    value = tags.get(key)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


# --------------------------------------------------------------------------------------------
# Bounding boxes and geodesic arithmetic on arrays


@dataclass(frozen=True)
class BBox:
    """A WGS84 box in degrees, the order osmnx 2 wants spelled out by name."""

    south: float
    west: float
    north: float
    east: float

    def as_osmnx(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)``, the tuple ``osmnx.graph_from_bbox`` takes."""
        return (self.west, self.south, self.east, self.north)

    def key(self) -> str:
        return f"{self.south:.4f},{self.west:.4f},{self.north:.4f},{self.east:.4f}"


def network_bbox(points: Iterable[tuple[float, float]], *, margin_m: float = DEFAULT_MARGIN_M) -> BBox:
    """The box around ``(lat, lon)`` points plus ``margin_m``, rounded outwards to 0.005°.

    Rounding keeps the cache key stable when a stop's coordinates are corrected by a few
    metres, so a small data fix does not force a new download.
    """
    pts = list(points)
    if not pts:
        raise ValueError("network_bbox needs at least one point")
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    d_lat = margin_m / 111_132.0
    d_lon = margin_m / (111_320.0 * math.cos(math.radians(sum(lats) / len(lats))))
    step = 0.005
    return BBox(
        south=math.floor((min(lats) - d_lat) / step) * step,
        west=math.floor((min(lons) - d_lon) / step) * step,
        north=math.ceil((max(lats) + d_lat) / step) * step,
        east=math.ceil((max(lons) + d_lon) / step) * step,
    )


def geodesic_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Ellipsoidal (WGS-84) distances in metres between arrays of points, vectorised.

    Vincenty's inverse formula: for the short segments of a street network it agrees with
    geopy's ``geodesic`` (Karney) to well under a millimetre (a test checks it), but runs on
    a whole city's 100,000 segments in milliseconds where one geopy call per segment takes
    ~0.15 ms each. Route-level distances still go through :mod:`tourapp.geodesy` (geopy).
    """
    a = 6378137.0
    f = 1 / 298.257223563
    b = a * (1 - f)
    lat1, lon1, lat2, lon2 = (np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2))
    big_l = np.radians(lon2 - lon1)
    u1 = np.arctan((1 - f) * np.tan(np.radians(lat1)))
    u2 = np.arctan((1 - f) * np.tan(np.radians(lat2)))
    sin_u1, cos_u1, sin_u2, cos_u2 = np.sin(u1), np.cos(u1), np.sin(u2), np.cos(u2)
    lam = big_l
    sin_sigma = cos_sigma = sigma = cos2_alpha = cos_2sm = np.zeros_like(big_l)
    for _ in range(200):
        sin_lam, cos_lam = np.sin(lam), np.cos(lam)
        sin_sigma = np.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = np.arctan2(sin_sigma, cos_sigma)
        safe = np.where(sin_sigma == 0, 1.0, sin_sigma)
        sin_alpha = np.where(sin_sigma == 0, 0.0, cos_u1 * cos_u2 * sin_lam / safe)
        cos2_alpha = 1 - sin_alpha**2
        safe_c = np.where(cos2_alpha == 0, 1.0, cos2_alpha)
        cos_2sm = np.where(cos2_alpha == 0, 0.0, cos_sigma - 2 * sin_u1 * sin_u2 / safe_c)
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if lam.size == 0 or np.max(np.abs(lam - previous)) < 1e-12:
            break
    u_sq = cos2_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = big_b * sin_sigma * (
        cos_2sm + big_b / 4 * (
            cos_sigma * (-1 + 2 * cos_2sm**2)
            - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
        )
    )
    return np.where(sin_sigma == 0, 0.0, b * big_a * (sigma - delta_sigma))


class LocalFrame:
    """An equirectangular plane in metres around a reference point.

    Used only to *search* (nearest segment, collinearity); every reported length is geodesic.
    Over a city the scale error is a fraction of a percent, irrelevant for picking a nearest
    segment or thinning points at a 1 m tolerance.
    """

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0 = lat0
        self.lon0 = lon0
        phi = math.radians(lat0)
        # metres per degree on the WGS-84 ellipsoid at this latitude
        self.ky = 111_132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
        self.kx = 111_412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)

    def xy(self, lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(lon, float) - self.lon0) * self.kx, (np.asarray(lat, float) - self.lat0) * self.ky

    def latlon(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(y, float) / self.ky + self.lat0, np.asarray(x, float) / self.kx + self.lon0


# --------------------------------------------------------------------------------------------
# The compact network


@dataclass(frozen=True)
class Snap:
    """Where a point meets the network: on ``edge`` at ``offset_m`` from the edge's first node."""

    edge: int
    offset_m: float
    lat: float
    lon: float
    distance_m: float


class StreetNetwork:
    """A walkable street graph as arrays: undirected edges with geometry, names and lengths.

    Attributes
    ----------
    node_lat, node_lon : ndarray of float64, shape (N,)
        Graph node positions (intersections and dead ends), degrees.
    edge_u, edge_v : ndarray of int32, shape (E,)
        End nodes of each undirected edge; its geometry runs from ``u`` to ``v``.
    edge_length_m : ndarray of float64, shape (E,)
        Geodesic length along the edge's geometry, metres.
    edge_name, edge_kind : ndarray of int32, shape (E,)
        Indices into :attr:`names` (OSM ``name``, ``""`` when unnamed) and :attr:`kinds`
        (``highway`` value, or ``sidewalk`` / ``crossing`` for such footways).
    geom_start : ndarray of int64, shape (E + 1,)
        Edge ``e``'s vertices are rows ``geom_start[e]:geom_start[e + 1]`` of ``geom_lat``,
        ``geom_lon`` and ``geom_cum_m`` (distance of the vertex from ``u``, metres).
    meta : dict
        Where the data came from (``source``, ``bbox``, ``built``), for the cache and the UI.
    """

    ARRAYS = (
        "node_lat", "node_lon", "edge_u", "edge_v", "edge_length_m", "edge_name", "edge_kind",
        "geom_start", "geom_lat", "geom_lon", "geom_cum_m",
    )

    def __init__(self, *, names: Sequence[str], kinds: Sequence[str], meta: Mapping[str, Any],
                 **arrays: np.ndarray) -> None:
        for name in self.ARRAYS:
            setattr(self, name, arrays[name])
        self.names: tuple[str, ...] = tuple(names)
        self.kinds: tuple[str, ...] = tuple(kinds)
        self.meta: dict[str, Any] = dict(meta)
        self._csr: _Csr | None = None
        self._snap_index: _SnapIndex | None = None
        self._prepared: dict[tuple[Any, ...], PreparedNetwork] = {}

    node_lat: np.ndarray
    node_lon: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_name: np.ndarray
    edge_kind: np.ndarray
    geom_start: np.ndarray
    geom_lat: np.ndarray
    geom_lon: np.ndarray
    geom_cum_m: np.ndarray

    def __repr__(self) -> str:
        return (f"<StreetNetwork {self.node_count:,} nodes, {self.edge_count:,} edges, "
                f"source {self.meta.get('source')!r}>")

    @property
    def node_count(self) -> int:
        return int(self.node_lat.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.edge_u.shape[0])

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_graph(cls, graph: Any, *, meta: Mapping[str, Any]) -> StreetNetwork:
        """Flatten an osmnx ``MultiDiGraph`` (already filtered) into arrays.

        Each pair of nodes keeps its shortest edge only: a pedestrian has no reason to take the
        longer of two parallel ways, and SciPy would otherwise *add* duplicate matrix entries.
        """
        node_ids = list(graph.nodes)
        index = {osmid: i for i, osmid in enumerate(node_ids)}
        node_lat = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
        node_lon = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)

        candidates: list[tuple[int, int, list[tuple[float, float]], str, str]] = []
        seen: set[tuple[int, int, int]] = set()
        for u_id, v_id, data in graph.edges(data=True):
            u, v = index[u_id], index[v_id]
            if u == v:
                continue  # rings: cannot lead anywhere a runner needs to go
            geometry = data.get("geometry")
            if geometry is not None:
                coords = [(lat, lon) for lon, lat in geometry.coords]
            else:
                coords = [(node_lat[u], node_lon[u]), (node_lat[v], node_lon[v])]
            if u > v:  # store each undirected edge once, geometry running from lower index
                u, v = v, u
                coords.reverse()
            # a bidirectional way arrives twice (u->v and v->u); keep one copy
            twin = (u, v, hash(tuple(coords)))
            if twin in seen:
                continue
            seen.add(twin)
            coords[0] = (node_lat[u], node_lon[u])
            coords[-1] = (node_lat[v], node_lon[v])
            candidates.append((u, v, coords, _tag(data, "name"), _kind(data)))

        # one vectorised geodesic call for every segment of every edge
        flat = np.array([c for cand in candidates for c in cand[2]], dtype=float).reshape(-1, 2)
        sizes = np.array([len(cand[2]) for cand in candidates], dtype=np.int64)
        ends = np.cumsum(sizes)
        seg_m = geodesic_m(flat[:-1, 0], flat[:-1, 1], flat[1:, 0], flat[1:, 1]) if len(flat) else np.zeros(0)
        seg_m = np.append(seg_m, 0.0)
        seg_m[ends - 1] = 0.0  # the "segment" from one edge's last vertex to the next edge's first
        best: dict[tuple[int, int], tuple[float, list[tuple[float, float]], str, str, np.ndarray]] = {}
        for k, (u, v, coords, name, kind) in enumerate(candidates):
            start = int(ends[k] - sizes[k])
            seg = seg_m[start:int(ends[k]) - 1]
            length = float(seg.sum())
            key = (u, v)
            if key in best and best[key][0] <= length:
                continue
            best[key] = (length, coords, name, kind, seg)

        names: dict[str, int] = {"": 0}
        kinds: dict[str, int] = {"": 0}
        edge_u, edge_v, lengths, name_ids, kind_ids = [], [], [], [], []
        starts = [0]
        g_lat: list[float] = []
        g_lon: list[float] = []
        g_cum: list[np.ndarray] = []
        for (u, v), (length, coords, name, kind, seg) in best.items():
            edge_u.append(u)
            edge_v.append(v)
            lengths.append(length)
            name_ids.append(names.setdefault(name, len(names)))
            kind_ids.append(kinds.setdefault(kind, len(kinds)))
            g_lat.extend(c[0] for c in coords)
            g_lon.extend(c[1] for c in coords)
            g_cum.append(np.concatenate(([0.0], np.cumsum(seg))))
            starts.append(starts[-1] + len(coords))
        return cls(
            node_lat=node_lat,
            node_lon=node_lon,
            edge_u=np.array(edge_u, dtype=np.int32),
            edge_v=np.array(edge_v, dtype=np.int32),
            edge_length_m=np.array(lengths, dtype=float),
            edge_name=np.array(name_ids, dtype=np.int32),
            edge_kind=np.array(kind_ids, dtype=np.int32),
            geom_start=np.array(starts, dtype=np.int64),
            geom_lat=np.array(g_lat, dtype=float),
            geom_lon=np.array(g_lon, dtype=float),
            geom_cum_m=np.concatenate(g_cum) if g_cum else np.zeros(0),
            names=list(names),
            kinds=list(kinds),
            meta=meta,
        )

    # -- cache ------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the arrays to an uncompressed ``.npz`` (atomically: a crash leaves no half file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "format": CACHE_FORMAT}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    names=np.array(self.names, dtype=str),
                    kinds=np.array(self.kinds, dtype=str),
                    meta=np.array(json.dumps(meta)),
                    **{name: getattr(self, name) for name in self.ARRAYS},
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> StreetNetwork:
        """Read a cache file written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is not a cache of the current :data:`CACHE_FORMAT`.
        """
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != CACHE_FORMAT:
                raise ValueError(f"{path}: cache format {meta.get('format')!r}, want {CACHE_FORMAT}")
            arrays = {name: data[name] for name in cls.ARRAYS}
            names = data["names"].tolist()
            kinds = data["kinds"].tolist()
        return cls(names=names, kinds=kinds, meta=meta, **arrays)

    # -- geometry helpers -------------------------------------------------------------------

    def edge_points(self, edge: int) -> np.ndarray:
        """The edge's vertices as an ``(n, 2)`` array of ``(lat, lon)``, from ``u`` to ``v``."""
        s, e = self.geom_start[edge], self.geom_start[edge + 1]
        return np.column_stack((self.geom_lat[s:e], self.geom_lon[s:e]))

    def point_at(self, edge: int, offset_m: float) -> tuple[float, float]:
        """The position ``offset_m`` metres along ``edge`` from its ``u`` end."""
        s, e = int(self.geom_start[edge]), int(self.geom_start[edge + 1])
        cum = self.geom_cum_m[s:e]
        lat = float(np.interp(offset_m, cum, self.geom_lat[s:e]))
        lon = float(np.interp(offset_m, cum, self.geom_lon[s:e]))
        return lat, lon

    def label(self, edge: int) -> tuple[str, str]:
        """``(name, kind)`` of an edge."""
        return self.names[int(self.edge_name[edge])], self.kinds[int(self.edge_kind[edge])]

    # -- snapping ---------------------------------------------------------------------------

    def snap(self, lat: float, lon: float, *, limit_m: float, what: str = "point") -> Snap:
        """The nearest point on any walkable edge, within ``limit_m`` metres.

        Raises
        ------
        StopNotReachable
            When no walkable way passes within ``limit_m``; the message names ``what``.
        """
        index = self._snap_index or self._build_snap_index()
        snap = index.nearest(lat, lon, self)
        if snap is None or snap.distance_m > limit_m:
            away = "" if snap is None else f" (nearest is {snap.distance_m:.0f} m away)"
            raise StopNotReachable(
                f"{what} is not within {limit_m:.0f} m of a walkable way{away}"
            )
        return snap

    def _build_snap_index(self) -> _SnapIndex:
        self._snap_index = _SnapIndex(self)
        return self._snap_index

    # -- routing ----------------------------------------------------------------------------

    @property
    def csr(self) -> _Csr:
        if self._csr is None:
            self._csr = _Csr.build(self, [])
        return self._csr

    def prepare(self, places: Sequence[tuple[str, float, float]], *, limit_m: float) -> PreparedNetwork:
        """Snap fixed places and compute a shortest-path tree from each (memoised).

        Parameters
        ----------
        places
            ``(key, lat, lon)`` for each fixed place, e.g. every stop of the catalogue; the key
            names the place in errors.
        limit_m
            Snap limit, metres.

        Raises
        ------
        StopNotReachable
            If a place is farther than ``limit_m`` from any walkable way.
        """
        memo_key = (tuple(places), float(limit_m))
        if memo_key not in self._prepared:
            self._prepared.clear()  # one live preparation is all an app needs
            self._prepared[memo_key] = PreparedNetwork(self, places, limit_m=limit_m)
        return self._prepared[memo_key]


def _kind(data: Mapping[str, Any]) -> str:
    highway = _tag(data, "highway")
    footway = _tag(data, "footway")
    if highway == "footway" and footway in {"sidewalk", "crossing"}:
        return footway
    return highway


class _SnapIndex:
    """A k-d tree of points sampled along every segment, to find the nearest segment fast.

    The nearest segment point is within ``spacing / 2`` of one of its samples, so searching
    all samples within ``d0 + spacing / 2`` of the query (``d0`` the nearest sample) finds
    every candidate; each is then projected onto exactly.
    """

    def __init__(self, net: StreetNetwork) -> None:
        lat0 = float(np.mean(net.node_lat)) if net.node_count else 0.0
        lon0 = float(np.mean(net.node_lon)) if net.node_count else 0.0
        self.frame = LocalFrame(lat0, lon0)
        x, y = self.frame.xy(net.geom_lat, net.geom_lon)
        counts = np.diff(net.geom_start)
        edge_of_vertex = np.repeat(np.arange(net.edge_count), counts)
        # segment i joins vertex i and i + 1 when both belong to the same edge
        is_seg = np.ones(len(x), dtype=bool)
        is_seg[net.geom_start[1:] - 1] = False
        seg_a = np.flatnonzero(is_seg[:-1]) if len(x) else np.zeros(0, dtype=np.int64)
        self.ax, self.ay = x[seg_a], y[seg_a]
        self.bx, self.by = x[seg_a + 1], y[seg_a + 1]
        self.seg_edge = edge_of_vertex[seg_a]
        self.seg_cum = net.geom_cum_m[seg_a]
        self.seg_geo = net.geom_cum_m[seg_a + 1] - self.seg_cum
        seg_len = np.hypot(self.bx - self.ax, self.by - self.ay)
        n_samples = np.maximum(1, np.ceil(seg_len / _SNAP_SAMPLE_M).astype(np.int64)) + 1
        owner = np.repeat(np.arange(len(seg_a)), n_samples)
        first = np.repeat(np.cumsum(n_samples) - n_samples, n_samples)
        t = (np.arange(owner.size) - first) / np.repeat(n_samples - 1, n_samples)
        sx = self.ax[owner] + t * (self.bx[owner] - self.ax[owner])
        sy = self.ay[owner] + t * (self.by[owner] - self.ay[owner])
        self.sample_seg = owner
        self.spacing = float(min(_SNAP_SAMPLE_M, seg_len.max() if seg_len.size else 0.0)) + 1e-9
        self.tree = cKDTree(np.column_stack((sx, sy))) if owner.size else None

    def nearest(self, lat: float, lon: float, net: StreetNetwork) -> Snap | None:
        if self.tree is None:
            return None
        px, py = (float(v) for v in self.frame.xy(lat, lon))
        d0, _ = self.tree.query((px, py))
        candidates = np.unique(self.sample_seg[self.tree.query_ball_point((px, py), d0 + self.spacing)])
        ax, ay = self.ax[candidates], self.ay[candidates]
        dx, dy = self.bx[candidates] - ax, self.by[candidates] - ay
        len2 = dx * dx + dy * dy
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.where(len2 == 0, 1, len2), 0, 1)
        qx, qy = ax + t * dx, ay + t * dy
        best = int(np.argmin(np.hypot(qx - px, qy - py)))
        seg = int(candidates[best])
        edge = int(self.seg_edge[seg])
        offset = float(self.seg_cum[seg] + t[best] * self.seg_geo[seg])
        snap_lat, snap_lon = net.point_at(edge, offset)
        return Snap(edge=edge, offset_m=offset, lat=snap_lat, lon=snap_lon,
                    distance_m=distance_m((lat, lon), (snap_lat, snap_lon)))


@dataclass(frozen=True)
class _Csr:
    """A symmetric CSR adjacency with, per stored entry, the piece of edge it stands for.

    ``piece_edge[k]``, ``piece_from[k]``, ``piece_to[k]``: entry ``k`` (row -> column) walks
    edge ``piece_edge[k]`` from offset ``piece_from`` to ``piece_to`` metres (decreasing when
    walked against the geometry). ``keys`` = ``row * n + col``, sorted, finds an entry fast.
    """

    matrix: csr_matrix
    keys: np.ndarray
    piece_edge: np.ndarray
    piece_from: np.ndarray
    piece_to: np.ndarray
    n: int

    @classmethod
    def build(cls, net: StreetNetwork, extra: Sequence[tuple[int, int, int, float, float]],
              n_extra_nodes: int = 0) -> _Csr:
        """Base edges plus ``extra`` pieces ``(a, b, edge, from_m, to_m)`` joining virtual nodes."""
        n = net.node_count + n_extra_nodes
        u, v = net.edge_u.astype(np.int64), net.edge_v.astype(np.int64)
        zeros = np.zeros(net.edge_count)
        ex = np.array(extra, dtype=float).reshape(-1, 5)
        ea, eb = ex[:, 0].astype(np.int64), ex[:, 1].astype(np.int64)
        ee, ef, et = ex[:, 2].astype(np.int64), ex[:, 3], ex[:, 4]
        edges = np.arange(net.edge_count)
        rows = np.concatenate((u, v, ea, eb))
        cols = np.concatenate((v, u, eb, ea))
        p_edge = np.concatenate((edges, edges, ee, ee))
        p_from = np.concatenate((zeros, net.edge_length_m, ef, et))
        p_to = np.concatenate((net.edge_length_m, zeros, et, ef))
        # zero-length entries would vanish from a sparse matrix; a micrometre keeps them
        weight = np.maximum(np.abs(p_to - p_from), 1e-6)
        keys = rows * n + cols
        order = np.argsort(keys, kind="stable")
        keys, rows, cols, weight = keys[order], rows[order], cols[order], weight[order]
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
        matrix = csr_matrix((weight, cols, indptr), shape=(n, n))
        return cls(matrix=matrix, keys=keys, piece_edge=p_edge[order], piece_from=p_from[order],
                   piece_to=p_to[order], n=n)

    def entries(self, path: np.ndarray) -> np.ndarray:
        """Entry index of each step ``path[i] -> path[i + 1]``."""
        return np.searchsorted(self.keys, path[:-1] * self.n + path[1:])


class PreparedNetwork:
    """A network with fixed places snapped and a shortest-path tree computed from each.

    The places become nodes (``virtual`` nodes where they fall mid-edge: the edge is split,
    its original entry kept -- the pieces add up to it, so no shortcut appears). One SciPy
    Dijkstra call from all of them gives a distance and a predecessor array per place, read
    backwards (the graph is undirected) for any leg ending at that place.
    """

    def __init__(self, net: StreetNetwork, places: Sequence[tuple[str, float, float]], *,
                 limit_m: float) -> None:
        self.net = net
        self.limit_m = float(limit_m)
        self.keys = tuple(p[0] for p in places)
        self.positions = {key: (float(lat), float(lon)) for key, lat, lon in places}
        self.snaps: dict[str, Snap] = {}
        for key, lat, lon in places:
            self.snaps[key] = net.snap(lat, lon, limit_m=limit_m, what=key)
        self.node_of: dict[str, int] = {}
        # chain of (offset, node) along every edge that carries a place
        self.chains: dict[int, list[tuple[float, int]]] = {}
        extra: list[tuple[int, int, int, float, float]] = []
        next_node = net.node_count
        by_edge: dict[int, dict[float, list[str]]] = {}
        for key, snap in self.snaps.items():
            length = float(net.edge_length_m[snap.edge])
            if snap.offset_m < 0.01:
                self.node_of[key] = int(net.edge_u[snap.edge])
            elif snap.offset_m > length - 0.01:
                self.node_of[key] = int(net.edge_v[snap.edge])
            else:
                by_edge.setdefault(snap.edge, {}).setdefault(round(snap.offset_m, 3), []).append(key)
        for edge, at in by_edge.items():
            chain = [(0.0, int(net.edge_u[edge]))]
            for offset in sorted(at):
                for key in at[offset]:
                    self.node_of[key] = next_node
                chain.append((offset, next_node))
                next_node += 1
            chain.append((float(net.edge_length_m[edge]), int(net.edge_v[edge])))
            for (o1, n1), (o2, n2) in zip(chain, chain[1:]):
                extra.append((n1, n2, edge, o1, o2))
            self.chains[edge] = chain
        self.csr = _Csr.build(net, extra, next_node - net.node_count)
        sources = np.array([self.node_of[k] for k in self.keys], dtype=np.int64)
        self.row_of = {k: i for i, k in enumerate(self.keys)}
        if len(sources):
            self.dist, self.pred = dijkstra(self.csr.matrix, directed=True, indices=sources,
                                            return_predecessors=True)
        else:
            self.dist = np.zeros((0, self.csr.n))
            self.pred = np.zeros((0, self.csr.n), dtype=np.int32)

    def __contains__(self, key: object) -> bool:
        return key in self.row_of

    def position_of(self, key: str) -> tuple[float, float]:
        """The ``(lat, lon)`` the place was prepared with (to notice a moved stop)."""
        return self.positions[key]

    def distance(self, a: str, b: str) -> float:
        """Shortest walking distance between two places, metres (``inf`` if cut off)."""
        return float(self.dist[self.row_of[a], self.node_of[b]])

    def path_between(self, a: str, b: str) -> list[tuple[int, float, float]]:
        """The pieces ``(edge, from_m, to_m)`` of the shortest path from ``a`` to ``b``."""
        row = self.row_of[b]  # walk b's tree from a back to b, i.e. forwards from a
        nodes = _walk_to_root(self.pred[row], self.node_of[a])
        return self._pieces(nodes)

    def attach(self, lat: float, lon: float, *, what: str = "start point") -> Attachment:
        """Snap a free point (a custom start) and read distances to every place from the trees."""
        snap = self.net.snap(lat, lon, limit_m=self.limit_m, what=what)
        chain = self.chains.get(snap.edge) or [
            (0.0, int(self.net.edge_u[snap.edge])),
            (float(self.net.edge_length_m[snap.edge]), int(self.net.edge_v[snap.edge])),
        ]
        lo = max((c for c in chain if c[0] <= snap.offset_m), key=lambda c: c[0])
        hi = min((c for c in chain if c[0] >= snap.offset_m), key=lambda c: c[0])
        to_lo = snap.offset_m - lo[0]
        to_hi = hi[0] - snap.offset_m
        dist_lo = self.dist[:, lo[1]] + to_lo
        dist_hi = self.dist[:, hi[1]] + to_hi
        use_hi = dist_hi < dist_lo
        return Attachment(snap=snap, lo=lo, hi=hi, use_hi=use_hi,
                          distances=np.where(use_hi, dist_hi, dist_lo))

    def path_from_attachment(self, att: Attachment, key: str) -> list[tuple[int, float, float]]:
        """Pieces from an attached free point to place ``key``."""
        row = self.row_of[key]
        offset, node = att.hi if att.use_hi[row] else att.lo
        first = [(att.snap.edge, att.snap.offset_m, offset)] if offset != att.snap.offset_m else []
        return first + self._pieces(_walk_to_root(self.pred[row], node))

    def _pieces(self, nodes: np.ndarray) -> list[tuple[int, float, float]]:
        if len(nodes) < 2:
            return []
        k = self.csr.entries(nodes)
        return list(zip(self.csr.piece_edge[k].tolist(), self.csr.piece_from[k].tolist(),
                        self.csr.piece_to[k].tolist()))


@dataclass(frozen=True)
class Attachment:
    """A free point snapped onto a prepared network, with its distance to every place."""

    snap: Snap
    lo: tuple[float, int]
    hi: tuple[float, int]
    use_hi: np.ndarray
    distances: np.ndarray


def _walk_to_root(pred: np.ndarray, node: int) -> np.ndarray:
    """Nodes from ``node`` back to the tree's root, following predecessors (root last)."""
    out = [node]
    previous = pred[node]
    while previous >= 0:
        out.append(int(previous))
        previous = pred[previous]
    return np.array(out, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Sources: XML file, cache, Overpass


@contextmanager
def _osmnx_settings(**values: Any) -> Iterator[Any]:
    """Set osmnx's module-level settings for one call and put them back afterwards.

    osmnx keeps its configuration in module globals; restoring them keeps other users of
    osmnx in the same process (tests, notebooks) unaffected.
    """
    import osmnx as ox

    saved = {name: getattr(ox.settings, name) for name in values}
    try:
        for name, value in values.items():
            setattr(ox.settings, name, value)
        yield ox
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)


def _useful_tags() -> list[str]:
    import osmnx as ox

    return sorted(set(ox.settings.useful_tags_way) | set(WAY_TAGS))


def filter_walkable(graph: Any) -> Any:
    """Drop every edge :func:`is_walkable` rejects, then the nodes left without edges.

    Needed because ``osmnx.graph_from_xml`` applies no filter: every way in the file (rivers,
    railways, motorways) arrives as an edge.
    """
    drop = [(u, v, k) for u, v, k, data in graph.edges(keys=True, data=True) if not is_walkable(data)]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return graph


def _finish(graph: Any, meta: Mapping[str, Any], progress: Progress | None) -> StreetNetwork:
    """Filter, simplify and flatten an unsimplified osmnx graph."""
    import osmnx as ox

    before = graph.number_of_edges()
    graph = filter_walkable(graph)
    _say(progress, f"kept {graph.number_of_edges():,} of {before:,} way edges as walkable")
    if graph.number_of_edges() == 0:
        raise NetworkUnavailable(f"no walkable ways in {meta.get('source')}")
    # keep a node wherever the street name or type changes: the cue sheet needs both per edge
    graph = ox.simplify_graph(graph, edge_attrs_differ=["name", "highway"])
    net = StreetNetwork.from_graph(graph, meta=meta)
    _say(progress, f"network ready: {net.node_count:,} nodes, {net.edge_count:,} edges")
    return net


def build_network_from_xml(path: Path | str, *, progress: Progress | None = None) -> StreetNetwork:
    """Parse an OSM XML file (``.osm`` or ``.osm.bz2``) into a walkable :class:`StreetNetwork`.

    Raises
    ------
    NetworkUnavailable
        If the file is missing, unreadable, or contains no walkable way.
    """
    path = Path(path)
    _say(progress, f"parsing {path}")
    try:
        with _osmnx_settings(useful_tags_way=_useful_tags()) as ox:
            # bidirectional: pedestrians walk one-way streets both ways; retain_all: a stop in a
            # cut-off part should fail with a clear message, not silently vanish
            graph = ox.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
    except (OSError, ValueError, KeyError, SyntaxError) as exc:  # ParseError is a SyntaxError
        raise NetworkUnavailable(f"cannot read OSM file {path}: {exc}") from exc
    return _finish(graph, {"source": f"file:{path.resolve()}", "bbox": None,
                           "built": time.time()}, progress)


def cache_file(settings: Settings, source_key: str) -> Path:
    """Where the graph for ``source_key`` is cached: a digest keeps file names short and safe."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{source_key}".encode()).hexdigest()[:20]
    return Path(settings.cache_dir) / f"walk-network-{digest}.npz"


def _file_key(path: Path) -> str:
    stat = path.stat()
    return f"file:{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _overpass_key(settings: Settings, bbox: BBox) -> str:
    return f"overpass:{settings.overpass_url}|{bbox.key()}"


def _try_load_cache(path: Path) -> StreetNetwork | None:
    if not path.is_file():
        return None
    try:
        return StreetNetwork.load(path)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable network cache %s: %s", path, exc)
        return None


def _try_save_cache(net: StreetNetwork, path: Path) -> None:
    try:
        net.save(path)
    except OSError as exc:  # a read-only cache dir costs speed, not correctness
        log.warning("cannot write network cache %s: %s", path, exc)


def load_network(settings: Settings, *, bbox: BBox | None = None,
                 progress: Progress | None = None) -> StreetNetwork | None:
    """The street network from a local source, or ``None``; never downloads.

    Parameters
    ----------
    settings
        ``osm_file`` and ``cache_dir`` are read.
    bbox
        The area the tours need (see :func:`network_bbox`); selects the cached download.

    Raises
    ------
    NetworkUnavailable
        Only when ``settings.osm_file`` is set but cannot be read: a configured file that is
        broken is an operator's mistake worth stopping for. A missing cache is not an error.
    """
    if settings.osm_file is not None:
        path = Path(settings.osm_file)
        if not path.is_file():
            raise NetworkUnavailable(f"OSM file {path} (TOURAPP_OSM_FILE) does not exist")
        cached_at = cache_file(settings, _file_key(path))
        net = _try_load_cache(cached_at)
        if net is None:
            net = build_network_from_xml(path, progress=progress)
            _try_save_cache(net, cached_at)
        return net
    if bbox is not None:
        return _try_load_cache(cache_file(settings, _overpass_key(settings, bbox)))
    return None


def fetch_network(settings: Settings, bbox: BBox, *, progress: Progress | None = None,
                  force: bool = False) -> StreetNetwork:
    """Download the walking network for ``bbox`` from Overpass (via osmnx) and cache it.

    Parameters
    ----------
    settings
        ``overpass_url``, ``overpass_timeout_s``, ``network_download`` and ``cache_dir``.
    bbox
        Area to download, e.g. ``network_bbox(stop positions)`` (which adds a margin).
    progress
        Called with a short human message at each stage (for the CLI's display).
    force
        Download even when a cached copy exists.

    Raises
    ------
    NetworkUnavailable
        When downloads are disabled or Overpass cannot be reached or answers nonsense.
    """
    target = cache_file(settings, _overpass_key(settings, bbox))
    if not force:
        cached = _try_load_cache(target)
        if cached is not None:
            _say(progress, f"using cached network {target}")
            return cached
    if not settings.network_download:
        raise NetworkUnavailable("network downloads are disabled (TOURAPP_NETWORK_DOWNLOAD)")
    _say(progress, f"downloading walking network for {bbox.key()} from {settings.overpass_url}")
    import requests

    _check_reachable(settings.overpass_url, timeout_s=min(10.0, settings.overpass_timeout_s))
    try:
        with _osmnx_settings(
            useful_tags_way=_useful_tags(),
            overpass_url=settings.overpass_url,
            requests_timeout=settings.overpass_timeout_s,
            use_cache=False,  # we cache the finished graph ourselves
        ) as ox:
            graph = ox.graph_from_bbox(
                bbox.as_osmnx(), network_type="walk", custom_filter=list(WALK_FILTERS),
                simplify=False, retain_all=True, truncate_by_edge=True,
            )
    except (requests.RequestException, OSError, ValueError) as exc:
        # osmnx's InsufficientResponseError and ResponseStatusCodeError are ValueErrors
        raise NetworkUnavailable(f"cannot download the street network: {exc}") from exc
    _say(progress, f"received {graph.number_of_nodes():,} nodes")
    net = _finish(graph, {"source": f"overpass:{settings.overpass_url}",
                          "bbox": bbox.key(), "built": time.time()}, progress)
    _try_save_cache(net, target)
    _say(progress, f"cached at {target}")
    return net


def _check_reachable(overpass_url: str, *, timeout_s: float) -> None:
    """Fail at once when the Overpass host cannot be reached at all.

    osmnx first asks ``/status`` for a slot and, when that request fails, sleeps a default
    60 s before trying anyway: on a machine with no internet ``make run`` would hang for a
    minute. Any HTTP answer (even an error status) means the host is there: osmnx decides.
    """
    import requests

    try:
        requests.get(f"{overpass_url.rstrip('/')}/status", timeout=timeout_s).close()
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise NetworkUnavailable(f"cannot reach {overpass_url}: {exc.__class__.__name__}") from exc


def _say(progress: Progress | None, message: str) -> None:
    log.info(message)
    if progress is not None:
        progress(message)
