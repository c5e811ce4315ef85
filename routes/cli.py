"""The ``tourapp`` command: Flask's click group with small commands, each wrapping one core call.

The commands live on ``app.cli`` (registered by :func:`init_app`), so they run with the same
services the web app builds (:func:`tourapp.services.build_services`: data checked, network
loaded, a configured OSM file that cannot be read refused) and tests drive them with
``app.test_cli_runner()``. :data:`main` is the console script: a :class:`~flask.cli.FlaskGroup`
that builds the app from ``TOURAPP_*`` variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from tourapp import __version__
from tourapp.errors import TourError
from tourapp.formats import FORMATS
from tourapp.gpx import data_time
from tourapp.plan_request import ACTIVITIES, ORDERS, UNITS, PlanRequest

from .state import get_state

GPX = FORMATS["gpx"]


def init_app(app: Flask) -> None:
    """Put the commands on ``app.cli``."""
    app.cli.add_command(serve)
    app.cli.add_command(gpx)
    app.cli.add_command(network)


def _create_app() -> Flask:
    from . import create_app

    try:
        return create_app()  # fail here, before forking, if the data or the OSM file is broken
    except TourError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False, set_debug_flag=False)  # FLASK_DEBUG ignored
@click.version_option(__version__, prog_name="tourapp")
def main() -> None:
    """Montage Run: serve the app and prepare its data (settings from TOURAPP_* variables)."""


#: The access log, one line per request on stdout: client address, time, the request line
#: WITHOUT its query string (a plan's start or finish may be a runner's home), status, bytes
#: sent, time taken in milliseconds, user agent.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
#: Most workers ``tourapp serve`` accepts.
MAX_WORKERS = 64


def default_workers() -> int:
    """One worker per CPU this process may run on, at least 2 (so one slow answer blocks no one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(2, cpus)


def _setting(value: int | None, configured: int, variable: str, low: int, high: int) -> int:
    """An option's value, else the ``TOURAPP_*`` setting's, checked against the option's range."""
    if value is not None:
        return value
    if not low <= configured <= high:
        raise click.ClickException(f"{variable}={configured} is out of range ({low} to {high})")
    return configured


@click.command()
@click.option("--host", help="Address to listen on.  [default: TOURAPP_HOST, else 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="[default: TOURAPP_PORT, else 8000]")
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS),
              help="Worker processes.  [default: TOURAPP_WORKERS, else one per CPU, at least 2]")
@click.option("--timeout", type=click.IntRange(1), metavar="SECONDS",
              help="Replace a worker stuck this long on one request.  [default: TOURAPP_WORKER_TIMEOUT_S, else 30]")
@click.option("--graceful-timeout", type=click.IntRange(1), metavar="SECONDS",
              help="On SIGTERM, time for requests in flight to finish.  "
                   "[default: TOURAPP_GRACEFUL_TIMEOUT_S, else 30]")
@click.option("--max-requests", type=click.IntRange(0), metavar="N",
              help="Replace a worker after N requests, plus up to N/10 at random (guards against slow "
                   "leaks); 0 never.  [default: TOURAPP_MAX_REQUESTS, else 10000]")
@click.option("--preload/--no-preload", default=True, show_default=True,
              help="Load the app and street graph once, before the workers start, and share it "
                   "copy-on-write between them. --no-preload: each worker loads its own (more memory; "
                   "SIGHUP then reloads data and the network cache).")
