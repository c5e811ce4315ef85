"""Tours as data: the packaged tours, and a clear error for every way the file can be wrong."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from osm_fixtures import make_stop

from tourapp.errors import DataFileError, UnknownTour
from tourapp.stops import StopCatalog, load_stops
from tourapp.tours import load_tours, parse_tours

MONTAGE = ["rail-yard", "italian-market", "stone-arch-bridge", "mighty-micks-gym", "meat-plant",
           "moshulu", "art-museum-steps"]


@pytest.fixture(scope="module")
def stops() -> StopCatalog:
    return load_stops()


@pytest.fixture
def small_catalog() -> StopCatalog:
    return StopCatalog([make_stop("a", 39.95, -75.16, montage_order=1),
                        make_stop("b", 39.96, -75.16, montage_order=2),
                        make_stop("c", 39.97, -75.16)], version=1, updated="")


def _raw(**overrides: Any) -> dict[str, Any]:
    tour = {"id": "t", "name": "T", "description": "A tour.", "stop_ids": ["a", "b"],
            "loop": False, "activity": "run"}
    tour.update(overrides)
    return {"tours": [tour]}


def test_packaged_tours_load_against_the_packaged_stops(stops: StopCatalog) -> None:
    tours = load_tours(stops)
    assert {"montage", "steps-finale", "walking-tour"} <= set(tours)


def test_montage_tour_runs_all_seven_stops_in_montage_order(stops: StopCatalog) -> None:
    montage = load_tours(stops)["montage"]
    assert list(montage.stop_ids) == MONTAGE
    assert [stops[s].montage_order for s in montage.stop_ids] == list(range(1, 8))
    assert (montage.loop, montage.activity) == (False, "run")


def test_steps_finale_ends_on_the_steps(stops: StopCatalog) -> None:
    finale = load_tours(stops)["steps-finale"]
    assert finale.stop_ids == ("moshulu", "italian-market", "art-museum-steps")
    assert finale.loop is False


def test_walking_tour_adds_every_other_rocky_place_at_walking_pace(stops: StopCatalog) -> None:
    walk = load_tours(stops)["walking-tour"]
    assert set(walk.stop_ids) == set(stops)
    assert walk.activity == "walk"
    assert walk.stop_ids[-1] == "art-museum-steps"


def test_unknown_tour_raises_unknown_tour_naming_the_known_ones(small_catalog: StopCatalog) -> None:
    tours = parse_tours(_raw(), small_catalog)
    with pytest.raises(UnknownTour, match=r"unknown tour 'nope'; known tours: t"):
        tours["nope"]
    assert tours.get("nope") is None and "nope" not in tours


def test_tours_are_offered_in_file_order(small_catalog: StopCatalog) -> None:
    raw = {"tours": [_raw(id=tour_id)["tours"][0] for tour_id in ("zeta", "alpha", "mid")]}
    assert list(parse_tours(raw, small_catalog)) == ["zeta", "alpha", "mid"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"stop_ids": ["a", "zzz"]}, r"tour 't': stop_ids\[1\]: unknown stop 'zzz'"),
    ({"stop_ids": []}, r"tour 't': stop_ids: must be a non-empty list"),
    ({"stop_ids": ["a", "a"]}, r"tour 't': stop_ids: a stop is listed twice"),
    ({"stop_ids": ["a"] * 12}, r"tour 't': stop_ids: at most 11 stops"),
    ({"stop_ids": ["a"]}, r"tour 't': stop_ids: a one-way tour needs at least two stops"),
    ({"stop_ids": ["a"], "loop": True}, r"tour 't': stop_ids: a loop tour needs at least two stops"),
    ({"id": "-t"}, r"tour '-t': id: must be lower-case"),
    ({"id": "t" * 65}, r"id: must be lower-case letters, digits and '-' \(not first\), at most 64"),
    ({"loop": "yes"}, r"tour 't': loop: must be true or false"),
    ({"activity": "swim"}, r"tour 't': activity: must be one of run, walk"),
    ({"name": ""}, r"tour 't': name: must be a non-empty string"),
    ({"id": "Bad Id"}, r"tour 'Bad Id': id: must be lower-case"),
])
def test_a_bad_tour_names_the_tour_and_the_field(small_catalog: StopCatalog, overrides: dict[str, Any],
                                                 message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        parse_tours(_raw(**overrides), small_catalog)


def test_duplicate_tour_ids_are_refused(small_catalog: StopCatalog) -> None:
    raw = _raw()
    raw["tours"].append(copy.deepcopy(raw["tours"][0]))
    with pytest.raises(DataFileError, match=r"tour 't': id: duplicate id"):
        parse_tours(raw, small_catalog)


def test_missing_or_broken_file_is_a_data_file_error(tmp_path: Path, small_catalog: StopCatalog) -> None:
    with pytest.raises(DataFileError, match="tours file not found"):
        load_tours(small_catalog, tmp_path / "nope.json")
    broken = tmp_path / "tours.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        load_tours(small_catalog, broken)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_raw()), encoding="utf-8")
    assert list(load_tours(small_catalog, good)) == ["t"]


def test_a_tours_file_without_tours_is_refused(small_catalog: StopCatalog) -> None:
    # every page offers a tour to follow: an empty file would break them all
    with pytest.raises(DataFileError, match=r"tours: is empty"):
        parse_tours({"version": 1, "tours": []}, small_catalog)
