"""The tours API: routes as GeoJSON, honest about straight legs, strict about options."""

from __future__ import annotations

import pytest
from osm_fixtures import distance_to_polyline_m

from tourapp.geodesy import distance_m, path_length_m


def _route(client, path: str) -> tuple[dict, list[dict]]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    data = response.get_json(force=True)
    assert data["type"] == "FeatureCollection"
    line, *points = data["features"]
    assert line["geometry"]["type"] == "LineString"
    return line, points


def _error(client, path: str, status: int) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status
    return error["message"]


def test_the_tour_list_links_each_tour_to_its_route_gpx_and_page(client):
    data = client.get("/api/tours").get_json()
    ids = [t["id"] for t in data["tours"]]
    assert ids == ["montage", "steps-finale", "walking-tour"]
    montage = data["tours"][0]
    assert montage["gpx"] == "/tours/montage.gpx"
    assert montage["route"] == "/api/tours/montage"
    assert montage["stops"][0] == "rail-yard" and montage["stops"][-1] == "art-museum-steps"
    assert data["network"]["street_following"] is False
    for tour in data["tours"]:  # every advertised link works
        assert client.get(tour["route"]).status_code == 200


def test_without_a_network_the_montage_is_straight_legs_and_says_so(client):
    line, points = _route(client, "/api/tours/montage")
    props = line["properties"]
    assert props["street_following"] is False
    assert all(leg["street_following"] is False for leg in props["legs"])
    assert [leg["from"] for leg in props["legs"]] == [
        "rail-yard", "italian-market", "stone-arch-bridge", "mighty-micks-gym", "meat-plant", "moshulu",
    ]
    assert [p["properties"]["id"] for p in points][-1] == "art-museum-steps"
    # Straight legs: the line is just the seven stops, [lon, lat] order.
    assert line["geometry"]["coordinates"] == [p["geometry"]["coordinates"] for p in points]
    lon, lat = line["geometry"]["coordinates"][0]
    assert -75.2 < lon < -75.1 and 39.9 < lat < 40.1


def test_the_route_length_is_the_sum_of_its_legs_and_of_its_line(client):
    line, _ = _route(client, "/api/tours/montage")
    props = line["properties"]
    assert props["length_m"] == pytest.approx(sum(leg["length_m"] for leg in props["legs"]), abs=1)
    coords = [(lat, lon) for lon, lat in line["geometry"]["coordinates"]]
    assert path_length_m(coords) == pytest.approx(props["length_m"], rel=0.001)


def test_a_slower_pace_gives_a_longer_time_in_proportion(client):
    quick = _route(client, "/api/tours/steps-finale?pace=300")[0]["properties"]
    slow = _route(client, "/api/tours/steps-finale?pace=600")[0]["properties"]
    assert quick["pace_s_per_km"] == 300 and slow["pace_s_per_km"] == 600
    assert quick["length_m"] == slow["length_m"]  # the pace never changes the route
    assert slow["duration_s"] == pytest.approx(2 * quick["duration_s"], abs=1)
    assert quick["duration_s"] > 0


def test_each_tour_is_timed_at_its_activitys_default_pace(client, offline_settings):
    walk = _route(client, "/api/tours/walking-tour")[0]["properties"]
    run = _route(client, "/api/tours/montage")[0]["properties"]
    assert walk["activity"] == "walk" and walk["pace_s_per_km"] == offline_settings.walk_pace_s_per_km
    assert run["activity"] == "run" and run["pace_s_per_km"] == offline_settings.run_pace_s_per_km


def test_on_the_street_network_the_route_follows_walkable_ways(town_client, town_walkable_ways):
    line, _ = _route(town_client, "/api/tours/town-run")
    assert line["properties"]["street_following"] is True
    for lon, lat in line["geometry"]["coordinates"]:
        nearest = min(distance_to_polyline_m((lat, lon), way) for way in town_walkable_ways)
        assert nearest < 1.0, (lat, lon)
    coords = [(lat, lon) for lon, lat in line["geometry"]["coordinates"]]
    assert path_length_m(coords) == pytest.approx(line["properties"]["length_m"], rel=0.01)


def test_street_cues_name_the_streets(town_client):
    legs = _route(town_client, "/api/tours/town-run")[0]["properties"]["legs"]
    streets = {cue["street"] for leg in legs for cue in leg["cues"]}
    assert streets & {"Christian Street", "Federal Street", "12th Street", "8th Street"}


def test_a_loop_tour_returns_to_its_first_stop(town_client):
    line, _ = _route(town_client, "/api/tours/bridge-walk")
    assert line["properties"]["loop"] is True
    assert line["properties"]["legs"][-1]["to"] == "corner"
    coords = line["geometry"]["coordinates"]
    assert coords[-1] == coords[0]


