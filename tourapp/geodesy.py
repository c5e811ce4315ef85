"""Distances and directions on the WGS84 ellipsoid, via geopy.

Everything returns SI units (metres, degrees); conversion to km or miles happens only at
the edges (templates, GPX descriptions, cue sheets).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from geopy.distance import geodesic

METRES_PER_MILE = 1609.344
METRES_PER_FOOT = 0.3048
COMPASS_WORDS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")

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


def compass_word(bearing_deg: float) -> str:
    """The eight-point compass word for a bearing (``"NE"`` for 45°)."""
    return COMPASS_WORDS[int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8]


def bounds(points: Sequence[LatLon]) -> tuple[LatLon, LatLon]:
    """South-west and north-east corners of the points' bounding box."""
    if not points:
        raise ValueError("bounds of no points")
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return (min(lats), min(lons)), (max(lats), max(lons))


def format_distance(length_m: float, units: str = "km") -> str:
    """Human text for a distance: ``"1.2 km"``, ``"350 m"``, ``"0.8 mi"``, ``"250 ft"``.

    Short distances in miles are given in feet (rounded to 10 ft), as US cue sheets do,
    rather than as an unhelpful ``"0.0 mi"``.
    """
    if units == "mi":
        miles = length_m / METRES_PER_MILE
        if miles < 0.1:
            return f"{round(length_m / METRES_PER_FOOT / 10) * 10:.0f} ft"
        return f"{miles:.1f} mi"
    if length_m < 1000:
        return f"{round(length_m / 10) * 10:.0f} m"
    return f"{length_m / 1000:.1f} km"


def format_pace(pace_s_per_km: float, units: str = "km") -> str:
    """``"6:00 min/km"``, or the same pace per mile: ``"9:39 min/mi"``."""
    seconds = round(pace_s_per_km * (METRES_PER_MILE / 1000 if units == "mi" else 1.0))
    return f"{seconds // 60}:{seconds % 60:02d} min/{units}"


def format_duration(duration_s: float) -> str:
    """``"1 h 05 min"`` or ``"42 min"`` for a duration in seconds."""
    minutes = int(round(duration_s / 60.0))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
