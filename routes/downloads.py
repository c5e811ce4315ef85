"""Files to take away: a tour's or a plan's route as GPX, TCX or FIT, for a watch or a planner.

One URL per format of :data:`tourapp.formats.FORMATS`: ``/tours/<tour_id>.gpx`` and
``/plan.gpx`` (and ``.tcx``, ``.fit``), with the plan's query (:class:`PlanRequest`) plus the
file's own options, ``format`` (GPX ``trk`` or ``rte``) and ``max_points``. Endpoints are
``downloads.tour_<format>`` and ``downloads.plan_<format>``.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, request

from tourapp.formats import FORMATS, ExportFormat
from tourapp.gpx import data_time
from tourapp.model import Route
from tourapp.plan_request import PlanRequest

from .caching import Rendered, cacheable, cached_response
from .limits import spend
from .plans import plan_from, tour_plan_from
from .security import app_url as public_app_url
from .state import get_state

bp = Blueprint("downloads", __name__)


def tour_file(tour_id: str, format_name: str) -> Response:
    """A tour of the catalogue as a file (its query may add a start, order, pace...)."""
    return _download(FORMATS[format_name], tour_plan_from(tour_id, request.args))  # unknown id: 404


def plan_file(format_name: str) -> Response:
    """A plan of one's own (the planner page's query) as a file."""
    return _download(FORMATS[format_name], plan_from(request.args))


def _download(fmt: ExportFormat, plan: PlanRequest) -> Response:
    """The file, from the cache when this plan and these options were asked before: the
    options are checked first, the route planned only on a miss (its activity sets the
    default pace, its length the file's name).

    ``max_points`` at or above the route's point count drops nothing: it is keyed (and named)
    as no ``max_points``, so ``?max_points=N`` for every large N is one cache entry, not one
    each. Below it the key holds at most the route's point count of values. Telling the two
    apart needs the route, so a request with ``max_points`` spends its budget first.
    """
    state = get_state()
    app_url = public_app_url()  # TOURAPP_PUBLIC_URL, or a checked host: a bounded key
    options = fmt.options_from_query(
        request.args,
        pace_s_per_km=plan.pace_s_per_km or 0.0,  # the default waits for the route's activity
        start_time=data_time(state.stops.updated),
        app_url=app_url,
        units=plan.units,
    )
    if options.max_points is not None:
        spend()
        if options.max_points >= _point_count(state.planner.plan(plan)):
            options = dataclasses.replace(options, max_points=None)

    def render() -> Rendered:
        route = state.planner.plan(plan)  # memoised by the planner; unknown ids raise here
        paced = dataclasses.replace(options, pace_s_per_km=plan.pace_for(route, state.settings))
        disposition = f'attachment; filename="{fmt.file_name(route, paced)}"'
        return fmt.write(route, paced), {"Content-Disposition": disposition}

    return cached_response(("export", fmt.name, plan, options.kind, options.max_points, app_url), render,
                           mimetype=fmt.media_type, cache=cacheable(plan))


def _point_count(route: Route) -> int:
    """At least as many points as the route's line has (legs' own points, joins counted twice):
    a ``max_points`` this large keeps every point."""
    return sum(len(leg.points) for leg in route.legs)


for _fmt in FORMATS.values():
    bp.add_url_rule(f"/tours/<tour_id>{_fmt.suffix}", f"tour_{_fmt.name}", tour_file,
                    defaults={"format_name": _fmt.name})
    bp.add_url_rule(f"/plan{_fmt.suffix}", f"plan_{_fmt.name}", plan_file,
                    defaults={"format_name": _fmt.name})
