"""``GET /api/openapi.json``: the API's contract, and that it matches the app's real URLs.

The document must list every JSON, GPX, TCX and FIT endpoint the app serves (the ``api`` and
``downloads`` blueprints) and nothing the app no longer serves, with each path's parameters
as the views read them. tests/web/test_schemathesis.py then checks the answers against it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis

from tourapp.formats import FORMATS
from tourapp.formats import QUERY_KEYS as FILE_KEYS
from tourapp.plan_request import QUERY_KEYS as PLAN_KEYS

#: Blueprints whose every URL is part of the API (the rest are pages, assets and the PWA).
API_BLUEPRINTS = ("api", "downloads")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/tours/<tour_id>.gpx`` -> ``/tours/{tour_id}.gpx``."""
    return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule)


def api_rules(app: Any) -> dict[str, set[str]]:
    """The app's API URLs as OpenAPI paths, each with its methods."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] in API_BLUEPRINTS:
            found.setdefault(openapi_path(rule.rule), set()).update((rule.methods or set()) - IGNORED_METHODS)
    return found


def documented(document: dict[str, Any]) -> dict[str, set[str]]:
    return {path: {method.upper() for method in item} for path, item in document["paths"].items()}


def mismatch(app: Any, document: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(URLs the app serves that the document leaves out, documented URLs the app does not serve),
    a path counting as different when its methods differ."""
    served = {f"{m} {p}" for p, methods in api_rules(app).items() for m in methods}
    written = {f"{m} {p}" for p, methods in documented(document).items() for m in methods}
    return served - written, written - served


@pytest.fixture(scope="module")
def document(app: Any) -> dict[str, Any]:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


def test_the_document_is_valid_openapi_3_1(app: Any, document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema


def test_every_api_and_download_url_is_documented_and_nothing_else(app: Any, document: dict[str, Any]) -> None:
    undocumented, gone = mismatch(app, document)
    assert not undocumented, f"served but not in /api/openapi.json: {sorted(undocumented)}"
    assert not gone, f"in /api/openapi.json but not served: {sorted(gone)}"
    for fmt in FORMATS.values():  # the files of every export format, for tours and plans
        assert f"/tours/{{tour_id}}{fmt.suffix}" in document["paths"]
        assert f"/plan{fmt.suffix}" in document["paths"]


def test_a_new_endpoint_without_documentation_is_caught(fresh_app: Any, document: dict[str, Any]) -> None:
    fresh_app.add_url_rule("/api/stops/<stop_id>/photos", "api.stop_photos", lambda stop_id: "")
    undocumented, gone = mismatch(fresh_app, document)
    assert undocumented == {"GET /api/stops/{stop_id}/photos"}
    assert not gone
    # and a documented path the app stopped serving
    stale = {**document, "paths": {**document["paths"], "/api/runs": {"get": {"responses": {}}}}}
    assert mismatch(fresh_app, stale)[1] == {"GET /api/runs"}


def _parameters(document: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in document["paths"][path]["get"].get("parameters", [])}


def test_path_parameters_are_the_rules_arguments(app: Any, document: dict[str, Any]) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] not in API_BLUEPRINTS:
            continue
        in_path = {name for name, p in _parameters(document, openapi_path(rule.rule)).items() if p["in"] == "path"}
        assert in_path == set(rule.arguments) - set(rule.defaults or {}), rule.rule


def test_plan_and_file_queries_are_the_ones_the_app_reads(document: dict[str, Any]) -> None:
    assert set(_parameters(document, "/api/plan")) == set(PLAN_KEYS)
    assert set(_parameters(document, "/api/tours/{tour_id}")) == set(PLAN_KEYS) - {"tour", "stops"} | {"tour_id"}
    for fmt in FORMATS.values():
        file_keys = {key for key in FILE_KEYS if key != "format" or fmt.kinds}  # GPX alone has variants
        assert set(_parameters(document, f"/plan{fmt.suffix}")) == set(PLAN_KEYS) | file_keys
        assert set(_parameters(document, f"/tours/{{tour_id}}{fmt.suffix}")) == (
            set(PLAN_KEYS) - {"tour", "stops"} | file_keys | {"tour_id"})


def test_ids_are_the_catalogues(app: Any, document: dict[str, Any]) -> None:
    state = app.extensions["tourapp"]
    assert _parameters(document, "/api/stops/{stop_id}")["stop_id"]["schema"]["enum"] == list(state.stops)
    assert _parameters(document, "/api/tours/{tour_id}")["tour_id"]["schema"]["enum"] == list(state.tours)
    stops = _parameters(document, "/api/plan")["stops"]
    assert (stops["style"], stops["explode"]) == ("form", False)  # stops=a,b,c


@pytest.mark.parametrize("path", ["/api/plan", "/plan.gpx"])
def test_documented_values_are_accepted_and_others_refused(client: Any, document: dict[str, Any], path: str) -> None:
    """The enums and ranges are the ones PlanRequest enforces, at their edges."""
    params = _parameters(document, path)
    pace = params["pace"]["schema"]
    for good in ({"pace": pace["minimum"]}, {"pace": pace["maximum"]},
                 *({"order": v} for v in params["order"]["schema"]["enum"]),
                 *({"activity": v} for v in params["activity"]["schema"]["enum"]),
                 *({"units": v} for v in params["units"]["schema"]["enum"])):
        assert client.get(path, query_string={"tour": "montage", **good}).status_code == 200, good
    for bad in ({"pace": pace["minimum"] - 1}, {"pace": pace["maximum"] + 1}, {"order": "random"},
                {"activity": "swim"}, {"units": "furlongs"}):
        response = client.get(path, query_string={"tour": "montage", **bad}, headers={"Accept": "application/json"})
        assert response.status_code == 400, bad
        assert str(next(iter(bad))) in response.get_json()["error"]["message"]


def test_the_document_revalidates_with_its_etag(client: Any) -> None:
    first = client.get("/api/openapi.json")
    again = client.get("/api/openapi.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
