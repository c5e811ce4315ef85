"""Overpass failing when the street network is fetched: one clear message, and the app still serves.

``tourapp network fetch`` is run as a user runs it (settings from ``TOURAPP_*`` variables)
against a local Overpass stub playing each fault; then the app is started in that state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import MONTAGE_IDS, OTHER_IDS
from osm_fixtures import town
from overpass_stub import OverpassStub

from routes import create_app
from routes.cli import main

FAULTS: dict[str, dict[str, Any]] = {
    "timeout": {"delay_s": 5.0},
    "429": {"status": 429, "headers": {"Retry-After": "90"}},
    "503": {"status": 503},
    "garbage": {"body": b"\x00\x1f<html>Bad Gateway</html>\xff"},
    "empty": {"body": b""},
}
SAYS = {
    "timeout": "did not answer within 0.5 s (TOURAPP_OVERPASS_TIMEOUT_S)",
    "429": "is rate limiting this machine (HTTP 429): try again in 90 s",
    "503": "failed (HTTP 503 Service Unavailable): try again later",
    "garbage": "sent something that is not OSM JSON (text/html)",
    "empty": "sent an empty answer",
}
TOURS = ["montage", "steps-finale", "walking-tour"]
PAGES = [
    "/", "/plan", "/plan?tour=montage&start=39.9526,-75.1652", "/tour/plan?stops=moshulu,rocky-statue",
    "/plan/cues?stops=moshulu,rocky-statue", "/offline", "/sw.js", "/manifest.webmanifest",
    "/api/stops", "/api/tours", "/api/plan?tour=montage&order=shortest",
    *(f"/stops/{stop}" for stop in MONTAGE_IDS + OTHER_IDS),
    *(f"/tour/{tour}" for tour in TOURS),
    *(f"/tours/{tour}/cues" for tour in TOURS),
    *(f"/tours/{tour}.{kind}" for tour in TOURS for kind in ("gpx", "tcx", "fit")),
]


@pytest.fixture()
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Downloads on, an empty cache, a short Overpass timeout; the URL is set per test."""
    monkeypatch.setenv("TOURAPP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TOURAPP_NETWORK_DOWNLOAD", "true")
    monkeypatch.setenv("TOURAPP_OVERPASS_TIMEOUT_S", "0.5")
    monkeypatch.delenv("TOURAPP_OSM_FILE", raising=False)
    return tmp_path / "cache"


def _montage_line(client: Any) -> dict[str, Any]:
    features = json.loads(client.get("/api/tours/montage").data)["features"]
    (line,) = [f for f in features if f["geometry"]["type"] == "LineString"]
    return line  # type: ignore[no-any-return]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_fetch_says_why_in_one_line_and_routes_fall_back_to_straight_lines(
        environment: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    with OverpassStub(town().overpass_elements(), **FAULTS[fault]) as stub:
        monkeypatch.setenv("TOURAPP_OVERPASS_URL", stub.url)
        result = CliRunner().invoke(main, ["network", "fetch"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "<html" not in result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert error == [f"Error: Overpass at {stub.url} {SAYS[fault]}"]
    assert "The app still works: routes are drawn as straight lines" in result.output
    assert not environment.exists() or not list(environment.iterdir())

    line = _montage_line(create_app({"TESTING": True}).test_client())  # the same TOURAPP_* settings
    assert line["properties"]["street_following"] is False
    assert len(line["properties"]["legs"]) == len(MONTAGE_IDS) - 1  # planned, with straight legs


def test_after_a_failed_fetch_the_app_serves_every_page(environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with OverpassStub(town().overpass_elements(), status=503) as stub:
        monkeypatch.setenv("TOURAPP_OVERPASS_URL", stub.url)
        assert CliRunner().invoke(main, ["network", "fetch"]).exit_code == 1
        client = create_app({"TESTING": True}).test_client()
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, url
        assert stub.queries == [stub.queries[0]], "the app never downloads by itself"
    assert _montage_line(client)["properties"]["street_following"] is False
    status = CliRunner().invoke(main, ["network", "status"])
    assert "straight-line legs" in status.output


def test_a_failed_forced_fetch_keeps_the_network_the_app_routes_on(environment: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with OverpassStub(town().overpass_elements()) as stub:
        monkeypatch.setenv("TOURAPP_OVERPASS_URL", stub.url)
        monkeypatch.setenv("TOURAPP_OVERPASS_TIMEOUT_S", "5")
        assert CliRunner().invoke(main, ["network", "fetch"]).exit_code == 0
        (cached,) = environment.iterdir()
        before = cached.read_bytes()
        stub.status = 503
        again = CliRunner().invoke(main, ["network", "fetch", "--force"])
    assert again.exit_code == 1 and "HTTP 503" in again.output
    assert [p.read_bytes() for p in environment.iterdir()] == [before]
    status = CliRunner().invoke(main, ["network", "status"])
    assert "street-following routes" in status.output