def test_a_custom_start_begins_the_route_there(town_client):
    start = (39.9501, -75.1601)
    line, points = _route(town_client, "/api/tours/town-run?start=39.9501,-75.1601")
    assert line["properties"]["legs"][0]["from"] == "start"
    assert points[0]["properties"]["kind"] == "start"
    assert points[0]["geometry"]["coordinates"] == [start[1], start[0]]
    # the line starts on the walkable way nearest the point (it is a few metres off the street)
    lon, lat = line["geometry"]["coordinates"][0]
    assert distance_m(start, (lat, lon)) < 15


def test_without_a_network_a_custom_start_is_the_first_point_of_the_line(client):
    line, _ = _route(client, "/api/tours/montage?start=39.95,-75.16")
    assert line["geometry"]["coordinates"][0] == [-75.16, 39.95]


@pytest.mark.parametrize("tour_id", ["montage", "walking-tour"])
def test_the_shortest_order_is_never_longer_than_the_tours_own(client, tour_id):
    given = _route(client, f"/api/tours/{tour_id}")[0]["properties"]
    shortest = _route(client, f"/api/tours/{tour_id}?order=shortest")[0]["properties"]
    assert shortest["order"] == "shortest"
    assert shortest["length_m"] <= given["length_m"] + 0.1
    assert sorted(leg["to"] for leg in shortest["legs"]) == sorted(leg["to"] for leg in given["legs"])


def test_the_shortest_order_on_streets_is_never_longer_either(town_client):
    given = _route(town_client, "/api/tours/town-run?start=39.9501,-75.1601")[0]["properties"]
    shortest = _route(town_client, "/api/tours/town-run?order=shortest&start=39.9501,-75.1601")[0]["properties"]
    assert shortest["legs"][0]["from"] == "start"
    assert shortest["length_m"] <= given["length_m"] + 0.1


def test_the_shortest_order_still_finishes_a_one_way_tour_on_its_last_stop(client):
    line, _ = _route(client, "/api/tours/montage?order=shortest")
    legs = line["properties"]["legs"]
    assert legs[0]["from"] == "rail-yard" and legs[-1]["to"] == "art-museum-steps"


def test_the_tours_route_is_the_plan_apis_route_for_that_tour(client):
    for query in ("", "?order=shortest&pace=400", "?start=39.95,-75.16&loop=true"):
        by_tour = client.get(f"/api/tours/montage{query}")
        by_plan = client.get(f"/api/plan?tour=montage{'&' + query[1:] if query else ''}")
        assert by_tour.status_code == by_plan.status_code == 200
        assert by_tour.get_json(force=True) == by_plan.get_json(force=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("order=fastest", "order must be one of given, shortest, got 'fastest'"),
        ("start=40", "start must be 'latitude,longitude' in degrees, got '40'"),
        ("start=abc,def", "start must be 'latitude,longitude' in degrees, got 'abc,def'"),
        ("start=0,0", "start 0,0 is outside the tour area"),
        ("start=nan,nan", "start must be a latitude in -90..90 and a longitude in -180..180, got nan,nan"),
        ("start=91,-75.16", "got 91.0,-75.16"),
        ("pace=fast", "pace must be a number of seconds per km, got 'fast'"),
        ("pace=5", "pace must be between 120 and 1800 seconds per km"),
        ("pace=0", "got 0.0"),
        ("pace=-300", "got -300.0"),
        ("pace=nan", "pace must be a finite number of seconds per km, got 'nan'"),
        ("pace=1e9", "got 1000000000.0"),
        ("loop=perhaps", "loop must be true or false, got 'perhaps'"),
        ("loop=true&end=39.95,-75.16", "a loop returns to its start"),
        ("pace=300&pace=400", "pace is given 2 times"),
        ("tour=steps-finale", "the tour is in the path ('montage')"),
        ("stops=rail-yard,moshulu", "leave tour and stops out of the query"),
    ],
)
def test_bad_options_are_a_400_that_names_the_problem(client, query, message):
    assert message in _error(client, f"/api/tours/montage?{query}", 400)


@pytest.mark.parametrize("tour_id", ["marathon", "MONTAGE", "montage.gpx"])
def test_an_unknown_tour_is_a_404_naming_it_and_the_known_ones(client, tour_id):
    message = _error(client, f"/api/tours/{tour_id}", 404)
    assert f"unknown tour {tour_id!r}; known tours: montage, steps-finale, walking-tour" in message


def test_many_different_paces_do_not_grow_the_response_cache_without_bound(fresh_app):
    from routes.state import RESPONSE_CACHE_SIZE, get_state

    client = fresh_app.test_client()
    for pace in range(300, 300 + RESPONSE_CACHE_SIZE + 20):
        assert client.get(f"/api/tours/steps-finale?pace={pace}").status_code == 200
    with fresh_app.app_context():
        assert len(get_state().pages) == RESPONSE_CACHE_SIZE
