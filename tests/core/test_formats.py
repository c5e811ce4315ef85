"""The export registry: every format's name, media type and file name, and one check of the
options a user types (``format``, ``max_points``) that names the bad value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from werkzeug.datastructures import MultiDict

from tourapp.errors import BadPlan
from tourapp.formats import FORMATS, MIN_POINTS, get_format
from tourapp.model import Route
from tourapp.network import StreetNetwork
from tourapp.planner import plan_route
from tourapp.stops import Stop

Place = Callable[..., Stop]
WHEN = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
CONTEXT = {"pace_s_per_km": 360.0, "start_time": WHEN}


@pytest.fixture
def routed(town_net: StreetNetwork, place: Place) -> Route:
    stops = [place("federal-8th", montage_order=1), place("north-bank-east", montage_order=2),
             place("museum", montage_order=3)]
    return plan_route(stops, network=town_net, tour_id="town-run", name="Town run")


def test_the_registry_offers_gpx_tcx_and_fit_with_their_media_types() -> None:
    assert {name: (f.media_type, f.suffix) for name, f in FORMATS.items()} == {
        "gpx": ("application/gpx+xml", ".gpx"),
        "tcx": ("application/vnd.garmin.tcx+xml", ".tcx"),
        "fit": ("application/vnd.ant.fit", ".fit"),
    }
    assert FORMATS["gpx"].kinds == ("trk", "rte")


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_writes_the_same_bytes_for_the_same_route(routed: Route, name: str) -> None:
    fmt = get_format(name)
    first = fmt.write(routed, fmt.options(**CONTEXT))
    assert first and first == fmt.write(routed, fmt.options(**CONTEXT))


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_writer_writes_its_own_kind_of_file(routed: Route, name: str) -> None:
    body = get_format(name).write(routed, get_format(name).options(**CONTEXT))
    if name == "fit":  # a FIT header: its size (12 or 14 bytes), then ".FIT" at byte 8
        assert body[0] in (12, 14) and body[8:12] == b".FIT"
    else:
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert (b"<gpx" in body) == (name == "gpx") and (b"<TrainingCenterDatabase" in body) == (name == "tcx")


def test_file_names_say_what_the_file_is(routed: Route) -> None:
    gpx = get_format("gpx")
    km = f"{routed.length_m / 1000:.1f}"
    assert gpx.file_name(routed, gpx.options(**CONTEXT)) == f"montage-run-town-run-{km}km.gpx"
    assert gpx.file_name(routed, gpx.options(kind="rte", max_points="500", **CONTEXT)) == (
        f"montage-run-town-run-{km}km-rte-500pts.gpx")
    assert get_format("fit").file_name(routed, get_format("fit").options(**CONTEXT)).endswith(f"-{km}km.fit")
    miles = f"{routed.length_m / 1609.344:.1f}"
    assert gpx.file_name(routed, gpx.options(units="mi", **CONTEXT)) == f"montage-run-town-run-{miles}mi.gpx"


def test_a_plan_of_ones_own_is_named_by_its_stop_count(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("museum")], network=town_net)  # the planner's own id
    name = get_format("tcx").file_name(route, get_format("tcx").options(**CONTEXT))
    assert name.startswith("montage-run-2-stops-") and name.endswith("km.tcx")


def test_a_catalogue_tour_keeps_its_id_in_the_file_name(town_net: StreetNetwork, place: Place) -> None:
    route = plan_route([place("federal-8th"), place("museum")], network=town_net, tour_id="custom")
    assert get_format("gpx").file_name(route, get_format("gpx").options(**CONTEXT)).startswith("montage-run-custom-")


@pytest.mark.parametrize(("value", "message"), [
    ("abc", "max_points must be a whole number of points, got 'abc'"),
    ("12.5", "max_points must be a whole number of points, got '12.5'"),
    ("1e3", "max_points must be a whole number of points, got '1e3'"),
    ("1", f"max_points must be at least {MIN_POINTS}, got 1"),
    ("-40", f"max_points must be at least {MIN_POINTS}, got -40"),
    ("99999999999999999999", "max_points must be a whole number of points, got '99999999999999999999'"),
    ("²", "max_points must be a whole number of points, got '²'"),
    ("٥٠٠", "max_points must be a whole number of points, got '٥٠٠'"),
])
def test_a_bad_max_points_is_a_bad_plan_naming_it(value: str, message: str) -> None:
    with pytest.raises(BadPlan, match=message.replace(".", r"\.")):
        get_format("gpx").options(max_points=value, **CONTEXT)


def test_a_huge_max_points_is_clamped_rather_than_refused() -> None:
    assert get_format("fit").options(max_points="5000000", **CONTEXT).max_points == 100_000


def test_max_points_below_what_the_route_needs_is_refused_when_written(routed: Route) -> None:
    fmt = get_format("fit")
    with pytest.raises(BadPlan, match=r"max_points must be at least 3 for this route .* got 2"):
        fmt.write(routed, fmt.options(max_points="2", **CONTEXT))


@pytest.mark.parametrize(("name", "kind", "message"), [
    ("gpx", "kml", "format must be one of trk, rte, got 'kml'"),
    ("tcx", "rte", "a TCX file has one form, got 'rte'"),
    ("fit", "trk", "a FIT file has one form, got 'trk'"),
])
def test_a_format_variant_that_does_not_exist_is_a_bad_plan(name: str, kind: str, message: str) -> None:
    with pytest.raises(BadPlan, match=message):
        get_format(name).options(kind=kind, **CONTEXT)


def test_options_come_from_a_query_and_refuse_a_parameter_given_twice() -> None:
    gpx = get_format("gpx")
    options = gpx.options_from_query({"format": "rte", "max_points": "500", "pace": "300"}, **CONTEXT)
    assert (options.kind, options.max_points) == ("rte", 500)
    assert gpx.options_from_query({}, **CONTEXT).kind == "trk"
    with pytest.raises(BadPlan, match="max_points is given 2 times; give it once"):
        gpx.options_from_query(MultiDict([("max_points", "500"), ("max_points", "20")]), **CONTEXT)


def test_an_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(BadPlan, match="export format must be one of gpx, tcx, fit, got 'kml'"):
        get_format("kml")
