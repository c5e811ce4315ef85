"""Geometry on the WGS84 ellipsoid: the one home for distances, bearings, boxes and frames.

Everything returns SI units (metres, degrees); conversion to km or miles happens only at
the edges (templates, GPX descriptions, cue sheets). Two kinds of distance live here, on
purpose: :func:`distance_m` (geopy, one pair at a time) for route-level figures, and
:func:`geodesic_m` (NumPy, whole arrays) for the street network's hundred thousand segments.
Searches that only compare distances (nearest segment, thinning) use a :class:`LocalFrame`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from geopy.distance import geodesic

LatLon = tuple[float, float]


def distance_m(a: LatLon, b: LatLon) -> float:
    """Geodesic distance between two ``(lat, lon)`` points, in metres."""
    return float(geodesic(a, b).meters)


def path_length_m(points: Iterable[LatLon]) -> float:
    """Length of a polyline of ``(lat, lon)`` points, in metres (sum of geodesic segments)."""
    total = 0.0
    previous: LatLon | None = None
    for point in points:
        if previous is not None and point != previous:
            total += distance_m(previous, point)
        previous = point
    return total


def initial_bearing_deg(a: LatLon, b: LatLon) -> float:
    """Initial great-circle bearing from ``a`` to ``b``, degrees clockwise from true north.

    A sphere is accurate to a fraction of a degree at city scale, which is all an arrow on a
    phone can show.
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    d_lon = lon2 - lon1
    x = math.sin(d_lon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(d_lon)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def bounds(points: Sequence[LatLon]) -> tuple[LatLon, LatLon]:
    """South-west and north-east corners of the points' bounding box."""
    if not points:
        raise ValueError("bounds of no points")
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return (min(lats), min(lons)), (max(lats), max(lons))


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude at ``lat``, on the WGS84 ellipsoid.

    The usual series (accurate to about a centimetre per degree), so that a box margin or a
    local frame is right at any latitude rather than tuned for Philadelphia.
    """
    phi = math.radians(lat)
    per_lat = 111_132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    per_lon = 111_412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
    return per_lat, per_lon


@dataclass(frozen=True)
class BBox:
    """A WGS84 box in degrees, its sides named (libraries disagree on the order of four numbers)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies in the box, edges included (``nan`` is never inside).

        The one test of "inside the service area", for the geocoder's answers and a plan's
        start and finish points alike. Boxes across the antimeridian are not supported.
        """
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def as_osmnx(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)``, the tuple ``osmnx.graph_from_bbox`` takes."""
        return (self.west, self.south, self.east, self.north)

    def key(self) -> str:
        """The sides to 4 decimals (about 10 m), as text: stable enough to name a cache by."""
        return f"{self.south:.4f},{self.west:.4f},{self.north:.4f},{self.east:.4f}"


def bbox_around(points: Iterable[LatLon], *, margin_m: float = 0.0, step_deg: float = 0.0) -> BBox:
    """The box around ``(lat, lon)`` points, grown by ``margin_m`` on every side.

    With ``step_deg`` the sides are rounded outwards to multiples of it, so that moving a point
    by a few metres usually gives the very same box (and whatever is keyed by it stays valid).
    """
    (south, west), (north, east) = bounds(list(points))
    per_lat, per_lon = metres_per_degree((south + north) / 2)
    box = (south - margin_m / per_lat, west - margin_m / per_lon,
           north + margin_m / per_lat, east + margin_m / per_lon)
    if step_deg > 0:
        box = (math.floor(box[0] / step_deg) * step_deg, math.floor(box[1] / step_deg) * step_deg,
               math.ceil(box[2] / step_deg) * step_deg, math.ceil(box[3] / step_deg) * step_deg)
    return BBox(*box)


class LocalFrame:
    """An equirectangular plane in metres around a reference point.

    Used only to *search* and *compare* (nearest segment, collinearity, points some metres
    before a junction); every reported length is geodesic. Over a city the scale error is a
    fraction of a percent, irrelevant for picking a nearest segment or thinning at 1 m.
    """

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0 = lat0
        self.lon0 = lon0
        self.ky, self.kx = metres_per_degree(lat0)

    def xy(self, lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(x east, y north)`` in metres of points given in degrees (scalars or arrays)."""
        return ((np.asarray(lon, float) - self.lon0) * self.kx,
                (np.asarray(lat, float) - self.lat0) * self.ky)


def geodesic_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Ellipsoidal (WGS84) distances in metres between arrays of points, vectorised.

    Vincenty's inverse formula: for the short segments of a street network it agrees with
    geopy's ``geodesic`` (Karney) to well under a millimetre (a test checks it), but runs on
    a whole city's 100,000 segments in milliseconds where one geopy call per segment takes
    ~0.15 ms each. Route-level distances still go through :func:`distance_m`.
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

