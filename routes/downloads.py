"""Files to take away: a tour's or a plan's route as GPX, TCX or FIT, for a watch or a planner.

One URL per format of :data:`tourapp.formats.FORMATS`: ``/tours/<tour_id>.gpx`` and
``/plan.gpx`` (and ``.tcx``, ``.fit``), with the plan's query (:class:`PlanRequest`) plus the
file's own options, ``format`` (GPX ``trk`` or ``rte``) and ``max_points``. Endpoints are
``downloads.tour_<format>`` and ``downloads.plan_<format>``.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from tourapp.errors import BadPlan
from tourapp.formats import FORMATS, ExportFormat
from tourapp.gpx import data_time
from tourapp.plan_request import PlanRequest

from .caching import cached_response
from .security import app_url as public_app_url
from .state import get_state

bp = Blueprint("downloads", __name__)


def tour_file(tour_id: str, format_name: str) -> Response:
    """A tour of the catalogue as a file (its query may add a start, order, pace...)."""
    tour = get_state().tours[tour_id]  # an unknown id is a 404 naming it
    if "tour" in request.args or "stops" in request.args:
        raise BadPlan(f"the tour is in the path ({tour.id!r}); leave tour and stops out of the query")
    query = MultiDict(request.args)
    query.setlist("tour", [tour.id])
    return _download(FORMATS[format_name], PlanRequest.from_query(query))


def plan_file(format_name: str) -> Response:
    """A plan of one's own (the planner page's query) as a file."""
    return _download(FORMATS[format_name], PlanRequest.from_query(request.args))


def _download(fmt: ExportFormat, plan: PlanRequest) -> Response:
    state = get_state()
    app_url = public_app_url()  # TOURAPP_PUBLIC_URL, never an unchecked Host header
    route = state.planner.plan(plan)  # memoised by the planner
    options = fmt.options_from_query(
        request.args,
        pace_s_per_km=plan.pace_s_per_km or state.settings.pace_for(route.activity),
        start_time=data_time(state.stops.updated),
        app_url=app_url,
        units=plan.units,
    )
    fixed = plan.start is None and plan.end is None  # free points would grow the cache
    return cached_response(
        ("export", fmt.name, plan.query_string(), options.kind, options.max_points, app_url),
        lambda: fmt.write(route, options),
        mimetype=fmt.media_type,
        cache=fixed,
        extra_headers={"Content-Disposition": f'attachment; filename="{fmt.file_name(route, options)}"'},
    )


for _fmt in FORMATS.values():
    bp.add_url_rule(f"/tours/<tour_id>{_fmt.suffix}", f"tour_{_fmt.name}", tour_file,
                    defaults={"format_name": _fmt.name})
    bp.add_url_rule(f"/plan{_fmt.suffix}", f"plan_{_fmt.name}", plan_file,
                    defaults={"format_name": _fmt.name})
