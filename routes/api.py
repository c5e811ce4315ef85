"""The JSON API: stops as GeoJSON."""

from __future__ import annotations

import json

from flask import Blueprint

from tourapp.geojson import stop_feature, stops_collection

from .caching import cached_response
from .state import get_state

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@bp.get("/stops")
def stops():
    """Every stop as a GeoJSON FeatureCollection."""
    state = get_state()
    return cached_response(
        ("api-stops",), lambda: _dump(stops_collection(state.stops.values())), mimetype=GEOJSON
    )


@bp.get("/stops/<stop_id>")
def stop(stop_id: str):
    """One stop as a GeoJSON Feature; an unknown id is a 404 naming it."""
    place = get_state().stops.get_stop(stop_id)
    return cached_response(("api-stop", place.id), lambda: _dump(stop_feature(place)), mimetype=GEOJSON)
