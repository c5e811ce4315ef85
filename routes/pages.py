"""The pages people open: the overview map, one page per stop, the page that follows a tour,
the planner (``/plan``) with its share link and QR code, and the printable cue sheets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from tourapp import maps
from tourapp.cuesheet import cue_text
from tourapp.errors import StopNotReachable, TourError
from tourapp.formatting import format_distance, format_duration, format_pace
from tourapp.model import Route
from tourapp.plan_request import MAX_STOPS, PlanRequest, units_from_query
from tourapp.qr import qr_svg

from .assets import map_assets
from .caching import body_response, cacheable, cached_body, cached_response
from .limits import spend
from .plans import follow_url, plan_from, tour_plan_from
from .state import get_state

bp = Blueprint("pages", __name__)

#: Files a plan downloads as (routes/downloads.py serves ``/plan.<kind>``).
DOWNLOAD_KINDS = ("gpx", "tcx", "fit")


@bp.app_context_processor
def featured_tour() -> dict[str, str]:
    """The tour the header's "Run it" and the offline page offer: the first in the tours file
    that can be planned (so it is also saved for offline use), else simply the first."""
    state = get_state()
    plannable = (tour_id for tour_id in state.tours if state.planned(tour_id)[0] is not None)
    return {"featured_tour_id": next(plannable, next(iter(state.tours)))}


def _stop_url(stop_id: str) -> str:
    return url_for("pages.stop", stop_id=stop_id)


@bp.get("/")
def index() -> Response:
    """The map of every stop beside the list of stops."""
    state = get_state()

    def render() -> str:
        stops = list(state.stops.values())
        fmap = maps.overview_map(
            stops, settings=state.settings, assets=map_assets(), stop_url=_stop_url
        )
        return render_template(
            "pages/index.html",
            map=maps.render_parts(fmap, map_id="overview"),
            montage=state.stops.montage,
            others=state.stops.others,
            tours=[(tour, *state.planned(tour.id)) for tour in state.tours.values()],
            format_distance=format_distance,
        )

    return cached_response(("index",), render, mimetype="text/html")


@bp.get("/stops/<stop_id>")
def stop(stop_id: str) -> Response:
    """One stop: its map, the scene, the real place today, safety and sources."""
    state = get_state()
    place = state.stops[stop_id]

    def render() -> str:
        fmap = maps.stop_map(
            place,
            list(state.stops.values()),
            settings=state.settings,
            assets=map_assets(),
            stop_url=_stop_url,
        )
        montage = state.stops.montage
        index = montage.index(place) if place in montage else None
        return render_template(
            "pages/stop.html",
            stop=place,
            map=maps.render_parts(fmap, map_id=f"stop-{place.id}"),
            previous_stop=montage[index - 1] if index else None,
            next_stop=montage[index + 1] if index is not None and index + 1 < len(montage) else None,
        )

    return cached_response(("stop", place.id), render, mimetype="text/html")


@bp.get("/tour/<tour_id>")
def tour(tour_id: str) -> Response:
    """Follow a tour on the phone: the map, the next stop, check-ins (tour.js draws the route)."""
    state = get_state()
    trip = state.tours[tour_id]

    def render() -> str:
        stops = [state.stops[stop_id] for stop_id in trip.stop_ids]
        # framed on the stops as tour.js draws them (same padding): tour.js fits again only when a
        # notice over the map takes room at the top
        fmap = maps.new_map(
            settings=state.settings,
            assets=map_assets(),
            location=(stops[0].lat, stops[0].lon),
            bounds=[(stop.lat, stop.lon) for stop in stops],
            padding=(40, 40),
        )
        return render_template(
            "pages/tour.html",
            tour=trip,
            stops=stops,
            map=maps.render_parts(fmap, map_id=f"tour-{trip.id}"),
        )

    return cached_response(("tour", trip.id), render, mimetype="text/html")


@bp.get("/tours/<tour_id>/cues")
def cue_sheet(tour_id: str) -> Response:
    """A tour's turn-by-turn cue sheet to print or read on a desk (``?units=km|mi``, and any
    other plan option but ``tour``/``stops``: the tour is in the path)."""
    plan = tour_plan_from(tour_id, request.args)
    # a tour as it is (only units chosen) keeps its own file
    plain = set(plan.to_query()) <= {"tour", "units"}
    gpx = url_for("downloads.tour_gpx", tour_id=plan.tour) if plain else _gpx_url(plan)
    return _cue_sheet(plan, follow_url=follow_url(plan), gpx_url=gpx, units_href=lambda units: "?" + _query_text(
        {**plan.to_query(), "units": units}, without=("tour",)))


@bp.get("/plan/cues")
def plan_cue_sheet() -> Response:
    """A plan's cue sheet (the query of a share link): map, legs and every turn, for paper."""
    plan = plan_from(request.args)
    return _cue_sheet(plan, follow_url=follow_url(plan), gpx_url=_gpx_url(plan),
                      units_href=lambda units: "?" + _query_text({**plan.to_query(), "units": units}))


