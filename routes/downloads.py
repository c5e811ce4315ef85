"""Files to take away: a tour's GPX for a watch or a route planner."""

from __future__ import annotations

from flask import Blueprint, request

from tourapp.gpx import data_time, route_to_gpx

from .caching import cached_response
from .params import gpx_format
from .state import get_state

bp = Blueprint("downloads", __name__)

GPX_MIMETYPE = "application/gpx+xml"


@bp.get("/tours/<tour_id>.gpx")
def tour_gpx(tour_id: str):
    """The tour as GPX 1.1 (``?format=rte`` for devices that prefer a route to a track)."""
    state = get_state()
    tour = state.tours.get_tour(tour_id)
    kind = gpx_format(request.args)
    # the site's root URL as this client reached it (request.url_root costs 3 IRI decodes)
    app_url = f"{request.scheme}://{request.host}{request.script_root}/"

    def render() -> str:
        route = state.planner.plan_tour(tour.id)
        return route_to_gpx(route, app_url=app_url, kind=kind, time=data_time(state.stops.updated))

    suffix = "" if kind == "trk" else f"-{kind}"
    return cached_response(
        ("gpx", tour.id, kind, app_url),
        render,
        mimetype=GPX_MIMETYPE,
        extra_headers={
            "Content-Disposition": f'attachment; filename="montage-run-{tour.id}{suffix}.gpx"'
        },
    )
