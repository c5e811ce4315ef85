"""Address search: Nominatim's answers, its usage policy kept, and every failure a clear error.

geopy talks to a Nominatim-like stub on 127.0.0.1 (tests/nominatim_stub.py), so these tests
run without internet and can make the service fail in each way the real one can.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass

import pytest
from nominatim_stub import NominatimStub

from tourapp import __version__
from tourapp.errors import BadPlan, TourError
from tourapp.geocoding import (
    MIN_INTERVAL_S,
    BadAddress,
    Geocoder,
    GeocodingUnavailable,
    PlaceNotFound,
    normalise_query,
    state_file_for,
)
from tourapp.settings import Settings
from tourapp.throttle import NoTurn, Throttle


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float


#: Around the stops, as the planner's service area is.
AREA = Box(south=39.90, west=-75.25, north=40.00, east=-75.10)
ITALIAN_MARKET = (39.9387, -75.1579)
PLACES = {"italian market": ITALIAN_MARKET, "rittenhouse square": (39.9496, -75.1718)}


def no_wait() -> Throttle:
    """A throttle that never waits: for tests about something other than the one-second rule."""
    return Throttle(min_interval_s=0.0)


@pytest.fixture()
def stub():
    with NominatimStub(PLACES) as running:
        yield running


def test_an_address_in_the_area_is_found_with_its_name(stub):
    place = Geocoder(area=AREA, url=stub.url, throttle=no_wait()).geocode("Italian Market")
    assert (place.lat, place.lon) == pytest.approx(ITALIAN_MARKET)
    assert place.name.startswith("Italian Market, Philadelphia")


def test_the_search_is_bounded_to_the_service_area(stub):
    Geocoder(area=AREA, url=stub.url, throttle=no_wait()).geocode("Italian Market")
    (request,) = stub.searches
    assert request.params["q"] == "Italian Market"
    assert request.params["format"] == "json"
    # Nominatim's viewbox is x1,y1,x2,y2: west, south, east, north
    west, south, east, north = (float(v) for v in request.params["viewbox"].split(","))
    assert (south, west, north, east) == (AREA.south, AREA.west, AREA.north, AREA.east)
    assert request.params["bounded"] == "1"


def test_the_user_agent_names_the_app_its_version_and_the_operators_contact(stub):
    Geocoder(area=AREA, url=stub.url, throttle=no_wait(), contact="https://run.example/about").geocode(
        "Italian Market")
    agent = stub.searches[0].headers["user-agent"]
    assert agent.startswith(f"montage-run/{__version__}")
    assert "https://run.example/about" in agent


def test_settings_choose_the_service_timeout_contact_and_switch(stub, tmp_path):
    settings = Settings(geocoder_url=stub.url, geocoder_timeout_s=2.5, geocoder_contact="ops@run.example",
                        cache_dir=tmp_path)
    geocoder = Geocoder.from_settings(settings, area=AREA)
    assert geocoder.timeout_s == 2.5
    assert geocoder.geocode("rittenhouse square").name.startswith("rittenhouse square")
    assert "ops@run.example" in stub.searches[0].headers["user-agent"]


def test_settings_read_the_geocoder_variables_from_the_environment():
    settings = Settings.from_env({
        "TOURAPP_GEOCODING": "false",
        "TOURAPP_GEOCODER_URL": "http://nominatim.internal:8080",
        "TOURAPP_GEOCODER_TIMEOUT_S": "3",
        "TOURAPP_GEOCODER_CONTACT": "ops@run.example",
    })
    assert settings.geocoding is False
    assert settings.geocoder_url == "http://nominatim.internal:8080"
    assert settings.geocoder_timeout_s == 3.0
    assert settings.geocoder_contact == "ops@run.example"


def test_a_service_under_a_path_prefix_is_asked_there():
    with NominatimStub(PLACES) as stub:
        geocoder = Geocoder(area=AREA, url=stub.url + "/search-prefix", throttle=no_wait())
        with pytest.raises(GeocodingUnavailable):  # the stub serves /search only
            geocoder.geocode("Italian Market")
        assert stub.requests[0].path == "/search-prefix/search"


def test_nothing_found_names_the_query_and_the_area(stub):
    geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait())
    with pytest.raises(PlaceNotFound, match="no place called 'Atlantis' in the tour area"):
        geocoder.geocode("Atlantis")
    assert isinstance(PlaceNotFound("x"), LookupError)


def test_a_result_outside_the_area_counts_as_nothing_found():
    # a server that ignores bounded=1 must not move a start point to another city
    with NominatimStub({"broad street": (51.5154, -0.0828)}) as stub, \
            pytest.raises(PlaceNotFound, match="'Broad Street'"):  # London's
        Geocoder(area=AREA, url=stub.url, throttle=no_wait()).geocode("Broad Street")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "at least 3 characters, got ''"),
        ("ab", "at least 3 characters, got 'ab'"),
        ("  ab  ", "at least 3 characters, got '  ab  '"),
        ("x" * 201, "at most 200 characters, got 201"),
        ("rail\x00yard", r"control characters, got 'rail\\x00yard'"),
    ],
)
def test_queries_that_cannot_be_addresses_are_refused_without_a_request(stub, query, message):
    geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait())
    with pytest.raises(BadAddress, match=message) as caught:
        geocoder.geocode(query)
    assert isinstance(caught.value, BadPlan)
    assert stub.requests == []


def test_a_query_of_exactly_the_limits_is_asked():
    with NominatimStub() as stub:
        geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait())
        for query in ("abc", "x" * 200):
            with pytest.raises(PlaceNotFound):
                geocoder.geocode(query)
        assert [r.params["q"] for r in stub.searches] == ["abc", "x" * 200]


def test_switched_off_it_says_so_without_a_request(stub):
    geocoder = Geocoder.from_settings(Settings(geocoding=False, geocoder_url=stub.url), area=AREA)
    with pytest.raises(GeocodingUnavailable, match="switched off"):
        geocoder.geocode("Italian Market")
    assert stub.requests == []


# -------------------------------------------------------------------------------------------
# failures of the service


@pytest.mark.parametrize("status", [500, 502, 503, 504, 403, 400])
def test_a_server_error_is_unavailable_not_a_crash(status):
    with NominatimStub(PLACES, status=status) as stub, \
            pytest.raises(GeocodingUnavailable, match="address search is unavailable right now") as caught:
        Geocoder(area=AREA, url=stub.url, throttle=no_wait()).geocode("Italian Market")
    assert isinstance(caught.value, TourError)


@pytest.mark.parametrize(
    "body",
    [b"<html>not json</html>", b'{"unexpected": true}', b'[{"lat": "north", "lon": "-75.1"}]',
     b'[{"display_name": "no coordinates"}]', b'"Italian Market"', b"[1, 2]",
     b'[{"lat": "nan", "lon": "-75.15", "display_name": "x"}]'],
)
def test_an_answer_that_is_not_nominatims_json_is_unavailable(body):
    with NominatimStub(body=body) as stub, pytest.raises(GeocodingUnavailable):
        Geocoder(area=AREA, url=stub.url, throttle=no_wait()).geocode("Italian Market")


def test_a_slow_service_times_out_with_the_limit_in_the_message():
    with NominatimStub(PLACES, delay_s=5.0) as stub:
        geocoder = Geocoder(area=AREA, url=stub.url, timeout_s=0.3, throttle=no_wait())
        with pytest.raises(GeocodingUnavailable, match=r"did not answer within 0\.3 s"):
            geocoder.geocode("Italian Market")
        assert len(stub.searches) == 1  # no retry behind the throttle's back


def test_an_unreachable_service_is_unavailable():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    geocoder = Geocoder(area=AREA, url=f"http://127.0.0.1:{port}", timeout_s=1.0, throttle=no_wait())
    with pytest.raises(GeocodingUnavailable, match="unavailable"):
        geocoder.geocode("Italian Market")


def test_a_429_stops_further_requests_for_the_time_the_service_asks():
    with NominatimStub(PLACES, status=429, headers={"Retry-After": "120"}) as stub:
        geocoder = Geocoder(area=AREA, url=stub.url, throttle=Throttle(MIN_INTERVAL_S))
        with pytest.raises(GeocodingUnavailable, match="too many requests"):
            geocoder.geocode("Italian Market")
        stub.status = 200
        with pytest.raises(GeocodingUnavailable, match="too many requests"):
            geocoder.geocode("Rittenhouse Square")
        assert len(stub.searches) == 1


def test_a_bad_url_setting_names_the_value():
    with pytest.raises(ValueError, match=r"'nominatim\.example'"):
        Geocoder(area=AREA, url="nominatim.example")


# -------------------------------------------------------------------------------------------
# the usage policy: caching and one request a second


def test_a_repeated_query_is_answered_from_the_cache_whatever_its_case_and_spacing(stub):
    geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait())
    first = geocoder.geocode("Italian Market")
    assert geocoder.geocode("  italian   MARKET ") == first
    assert len(stub.searches) == 1


def test_nothing_found_is_cached_too(stub):
    geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait())
    for _ in range(3):
        with pytest.raises(PlaceNotFound):
            geocoder.geocode("Atlantis")
    assert len(stub.searches) == 1


def test_failures_are_not_cached():
    with NominatimStub(PLACES, status=500) as stub:
        geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait())
        with pytest.raises(GeocodingUnavailable):
            geocoder.geocode("Italian Market")
        stub.status = 200
        assert geocoder.geocode("Italian Market").lat == pytest.approx(ITALIAN_MARKET[0])
        assert len(stub.searches) == 2


def test_the_cache_is_bounded_dropping_the_least_recently_used(stub):
    geocoder = Geocoder(area=AREA, url=stub.url, throttle=no_wait(), cache_size=2)
    for query in ("Italian Market", "Rittenhouse Square", "Italian Market", "Atlantis Street"):
        with contextlib.suppress(PlaceNotFound):
            geocoder.geocode(query)
    # the market was used after the square, so the square was dropped for Atlantis
    geocoder.geocode("Italian Market")
    assert len(stub.searches) == 3
    geocoder.geocode("Rittenhouse Square")
    assert len(stub.searches) == 4


def test_normalised_queries_ignore_case_and_spacing():
    assert normalise_query("  Italian\tMarket  ") == normalise_query("ITALIAN MARKET") == "italian market"


def test_two_requests_in_a_row_reach_the_service_at_least_a_second_apart(stub):
    geocoder = Geocoder(area=AREA, url=stub.url)  # the process-wide throttle for this service
    geocoder.geocode("Italian Market")
    geocoder.geocode("Rittenhouse Square")
    first, second = stub.searches
    assert second.at_s - first.at_s >= MIN_INTERVAL_S


def test_requests_from_many_threads_and_geocoders_reach_the_service_a_second_apart(stub):
    # two app instances in one process share the limit: it is per service, not per geocoder
    geocoders = [Geocoder(area=AREA, url=stub.url, timeout_s=10) for _ in range(2)]
    errors: list[BaseException] = []

    def ask(geocoder: Geocoder, query: str) -> None:
        try:
            geocoder.geocode(query)
        except PlaceNotFound:
            pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(geocoders[i % 2], f"street number {i}")) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    arrivals = sorted(r.at_s for r in stub.searches)
    assert len(arrivals) == 3
    assert all(b - a >= MIN_INTERVAL_S for a, b in zip(arrivals, arrivals[1:], strict=False))


# -------------------------------------------------------------------------------------------
# one request a second across processes (gunicorn's workers), through a file in the cache dir

#: A worker process of the test below: it geocodes its queries at the parent's word.
WORKER = """
import sys
from pathlib import Path
from types import SimpleNamespace

