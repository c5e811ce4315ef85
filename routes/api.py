"""The JSON API: stops and tours as GeoJSON, and what the router runs on."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request, url_for

from tourapp.geojson import stop_feature, stops_collection
from tourapp.route_geojson import route_to_geojson

from .caching import cached_response
from .params import route_options
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


@bp.get("/tours")
def tours():
    """The tours on offer, with links to their routes and GPX files."""
    state = get_state()
    return jsonify(
        tours=[
            {
                "id": tour.id,
                "name": tour.name,
                "description": tour.description,
                "stops": list(tour.stop_ids),
                "loop": tour.loop,
                "activity": tour.activity,
                "route": url_for("api.tour", tour_id=tour.id),
                "gpx": url_for("downloads.tour_gpx", tour_id=tour.id),
                "page": url_for("pages.tour", tour_id=tour.id),
            }
            for tour in state.tours.values()
        ],
        network=state.planner.status(),
    )


@bp.get("/tours/<tour_id>")
def tour(tour_id: str):
    """A tour's route as GeoJSON: the line, legs with lengths and cues, and its stops.

    Optional ``order=given|shortest``, ``start=lat,lon`` and ``pace=<s per km>``.
    """
    state = get_state()
    tour = state.tours.get_tour(tour_id)
    options = route_options(request.args, default_pace_s_per_km=state.settings.pace_for(tour.activity))

    def render() -> str:
        # a one-way tour keeps its finish (the steps) when the order is optimised
        route = state.planner.plan_tour(tour.id, start=options.start, order=options.order,
                                        keep_last=not tour.loop)
        return _dump(route_to_geojson(route, pace_s_per_km=options.pace_s_per_km))

    return cached_response(
        ("api-tour", tour.id, options), render, mimetype=GEOJSON, cache=options.start is None
    )
