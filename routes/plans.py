"""A plan as every view reads it from a request, and the one link that follows it.

Views never build a :class:`~tourapp.plan_request.PlanRequest` themselves: :func:`plan_from`
and :func:`tour_plan_from` read it and put it in its canonical form (a loop or an activity
equal to the tour's own left out), so two links to one route share one cache entry, one share
link, one QR code and one progress key. :func:`follow_url` is where a plan is followed on a
phone: a catalogue tour as it is opens its own page (``/tour/<id>``: precached, its own
progress), anything else ``/tour/plan?<plan>``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import url_for

from tourapp.plan_request import PlanRequest

from .state import get_state

#: What a plan may hold and still be the tour's own page to follow: the tour, and what only
#: changes the figures shown (the tour page keeps units, and shows no times).
FOLLOW_AS_TOUR = frozenset({"tour", "units", "pace"})


def plan_from(query: Mapping[str, str]) -> PlanRequest:
    """The canonical plan a query asks for (a share link's query).

    Raises
    ------
    BadPlan
        Naming the parameter and its value.
    """
    return PlanRequest.from_query(query).canonical(get_state().tours)


def tour_plan_from(tour_id: str, query: Mapping[str, str]) -> PlanRequest:
    """The canonical plan for a URL with the tour in its path (``/tours/<id>.gpx``...).

    Raises
    ------
    UnknownTour
        For an id the catalogue does not have (a 404 naming it).
    BadPlan
        When the query names a tour or stops as well, or for a bad option.
    """
    tour = get_state().tours[tour_id]
    return PlanRequest.for_tour(tour.id, query).canonical(get_state().tours)


def follow_url(plan: PlanRequest, *, external: bool = False) -> str:
    """Where to follow ``plan`` on a phone: ``/tour/<id>`` (with ``?units=mi`` when asked) for
    a tour with nothing that changes its route, else ``/tour/plan?<plan>``. ``external`` gives
    an absolute URL (a QR code)."""
    plan = plan.canonical(get_state().tours)
    if plan.tour is not None and set(plan.to_query()) <= FOLLOW_AS_TOUR:
        url = url_for("pages.tour", tour_id=plan.tour, _external=external)
        return url + ("?units=" + plan.units if plan.units != "km" else "")
    return url_for("pages.plan_tour", _external=external) + "?" + plan.query_string()
