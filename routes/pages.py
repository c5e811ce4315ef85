"""The pages people open: the overview map, one page per stop, the page that follows a tour,
and a tour's printable cue sheet."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from tourapp import maps
from tourapp.cuesheet import cue_text
from tourapp.geodesy import format_distance, format_duration, format_pace

from .assets import map_assets
from .caching import cached_response
from .params import units as units_option
from .state import get_state

bp = Blueprint("pages", __name__)


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
def index():
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
def stop(stop_id: str):
    """One stop: its map, the scene, the real place today, safety and sources."""
    state = get_state()
    place = state.stops.get_stop(stop_id)

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
def tour(tour_id: str):
    """Follow a tour on the phone: the map, the next stop, check-ins (tour.js draws the route)."""
    state = get_state()
    trip = state.tours.get_tour(tour_id)

    def render() -> str:
        stops = [state.stops.get_stop(stop_id) for stop_id in trip.stop_ids]
        # framed on the stops as tour.js draws them (same padding), so no second fit is needed
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
def cue_sheet(tour_id: str):
    """A tour's turn-by-turn cue sheet to print or read on a desk (``?units=km|mi``)."""
    state = get_state()
    trip = state.tours.get_tour(tour_id)
    units = units_option(request.args)

    def render() -> str:
        route = state.planner.plan_tour(trip.id)
        pace = state.settings.pace_for(trip.activity)
        return render_template(
            "pages/cues.html",
            tour=trip,
            route=route,
            units=units,
            pace_text=format_pace(pace, units),
            duration=format_duration(route.duration_s(pace)),
            distance=lambda metres: format_distance(metres, units),
            cue_text=lambda cue: cue_text(cue, units),
        )

    return cached_response(("cues", trip.id, units), render, mimetype="text/html")

