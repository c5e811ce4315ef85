"""``/api/plan``: a plan of one's own stops (or a tour) as GeoJSON, and every bad input a 400 or
404 whose message names the value."""

from __future__ import annotations

import pytest
from osm_fixtures import distance_to_polyline_m

from tourapp.plan_request import MAX_STOPS

MONTAGE = ["rail-yard", "italian-market", "stone-arch-bridge", "mighty-micks-gym", "meat-plant",
           "moshulu", "art-museum-steps"]
OTHERS = ["rockys-house", "adrians-pet-shop", "lucky-seven", "rocky-statue"]


def _plan(client, query: str) -> tuple[dict, list[dict]]:
    response = client.get(f"/api/plan?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    data = response.get_json(force=True)
    assert data["type"] == "FeatureCollection"
    line, *points = data["features"]
    assert line["geometry"]["type"] == "LineString"
    return line, points


def _error(client, query: str, status: int) -> str:
    response = client.get(f"/api/plan?{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    return error["message"]


def _stop_position(client, stop_id: str) -> list[float]:
    return client.get(f"/api/stops/{stop_id}").get_json(force=True)["geometry"]["coordinates"]


def test_a_plan_of_ones_own_stops_is_a_route_through_them_in_that_order(client):
    line, points = _plan(client, "stops=moshulu,rocky-statue,italian-market")
    props = line["properties"]
    assert props["tour_id"] == "plan" and props["loop"] is False and props["activity"] == "run"
    assert [(leg["from"], leg["to"]) for leg in props["legs"]] == [
        ("moshulu", "rocky-statue"), ("rocky-statue", "italian-market")]
    assert [p["properties"]["id"] for p in points] == ["moshulu", "rocky-statue", "italian-market"]
    assert [p["properties"]["sequence"] for p in points] == [1, 2, 3]
    assert all(p["properties"]["kind"] == "stop" for p in points)
    assert points[0]["geometry"]["coordinates"] == _stop_position(client, "moshulu")
    assert props["street_following"] is False  # the offline app says its legs are straight
    assert props["length_m"] == pytest.approx(sum(leg["length_m"] for leg in props["legs"]), abs=1)


def test_a_plan_has_the_same_shape_as_a_tours_route(client):
    plan_line, _ = _plan(client, "stops=rail-yard,moshulu")
    tour_line = client.get("/api/tours/montage").get_json(force=True)["features"][0]
    assert plan_line["properties"].keys() == tour_line["properties"].keys()
    assert plan_line["properties"]["legs"][0].keys() == tour_line["properties"]["legs"][0].keys()
    assert {"duration_s", "pace_s_per_km", "street_following", "legs", "length_m"} <= plan_line["properties"].keys()


def test_a_tour_through_the_plan_api_is_that_tour(client):
    line, points = _plan(client, "tour=steps-finale")
    tour = client.get("/api/tours/steps-finale").get_json(force=True)
    assert [line, *points] == tour["features"]


def test_a_finish_point_ends_the_line_and_is_a_feature_of_its_own(client):
    line, points = _plan(client, "stops=rail-yard,moshulu&end=39.95,-75.16")
    assert line["geometry"]["coordinates"][-1] == [-75.16, 39.95]
    assert line["properties"]["legs"][-1] == {**line["properties"]["legs"][-1], "from": "moshulu", "to": "end"}
    assert points[-1]["properties"]["kind"] == "end"
    assert points[-1]["geometry"]["coordinates"] == [-75.16, 39.95]


def test_a_start_point_begins_the_line_and_is_a_feature_of_its_own(client):
    line, points = _plan(client, "stops=rail-yard,moshulu&start=39.95,-75.16")
    assert line["geometry"]["coordinates"][0] == [-75.16, 39.95]
    assert points[0]["properties"]["kind"] == "start"
    assert line["properties"]["legs"][0]["from"] == "start"


def test_a_start_and_one_stop_make_a_plan(client):
    line, _ = _plan(client, "stops=art-museum-steps&start=39.95,-75.16")
    assert [leg["to"] for leg in line["properties"]["legs"]] == ["art-museum-steps"]


def test_a_loop_plan_comes_back_to_where_it_started(client):
    line, _ = _plan(client, "stops=rail-yard,moshulu,italian-market&loop=true")
    coords = line["geometry"]["coordinates"]
    assert line["properties"]["loop"] is True
    assert coords[-1] == coords[0]
    assert line["properties"]["legs"][-1]["to"] == "rail-yard"


def test_the_shortest_order_keeps_the_ends_and_is_never_longer(client):
    stops = "rail-yard,art-museum-steps,italian-market,rocky-statue,moshulu,lucky-seven"
    given = _plan(client, f"stops={stops}")[0]["properties"]
    shortest = _plan(client, f"stops={stops}&order=shortest")[0]["properties"]
    assert shortest["length_m"] <= given["length_m"] + 0.1
    assert shortest["legs"][0]["from"] == "rail-yard" and shortest["legs"][-1]["to"] == "lucky-seven"
    assert sorted(leg["to"] for leg in shortest["legs"]) == sorted(leg["to"] for leg in given["legs"])


def test_every_stop_at_once_is_allowed(client):
    _, points = _plan(client, f"stops={','.join(MONTAGE + OTHERS)}&order=shortest")
    assert len(points) == MAX_STOPS == 11


def test_the_pace_defaults_to_the_activitys_and_can_be_chosen(client, offline_settings):
    walk = _plan(client, "stops=rail-yard,moshulu&activity=walk")[0]["properties"]
    chosen = _plan(client, "stops=rail-yard,moshulu&pace=240")[0]["properties"]
    assert walk["activity"] == "walk" and walk["pace_s_per_km"] == offline_settings.walk_pace_s_per_km
    assert chosen["pace_s_per_km"] == 240
    assert chosen["duration_s"] < walk["duration_s"]


def test_units_and_unknown_parameters_do_not_change_the_answer(client):
    plain = client.get("/api/plan?stops=rail-yard,moshulu").get_json(force=True)
    assert client.get("/api/plan?stops=rail-yard,moshulu&units=mi&utm_source=qr").get_json(force=True) == plain


def test_on_the_street_network_a_plan_follows_walkable_ways_from_start_to_end(town_client, town_walkable_ways):
    line, points = _plan(town_client, "stops=market,museum&start=39.9501,-75.1601&end=39.9505,-75.1550")
    assert line["properties"]["street_following"] is True
    assert [p["properties"]["kind"] for p in points] == ["start", "stop", "stop", "end"]
    for lon, lat in line["geometry"]["coordinates"][1:-1]:
        nearest = min(distance_to_polyline_m((lat, lon), way) for way in town_walkable_ways)
        assert nearest < 1.0, (lat, lon)


# -------------------------------------------------------------------------------------------
# caching


def test_a_plan_without_free_points_is_rendered_once_and_revalidates(fresh_client):
    first = fresh_client.get("/api/plan?stops=rail-yard,moshulu")
    again = fresh_client.get("/api/plan?stops=rail-yard,moshulu", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_free_start_and_end_points_are_not_kept_in_the_response_cache(fresh_app):
    from routes.state import get_state

    client = fresh_app.test_client()
    with fresh_app.app_context():
        before = len(get_state().pages)
    for i in range(5):
        assert client.get(f"/api/plan?stops=rail-yard,moshulu&start=39.95,-75.16{i}").status_code == 200
        assert client.get(f"/api/plan?stops=rail-yard,moshulu&end=39.95,-75.16{i}").status_code == 200
    with fresh_app.app_context():
        assert len(get_state().pages) == before


def test_a_pace_the_planner_can_send_is_kept_and_a_finer_one_is_not(fresh_app):
    """The planner sends paces in tenths of a second per km: any finer pace would be a new
    cache entry for every digit added."""
    from routes.state import get_state

    client = fresh_app.test_client()
    with fresh_app.app_context():
        pages = get_state().pages
        before = len(pages)
        for pace in ("330", "330.5", "330.5"):
            assert client.get(f"/api/plan?stops=rail-yard,moshulu&pace={pace}").status_code == 200
        assert len(pages) == before + 2
        for digits in range(1, 5):
            assert client.get(f"/api/plan?stops=rail-yard,moshulu&pace=330.51{'1' * digits}").status_code == 200
        assert len(pages) == before + 2


# -------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # the plan itself
        ("", "the plan is empty"),
        ("order=shortest", "the plan is empty"),
        ("stops=", "the plan is empty"),
        ("stops=rail-yard", "a plan needs at least two places"),
        ("tour=montage&stops=rail-yard,moshulu", "give either tour or stops, not both"),
        ("stops=rail-yard,RAIL-YARD", "got 'RAIL-YARD'"),
        ("stops=rail-yard,,moshulu", "got ''"),
        ("stops=rail-yard,moshulu,rail-yard", "stop 'rail-yard' is listed twice"),
        (f"stops={','.join(MONTAGE + OTHERS + ['rail-yard'])}", "at most 11 stops, got 12"),
        (f"stops={','.join(MONTAGE + OTHERS + ['elsewhere'])}", "at most 11 stops, got 12"),
        ("tour=Montage!", "got 'Montage!'"),
        # points
        ("stops=rail-yard,moshulu&start=40", "start must be 'latitude,longitude' in degrees, got '40'"),
        ("stops=rail-yard,moshulu&start=north,west", "got 'north,west'"),
        ("stops=rail-yard,moshulu&end=39.95;-75.16", "end must be 'latitude,longitude' in degrees, got '39.95;-75.16'"),
        ("stops=rail-yard,moshulu&start=inf,-75.16", "got inf,-75.16"),
        ("stops=rail-yard,moshulu&end=39.95,200", "got 39.95,200.0"),
        ("stops=rail-yard,moshulu&start=40.7128,-74.006", "start 40.7128,-74.006 is outside the tour area"),
        ("stops=rail-yard,moshulu&end=0,0", "end 0,0 is outside the tour area"),
        ("stops=rail-yard,moshulu&loop=true&end=39.95,-75.16", "a loop returns to its start"),
        # pace
        ("stops=rail-yard,moshulu&pace=0", "got 0.0"),
        ("stops=rail-yard,moshulu&pace=-360", "got -360.0"),
        ("stops=rail-yard,moshulu&pace=NaN", "got 'NaN'"),
        ("stops=rail-yard,moshulu&pace=1e308", "got 1e+308"),
        ("stops=rail-yard,moshulu&pace=6:00", "got '6:00'"),
        # choices
        ("stops=rail-yard,moshulu&order=film", "order must be one of given, shortest, got 'film'"),
        ("stops=rail-yard,moshulu&loop=2", "loop must be true or false, got '2'"),
        ("stops=rail-yard,moshulu&activity=swim", "activity must be one of run, walk, got 'swim'"),
        # a parameter given twice
        ("stops=rail-yard,moshulu&stops=moshulu,rail-yard", "stops is given 2 times"),
        ("stops=rail-yard,moshulu&pace=300&pace=360", "pace is given 2 times"),
        ("tour=montage&tour=steps-finale", "tour is given 2 times"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(client, query, message):
    assert message in _error(client, query, 400)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("stops=rail-yard,elsewhere", "unknown stop 'elsewhere'; known stops: rail-yard"),
        ("stops=nowhere,moshulu", "unknown stop 'nowhere'"),
        ("stops=elsewhere&start=39.95,-75.16", "unknown stop 'elsewhere'"),
        ("tour=marathon", "unknown tour 'marathon'; known tours: montage, steps-finale, walking-tour"),
    ],
)
def test_an_unknown_id_is_a_404_naming_it_as_for_a_stop_page(client, query, message):
    assert message in _error(client, query, 404)


def test_a_start_far_from_every_street_is_a_422_saying_so(town_client):
    # inside the town's service area, but 1.5 km from its nearest walkable way
    response = town_client.get("/api/plan?stops=corner,market&start=39.964,-75.174")
    assert response.status_code == 422
    assert "the start point is not within 150 m of a walkable way" in response.get_json()["error"]["message"]
