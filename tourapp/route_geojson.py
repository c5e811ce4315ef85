"""A route as GeoJSON (RFC 7946): what ``GET /api/tours/<id>`` serves and the map draws.

Coordinates are ``[lon, lat]`` as the RFC requires (the opposite of our ``(lat, lon)``
tuples); lengths stay in metres, so the client formats km or miles itself.
"""

from __future__ import annotations

from typing import Any

from .model import Leg, Route

#: Coordinates are rounded to this many decimals: 1e-6° is ~0.1 m, finer than any GPS.
COORD_DECIMALS = 6


def _xy(lat: float, lon: float) -> list[float]:
    return [round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)]


def _leg_properties(leg: Leg) -> dict[str, Any]:
    return {
        "from": leg.from_place.id,
        "to": leg.to_place.id,
        "from_name": leg.from_place.name,
        "to_name": leg.to_place.name,
        "length_m": round(leg.length_m, 1),
        "street_following": leg.street_following,
        "cues": [
            {"instruction": c.instruction, "street": c.street, "turn": c.turn,
             "distance_m": round(c.distance_m, 1), "at": _xy(*c.at)}
            for c in leg.cues
        ],
    }


def route_to_geojson(route: Route, *, pace_s_per_km: float | None = None) -> dict[str, Any]:
    """A FeatureCollection: the route's LineString first, then a Point per place.

    Parameters
    ----------
    route
        A planned route.
    pace_s_per_km
        When given, ``duration_s`` at that pace is added to the line's properties.
    """
    line_props: dict[str, Any] = {
        "kind": "route",
        "tour_id": route.tour_id,
        "name": route.name,
        "description": route.description,
        "activity": route.activity,
        "loop": route.loop,
        "order": route.order,
        "length_m": round(route.length_m, 1),
        "street_following": route.street_following,
        "legs": [_leg_properties(leg) for leg in route.legs],
    }
    if pace_s_per_km is not None:
        line_props["pace_s_per_km"] = pace_s_per_km
        line_props["duration_s"] = round(route.duration_s(pace_s_per_km))
    coords = [_xy(lat, lon) for lat, lon in route.points]
    if len(coords) == 1:  # a LineString needs two positions
        coords = coords * 2
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
         "properties": line_props},
    ]
    stops_by_id = {s.id: s for s in route.stops}
    for index, place in enumerate(route.places):
        props: dict[str, Any] = {"kind": "place", "id": place.id, "name": place.name,
                                 "sequence": index + 1}
        stop = stops_by_id.get(place.id) if place.kind == "stop" else None
        if stop is not None:
            props.update(kind="stop", short_name=stop.short_name, montage_order=stop.montage_order,
                         scene=stop.scene, real_place=stop.real_place)
        else:
            props["kind"] = place.kind  # "start" or "end": the runner's own points
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": _xy(place.lat, place.lon)},
                         "properties": props})
    (south, west), (north, east) = route.bounds
    return {"type": "FeatureCollection", "bbox": [west, south, east, north], "features": features}
