"""The ``tourapp`` command: small click commands, each wrapping one core function."""

from __future__ import annotations

from pathlib import Path

import click

from tourapp import __version__
from tourapp.errors import TourError


@click.group()
@click.version_option(__version__, prog_name="tourapp")
def main() -> None:
    """Montage Run: serve the app and prepare its data."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn (settings come from TOURAPP_* variables)."""
    from gunicorn.app.base import BaseApplication

    from . import create_app

    try:
        app = create_app()  # fail here, before forking, if the data is broken
    except TourError as exc:
        raise click.ClickException(str(exc)) from None

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            return app

    click.echo(f"Montage Run {__version__} on http://{host}:{port}/")
    _Server().run()


def _planner():
    """The core's planner with settings from TOURAPP_* variables and the packaged data."""
    from tourapp.routing import TourPlanner
    from tourapp.settings import Settings
    from tourapp.stops import load_stops
    from tourapp.tours import load_tours

    stops = load_stops()
    return TourPlanner(Settings.from_env(), stops, load_tours(stops))


@main.command()
@click.argument("tour_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="File to write (default: montage-run-<tour>.gpx).")
@click.option("--format", "kind", type=click.Choice(["trk", "rte"]), default="trk", show_default=True,
              help="A track (most devices) or a route.")
@click.option("--app-url", default="http://127.0.0.1:8000/", show_default=True,
              help="The app's address, written into the file's metadata.")
def gpx(tour_id: str, output: Path | None, kind: str, app_url: str) -> None:
    """Write a tour as a GPX 1.1 file (the same file the app serves)."""
    from tourapp.gpx import data_time, route_to_gpx

    try:
        planner = _planner()
        route = planner.plan_tour(tour_id)
        text = route_to_gpx(route, app_url=app_url, kind=kind, time=data_time(planner.stops.updated))
    except TourError as exc:
        raise click.ClickException(str(exc)) from None
    output = output or Path(f"montage-run-{tour_id}.gpx")
    output.write_text(text, encoding="utf-8")
    how = "along streets" if route.street_following else "as STRAIGHT LINES (no street network)"
    click.echo(f"wrote {output}: {route.name}, {route.length_m / 1000:.2f} km, {how}")


@main.group()
def network() -> None:
    """The OpenStreetMap walking network the routes follow."""


@network.command("fetch")
@click.option("--if-missing", is_flag=True, help="Do nothing when a network is already available.")
@click.option("--force", is_flag=True, help="Download again even when a cached copy exists.")
def network_fetch(if_missing: bool, force: bool) -> None:
    """Download the walking network for the tour area from Overpass and cache it."""
    planner = _planner()
    if if_missing and not force:
        try:
            found = planner.load_network()
        except TourError:
            found = None
        if found is not None:
            click.echo(f"street network ready: {found.node_count} nodes ({found.meta.get('source')})")
            return
    try:
        net = planner.fetch_network(progress=lambda message: click.echo(f"  {message}"), force=force)
    except TourError as exc:
        raise click.ClickException(
            f"{exc}\nThe app still works: routes are drawn as straight lines until a network is available."
        ) from None
    click.echo(f"street network ready: {net.node_count} nodes, cached in {planner.settings.cache_dir}")


@network.command("status")
def network_status() -> None:
    """Say which street network the app would route on."""
    status = _planner().status()
    if status["street_following"]:
        click.echo(f"street-following routes: {status['nodes']} nodes from {status['source']}")
    else:
        click.echo(f"straight-line legs: {status['error']}")
