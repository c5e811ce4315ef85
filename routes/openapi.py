"""The API's contract: an OpenAPI 3.1 document of every JSON, GPX, TCX and FIT endpoint.

Built from the same constants the app validates with (the plan request's lists and limits,
the export formats, the geocoder's query lengths) and from the catalogues the app serves (the
stop and tour ids are enums), so a limit changed in the code changes the document with it.
``tests/web/test_openapi.py`` compares its paths with the app's URL map, and
``tests/web/test_schemathesis.py`` fuzzes the live app against it: a response the document does
not describe fails the tests, whichever of the two is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tourapp import __version__
from tourapp.course import MAX_POINTS_CEILING
from tourapp.formats import FORMATS, MIN_POINTS
from tourapp.geocoding import MAX_QUERY_CHARS, MIN_QUERY_CHARS
from tourapp.geodesy import BBox
from tourapp.plan_request import (
    ACTIVITIES,
    MAX_PARAMETER_CHARS,
    MAX_STOPS,
    ORDERS,
    PACE_LIMITS_S_PER_KM,
    UNITS,
)
from tourapp.stops import ACCESS_KINDS, CONFIDENCES, FILMED_HERE_STATUSES, SHORT_NAME_CHARS

from .security import MAX_PATH_BYTES, MAX_QUERY_BYTES

#: Where the document is served (routes/api.py).
OPENAPI_PATH = "/api/openapi.json"
GEOJSON = "application/geo+json"
JSON = "application/json"
#: A stop or tour id as the plan request checks it.
ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$"
#: ``lat,lon`` in decimal degrees, as share links write it.
LATLON_PATTERN = r"^-?[0-9]{1,3}(\.[0-9]{1,6})?,-?[0-9]{1,3}(\.[0-9]{1,6})?$"
#: ``max_points`` is read as at most 12 digits.
MAX_POINTS_DIGITS = 12

ERRORS = {
    400: "The query is not a plan: the message names the parameter and the value it got.",
    404: "No stop, tour or place by that id or name (the message names it).",
    414: f"The address is too long (a query over {MAX_QUERY_BYTES} bytes or a path over {MAX_PATH_BYTES}).",
    422: "The route cannot be planned: a stop is too far from any street.",
    429: "Too many computed answers for this client: wait the Retry-After seconds.",
    503: "Address search is switched off, or the geocoder does not answer now.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(status: int, *, html: bool) -> dict[str, Any]:
    """An error: JSON ``{"error": {...}}``; outside ``/api/`` a browser (Accept: text/html) gets a page."""
    content: dict[str, Any] = {JSON: {"schema": _ref("Error")}}
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    response: dict[str, Any] = {"description": ERRORS[status], "content": content}
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait before asking again.",
                            "schema": {"type": "integer", "minimum": 0}},
        }
    return response


def _errors(statuses: Iterable[int], *, html: bool = False) -> dict[str, Any]:
    return {str(status): _error_response(status, html=html) for status in statuses}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}


def _path(name: str, ids: list[str], what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": f"The {what}'s id.",
            "schema": {"type": "string", "enum": ids}, "example": ids[0]}


def _plan_parameters(*, stop_ids: list[str], tour_ids: list[str], area: BBox, with_tour: bool) -> list[dict[str, Any]]:
    """The plan request's query (tourapp/plan_request.py): a share link's parameters."""
    low, high = PACE_LIMITS_S_PER_KM
    where = (f"inside the tour area (latitude {area.south:.3f} to {area.north:.3f}, "
             f"longitude {area.west:.3f} to {area.east:.3f}); elsewhere is a 400")
    point = {"type": "string", "pattern": LATLON_PATTERN, "maxLength": MAX_PARAMETER_CHARS}
    parameters = []
    if with_tour:
        parameters += [
            _query("tour", {"type": "string", "enum": tour_ids},
                   "A tour from the catalogue (give tour or stops, not both).", example=tour_ids[0]),
            _query("stops", {"type": "array", "items": {"type": "string", "enum": stop_ids},
                             "minItems": 1, "maxItems": MAX_STOPS, "uniqueItems": True},
                   f"Stop ids in the runner's order, comma-separated (at most {MAX_STOPS}; "
                   "a plan needs two places counting start and end).",
                   style="form", explode=False),
        ]
    parameters += [
        _query("order", {"type": "string", "enum": list(ORDERS)},
               "given: as listed; shortest: reordered between the fixed ends."),
        _query("start", point, f"The runner's start as lat,lon in degrees, {where}."),
        _query("end", point, f"The runner's finish as lat,lon, {where}; not with loop=true."),
        _query("loop", {"type": "boolean"}, "Back to the start at the end (default: the tour's own)."),
        _query("activity", {"type": "string", "enum": list(ACTIVITIES)},
               "Default: the tour's own, run for a plan of one's own stops."),
        _query("pace", {"type": "number", "minimum": low, "maximum": high},
               "Seconds per km, for times (default: the activity's pace)."),
        _query("units", {"type": "string", "enum": list(UNITS)}, "Units people read; never changes the route."),
    ]
    return parameters


def _download_parameters(fmt_name: str) -> list[dict[str, Any]]:
    fmt = FORMATS[fmt_name]
    max_points = {"type": "integer", "minimum": MIN_POINTS, "maximum": 10**MAX_POINTS_DIGITS - 1}
    parameters = [
        _query("max_points", max_points,
               f"Draw the line in at most this many points (for watches); above {MAX_POINTS_CEILING:,} "
               "counts as that; fewer than the route's places need is a 400."),
    ]
    if fmt.kinds:
        parameters.append(_query("format", {"type": "string", "enum": list(fmt.kinds)},
                                 f"{fmt.label} variant: {' or '.join(fmt.kinds)} (default {fmt.kinds[0]})."))
    return parameters


def _file_response(fmt_name: str) -> dict[str, Any]:
    fmt = FORMATS[fmt_name]
    schema = {"type": "string", "format": "binary"} if fmt.name == "fit" else {"type": "string"}
    return {
        "description": f"The route as a {fmt.label} file to download.",
        "headers": {
            "Content-Disposition": {
                "description": "attachment, with a file name that says what it is",
                "schema": {"type": "string", "pattern": f"^attachment; filename=\".+\\{fmt.suffix}\"$"},
            },
            "ETag": {"description": "Revalidate with If-None-Match.", "schema": {"type": "string"}},
        },
        "content": {fmt.media_type: {"schema": schema}},
    }


def _geojson_response(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"ETag": {"description": "Revalidate with If-None-Match.", "schema": {"type": "string"}}},
        "content": {GEOJSON: {"schema": _ref(schema)}},
    }


def _operation(summary: str, operation_id: str, parameters: list[dict[str, Any]],
               responses: dict[str, Any], tag: str, *, html_errors: bool = False) -> dict[str, Any]:
    """A GET operation; any address may be refused as too long (routes/security.py)."""
    responses = {**responses, **_errors([414], html=html_errors)}
    return {"get": {"summary": summary, "operationId": operation_id, "tags": [tag],
                    "parameters": parameters, "responses": dict(sorted(responses.items()))}}


def openapi_document(*, stop_ids: Iterable[str], tour_ids: Iterable[str], area: BBox) -> dict[str, Any]:
    """The OpenAPI 3.1 document for an app serving these stops and tours in this area."""
    stops, tours = list(stop_ids), list(tour_ids)

    def plan(*, with_tour: bool) -> list[dict[str, Any]]:
        return _plan_parameters(stop_ids=stops, tour_ids=tours, area=area, with_tour=with_tour)

    paths: dict[str, Any] = {
        "/api/stops": _operation(
            "Every stop", "listStops", [],
            {"200": _geojson_response("Every stop as a FeatureCollection, montage stops first.", "StopCollection")},
            "stops"),
        "/api/stops/{stop_id}": _operation(
            "One stop", "getStop", [_path("stop_id", stops, "stop")],
            {"200": _geojson_response("The stop as a Feature.", "StopFeature"), **_errors([404])},
            "stops"),
        "/api/tours": _operation(
            "The tours on offer", "listTours", [],
            {"200": {"description": "The tours, with links, and what the app routes on.",
                     "content": {JSON: {"schema": _ref("TourList")}}}},
            "tours"),
        "/api/tours/{tour_id}": _operation(
            "A tour's route", "getTourRoute",
            [_path("tour_id", tours, "tour"), *plan(with_tour=False)],
            {"200": _geojson_response("The route as GeoJSON.", "Route"), **_errors([400, 404, 422, 429])},
            "tours"),
        "/api/plan": _operation(
            "A plan's route", "getPlanRoute", plan(with_tour=True),
            {"200": _geojson_response("The route as GeoJSON.", "Route"), **_errors([400, 404, 422, 429])},
            "plans"),
        "/api/geocode": _operation(
            "An address in the tour area", "geocode",
            [{"name": "q", "in": "query", "required": True, "description": "The address or place, given once.",
              "schema": {"type": "string", "minLength": MIN_QUERY_CHARS, "maxLength": MAX_QUERY_CHARS},
              "example": "Italian Market"}],
            {"200": {"description": "Where it is.", "content": {JSON: {"schema": _ref("FoundPlace")}}},
             **_errors([400, 404, 429, 503])},
            "plans"),
        OPENAPI_PATH: _operation(
            "This document", "getOpenApi", [],
            {"200": {"description": "The OpenAPI 3.1 document.", "content": {JSON: {"schema": {"type": "object"}}}}},
            "meta"),
    }
    for fmt in FORMATS.values():
        file_errors = _errors([400, 404, 422, 429], html=True)
        paths[f"/tours/{{tour_id}}{fmt.suffix}"] = _operation(
            f"A tour as {fmt.label}", f"getTour{fmt.label}",
            [_path("tour_id", tours, "tour"), *plan(with_tour=False),
             *_download_parameters(fmt.name)],
            {"200": _file_response(fmt.name), **file_errors}, "downloads", html_errors=True)
        paths[f"/plan{fmt.suffix}"] = _operation(
            f"A plan as {fmt.label}", f"getPlan{fmt.label}",
            [*plan(with_tour=True), *_download_parameters(fmt.name)],
            {"200": _file_response(fmt.name), **file_errors}, "downloads", html_errors=True)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Montage Run",
            "version": __version__,
            "summary": "Stops, tours and planned routes of a self-guided Rocky (1976) run in Philadelphia.",
            "description": (
                "Every plan is a URL: the query of /api/plan, /plan.gpx and the planner's share link "
                "is the same. Errors are JSON {\"error\": {\"status\", \"title\", \"message\"}}; the "
                "message names the bad parameter and value. Coordinates in GeoJSON are [lon, lat]."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {"schemas": _schemas(stops)},
    }


def _schemas(stop_ids: list[str]) -> dict[str, Any]:
    text = {"type": "string"}
    number = {"type": "number"}
    position = {"type": "array", "items": number, "minItems": 2, "maxItems": 2,
                "description": "[longitude, latitude] in degrees"}
    point = {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "Point"}, "coordinates": position}}

    def obj(properties: dict[str, Any], required: Iterable[str] | None = None) -> dict[str, Any]:
        return {"type": "object", "properties": properties,
                "required": list(properties) if required is None else list(required)}

    stop_properties = obj({
        "id": {"type": "string", "enum": stop_ids}, "name": text,
        "short_name": {"type": "string", "maxLength": SHORT_NAME_CHARS}, "real_place": text, "address": text,
        "montage_order": {"type": ["integer", "null"], "minimum": 1}, "scene": text,
        "exercise": {"type": ["string", "null"]},
        "filmed_here": {"enum": list(FILMED_HERE_STATUSES)}, "filmed_here_note": text, "today": text,
        "access": {"enum": list(ACCESS_KINDS)}, "safety": {"type": "array", "items": text},
        "location_confidence": {"enum": list(CONFIDENCES)},
        "sources": {"type": "array", "items": obj({"title": text, "publisher": text, "url": text})},
    })
    cue = obj({"instruction": text, "street": text, "turn": text, "distance_m": {"type": "number", "minimum": 0},
               "at": position})
    leg = obj({"from": text, "to": text, "from_name": text, "to_name": text,
               "length_m": {"type": "number", "minimum": 0}, "street_following": {"type": "boolean"},
               "cues": {"type": "array", "items": cue}})
    route_line = obj({
        "type": {"const": "Feature"},
        "geometry": obj({"type": {"const": "LineString"},
                         "coordinates": {"type": "array", "items": position, "minItems": 2}}),
        "properties": obj({
            "kind": {"const": "route"}, "tour_id": text, "name": text, "description": text,
            "activity": {"enum": list(ACTIVITIES)}, "loop": {"type": "boolean"}, "order": {"enum": list(ORDERS)},
            "length_m": {"type": "number", "minimum": 0}, "street_following": {"type": "boolean"},
            "legs": {"type": "array", "items": leg},
            "pace_s_per_km": number, "duration_s": {"type": "integer", "minimum": 0},
        }, required=["kind", "tour_id", "name", "activity", "loop", "order", "length_m", "street_following",
                     "legs"]),
    })
    place = obj({
        "type": {"const": "Feature"}, "geometry": point,
        "properties": obj({
            "kind": {"enum": ["stop", "start", "end"]}, "id": text, "name": text,
            "sequence": {"type": "integer", "minimum": 1},
            "short_name": {"type": "string", "maxLength": SHORT_NAME_CHARS},
            "montage_order": {"type": ["integer", "null"]}, "scene": text, "real_place": text,
        }, required=["kind", "id", "name", "sequence"]),
    })
    return {
        "Error": obj({"error": obj({
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "title": text,
            "message": {"type": "string", "minLength": 1},
        })}),
        "StopFeature": obj({"type": {"const": "Feature"}, "id": {"type": "string", "enum": stop_ids},
                            "geometry": point, "properties": stop_properties}),
        "StopCollection": obj({"type": {"const": "FeatureCollection"},
                               "features": {"type": "array", "items": _ref("StopFeature")}}),
        "Route": {
            **obj({"type": {"const": "FeatureCollection"},
                   "bbox": {"type": "array", "items": number, "minItems": 4, "maxItems": 4,
                            "description": "[west, south, east, north]"},
                   "features": {"type": "array", "items": {"anyOf": [route_line, place]}, "minItems": 2}}),
            "description": "The route's LineString first (legs, cues, totals), then a Point per place in order.",
        },
        "TourList": obj({
            "tours": {"type": "array", "items": obj({
                "id": text, "name": text, "description": text, "stops": {"type": "array", "items": text},
                "loop": {"type": "boolean"}, "activity": {"enum": list(ACTIVITIES)},
                "route": text, "gpx": text, "page": text,
            })},
            "network": obj({"street_following": {"type": "boolean"}, "kind": {"type": ["string", "null"]},
                            "source": {"type": ["string", "null"]}, "nodes": {"type": "integer", "minimum": 0},
                            "error": {"type": ["string", "null"]}}),
        }),
        "FoundPlace": obj({"lat": {"type": "number", "minimum": -90, "maximum": 90},
                           "lon": {"type": "number", "minimum": -180, "maximum": 180}, "name": text}),
    }
