"""Where a point meets the street network: the nearest spot on any walkable edge, fast.

A k-d tree over points sampled along every segment finds the few segments that can be
nearest; each is then projected onto exactly. The search runs in a local metric frame; the
reported distance is geodesic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from ..geodesy import LocalFrame, distance_m

if TYPE_CHECKING:
    from .street_graph import StreetNetwork

#: Spacing of the points the index samples along every segment (metres).
SNAP_SAMPLE_M = 40.0


@dataclass(frozen=True)
class Snap:
    """Where a point meets the network: on ``edge`` at ``offset_m`` from the edge's first node."""

    edge: int
    offset_m: float
    lat: float
    lon: float
    distance_m: float


class SnapIndex:
    """A k-d tree of points sampled along every segment, to find the nearest segment fast.

    The nearest segment point is within ``spacing / 2`` of one of its samples, so searching
    all samples within ``d0 + spacing / 2`` of the query (``d0`` the nearest sample) finds
    every candidate; each is then projected onto exactly.
    """

    def __init__(self, net: StreetNetwork) -> None:
        self.net = net
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
        n_samples = np.maximum(1, np.ceil(seg_len / SNAP_SAMPLE_M).astype(np.int64)) + 1
        owner = np.repeat(np.arange(len(seg_a)), n_samples)
        first = np.repeat(np.cumsum(n_samples) - n_samples, n_samples)
        t = (np.arange(owner.size) - first) / np.repeat(n_samples - 1, n_samples)
        sx = self.ax[owner] + t * (self.bx[owner] - self.ax[owner])
        sy = self.ay[owner] + t * (self.by[owner] - self.ay[owner])
        self.sample_seg = owner
        self.spacing = float(min(SNAP_SAMPLE_M, seg_len.max() if seg_len.size else 0.0)) + 1e-9
        self.tree = cKDTree(np.column_stack((sx, sy))) if owner.size else None

    def nearest(self, lat: float, lon: float) -> Snap | None:
        """The nearest point on any edge, or ``None`` for a network without edges."""
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
        best = int(np.argmin(np.hypot(qx - px, qy - py)))  # ties: the lowest segment number
        seg = int(candidates[best])
        edge = int(self.seg_edge[seg])
        offset = float(self.seg_cum[seg] + t[best] * self.seg_geo[seg])
        snap_lat, snap_lon = self.net.point_at(edge, offset)
        return Snap(edge=edge, offset_m=offset, lat=snap_lat, lon=snap_lon,
                    distance_m=distance_m((lat, lon), (snap_lat, snap_lon)))
