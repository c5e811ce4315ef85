"""The plan request: one parse of a query, one validation, and share links that round-trip."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tourapp.errors import BadPlan
from tourapp.geodesy import BBox
from tourapp.plan_request import (
    ACTIVITIES,
    MAX_STOPS,
    ORDERS,
    PACE_LIMITS_S_PER_KM,
    UNITS,
    PlanRequest,
)

STOP_IDS = ("rail-yard", "italian-market", "stone-arch-bridge", "mighty-micks-gym", "meat-plant",
            "moshulu", "art-museum-steps", "rockys-house", "adrians-pet-shop", "lucky-seven", "rocky-statue")


def Box() -> BBox:
    return BBox(south=39.90, west=-75.25, north=40.02, east=-75.10)


def test_a_tour_plan_needs_only_the_tour() -> None:
    plan = PlanRequest.from_query({"tour": "montage"})
    assert plan == PlanRequest(tour="montage")
    assert plan.to_query() == {"tour": "montage"}


def test_a_custom_plan_reads_every_option() -> None:
    plan = PlanRequest.from_query({
        "stops": "moshulu, italian-market,art-museum-steps", "order": "shortest",
        "start": "39.95,-75.15", "end": "39.9656,-75.1810", "loop": "false", "activity": "walk",
        "pace": "540", "units": "mi", "utm_source": "ignored",
    })
    assert plan.stops == ("moshulu", "italian-market", "art-museum-steps")
    assert plan.order == "shortest"
    assert plan.start == (39.95, -75.15)
    assert plan.end == (39.9656, -75.181)
    assert plan.loop is False
    assert plan.activity == "walk"
    assert plan.pace_s_per_km == 540.0
    assert plan.units == "mi"


def test_share_link_keeps_commas_and_is_short() -> None:
    plan = PlanRequest(stops=("moshulu", "rail-yard"), start=(39.95, -75.15), pace_s_per_km=330)
    assert plan.query_string() == "stops=moshulu,rail-yard&start=39.95,-75.15&pace=330"


def test_coordinates_are_rounded_to_a_tenth_of_a_metre() -> None:
    plan = PlanRequest(tour="montage", start=(39.123456789, -75.987654321))
    assert plan.start == (39.123457, -75.987654)


def test_pace_and_units_do_not_change_the_route() -> None:
    a = PlanRequest(tour="montage", pace_s_per_km=300, units="mi")
    b = PlanRequest(tour="montage")
    assert a.route_key() == b.route_key()
    assert PlanRequest(tour="montage", order="shortest").route_key() != b.route_key()


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({}, "empty"),
        ({"tour": "montage", "stops": "moshulu,rail-yard"}, "either tour or stops"),
        ({"stops": "moshulu"}, "at least two places"),
        ({"stops": "moshulu,moshulu"}, "'moshulu' is listed twice"),
        ({"stops": ",".join((*STOP_IDS, "extra-stop"))}, "at most 11 stops, got 12"),
        ({"stops": "moshulu,../etc/passwd"}, "'../etc/passwd'"),
        ({"stops": "moshulu,Rail-Yard"}, "'Rail-Yard'"),
        ({"tour": "<script>"}, "'<script>'"),
        ({"tour": "montage", "order": "fastest"}, "order must be one of given, shortest, got 'fastest'"),
        ({"tour": "montage", "activity": "swim"}, "activity must be one of run, walk, got 'swim'"),
        ({"tour": "montage", "units": "furlongs"}, "units must be one of km, mi, got 'furlongs'"),
        ({"tour": "montage", "start": "39.95"}, "start must be 'latitude,longitude'"),
        ({"tour": "montage", "start": "north,west"}, "'north,west'"),
        ({"tour": "montage", "start": "nan,-75.1"}, "start must be a latitude"),
        ({"tour": "montage", "end": "91,-75.1"}, "end must be a latitude in -90..90"),
        ({"tour": "montage", "end": "inf,-75.1"}, "end must be a latitude"),
        ({"tour": "montage", "loop": "maybe"}, "loop must be true or false, got 'maybe'"),
        ({"tour": "montage", "loop": "true", "end": "39.95,-75.15"}, "a loop returns to its start"),
        ({"tour": "montage", "pace": "0"}, "pace must be between 120 and 1800 seconds per km"),
        ({"tour": "montage", "pace": "-300"}, "got -300.0"),
        ({"tour": "montage", "pace": "nan"}, "pace must be a finite number"),
        ({"tour": "montage", "pace": "1e308"}, "pace must be between"),
        ({"tour": "montage", "pace": "fast"}, "pace must be a number of seconds per km, got 'fast'"),
        ({"tour": "montage", "pace": "3" * 700}, "pace is 700 characters long"),
        ({"tour": "mon\x00tage"}, "tour contains a NUL character"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(query: dict[str, str], named: str) -> None:
    with pytest.raises(BadPlan) as caught:
        PlanRequest.from_query(query)
    assert named in str(caught.value)


def test_a_parameter_given_twice_is_refused() -> None:
    query = MultiDict([("tour", "montage"), ("start", "39.95,-75.15"), ("start", "39.96,-75.16")])
    with pytest.raises(BadPlan, match="start is given 2 times"):
        PlanRequest.from_query(query)


def test_the_service_area_is_checked_for_start_and_end() -> None:
    PlanRequest(tour="montage", start=(39.95, -75.15)).check_area(Box())
    with pytest.raises(BadPlan, match=r"end 40\.7128,-74\.006 is outside the tour area"):
        PlanRequest(tour="montage", end=(40.7128, -74.0060)).check_area(Box())


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(BadPlan, match="at most 11 stops"):
        PlanRequest(stops=tuple(f"stop-{i}" for i in range(MAX_STOPS + 1)))
    with pytest.raises(BadPlan, match="pace must be between"):
        PlanRequest(tour="montage", pace_s_per_km=PACE_LIMITS_S_PER_KM[1] + 1)


# -------------------------------------------------------------------------------------------
# share links round-trip exactly

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.none() | st.tuples(latitudes, longitudes)


@st.composite
def plans(draw: st.DrawFn) -> PlanRequest:
    use_tour = draw(st.booleans())
    start, end = draw(points), draw(points)
    loop = draw(st.sampled_from([None, True, False]))
    if end is not None and loop:
        loop = draw(st.sampled_from([None, False]))
    if use_tour:
        tour, stops = draw(st.sampled_from(["montage", "steps-finale", "walking-tour"])), ()
    else:
        tour = None
        stops = tuple(draw(st.lists(st.sampled_from(STOP_IDS), min_size=2, max_size=MAX_STOPS, unique=True)))
    low, high = PACE_LIMITS_S_PER_KM
    return PlanRequest(
        tour=tour, stops=stops, order=draw(st.sampled_from(ORDERS)), start=start, end=end, loop=loop,
        activity=draw(st.none() | st.sampled_from(ACTIVITIES)),
        pace_s_per_km=draw(st.none() | st.floats(min_value=low, max_value=high)),
        units=draw(st.sampled_from(UNITS)),
    )


@given(plans())
def test_a_plan_survives_its_own_query(plan: PlanRequest) -> None:
    assert PlanRequest.from_query(plan.to_query()) == plan


@given(plans())
def test_a_plan_survives_its_url_encoded_share_link(plan: PlanRequest) -> None:
    assert PlanRequest.from_query(dict(parse_qsl(plan.query_string()))) == plan
