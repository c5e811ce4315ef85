"""The catalogue: records by id in the order given, and an unknown id named with the known ones."""

from __future__ import annotations

import pytest
from osm_fixtures import make_stop

from tourapp.catalog import ID_PATTERN, Catalog
from tourapp.errors import BadPlan, DataFileError, UnknownStop, UnknownTour
from tourapp.plan_request import PlanRequest
from tourapp.stops import Stop, load_stops
from tourapp.tours import load_tours


def _stops() -> Catalog[Stop]:
    return Catalog([make_stop(i, 39.95, -75.16) for i in ("b", "a", "c")], unknown=UnknownStop)


def test_records_keep_the_order_given() -> None:
    catalog = _stops()
    assert list(catalog) == ["b", "a", "c"] and len(catalog) == 3
    assert [s.id for s in catalog.values()] == ["b", "a", "c"]


@pytest.mark.parametrize("unknown", [UnknownStop, UnknownTour])
def test_an_unknown_id_raises_the_catalogues_own_error_naming_the_known_ids(unknown: type) -> None:
    catalog = Catalog([make_stop("b", 39.95, -75.16), make_stop("a", 39.95, -75.16)], unknown=unknown)
    with pytest.raises(unknown, match=r"unknown \w+ 'zzz'; known \w+: b, a") as caught:
        catalog["zzz"]
    assert isinstance(caught.value, LookupError) and caught.value.args[0].count("'zzz'") == 1


def test_membership_and_get_never_raise() -> None:
    catalog = _stops()
    assert "a" in catalog and "zzz" not in catalog and 3 not in catalog
    assert catalog.get("zzz") is None
    assert catalog.get("a") is catalog["a"]


def test_an_id_given_twice_is_refused() -> None:
    with pytest.raises(DataFileError, match="id 'a' appears twice"):
        Catalog([make_stop("a", 39.95, -75.16), make_stop("a", 40.0, -75.0)], unknown=UnknownStop)


ID_SAMPLES = ["a", "rail-yard", "9th-street", "a" * 64, "-a", "a" * 65, "Rail-Yard", "rail_yard", "café",
              "a b", "", "a\n"]


@pytest.mark.parametrize("text", ID_SAMPLES)
def test_the_data_files_and_the_requests_share_one_id_rule(text: str) -> None:
    """A stop or tour id a data file may hold is exactly one a plan request may name."""
    valid = ID_PATTERN.fullmatch(text) is not None
    assert valid == (text in {"a", "rail-yard", "9th-street", "a" * 64})
    try:
        PlanRequest(tour=text)
    except BadPlan:
        requested = False
    else:
        requested = True
    assert requested == valid


def test_every_packaged_stop_and_tour_id_keeps_the_rule() -> None:
    stops = load_stops()
    assert all(ID_PATTERN.fullmatch(i) for i in [*stops, *load_tours(stops)])
