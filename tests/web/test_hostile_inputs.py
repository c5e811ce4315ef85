"""Hostile input, in every id and every text parameter of every page, file and API endpoint.

Path traversal, NUL bytes, numbers too big for a float, NaN and Infinity, over-long and
repeated parameters, right-to-left marks, emoji and combining accents, HTML and script: each
is answered with a 4xx and a message saying what was wrong, and nothing sent comes back
unescaped -- no ``<script>`` or ``<img onerror>`` of ours in an HTML body, and JSON answers are
JSON (the message a JSON string) with a JSON media type, never a page a browser would run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from nominatim_stub import NominatimStub

from routes import create_app
from tourapp.geocoding import Geocoder, Throttle
from tourapp.settings import Settings

SCRIPT = "<script>alert('montage')</script>"
ATTRIBUTE = "\"><img src=x onerror=alert('montage')>"

HOSTILE = {
    "traversal": "../../etc/passwd",
    "encoded traversal": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "backslash traversal": "..\\..\\windows\\win.ini",
    "NUL byte": "montage\x00.gpx",
    "huge number": "9" * 400,
    "float overflow": "1e309",
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "long": "m" * 700,
    "too long for a URL": "m" * 5000,
    "right-to-left": "\u202emontage",
    "emoji": "🥊🏃🥩",
    "combining accent": "montage\u0301",
    "fullwidth": "ｍｏｎｔａｇｅ",
    "script": SCRIPT,
    "HTML attribute": ATTRIBUTE,
}
#: A valid value for each parameter: the base of every query, and the repeated-parameter case.
VALID = {
    "tour": "montage", "stops": "moshulu,rail-yard", "order": "shortest", "start": "39.955,-75.18",
    "end": "39.96,-75.17", "loop": "false", "activity": "walk", "pace": "400", "units": "mi",
    "format": "rte", "max_points": "500", "q": "italian market",
}
PLAN = ("tour", "stops", "order", "start", "end", "loop", "activity", "pace", "units")
TOUR_OPTIONS = ("order", "start", "end", "loop", "activity", "pace", "units")
#: Endpoint -> the text parameters it reads.
QUERY_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "/api/plan": PLAN,
    "/api/tours/montage": TOUR_OPTIONS,
    "/api/geocode": ("q",),
    "/plan": PLAN,
    "/tour/plan": PLAN,
    "/plan/cues": PLAN,
    "/plan/qr.svg": PLAN,
    "/tours/montage/cues": TOUR_OPTIONS,
    "/plan.gpx": (*PLAN, "format", "max_points"),
    "/plan.tcx": (*PLAN, "max_points"),
    "/plan.fit": (*PLAN, "max_points"),
    "/tours/montage.gpx": (*TOUR_OPTIONS, "format", "max_points"),
    "/tours/montage.tcx": (*TOUR_OPTIONS, "max_points"),
    "/tours/montage.fit": (*TOUR_OPTIONS, "max_points"),
}
#: URL templates with an id in the path.
ID_ENDPOINTS = (
    "/stops/{}", "/tour/{}", "/tours/{}/cues", "/api/stops/{}", "/api/tours/{}",
    "/tours/{}.gpx", "/tours/{}.tcx", "/tours/{}.fit",
)
MESSAGE_IN_PAGE = re.compile(r'<p class="(?:error__message|plan-problem)"[^>]*>\s*[^<\s]')


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app offline, its geocoder asking a stub that knows one place (and at any pace)."""
    with NominatimStub({"italian market": (39.9387, -75.1579)}) as stub:
        settings = Settings(cache_dir=Path(tmp_path_factory.mktemp("hostile")) / "cache", network_download=False,
                            geocoder_url=stub.url)
        app = create_app({"TESTING": True, "TOURAPP_SETTINGS": settings})
        area = app.extensions["tourapp"].planner.area
        app.extensions["tourapp.geocoder"] = Geocoder(area=area, url=stub.url, throttle=Throttle(0.0))
        yield app.test_client()


@pytest.mark.parametrize(("path", "param"), [(path, param) for path, params in QUERY_ENDPOINTS.items()
                                             for param in params])
def test_hostile_text_in_a_parameter_is_refused_and_not_reflected(hostile_client: Any, path: str, param: str) -> None:
    base = {} if param in ("tour", "stops") or path == "/api/geocode" else (
        {} if "montage" in path else {"tour": "montage"})
    for name, value in HOSTILE.items():
        response = hostile_client.get(path, query_string={**base, param: value})
        check_refusal(response, f"{path}?{param}=<{name}>")


def check_refusal(response: Any, what: str) -> None:
    assert 400 <= response.status_code < 500, f"{what}: HTTP {response.status_code}"
    body = response.get_data(as_text=True)
    if response.mimetype == "application/json":
        message = json.loads(body)["error"]["message"]
        assert isinstance(message, str) and message.strip(), what
        return
    assert response.mimetype == "text/html", f"{what}: an error as {response.mimetype}"
    assert MESSAGE_IN_PAGE.search(body), f"{what}: no message on the error page"
    for markup in (SCRIPT, ATTRIBUTE, "<img src=x"):  # the app's own scripts are not these
        assert markup not in body, f"{what}: {markup!r} reflected unescaped"


@pytest.mark.parametrize(("path", "param"), [(path, param) for path, params in QUERY_ENDPOINTS.items()
                                             for param in params])
def test_a_repeated_parameter_is_refused_by_name(hostile_client: Any, path: str, param: str) -> None:
    base = [] if param in ("tour", "stops") or "montage" in path or path == "/api/geocode" else [("tour", "montage")]
    query = [*base, (param, VALID[param]), (param, VALID[param])]
    response = hostile_client.get(path, query_string=query, headers={"Accept": "application/json"})
    check_refusal(response, f"{path} with {param} twice")
    if response.mimetype == "application/json":
        assert param in response.get_json()["error"]["message"]


@pytest.mark.parametrize("template", ID_ENDPOINTS)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_hostile_id_in_the_path_is_refused_and_not_reflected(hostile_client: Any, template: str,
                                                                accept: str) -> None:
    for name, value in HOSTILE.items():
        for sent in (quote(value, safe=""), quote(value, safe="/%")):  # encoded, and as typed
            response = hostile_client.get(template.format(sent), headers={"Accept": accept})
            check_refusal(response, f"{template.format('<' + name + '>')} ({accept}, {sent[:30]!r})")
            if template.startswith("/api/"):
                assert response.mimetype == "application/json"
