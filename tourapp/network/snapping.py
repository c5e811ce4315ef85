"""Where a point meets the street network: the nearest spot on any walkable edge, fast.

Points are sampled along every segment and filed in a grid of square cells; the nearest
sample is found by searching ever larger squares of cells, then every segment with a sample
that close (plus one sample spacing) is projected onto exactly. The search runs in a local
metric frame; the reported distance is geodesic.

Why a grid and not a k-d tree: a grid is a handful of flat arrays, so it is built once with
the graph, saved in its cache (:mod:`.graph_cache`) and memory-mapped by every worker; a k-d
tree would be rebuilt by every worker at start-up, which on a city of a million nodes costs
seconds. A query reads a few cells, whatever the size of the city.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..geodesy import LocalFrame, distance_m

if TYPE_CHECKING:
    from .street_graph import StreetNetwork

#: Spacing of the points the index samples along every segment (metres).
SNAP_SAMPLE_M = 40.0
#: Side of a grid cell (metres); grown on a sparse network so that cells stay few.
SNAP_CELL_M = 100.0

#: The arrays of a :class:`SnapIndex`, as saved in the graph cache: ``(dtype kind, item size)``.
INDEX_ARRAYS: Mapping[str, tuple[str, int]] = {
    "snap_grid": ("f", 8), "snap_seg_vertex": ("i", 8), "snap_cell_ptr": ("i", 8),
    "snap_sample_x": ("f", 4), "snap_sample_y": ("f", 4), "snap_sample_seg": ("i", 4),
}


@dataclass(frozen=True)
class Snap:
    """Where a point meets the network: on ``edge`` at ``offset_m`` from the edge's first node."""

    edge: int
    offset_m: float
    lat: float
    lon: float
    distance_m: float


