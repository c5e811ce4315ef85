"""The walkable street graph as a handful of NumPy arrays, built the same way from the same data.

osmnx and networkx hold the graph while it is filtered and simplified; after that it is
flattened into :class:`StreetNetwork`, because arrays are what make the app fast: they save
to and load from an ``.npz`` cache in milliseconds (:mod:`.graph_cache`), a k-d tree snaps
points onto them (:mod:`.snapping`) and SciPy's Dijkstra runs on a CSR matrix built from them
(:mod:`.shortest_paths`).

The flattening is canonical: nodes are numbered in the order of their OpenStreetMap ids,
edges sorted by their end nodes (then geometry, name and kind), and the name and kind tables
sorted. Nothing depends on the order networkx yields nodes and edges or on Python's hash
seed, so every process that builds from the same OSM data gets the same arrays, the same
cache bytes, and therefore the same routes and cue sheets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StopNotReachable
from ..geodesy import LatLon, geodesic_m
from .osm_tags import edge_kind, tag
from .shortest_paths import PreparedNetwork
from .snapping import Snap, SnapIndex

#: One edge before flattening: end node indices (``u < v``), geometry from ``u``, name, kind.
_Candidate = tuple[int, int, tuple[LatLon, ...], str, str]


class StreetNetwork:
    """A walkable street graph as arrays: undirected edges with geometry, names and lengths.

    Attributes
    ----------
    node_lat, node_lon : ndarray of float64, shape (N,)
        Graph node positions (intersections and dead ends), degrees, in OSM id order.
    edge_u, edge_v : ndarray of int32, shape (E,)
        End nodes of each undirected edge, ``u < v``; its geometry runs from ``u`` to ``v``.
        Edges are sorted by ``(u, v)``.
    edge_length_m : ndarray of float64, shape (E,)
        Geodesic length along the edge's geometry, metres.
    edge_name, edge_kind : ndarray of int32, shape (E,)
        Indices into :attr:`names` (OSM ``name``, ``""`` when unnamed) and :attr:`kinds`
        (``highway`` value, or ``sidewalk`` / ``crossing`` for such footways); both sorted.
    geom_start : ndarray of int64, shape (E + 1,)
        Edge ``e``'s vertices are rows ``geom_start[e]:geom_start[e + 1]`` of ``geom_lat``,
        ``geom_lon`` and ``geom_cum_m`` (distance of the vertex from ``u``, metres).
    meta : dict
        Where the data came from (``source``, ``bbox``), for the cache and the status page.
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
        self._snap_index: SnapIndex | None = None
        self._prepared: dict[tuple[Any, ...], PreparedNetwork] = {}
        #: The cache file this network was read from or saved to, and what it holds (see
        #: :func:`.graph_cache.fingerprint`): prepared trees are kept beside it.
        self.cache_path: Path | None = None
        self.fingerprint: str | None = None

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
        """Flatten an osmnx ``MultiDiGraph`` (already filtered and simplified) into arrays.

        Each pair of nodes keeps its shortest edge only: a pedestrian has no reason to take the
        longer of two parallel ways, and SciPy would otherwise *add* duplicate matrix entries.
        Equally long parallel edges are told apart by geometry, then name, then kind.
        """
        node_ids = sorted(graph.nodes)
        index = {osmid: i for i, osmid in enumerate(node_ids)}
        node_lat = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
        node_lon = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)

        found: set[_Candidate] = set()
        for u_id, v_id, data in graph.edges(data=True):
            u, v = index[u_id], index[v_id]
            if u == v:
                continue  # rings: cannot lead anywhere a runner needs to go
            geometry = data.get("geometry")
            if geometry is not None:
                coords = [(float(lat), float(lon)) for lon, lat in geometry.coords]
            else:
                coords = [(node_lat[u], node_lon[u]), (node_lat[v], node_lon[v])]
            if u > v:  # store each undirected edge once, geometry running from lower index
                u, v = v, u
                coords.reverse()
            coords[0] = (float(node_lat[u]), float(node_lon[u]))
            coords[-1] = (float(node_lat[v]), float(node_lon[v]))
            # a bidirectional way arrives twice (u->v and v->u): the set keeps one copy
            found.add((u, v, tuple(coords), tag(data, "name"), edge_kind(data)))
        candidates = sorted(found)

        # one vectorised geodesic call for every segment of every edge
        flat = np.array([c for cand in candidates for c in cand[2]], dtype=float).reshape(-1, 2)
        sizes = np.array([len(cand[2]) for cand in candidates], dtype=np.int64)
        ends = np.cumsum(sizes)
        seg_m = geodesic_m(flat[:-1, 0], flat[:-1, 1], flat[1:, 0], flat[1:, 1]) if len(flat) else np.zeros(0)
        seg_m = np.append(seg_m, 0.0)
        seg_m[ends - 1] = 0.0  # the "segment" from one edge's last vertex to the next edge's first
        best: dict[tuple[int, int], tuple[float, _Candidate, np.ndarray]] = {}
        for k, cand in enumerate(candidates):
            start = int(ends[k] - sizes[k])
            seg = seg_m[start:int(ends[k]) - 1]
            length = float(seg.sum())
            key = (cand[0], cand[1])
            if key in best and best[key][0] <= length:
                continue  # candidates are sorted: on a tie the first one stays
            best[key] = (length, cand, seg)

        names = sorted({""} | {cand[3] for _, cand, _ in best.values()})
        kinds = sorted({""} | {cand[4] for _, cand, _ in best.values()})
        name_id = {name: i for i, name in enumerate(names)}
        kind_id = {kind: i for i, kind in enumerate(kinds)}
        edge_u, edge_v, lengths, name_ids, kind_ids = [], [], [], [], []
        starts = [0]
        g_lat: list[float] = []
        g_lon: list[float] = []
        g_cum: list[np.ndarray] = []
        for length, (u, v, points, name, kind), seg in best.values():  # in (u, v) order
            edge_u.append(u)
            edge_v.append(v)
            lengths.append(length)
            name_ids.append(name_id[name])
            kind_ids.append(kind_id[kind])
            g_lat.extend(c[0] for c in points)
            g_lon.extend(c[1] for c in points)
            g_cum.append(np.concatenate(([0.0], np.cumsum(seg))))
            starts.append(starts[-1] + len(points))
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
            names=names,
            kinds=kinds,
            meta=meta,
        )

    # -- cache ------------------------------------------------------------------------------

    def save(self, path: Path | str) -> None:
        """Write the cache file (see :func:`.graph_cache.save_network`)."""
        from .graph_cache import save_network

        save_network(self, Path(path))

    @classmethod
    def load(cls, path: Path | str) -> StreetNetwork:
        """Read a cache file (see :func:`.graph_cache.load_network_file`).

        Raises
        ------
        CacheUnreadable
            If the file is not a sound cache of the current format (a ``ValueError``).
        """
        from .graph_cache import load_network_file

        return load_network_file(Path(path))

    # -- geometry helpers -------------------------------------------------------------------

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

    def snap_index(self) -> SnapIndex:
        """The index that finds the nearest edge: read from the cache, or built on first use."""
        if self._snap_index is None:
            self._snap_index = SnapIndex(self)
        return self._snap_index

    def use_snap_index(self, index: SnapIndex) -> None:
        """Use an index read from the cache file instead of building one."""
        self._snap_index = index

    def snap(self, lat: float, lon: float, *, limit_m: float, what: str = "point") -> Snap:
        """The nearest point on any walkable edge, within ``limit_m`` metres.

        Raises
        ------
        StopNotReachable
            When no walkable way passes within ``limit_m``; the message names ``what``.
        """
        snap = self.snap_index().nearest(lat, lon)
        if snap is None or snap.distance_m > limit_m:
            away = "" if snap is None else f" (nearest is {snap.distance_m:.0f} m away)"
            raise StopNotReachable(
                f"{what} is not within {limit_m:.0f} m of a walkable way{away}"
            )
        return snap

    # -- routing ----------------------------------------------------------------------------

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
