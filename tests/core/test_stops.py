"""The stops data file: complete, in montage order, and refused loudly when broken."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from helpers import MONTAGE_IDS, OTHER_IDS

from tourapp.errors import DataFileError, UnknownStop
from tourapp.stops import (
    ACCESS_KINDS,
    FILMED_HERE_STATUSES,
    SHORT_NAME_CHARS,
    default_stops_path,
    load_stops,
    parse_stops,
    updated_time,
)


@pytest.fixture(scope="module")
def catalog():
    return load_stops()


@pytest.fixture()
def raw_data() -> dict:
    return json.loads(default_stops_path().read_text(encoding="utf-8"))


def test_every_montage_stop_is_present_in_film_order(catalog):
    assert [s.id for s in catalog.montage] == MONTAGE_IDS
    assert [s.montage_order for s in catalog.montage] == list(range(1, 8))


def test_the_other_rocky_places_are_present_without_a_montage_number(catalog):
    assert sorted(s.id for s in catalog.others) == sorted(OTHER_IDS)
    assert all(s.montage_order is None for s in catalog.others)


def test_every_stop_has_a_cited_position_in_philadelphia(catalog):
    for stop in catalog.values():
        assert 39.9 < stop.lat < 40.05, stop.id
        assert -75.22 < stop.lon < -75.10, stop.id
        assert stop.location.source.url.startswith("http"), stop.id
        assert stop.location.confidence in {"high", "medium", "low"}
        assert stop.sources, stop.id


def test_every_stop_says_honestly_whether_it_was_filmed_there(catalog):
    for stop in catalog.values():
        assert stop.filmed_here.status in FILMED_HERE_STATUSES
        assert stop.filmed_here.note.strip()
        assert stop.today.access in ACCESS_KINDS


def test_the_gym_page_says_its_interior_was_shot_in_los_angeles(catalog):
    gym = catalog["mighty-micks-gym"]
    assert gym.filmed_here.status in {"partly", "no"}
    assert "Los Angeles" in gym.filmed_here.note


def test_the_meat_plant_is_marked_disputed_and_names_both_claims(catalog):
    plant = catalog["meat-plant"]
    assert plant.filmed_here.status == "disputed"
    assert "Vernon" in plant.filmed_here.note
    assert "Cross" in plant.filmed_here.note or "Philadelphia" in plant.filmed_here.note


def test_the_statue_is_not_claimed_for_the_1976_film(catalog):
    assert catalog["rocky-statue"].filmed_here.status == "no"


def test_every_stop_has_a_short_name_a_watch_shows_whole_and_no_two_share_it(catalog):
    names = [s.short_name for s in catalog.values()]
    assert all(0 < len(n) <= SHORT_NAME_CHARS == 16 for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
    assert catalog["moshulu"].short_name == "Moshulu"


def test_a_place_that_is_gone_is_named_as_a_site(catalog):
    # a runner told "Pet shop" looks for a shop: where nothing stands, the name says so
    for stop in catalog.values():
        assert stop.short_name.endswith(" site") == (stop.today.access == "gone"), stop.id


def test_an_unknown_id_names_itself_and_the_known_ones(catalog):
    with pytest.raises(UnknownStop, match=r"unknown stop 'nowhere'; known stops: rail-yard"):
        catalog["nowhere"]
    assert catalog.get("nowhere") is None


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["stops"][1]["location"].pop("lat"), r"stop 'italian-market': location: lat: missing"),
        (lambda d: d["stops"][0]["location"].update(lat=95.1), r"stop 'rail-yard': location: lat: must be in -90..90"),
        (lambda d: d["stops"][0]["location"].update(lat=-75.2, lon=39.96),
         r"stop 'rail-yard': location: -75.2,39.96 is \d+ km from the middle of the stops .* swapped\?"),
        (lambda d: d["stops"][1]["location"].update(lat=40.95),
         r"stop 'italian-market': location: 40.95,.* is 1\d\d km"),
        (lambda d: d["stops"][2]["filmed_here"].update(status="maybe"),
         r"stop 'stone-arch-bridge': filmed_here: status: must be one of"),
        (lambda d: d["stops"][3].update(sources=["nope"]),
         r"stop 'mighty-micks-gym': sources\[0\]: unknown source 'nope'"),
        (lambda d: d["stops"][4].update(name=""), r"stop 'meat-plant': name: must not be empty"),
        (lambda d: d["stops"][5].update(montage_order=2), r"montage_order: must number the montage stops"),
        (lambda d: d["stops"][6].update(id="Art Museum"), r"id: must be lower-case"),
        (lambda d: d["stops"].append(copy.deepcopy(d["stops"][7])), r"stop 'rockys-house': id: duplicate id"),
        (lambda d: d["stops"][5].pop("short_name"), r"stop 'moshulu': short_name: missing"),
        (lambda d: d["stops"][5].update(short_name=" "), r"stop 'moshulu': short_name: must not be empty"),
        (lambda d: d["stops"][5].update(short_name="Along the docks with a tall ship"),
         r"stop 'moshulu': short_name: must be at most 16 characters .* \(32\)"),
        (lambda d: d["stops"][6].update(short_name="moshulu"),
         r"stop 'art-museum-steps': short_name: 'moshulu' is already the short name of stop 'moshulu'"),
        (lambda d: d.update(version="two"), r"stops.json: version: must be int, got 'two'"),
        (lambda d: d.update(version="2"), r"stops.json: version: must be int, got '2'"),
        (lambda d: d.update(version=1.9), r"stops.json: version: must be int, got 1.9"),
        (lambda d: d.update(version=0), r"stops.json: version: must be 1 or more, got 0"),
        (lambda d: d.pop("version"), r"stops.json: version: missing"),
        (lambda d: d.update(updated="last spring"),
         r"stops.json: updated: must be an ISO 8601 date or time such as 2026-11-23, got 'last spring'"),
        (lambda d: d.update(updated="2026-13-01"), r"stops.json: updated: .* got '2026-13-01'"),
        (lambda d: d.update(updated=20261123), r"stops.json: updated: must be str, got 20261123"),
        (lambda d: d.pop("updated"), r"stops.json: updated: missing"),
    ],
)
def test_a_broken_data_file_fails_with_the_stop_and_field_named(raw_data, tmp_path, breakage, message):
    breakage(raw_data)
    path = tmp_path / "stops.json"
    path.write_text(json.dumps(raw_data), encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        load_stops(path)


def test_the_version_and_update_time_are_read_as_written(raw_data):
    raw_data.update(version=3, updated="2026-11-23T07:00:00+02:00")
    catalog = parse_stops(raw_data)
    assert (catalog.version, catalog.updated) == (3, "2026-11-23T07:00:00+02:00")


@pytest.mark.parametrize(("updated", "utc"), [
    ("2026-11-23", dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC)),
    ("2026-11-23T07:00:00", dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)),
    ("2026-11-23T07:00:00+02:00", dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)),  # converted, not relabelled
    ("2026-11-23T07:00:00Z", dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)),
])
def test_the_update_time_is_read_in_utc(updated, utc):
    assert updated_time(updated) == utc and updated_time(updated).utcoffset() == dt.timedelta(0)


def test_a_file_that_is_not_json_is_refused_with_its_path(tmp_path):
    path = tmp_path / "stops.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"stops.json: not valid JSON"):
        load_stops(path)


def test_parse_stops_rejects_a_non_object():
    with pytest.raises(DataFileError, match="top level must be an object"):
        parse_stops([])


def test_membership_tests_answer_false_for_unknown_ids(catalog):
    assert "moshulu" in catalog
    assert "nowhere" not in catalog
