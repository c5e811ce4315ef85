"""The JSON API: stops, tours and plans as GeoJSON, and address search for the planner.

Routes go through the one plan request (:class:`~tourapp.plan_request.PlanRequest`) and the
planner, like the pages and the downloads: ``/api/plan?<share-link query>`` and
``/api/tours/<id>?<options>`` are the same route for the same plan.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState

from tourapp.geocoding import BadAddress, Geocoder
from tourapp.geojson import stop_feature, stops_collection
from tourapp.plan_request import PlanRequest
from tourapp.route_geojson import route_to_geojson

from .caching import cacheable, cached_response
from .openapi import openapi_document
from .plans import plan_from, tour_plan_from
from .state import get_state

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"
#: How long a browser may keep a found address (places do not move).
GEOCODE_MAX_AGE_S = 86_400


@bp.record_once
def _add_geocoder(setup: BlueprintSetupState) -> None:
    """One geocoder per app, searching the planner's service area (built after the state)."""
    state = setup.app.extensions["tourapp"]
    setup.app.extensions["tourapp.geocoder"] = Geocoder.from_settings(state.settings, area=state.planner.area)


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@bp.get("/stops")
def stops() -> Response:
    """Every stop as a GeoJSON FeatureCollection."""
    state = get_state()
    return cached_response(
        ("api-stops",), lambda: _dump(stops_collection(state.stops.values())), mimetype=GEOJSON
    )


@bp.get("/stops/<stop_id>")
def stop(stop_id: str) -> Response:
    """One stop as a GeoJSON Feature; an unknown id is a 404 naming it."""
    place = get_state().stops[stop_id]
    return cached_response(("api-stop", place.id), lambda: _dump(stop_feature(place)), mimetype=GEOJSON)


@bp.get("/tours")
def tours() -> Response:
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
        network=asdict(state.planner.status()),
    )


@bp.get("/tours/<tour_id>")
def tour(tour_id: str) -> Response:
    """A tour's route as GeoJSON; the query may add any plan option but ``tour``/``stops``."""
    return _route(tour_plan_from(tour_id, request.args))  # an unknown id is a 404 naming it


@bp.get("/plan")
def plan() -> Response:
    """A plan's route as GeoJSON: ``tour=<id>`` or ``stops=a,b,c``, with ``order``, ``start``,
    ``end``, ``loop``, ``activity`` and ``pace`` (the planner's share-link query)."""
    return _route(plan_from(request.args))


def _route(plan: PlanRequest) -> Response:
    """The route as GeoJSON: the line (legs, cues, totals, ``street_following``), then a Point
    per place (the runner's start and finish points included)."""
    state = get_state()

    def render() -> str:
        route = state.planner.plan(plan)  # memoised on the route key
        return _dump(route_to_geojson(route, pace_s_per_km=plan.pace_for(route, state.settings)))

    # the planner checks the ids: an unknown one raises in render() and nothing is stored
    return cached_response(("api-route", plan.route_key(), plan.pace_s_per_km), render, mimetype=GEOJSON,
                           cache=cacheable(plan))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API's OpenAPI 3.1 document (routes/openapi.py), with this app's stop and tour ids."""
    state = get_state()
    return cached_response(
        ("api-openapi",),
        lambda: _dump(openapi_document(stop_ids=state.stops, tour_ids=state.tours, area=state.planner.area)),
        mimetype="application/json",
    )


@bp.get("/geocode")
def geocode() -> Response:
    """An address in the tour area as ``{"lat", "lon", "name"}``; asked when a form is
    submitted, never as the user types (Nominatim's usage policy)."""
    queries = request.args.getlist("q")
    if len(queries) != 1:
        raise BadAddress(
            "give the address once, as q=<address>"
            + (f"; q is given {len(queries)} times" if queries else "; q is missing")
        )
    geocoder: Geocoder = current_app.extensions["tourapp.geocoder"]
    place = geocoder.geocode(queries[0])
    response = jsonify(lat=place.lat, lon=place.lon, name=place.name)
    response.cache_control.private = True
    response.cache_control.max_age = GEOCODE_MAX_AGE_S
    return response
