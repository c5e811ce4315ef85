"""Query-string options shared by the tour API and downloads, checked at the boundary.

Every bad value is a :class:`BadPlan` (HTTP 400) that names the parameter and what it got.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tourapp.errors import BadPlan
from tourapp.gpx import KINDS
from tourapp.routing import ORDERS
from tourapp.stops import PHILADELPHIA_BOUNDS

#: Paces a person can keep: 2:00 to 30:00 per km.
PACE_LIMITS_S_PER_KM = (120.0, 1800.0)
GPX_FORMATS = KINDS
UNITS = ("km", "mi")


@dataclass(frozen=True)
class RouteOptions:
    order: str = "given"
    start: tuple[float, float] | None = None
    pace_s_per_km: float | None = None


def route_options(args: Mapping[str, str], *, default_pace_s_per_km: float) -> RouteOptions:
    """``order``, ``start=lat,lon`` (inside Philadelphia) and ``pace`` (seconds per km)."""
    order = args.get("order", "given")
    if order not in ORDERS:
        raise BadPlan(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
    return RouteOptions(
        order=order,
        start=_start(args.get("start")),
        pace_s_per_km=_pace(args.get("pace"), default_pace_s_per_km),
    )


def gpx_format(args: Mapping[str, str]) -> str:
    """``format=trk`` (a track, the default) or ``format=rte`` (a route)."""
    kind = args.get("format", "trk")
    if kind not in GPX_FORMATS:
        raise BadPlan(f"format must be one of {', '.join(GPX_FORMATS)}, got {kind!r}")
    return kind


def units(args: Mapping[str, str]) -> str:
    """``units=km`` (the default) or ``units=mi`` for distances on printed pages."""
    value = args.get("units", "km")
    if value not in UNITS:
        raise BadPlan(f"units must be one of {', '.join(UNITS)}, got {value!r}")
    return value


def _start(raw: str | None) -> tuple[float, float] | None:
    if raw is None or raw == "":
        return None
    try:
        lat_text, lon_text = raw.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise BadPlan(f"start must be 'latitude,longitude' in degrees, got {raw!r}") from None
    (lat_min, lat_max), (lon_min, lon_max) = PHILADELPHIA_BOUNDS["lat"], PHILADELPHIA_BOUNDS["lon"]
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise BadPlan(f"start {lat},{lon} is outside Philadelphia; the tour starts from a point in the city")
    return round(lat, 6), round(lon, 6)


def _pace(raw: str | None, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        pace = float(raw)
    except ValueError:
        raise BadPlan(f"pace must be seconds per km, got {raw!r}") from None
    low, high = PACE_LIMITS_S_PER_KM
    if not low <= pace <= high:
        raise BadPlan(f"pace must be between {low:.0f} and {high:.0f} seconds per km, got {raw}")
    return pace