def _cue_sheet(plan: PlanRequest, *, follow_url: str, gpx_url: str,
               units_href: Callable[[str], str]) -> Response:
    """One cue sheet for a tour or a plan: the map, the legs and every turn, for paper."""
    state = get_state()
    units = plan.units

    def render() -> str:
        route = plan_route(plan)
        pace = plan.pace_for(route, state.settings)
        fmap = maps.route_map(route, settings=state.settings, assets=map_assets())
        return render_template(
            "pages/cues.html",
            route=route,
            map=maps.render_parts(fmap, map_id="cues-map"),
            units=units,
            other_units="mi" if units == "km" else "km",
            units_href=units_href,
            follow_url=follow_url,
            gpx_url=gpx_url,
            pace_text=format_pace(pace, units),
            duration=format_duration(route.duration_s(pace)),
            distance=lambda metres: format_distance(metres, units),
            cue_text=lambda cue: cue_text(cue, units),
            # the map's own credit is on screen only: paper gets it in the footer
            tile_attribution=state.settings.tile_attribution,
        )

    # a tour's sheet and the same plan's (/plan/cues?tour=…) link to different pages
    key = ("cues", request.endpoint, plan)
    return cached_response(key, render, mimetype="text/html", cache=cacheable(plan))


# -------------------------------------------------------------------------------------------
# the planner: /plan, its QR code, and tour mode for a plan


def plan_route(plan: PlanRequest) -> Route:
    """The route a plan asks for (memoised by the planner on the plan's route key), once the
    request has spent its rate-limit budget.

    Raises the planner's errors: BadPlan, UnknownStop, UnknownTour (ids and area),
    StopNotReachable; a 429 over the budget.
    """
    spend()
    return get_state().planner.plan(plan)


def _check_known(plan: PlanRequest) -> None:
    """Refuse ids the catalogues do not have and points outside the area, without planning:
    a 404 (400 for a point) naming the value, before anything is drawn or cached."""
    state = get_state()
    if plan.tour is not None:
        state.tours[plan.tour]
    for stop_id in plan.stops:
        state.stops[stop_id]
    plan.check_area(state.planner.area)


def _link_host() -> tuple[str | None, bool]:
    """Whose absolute links (share links, QR codes) this request gets, for cache keys: ``None``
    when ``TOURAPP_PUBLIC_URL`` fixes them; else the request's host, and whether it was
    checked (``TOURAPP_TRUSTED_HOSTS``). A page holding links to an unchecked host is not
    cached: made-up ``Host`` headers would push every other page out of the cache."""
    if current_app.extensions["tourapp.security"]["public_url"]:
        return None, True
    return request.host, bool(current_app.config.get("TRUSTED_HOSTS"))


def _linked_plan(args: MultiDict[str, str]) -> tuple[PlanRequest | None, str, str | None]:
    """The plan a link asks for in its canonical form (not planned yet), the units to show,
    and why the link cannot be read.

    No tour and no stops: no plan (an empty planner), in the units the link asks for.
    """
    try:
        if "tour" not in args and "stops" not in args:
            return None, units_from_query(args), None
        shared = plan_from(args)
        return shared, shared.units, None
    except TourError as exc:
        return None, "km", str(exc)


def _shared_plan(plan: PlanRequest) -> tuple[PlanRequest | None, str | None, int]:
    """A linked plan planned: the plan, why it cannot be had, and the HTTP status to answer with.

    Unknown ids or a point outside the area: no plan, the message, 400. A plan that cannot be
    routed (a stop too far from the streets): the plan kept, so it can be changed, with the
    message and 422.
    """
    try:
        plan_route(plan)
    except StopNotReachable as exc:
        return plan, str(exc), 422
    except TourError as exc:
        return None, str(exc), 400
    return plan, None, 200


def _film_sorted(stop_ids: list[str]) -> list[str]:
    """Stops in film order: the montage by number, then the other places in catalogue order."""
    catalogue = list(get_state().stops)
    montage = {stop.id: stop.montage_order for stop in get_state().stops.montage}
    return sorted(stop_ids, key=lambda s: (s not in montage, montage.get(s) or 0, catalogue.index(s)))


def _initial_state(plan: PlanRequest | None, units: str = "km") -> dict[str, Any]:
    """What the planner script starts from (and what the page shows before it runs)."""
    state = get_state()
    if plan is None:
        return {"tour": None, "stops": [], "mode": "film", "start": None, "end": None, "loop": None,
                "activity": None, "pace": None, "units": units, "shown_loop": False, "shown_activity": "run"}
    tour = state.tours[plan.tour] if plan.tour else None
    stops = list(tour.stop_ids if tour else plan.stops)
    mode = "shortest" if plan.order == "shortest" else "film" if stops == _film_sorted(stops) else "own"
    return {
        "tour": plan.tour, "stops": stops, "mode": mode,
        # what the form shows when the link leaves loop and activity to the tour
        "shown_loop": plan.loop if plan.loop is not None else bool(tour and tour.loop and plan.end is None),
        "shown_activity": plan.activity or (tour.activity if tour else "run"),
        "start": list(plan.start) if plan.start else None,
        "end": list(plan.end) if plan.end else None,
        "loop": plan.loop, "activity": plan.activity, "pace": plan.pace_s_per_km, "units": plan.units,
    }


