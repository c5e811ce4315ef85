"""The `tourapp` command: write a GPX of a tour or a plan, fetch and inspect the street network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gpxpy
import osmnx as ox
import pytest
from click.testing import CliRunner
from osm_fixtures import town
from overpass_stub import OverpassStub

from routes import create_app
from routes.cli import main
from tourapp.settings import Settings


def _app(tmp_path: Path, **settings: Any) -> Any:
    config = Settings(cache_dir=tmp_path / "cache", network_download=False).with_overrides(settings)
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": config})


def test_gpx_writes_the_tour_file_and_says_how_it_was_routed(tmp_path: Path) -> None:
    out = tmp_path / "montage.gpx"
    result = _app(tmp_path).test_cli_runner().invoke(args=["gpx", "montage", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "STRAIGHT LINES" in result.output
    gpx = gpxpy.parse(out.read_text())
    assert len(gpx.waypoints) == 7 and gpx.tracks


def test_gpx_of_a_town_plan_takes_the_plan_options(town_app: Any, tmp_path: Path) -> None:
    out = tmp_path / "plan.gpx"
    result = town_app.test_cli_runner().invoke(args=[
        "gpx", "--stops", "museum,corner,market", "--order", "shortest", "--end", "39.95,-75.1565",
        "--format", "rte", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Your Rocky run" in result.output and "along streets" in result.output
    gpx = gpxpy.parse(out.read_text())
    assert gpx.routes and not gpx.tracks
    assert gpx.waypoints[0].name == "1 Museum"  # the first stop stays first


def test_gpx_names_its_file_after_what_it_holds(town_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = town_app.test_cli_runner().invoke(args=["gpx", "town-run"])
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.glob("*.gpx")
    assert written.name.startswith("montage-run-town-run-") and written.name in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["gpx", "marathon"], "unknown tour 'marathon'; known tours: montage"),
    (["gpx", "--stops", "moshulu,nowhere"], "unknown stop 'nowhere'"),
    (["gpx", "montage", "--start", "40.5,-75.16"], "start 40.5,-75.16 is outside the tour area"),
    (["gpx", "montage", "--start", "here"], "start must be 'latitude,longitude'"),
    (["gpx", "--stops", "moshulu,rail-yard", "--loop", "--end", "39.95,-75.16"], "a loop returns to its start"),
    (["gpx"], "the plan is empty"),
])
def test_a_bad_plan_fails_naming_the_bad_value(tmp_path: Path, args: list[str], message: str) -> None:
    result = _app(tmp_path).test_cli_runner().invoke(args=[*args, "-o", str(tmp_path / "x.gpx")])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.gpx").exists()


def test_network_fetch_with_downloads_disabled_explains_the_fallback(tmp_path: Path) -> None:
    result = _app(tmp_path).test_cli_runner().invoke(args=["network", "fetch"])
    assert result.exit_code == 1
    assert "disabled" in result.output and "straight lines" in result.output


def test_network_fetch_downloads_caches_and_then_routes_on_streets(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    # The test town's ways, served by a local Overpass; the real stops are far from it, so
    # this checks the download and cache path, and status, not Philadelphia routing.
    with OverpassStub(town().overpass_elements()) as stub:
        app = _app(tmp_path, network_download=True, overpass_url=stub.url, overpass_timeout_s=5.0)
        fetched = app.test_cli_runner().invoke(args=["network", "fetch"])
        assert fetched.exit_code == 0, fetched.output
        assert "downloading walking network" in fetched.output
        downloads = len(stub.queries)
        assert downloads
        again = app.test_cli_runner().invoke(args=["network", "fetch", "--if-missing"])
        assert again.exit_code == 0 and "street network ready" in again.output
        assert len(stub.queries) == downloads  # nothing downloaded again
    restarted = _app(tmp_path, overpass_url=stub.url)  # a new process finds the cached network
    status = restarted.test_cli_runner().invoke(args=["network", "status"])
    assert "street-following routes" in status.output


def test_network_status_without_a_network_says_legs_are_straight(tmp_path: Path) -> None:
    result = _app(tmp_path).test_cli_runner().invoke(args=["network", "status"])
    assert result.exit_code == 0
    assert "straight-line legs" in result.output


@pytest.fixture()
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The console script as a user runs it: settings from TOURAPP_* variables."""
    monkeypatch.setenv("TOURAPP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TOURAPP_NETWORK_DOWNLOAD", "false")
    monkeypatch.delenv("TOURAPP_OSM_FILE", raising=False)
    return CliRunner()


def test_the_console_script_lists_the_commands_and_its_version(console: CliRunner) -> None:
    from tourapp import __version__

    assert __version__ in console.invoke(main, ["--version"]).output
    listed = console.invoke(main, ["--help"])
    assert listed.exit_code == 0
    assert all(name in listed.output for name in ("serve", "gpx", "network"))
    status = console.invoke(main, ["network", "status"])
    assert status.exit_code == 0 and "straight-line legs" in status.output


def test_serve_with_an_unreadable_osm_file_stops_with_the_reason(console: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    from gunicorn.app.base import BaseApplication

    def started(self: Any) -> None:
        raise AssertionError("gunicorn started despite the broken OSM file")

    monkeypatch.setattr(BaseApplication, "run", started)  # a regression fails, never hangs
    monkeypatch.setenv("TOURAPP_OSM_FILE", str(tmp_path / "philly.osm"))
    result = console.invoke(main, ["serve", "--port", "8999"])
    assert result.exit_code == 1
    assert "TOURAPP_OSM_FILE=" in result.output and "philly.osm" in result.output
    assert "Traceback" not in result.output