from tourapp.geocoding import Geocoder, PlaceNotFound
from tourapp.settings import Settings

url, cache_dir, *queries = sys.argv[1:]
area = SimpleNamespace(south=39.90, west=-75.25, north=40.00, east=-75.10)
settings = Settings(geocoder_url=url, cache_dir=Path(cache_dir), geocoder_timeout_s=10.0)
geocoder = Geocoder.from_settings(settings, area=area)
print("ready", flush=True)
sys.stdin.readline()
for query in queries:
    try:
        geocoder.geocode(query)
    except PlaceNotFound:
        pass
"""


def test_worker_processes_sharing_a_cache_dir_reach_the_service_a_second_apart(stub, tmp_path):
    queries = [[f"{n} Market Street", f"{n} Walnut Street"] for n in (100, 200, 300)]
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, stub.url, str(tmp_path / "cache"), *mine],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for mine in queries
    ]
    try:
        for worker in workers:  # all imported and waiting, so they ask at the same moment
            assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            _, errors = worker.communicate(timeout=30)
            assert worker.returncode == 0, errors
    finally:
        for worker in workers:
            worker.kill()
    assert sorted(r.params["q"] for r in stub.searches) == sorted(q for mine in queries for q in mine)
    arrivals = sorted(r.at_s for r in stub.searches)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    # the stub reads its clock a moment after the request arrives: a few ms, never more
    assert min(gaps) >= MIN_INTERVAL_S - 0.005, gaps


def test_a_429_in_one_process_rests_address_search_in_the_others(tmp_path):
    with NominatimStub(PLACES, status=429, headers={"Retry-After": "120"}) as stub:
        path = state_file_for(tmp_path, stub.url)  # two workers' throttles, each on the file
        first = Geocoder(area=AREA, url=stub.url, throttle=Throttle(MIN_INTERVAL_S, state_file=path))
        second = Geocoder(area=AREA, url=stub.url, throttle=Throttle(MIN_INTERVAL_S, state_file=path))
        with pytest.raises(GeocodingUnavailable, match="too many requests"):
            first.geocode("Italian Market")
        stub.status = 200
        with pytest.raises(GeocodingUnavailable, match="too many requests"):
            second.geocode("Rittenhouse Square")
        assert len(stub.searches) == 1


def test_the_app_shares_its_limit_through_its_cache_dir(tmp_path):
    with NominatimStub(PLACES, status=429, headers={"Retry-After": "120"}) as stub:
        settings = Settings(geocoder_url=stub.url, cache_dir=tmp_path / "cache")
        with pytest.raises(GeocodingUnavailable, match="too many requests"):
            Geocoder.from_settings(settings, area=AREA).geocode("Italian Market")
    # another worker process: its own throttle, on the file in the same cache dir
    other = Throttle(MIN_INTERVAL_S, state_file=state_file_for(tmp_path / "cache", stub.url))
    with pytest.raises(NoTurn) as refused, other.turn(wait_limit_s=5):
        pass
    assert refused.value.resting_s > 100  # the 120 s the service asked for


def test_a_caller_that_gets_no_turn_in_time_is_told_the_search_is_busy(stub):
    throttle = Throttle(0.0)
    geocoder = Geocoder(area=AREA, url=stub.url, timeout_s=0.05, throttle=throttle)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with throttle.turn(wait_limit_s=1):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(10)
    try:
        with pytest.raises(GeocodingUnavailable, match="busy; try again in a moment"):
            geocoder.geocode("Italian Market")
    finally:
        release.set()
        holder.join(10)
    assert stub.searches == []
