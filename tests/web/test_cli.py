"""The `tourapp` command: write a GPX, fetch and inspect the street network."""

from __future__ import annotations

import gpxpy
import osmnx as ox
import pytest
from click.testing import CliRunner
from osm_fixtures import town
from overpass_stub import OverpassStub

from routes.cli import main


@pytest.fixture()
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("TOURAPP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOURAPP_OSM_FILE", raising=False)
    return CliRunner()


def test_gpx_writes_the_tour_file_and_says_how_it_was_routed(runner, tmp_path):
    out = tmp_path / "montage.gpx"
    result = runner.invoke(main, ["gpx", "montage", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "STRAIGHT LINES" in result.output
    gpx = gpxpy.parse(out.read_text())
    assert len(gpx.waypoints) == 7


def test_gpx_for_an_unknown_tour_fails_with_the_known_ones(runner, tmp_path):
    result = runner.invoke(main, ["gpx", "marathon", "-o", str(tmp_path / "x.gpx")])
    assert result.exit_code == 1
    assert "unknown tour 'marathon'; known tours: montage" in result.output


def test_network_fetch_with_downloads_disabled_explains_the_fallback(runner, monkeypatch):
    monkeypatch.setenv("TOURAPP_NETWORK_DOWNLOAD", "false")
    result = runner.invoke(main, ["network", "fetch"])
    assert result.exit_code == 1
    assert "disabled" in result.output and "straight lines" in result.output


def test_network_fetch_downloads_caches_and_then_routes_on_streets(runner, monkeypatch):
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    # The test town's ways, served by a local Overpass; the real stops are far from it, so
    # this checks the download and cache path, and status, not Philadelphia routing.
    with OverpassStub(town().overpass_elements()) as stub:
        monkeypatch.setenv("TOURAPP_OVERPASS_URL", stub.url)
        monkeypatch.setenv("TOURAPP_OVERPASS_TIMEOUT_S", "5")
        fetched = runner.invoke(main, ["network", "fetch"])
        assert fetched.exit_code == 0, fetched.output
        assert "downloading walking network" in fetched.output
        assert stub.queries
        again = runner.invoke(main, ["network", "fetch", "--if-missing"])
        assert again.exit_code == 0 and "street network ready" in again.output
    status = runner.invoke(main, ["network", "status"])
    assert "street-following routes" in status.output


def test_network_status_without_a_network_says_legs_are_straight(runner):
    result = runner.invoke(main, ["network", "status"])
    assert result.exit_code == 0
    assert "straight-line legs" in result.output


def test_serve_with_an_unreadable_osm_file_stops_with_the_reason(runner, monkeypatch, tmp_path):
    from gunicorn.app.base import BaseApplication

    def started(self):
        raise AssertionError("gunicorn started despite the broken OSM file")

    monkeypatch.setattr(BaseApplication, "run", started)  # a regression fails, never hangs
    monkeypatch.setenv("TOURAPP_OSM_FILE", str(tmp_path / "philly.osm"))
    result = runner.invoke(main, ["serve", "--port", "8999"])
    assert result.exit_code == 1
    assert "TOURAPP_OSM_FILE=" in result.output and "philly.osm" in result.output
    assert "Traceback" not in result.output