@bp.get("/plan")
def plan() -> Response:
    """The planner: pick stops, order, start and finish, pace; share, print, send to a phone.

    The query is a share link (``PlanRequest.query_string()``): the page opens on that plan;
    without a tour or stops it opens empty (in the units asked for). The page holds no
    absolute link (the script makes the share link absolute with the page's own address),
    so it is the same whatever the ``Host``, and kept by its canonical plan.
    """
    state = get_state()
    shared, units, problem = _linked_plan(request.args)
    status = 200 if problem is None else 400
    key = ("plan", shared, units)
    cache = problem is None and (shared is None or cacheable(shared))
    if cache and (hit := cached_body(key)) is not None:
        return body_response(hit, mimetype="text/html")  # a plan shown before: nothing to plan
    if shared is not None:
        shared, problem, status = _shared_plan(shared)

    def render() -> str:
        stops = list(state.stops.values())
        positions = [(s.lat, s.lon) for s in stops]
        fmap = maps.new_map(settings=state.settings, assets=map_assets(),
                            location=positions[0], bounds=positions, padding=(32, 32))
        initial = _initial_state(shared, units)
        tours = list(state.tours.values())
        return render_template(
            "pages/plan.html",
            map=maps.render_parts(fmap, map_id="planner"),
            stops=stops,
            by_id=state.stops,
            scene_line=maps.first_sentence,
            tours=tours,
            initial=initial,
            problem=problem,
            max_stops=MAX_STOPS,
            paces={activity: state.settings.pace_for(activity) for activity in ("run", "walk")},
            query=shared.query_string() if shared else "",
            # a shared plan is drawn straight without street data: the notice is in the page
            # from the start, so it does not push the form down when the script shows it
            straight=shared is not None and state.planner.network is None,
            follow=follow_url(shared) if shared else "",
            downloads=_downloads(),
        )

    response = cached_response(key, render, mimetype="text/html", cache=cache and problem is None)
    if response.status_code == 200:
        response.status_code = status
    return response


@bp.get("/plan/qr.svg")
def plan_qr() -> Response:
    """A QR code (SVG) of the plan's tour-mode link, for a phone's camera; a plan with an
    unknown id is a 404 naming it (its link would lead nowhere)."""
    plan = plan_from(request.args)
    _check_known(plan)
    host, host_checked = _link_host()

    def render() -> str:
        return qr_svg(follow_url(plan, external=True), title="QR code: open this plan on your phone")

    return cached_response(("plan-qr", host, plan), render, mimetype="image/svg+xml",
                           cache=host_checked and cacheable(plan))


@bp.get("/tour/plan")
def plan_tour() -> ResponseReturnValue:
    """Follow a plan of one's own on the phone (tour mode): the tour page for a share link.

    Progress is kept per plan: the phone stores it under the plan's query string, less the
    pace and units (they change the figures, not the route, so they do not start a new run).
    A catalogue tour with nothing that changes its route is sent to its own page (302), so
    its progress and its offline copy are the tour's.
    """
    state = get_state()
    plan = plan_from(request.args)
    if plan.tour is not None:
        state.tours[plan.tour]  # an unknown tour is a 404 naming it here, not at the redirect
    follow = follow_url(plan)
    if not follow.startswith(url_for("pages.plan_tour") + "?"):
        return redirect(follow, code=302)

    def render() -> str:
        route = plan_route(plan)  # unknown ids raise here: nothing is stored for them
        places = [(p.lat, p.lon) for p in route.places]
        fmap = maps.new_map(settings=state.settings, assets=map_assets(), location=places[0],
                            bounds=places, padding=(40, 40))
        return render_template(
            "pages/tour.html",
            tour=route,
            progress_key="plan:" + plan.query_string(without=("pace", "units")),
            stops=list(route.stops),
            map=maps.render_parts(fmap, map_id="tour-plan"),
            route_url=_with_query("api.plan", plan),
            gpx_url=_gpx_url(plan),
            cues_url=_with_query("pages.plan_cue_sheet", plan),
            plan_url=_with_query("pages.plan", plan),
        )

    return cached_response(("tour-plan", plan), render, mimetype="text/html", cache=cacheable(plan))


def _query_text(query: dict[str, str], *, without: tuple[str, ...] = ()) -> str:
    return urlencode({k: v for k, v in query.items() if k not in without}, safe=",:")


def _with_query(endpoint: str, plan: PlanRequest, **values: Any) -> str:
    return url_for(endpoint, **values) + "?" + plan.query_string()


def _downloads() -> list[tuple[str, str]]:
    """(kind, URL without query) of each file a plan downloads as, for a watch or planner."""
    return [(kind, url_for(f"downloads.plan_{kind}")) for kind in DOWNLOAD_KINDS]


def _gpx_url(plan: PlanRequest) -> str:
    return _with_query("downloads.plan_gpx", plan)