class SnapIndex:
    """Points sampled along every segment, filed by grid cell, to find the nearest segment fast.

    The nearest segment point is within ``spacing / 2`` of one of its samples, so searching
    all samples within ``d0 + spacing`` of the query (``d0`` the nearest sample) finds every
    candidate; each is then projected onto exactly, and on a tie the lowest segment wins.

    Arrays (see :data:`INDEX_ARRAYS`): ``snap_grid`` = frame origin (lat, lon), grid origin
    (x, y), cell side, columns, rows and sample spacing; ``snap_seg_vertex``: the first vertex
    of each segment; samples (x, y as float32 -- they only choose candidates -- and segment)
    sorted by cell, ``snap_cell_ptr`` where each cell's samples begin.
    """

    def __init__(self, net: StreetNetwork, arrays: Mapping[str, np.ndarray] | None = None) -> None:
        self.net = net
        self.arrays = dict(arrays) if arrays is not None else self.build_arrays(net)
        grid = self.arrays["snap_grid"]
        self.frame = LocalFrame(float(grid[0]), float(grid[1]))
        self.x0, self.y0, self.cell = float(grid[2]), float(grid[3]), float(grid[4])
        self.nx, self.ny, self.spacing = int(grid[5]), int(grid[6]), float(grid[7])
        self.seg_vertex = self.arrays["snap_seg_vertex"]
        self.cell_ptr = self.arrays["snap_cell_ptr"]
        self.sample_x = self.arrays["snap_sample_x"]
        self.sample_y = self.arrays["snap_sample_y"]
        self.sample_seg = self.arrays["snap_sample_seg"]

    @staticmethod
    def build_arrays(net: StreetNetwork) -> dict[str, np.ndarray]:
        """The index of ``net`` as arrays (what the graph cache saves)."""
        lat0 = float(np.mean(net.node_lat)) if net.node_count else 0.0
        lon0 = float(np.mean(net.node_lon)) if net.node_count else 0.0
        frame = LocalFrame(lat0, lon0)
        x, y = frame.xy(net.geom_lat, net.geom_lon)
        # segment i joins vertex i and i + 1 when both belong to the same edge
        is_seg = np.ones(len(x), dtype=bool)
        is_seg[net.geom_start[1:] - 1] = False
        seg_a = np.flatnonzero(is_seg[:-1]) if len(x) else np.zeros(0, dtype=np.int64)
        ax, ay, bx, by = x[seg_a], y[seg_a], x[seg_a + 1], y[seg_a + 1]
        seg_len = np.hypot(bx - ax, by - ay)
        n_samples = np.maximum(1, np.ceil(seg_len / SNAP_SAMPLE_M).astype(np.int64)) + 1
        owner = np.repeat(np.arange(len(seg_a)), n_samples)
        first = np.repeat(np.cumsum(n_samples) - n_samples, n_samples)
        t = (np.arange(owner.size) - first) / np.repeat(n_samples - 1, n_samples)
        # float32 is plenty to choose candidates; the cells are those of the stored values
        sx = (ax[owner] + t * (bx[owner] - ax[owner])).astype(np.float32).astype(np.float64)
        sy = (ay[owner] + t * (by[owner] - ay[owner])).astype(np.float32).astype(np.float64)
        spacing = float(min(SNAP_SAMPLE_M, seg_len.max() if seg_len.size else 0.0)) + 1e-9
        x_min = float(sx.min()) if sx.size else 0.0
        y_min = float(sy.min()) if sy.size else 0.0
        width = float(sx.max()) - x_min if sx.size else 0.0
        height = float(sy.max()) - y_min if sy.size else 0.0
        cell = SNAP_CELL_M
        while (math.floor(width / cell) + 1) * (math.floor(height / cell) + 1) > 4 * owner.size + 1024:
            cell *= 2  # a sparse network over a wide area: a few samples per cell at least
        nx, ny = math.floor(width / cell) + 1, math.floor(height / cell) + 1
        ix = np.minimum(((sx - x_min) / cell).astype(np.int64), nx - 1)
        iy = np.minimum(((sy - y_min) / cell).astype(np.int64), ny - 1)
        cell_id = iy * nx + ix
        order = np.argsort(cell_id, kind="stable")
        cell_ptr = np.concatenate(([0], np.cumsum(np.bincount(cell_id, minlength=nx * ny)))).astype(np.int64)
        return {
            "snap_grid": np.array([lat0, lon0, x_min, y_min, cell, nx, ny, spacing], dtype=np.float64),
            "snap_seg_vertex": seg_a.astype(np.int64),
            "snap_cell_ptr": cell_ptr,
            "snap_sample_x": sx[order].astype(np.float32),
            "snap_sample_y": sy[order].astype(np.float32),
            "snap_sample_seg": owner[order].astype(np.int32),
        }

    @staticmethod
    def inconsistency(arrays: Mapping[str, np.ndarray], n_vertices: int) -> str:
        """What is wrong with index arrays read back from a cache (sizes only), or ``""``."""
        for name, (kind, size) in INDEX_ARRAYS.items():
            array = arrays[name]
            if array.ndim != 1 or array.dtype.kind != kind or array.dtype.itemsize != size:
                return f"{name} is {array.dtype}{list(array.shape)}, want a 1-D {kind}{size}"
        grid = arrays["snap_grid"]
        if len(grid) != 8 or not np.all(np.isfinite(grid)) or grid[4] <= 0 or grid[5] < 1 or grid[6] < 1:
            return "the snap grid is malformed"
        ptr, n = arrays["snap_cell_ptr"], len(arrays["snap_sample_seg"])
        if len(ptr) != int(grid[5]) * int(grid[6]) + 1 or ptr[0] != 0 or ptr[-1] != n:
            return "the snap grid's cells do not span its samples"
        if len(arrays["snap_sample_x"]) != n or len(arrays["snap_sample_y"]) != n:
            return "the snap samples' arrays differ in length"
        if len(arrays["snap_seg_vertex"]) > max(n_vertices - 1, 0):
            return "the snap index has more segments than the geometry"
        return ""

    def _samples_near(self, px: float, py: float, radius: float) -> np.ndarray:
        """Indices of the samples in every cell that meets the square of ``radius`` around the point."""
        ix0 = max(0, math.floor((px - radius - self.x0) / self.cell))
        ix1 = min(self.nx - 1, math.floor((px + radius - self.x0) / self.cell))
        iy0 = max(0, math.floor((py - radius - self.y0) / self.cell))
        iy1 = min(self.ny - 1, math.floor((py + radius - self.y0) / self.cell))
        if ix0 > ix1 or iy0 > iy1:
            return np.zeros(0, dtype=np.int64)
        rows = np.arange(iy0, iy1 + 1, dtype=np.int64) * self.nx
        lo, hi = self.cell_ptr[rows + ix0], self.cell_ptr[rows + ix1 + 1]
        counts = hi - lo
        total = int(counts.sum())
        if not total:
            return np.zeros(0, dtype=np.int64)
        return np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(total, dtype=np.int64)

    def _distances(self, idx: np.ndarray, px: float, py: float) -> np.ndarray:
        return np.asarray(np.hypot(self.sample_x[idx].astype(np.float64) - px,
                                   self.sample_y[idx].astype(np.float64) - py))

    def nearest(self, lat: float, lon: float) -> Snap | None:
        """The nearest point on any edge, or ``None`` for a network without edges."""
        if not len(self.sample_seg):
            return None
        px, py = (float(v) for v in self.frame.xy(lat, lon))
        # the nearest sample: widen the square until one lies within its half-width
        outside = math.hypot(max(self.x0 - px, 0.0, px - (self.x0 + self.nx * self.cell)),
                             max(self.y0 - py, 0.0, py - (self.y0 + self.ny * self.cell)))
        radius = max(self.cell, outside + self.cell)
        while True:
            idx = self._samples_near(px, py, radius)
            d0 = float(self._distances(idx, px, py).min()) if len(idx) else math.inf
            if d0 <= radius or len(idx) == len(self.sample_seg):
                break
            radius *= 2
        reach = d0 + self.spacing
        near = self._samples_near(px, py, reach)
        near = near[self._distances(near, px, py) <= reach]
        candidates = np.unique(self.sample_seg[near]).astype(np.int64)
        v = self.seg_vertex[candidates]
        net = self.net
        ax, ay = self.frame.xy(net.geom_lat[v], net.geom_lon[v])
        bx, by = self.frame.xy(net.geom_lat[v + 1], net.geom_lon[v + 1])
        dx, dy = bx - ax, by - ay
        len2 = dx * dx + dy * dy
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.where(len2 == 0, 1, len2), 0, 1)
        qx, qy = ax + t * dx, ay + t * dy
        best = int(np.argmin(np.hypot(qx - px, qy - py)))  # ties: the lowest segment number
        vertex = int(v[best])
        edge = int(np.searchsorted(net.geom_start, vertex, side="right")) - 1
        seg_cum = float(net.geom_cum_m[vertex])
        offset = float(seg_cum + t[best] * (float(net.geom_cum_m[vertex + 1]) - seg_cum))
        snap_lat, snap_lon = net.point_at(edge, offset)
        return Snap(edge=edge, offset_m=offset, lat=snap_lat, lon=snap_lon,
                    distance_m=distance_m((lat, lon), (snap_lat, snap_lon)))
