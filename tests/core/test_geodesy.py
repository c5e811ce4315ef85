"""Distances and directions as a runner reads them."""

from __future__ import annotations

import pytest

from tourapp import geodesy

CITY_HALL = (39.95233, -75.16379)
ART_MUSEUM = (39.96565, -75.18097)


def test_distance_matches_the_geodesic_between_city_hall_and_the_art_museum():
    # About 2.1 km along the Parkway as the crow flies.
    assert geodesy.distance_m(CITY_HALL, ART_MUSEUM) == pytest.approx(2096, abs=15)


def test_path_length_sums_segments_and_ignores_repeated_points():
    path = [CITY_HALL, CITY_HALL, ART_MUSEUM, CITY_HALL]
    assert geodesy.path_length_m(path) == pytest.approx(2 * geodesy.distance_m(CITY_HALL, ART_MUSEUM))


@pytest.mark.parametrize(
    ("bearing", "word"),
    [(0, "N"), (44, "NE"), (90, "E"), (180, "S"), (225, "SW"), (292, "W"), (337.4, "NW"), (359, "N")],
)
def test_compass_words_cover_the_eight_points(bearing, word):
    assert geodesy.compass_word(bearing) == word


def test_the_art_museum_lies_north_west_of_city_hall():
    bearing = geodesy.initial_bearing_deg(CITY_HALL, ART_MUSEUM)
    assert 300 < bearing < 320
    assert geodesy.compass_word(bearing) == "NW"


@pytest.mark.parametrize(
    ("metres", "units", "text"),
    [(347, "km", "350 m"), (1234, "km", "1.2 km"), (1609.344, "mi", "1.0 mi"), (76.2, "mi", "250 ft")],
)
def test_distances_are_formatted_in_the_chosen_units(metres, units, text):
    assert geodesy.format_distance(metres, units) == text


def test_durations_read_in_hours_and_minutes():
    assert geodesy.format_duration(42 * 60) == "42 min"
    assert geodesy.format_duration(3900) == "1 h 05 min"


@pytest.mark.parametrize(("pace", "units", "text"), [(360, "km", "6:00 min/km"), (360, "mi", "9:39 min/mi")])
def test_a_pace_reads_per_kilometre_or_per_mile(pace, units, text):
    assert geodesy.format_pace(pace, units) == text
