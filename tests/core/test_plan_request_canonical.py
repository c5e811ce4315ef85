"""Canonical plans: one route, one share link. Also the plan rules views share (a tour named
in the path, the default pace, the empty planner's units)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tourapp.errors import BadPlan
from tourapp.plan_request import ACTIVITIES, ORDERS, UNITS, PlanRequest, units_from_query
from tourapp.planner import TourPlanner
from tourapp.settings import Settings
from tourapp.stops import load_stops
from tourapp.tours import TourCatalog, parse_tours

STOPS = load_stops()
#: The packaged tours (one-way run, one-way walk) and a loop, which a finish point makes one-way.
TOURS: TourCatalog = parse_tours({"tours": [
    {"id": "montage", "name": "Montage", "description": "The montage.",
     "stop_ids": ["rail-yard", "italian-market", "moshulu"], "loop": False, "activity": "run"},
    {"id": "walking-tour", "name": "Walk", "description": "A walk.",
     "stop_ids": ["rockys-house", "adrians-pet-shop", "lucky-seven"], "loop": False, "activity": "walk"},
    {"id": "round", "name": "Round", "description": "A loop.",
     "stop_ids": ["art-museum-steps", "rocky-statue", "moshulu"], "loop": True, "activity": "run"},
]}, STOPS)
STOP_IDS = tuple(STOPS)
#: Points inside the service area (so the planner takes them).
POINTS = st.none() | st.sampled_from([(39.9526, -75.1652), (39.9656, -75.1810), (39.9387, -75.1579)])


@st.composite
def plans(draw: st.DrawFn) -> PlanRequest:
    """Any valid plan, its loop and activity left open, said as the default, or not."""
    end = draw(POINTS)
    loop = draw(st.sampled_from([None, False] if end is not None else [None, True, False]))
    tour: str | None = None
    stops: tuple[str, ...] = ()
    if draw(st.booleans()):
        tour = draw(st.sampled_from(list(TOURS)))
    else:
        stops = tuple(draw(st.lists(st.sampled_from(STOP_IDS), min_size=2, max_size=4, unique=True)))
    return PlanRequest(
        tour=tour, stops=stops, order=draw(st.sampled_from(ORDERS)), start=draw(POINTS), end=end, loop=loop,
        activity=draw(st.none() | st.sampled_from(ACTIVITIES)),
        pace_s_per_km=draw(st.none() | st.sampled_from([300.0, 412.5])), units=draw(st.sampled_from(UNITS)),
    )


def _spelled_out(plan: PlanRequest, loop: bool, activity: str) -> PlanRequest:
    """The plan with its loop and activity written out (as a hand-written link might)."""
    return plan.replace(loop=plan.loop if plan.loop is not None else loop,
                        activity=plan.activity or activity)


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> TourPlanner:
    """Straight legs: the rules, not the streets, are under test."""
    return TourPlanner(Settings(cache_dir=Path(tmp_path_factory.mktemp("canonical"))), STOPS, TOURS, network=None)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans())
def test_the_canonical_plan_is_the_same_route_and_survives_its_own_link(planner: TourPlanner,
                                                                       plan: PlanRequest) -> None:
    canonical = plan.canonical(TOURS)
    assert PlanRequest.from_query(canonical.to_query()) == canonical
    assert canonical.canonical(TOURS) == canonical
    route, again = planner.plan(plan), planner.plan(canonical)
    assert (again.loop, again.activity, again.stops, again.legs) == (route.loop, route.activity, route.stops,
                                                                     route.legs)
    # writing out what the route does anyway changes nothing: one link for one route
    spelled = _spelled_out(plan, route.loop, route.activity)
    assert planner.plan(spelled).legs == route.legs
    assert spelled.canonical(TOURS).query_string() == canonical.query_string()


@given(plans(), plans())
def test_plans_with_the_same_canonical_route_key_have_the_same_link(first: PlanRequest, second: PlanRequest) -> None:
    a, b = first.canonical(TOURS), second.replace(pace_s_per_km=first.pace_s_per_km,
                                                  units=first.units).canonical(TOURS)
    assert (a.route_key() == b.route_key()) == (a.query_string() == b.query_string())


@pytest.mark.parametrize(("written", "canonical"), [
    ({"stops": "rail-yard,moshulu", "activity": "run", "loop": "false"}, "stops=rail-yard,moshulu"),
    ({"tour": "walking-tour", "activity": "walk"}, "tour=walking-tour"),
    ({"tour": "walking-tour", "activity": "run"}, "tour=walking-tour&activity=run"),
    ({"tour": "round", "loop": "true"}, "tour=round"),
    ({"tour": "round", "loop": "false"}, "tour=round&loop=false"),
    ({"tour": "round", "end": "39.9526,-75.1652", "loop": "false"}, "tour=round&end=39.9526,-75.1652"),
    ({"tour": "no-such-tour", "loop": "false"}, "tour=no-such-tour&loop=false"),  # the planner names it
])
def test_what_the_tour_does_anyway_is_left_out(written: dict[str, str], canonical: str) -> None:
    assert PlanRequest.from_query(written).canonical(TOURS).query_string() == canonical


@pytest.mark.parametrize("query", [{"tour": "round"}, {"stops": "moshulu,rail-yard"},
                                   {"tour": "montage", "stops": "x"}])
def test_a_tour_named_in_the_path_refuses_a_plan_in_the_query_with_one_message(query: dict[str, str]) -> None:
    with pytest.raises(BadPlan, match=r"the tour is in the path \('montage'\); leave tour and stops out of the query"):
        PlanRequest.for_tour("montage", query)


def test_a_tour_named_in_the_path_takes_any_other_option() -> None:
    plan = PlanRequest.for_tour("montage", MultiDict({"order": "shortest", "units": "mi", "format": "rte"}))
    assert plan == PlanRequest(tour="montage", order="shortest", units="mi")
    with pytest.raises(BadPlan, match="pace is given 2 times"):
        PlanRequest.for_tour("montage", MultiDict([("pace", "300"), ("pace", "301")]))


@dataclass(frozen=True)
class Walked:
    activity: str


class Defaults:
    def pace_for(self, activity: str) -> float:
        return {"run": 360.0, "walk": 720.0}[activity]


def test_the_pace_is_the_plans_or_the_default_for_the_routes_activity() -> None:
    assert PlanRequest(tour="montage").pace_for(Walked("walk"), Defaults()) == 720.0
    assert PlanRequest(tour="montage").pace_for(Walked("run"), Defaults()) == 360.0
    assert PlanRequest(tour="montage", pace_s_per_km=300).pace_for(Walked("walk"), Defaults()) == 300.0


def test_the_empty_planner_reads_only_its_units() -> None:
    assert units_from_query({}) == "km"
    assert units_from_query(MultiDict({"units": "mi", "order": "shortest"})) == "mi"
    with pytest.raises(BadPlan, match="units must be one of km, mi, got 'furlongs'"):
        units_from_query({"units": "furlongs"})
    with pytest.raises(BadPlan, match="units is given 2 times"):
        units_from_query(MultiDict([("units", "mi"), ("units", "km")]))