@with_appcontext
def serve(host: str | None, port: int | None, workers: int | None, timeout: int | None,
          graceful_timeout: int | None, max_requests: int | None, preload: bool) -> None:
    """Serve the app with gunicorn, for production.

    Settings come from the options, else TOURAPP_* variables (never from a gunicorn config
    file or GUNICORN_CMD_ARGS). One access log line per request on stdout: client, time,
    request without its query string, status, bytes, milliseconds, user agent. SIGTERM
    stops gracefully: requests in flight finish (up to the graceful timeout), then it exits 0.
    """
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = get_state().settings
    host = host or settings.host
    port = _setting(port, settings.port, "TOURAPP_PORT", 1, 65535)
    workers = workers or _setting(None, settings.workers or default_workers(), "TOURAPP_WORKERS", 1, MAX_WORKERS)
    timeout = _setting(timeout, settings.worker_timeout_s, "TOURAPP_WORKER_TIMEOUT_S", 1, 86400)
    graceful_timeout = _setting(graceful_timeout, settings.graceful_timeout_s, "TOURAPP_GRACEFUL_TIMEOUT_S", 1, 86400)
    max_requests = _setting(max_requests, settings.max_requests, "TOURAPP_MAX_REQUESTS", 0, 2**31)
    config: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "preload_app": preload,  # the app above is built before forking: workers share its pages
        "timeout": timeout,
        "graceful_timeout": graceful_timeout,
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10,  # workers do not all restart at once
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",  # gunicorn's own messages (start, workers, shutdown) on stderr
        "proc_name": "montage-run",
        "forwarded_allow_ips": "",  # X-Forwarded-*: only via TOURAPP_PROXY_FIX
        "control_socket_disable": True,  # no shared ~/.gunicorn socket: signals control the server
        "sendfile": True,
    }

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in config.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return app if preload else _create_app()

    shared = "street graph loaded once, shared" if preload else "each worker loads its own"
    click.echo(f"Montage Run {__version__} on http://{host}:{port}/ ({workers} workers, {shared})")
    _Server().run()


@click.command()
@click.argument("tour_id", required=False)
@click.option("--stops", metavar="ID,ID,...", help="Your own stops, in your order (instead of a tour).")
@click.option("--order", type=click.Choice(ORDERS), help="'shortest' reorders the stops between the ends.")
@click.option("--start", metavar="LAT,LON", help="Start from this point.")
@click.option("--end", metavar="LAT,LON", help="Finish at this point (one-way only).")
@click.option("--loop/--one-way", default=None, help="Back to the start, or not (default: the tour's own).")
@click.option("--activity", type=click.Choice(ACTIVITIES), help="Default: the tour's own, or run.")
@click.option("--pace", metavar="S_PER_KM", help="Seconds per km for the point times (default: the activity's).")
@click.option("--units", type=click.Choice(UNITS), help="Distances in the descriptions.")
@click.option("--format", "kind", type=click.Choice(GPX.kinds), default=GPX.kinds[0], show_default=True,
              help="A track (most devices) or a route.")
@click.option("--max-points", type=click.IntRange(min=2), help="At most this many points (older watches).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="File to write (default: a name that says what it holds).")
@click.option("--app-url", default="http://127.0.0.1:8000/", show_default=True,
              help="The app's address, written into the file's metadata.")
@with_appcontext
def gpx(tour_id: str | None, stops: str | None, order: str | None, start: str | None, end: str | None,
        loop: bool | None, activity: str | None, pace: str | None, units: str | None, kind: str,
        max_points: int | None, output: Path | None, app_url: str) -> None:
    """Write a tour, or your own plan, as a GPX 1.1 file (the file the app serves)."""
    state = get_state()
    query = {"tour": tour_id, "stops": stops, "order": order, "start": start, "end": end,
             "loop": None if loop is None else str(loop).lower(), "activity": activity, "pace": pace,
             "units": units}
    try:
        request = PlanRequest.from_query({k: v for k, v in query.items() if v is not None})
        route = state.planner.plan(request)
        options = GPX.options(
            kind=kind, max_points=max_points, app_url=app_url, units=request.units,
            pace_s_per_km=request.pace_for(route, state.settings),
            start_time=data_time(state.stops.updated),
        )
        data = GPX.write(route, options)
    except TourError as exc:
        raise click.ClickException(str(exc)) from None
    output = output or Path(GPX.file_name(route, options))
    output.write_bytes(data)
    how = "along streets" if route.street_following else "as STRAIGHT LINES (no street network)"
    click.echo(f"wrote {output}: {route.name}, {route.length_m / 1000:.2f} km, {how}")


@click.group()
def network() -> None:
    """The OpenStreetMap walking network the routes follow."""


@network.command("fetch")
@click.option("--if-missing", is_flag=True, help="Do nothing when a network is already available.")
@click.option("--force", is_flag=True, help="Download again even when a cached copy exists.")
@with_appcontext
def network_fetch(if_missing: bool, force: bool) -> None:
    """Download the walking network for the tour area from Overpass and cache it."""
    planner = get_state().planner
    found = planner.network
    if if_missing and not force and found is not None:
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
@with_appcontext
def network_status() -> None:
    """Say which street network the app routes on."""
    status = get_state().planner.status()
    if status.street_following:
        click.echo(f"street-following routes: {status.nodes} nodes from {status.source}")
    else:
        click.echo(f"straight-line legs: {status.error}")
