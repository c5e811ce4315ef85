"""Stops as GeoJSON (RFC 7946): Point geometries in ``[longitude, latitude]`` order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .stops import Stop


def stop_feature(stop: Stop) -> dict[str, Any]:
    """One stop as a Feature whose properties carry what a client needs to show it."""
    return {
        "type": "Feature",
        "id": stop.id,
        "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
        "properties": {
            "id": stop.id,
            "name": stop.name,
            "short_name": stop.short_name,
            "real_place": stop.real_place,
            "address": stop.address,
            "montage_order": stop.montage_order,
            "scene": stop.scene,
            "exercise": stop.exercise,
            "filmed_here": stop.filmed_here.status,
            "filmed_here_note": stop.filmed_here.note,
            "today": stop.today.description,
            "access": stop.today.access,
            "safety": list(stop.safety),
            "location_confidence": stop.location.confidence,
            "sources": [
                {"title": s.title, "publisher": s.publisher, "url": s.url} for s in stop.sources
            ],
        },
    }


def stops_collection(stops: Iterable[Stop]) -> dict[str, Any]:
    """All stops as a FeatureCollection, montage stops first in film order."""
    return {"type": "FeatureCollection", "features": [stop_feature(s) for s in stops]}
