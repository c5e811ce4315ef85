"""Overpass misbehaving: every failure is one clear line, never a hang, never a lost cache.

The stub plays each fault the public Overpass API shows under load. osmnx's own slot check
and its endless 55 s retries of 429/504 are not switched off here: ``fetch_network`` must
do that itself, or these tests would hang.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from osm_fixtures import OsmBuilder, at
from overpass_stub import OverpassStub, busy_status

from tourapp.errors import NetworkUnavailable
from tourapp.geodesy import BBox
from tourapp.network import cache_file, fetch_network, load_network, network_bbox, sources
from tourapp.network.osm_tags import WALK_FILTERS
from tourapp.settings import Settings

BROKEN_OFF = json.dumps({"version": 0.6, "elements": []})[:-3]  # '{"version": 0.6, "elements'
STOPPED_PART_WAY = json.dumps({
    "version": 0.6, "elements": [],
    "remark": "runtime error: Query timed out in \"query\" at line 3 after 26 seconds.",
})

#: (what Overpass does, the stub's settings, the error that must say so)
FAULTS: list[tuple[str, dict[str, Any], str]] = [
    ("too slow", {"delay_s": 5.0}, r"did not answer within 0\.5 s \(TOURAPP_OVERPASS_TIMEOUT_S\)"),
    ("429 with Retry-After", {"status": 429, "headers": {"Retry-After": "120"}},
     r"rate limiting this machine \(HTTP 429\): try again in 120 s"),
    ("429 without Retry-After", {"status": 429}, r"\(HTTP 429\): try again later"),
    ("503", {"status": 503}, r"failed \(HTTP 503 Service Unavailable\): try again later"),
    ("504", {"status": 504}, r"failed \(HTTP 504 Gateway Timeout\)"),
    ("400", {"status": 400}, r"refused the query \(HTTP 400 Bad Request\)"),
    ("an HTML page", {"body": b"<html><body>Oops, maintenance</body></html>"}, r"not OSM JSON \(text/html\)"),
    ("an empty answer", {"body": b""}, r"sent an empty answer"),
    ("JSON cut short", {"body": BROKEN_OFF.encode()}, r"answered with broken JSON"),
    ("no elements", {"body": json.dumps({"version": 0.6, "elements": []}).encode()},
     r"sent no walkable ways for "),
    ("stopped part way", {"body": STOPPED_PART_WAY.encode()},
     r"stopped part way \(runtime error: Query timed out .*\): try again later"),
]


def _settings(tmp_path: Path, stub: OverpassStub) -> Settings:
    return Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=0.5)


@pytest.fixture(scope="module")
def bbox() -> BBox:
    return network_bbox([at(-100, -500), at(600, 700)], margin_m=100)


@pytest.mark.parametrize(("fault", "stub_settings", "message"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_overpass_fault_is_one_clear_line_and_caches_nothing(
        tmp_path: Path, town_data: OsmBuilder, bbox: BBox, fault: str, stub_settings: dict[str, Any],
        message: str) -> None:
    with OverpassStub(town_data.overpass_elements(), **stub_settings) as stub:
        with pytest.raises(NetworkUnavailable) as caught:
            fetch_network(_settings(tmp_path, stub), bbox)
        asked = len(stub.queries)
    text = str(caught.value)
    assert re.search(message, text), text
    assert text.startswith(f"Overpass at {stub.url} ")
    assert "\n" not in text and "<" not in text  # no HTML page or traceback pasted in
    assert 1 <= asked <= len(WALK_FILTERS), "a failed query is reported, not retried"
    assert not list(tmp_path.iterdir())


def test_retry_after_as_a_date_gives_the_seconds_left(tmp_path: Path, town_data: OsmBuilder, bbox: BBox) -> None:
    in_90_s = email.utils.formatdate(time.time() + 90, usegmt=True)
    with (OverpassStub(town_data.overpass_elements(), status=429, headers={"Retry-After": in_90_s}) as stub,
          pytest.raises(NetworkUnavailable, match=r"try again in (\d+) s") as caught):
        fetch_network(_settings(tmp_path, stub), bbox)
    seconds = int(re.search(r"in (\d+) s", str(caught.value)).group(1))  # type: ignore[union-attr]
    assert 60 <= seconds <= 90


def test_a_long_wait_for_a_slot_fails_at_once_without_querying(tmp_path: Path, town_data: OsmBuilder,
                                                              bbox: BBox) -> None:
    with OverpassStub(town_data.overpass_elements(), status_text=busy_status(300, 420)) as stub:
        with pytest.raises(NetworkUnavailable, match=r"is busy: its next free slot is in 300 s"):
            fetch_network(_settings(tmp_path, stub), bbox)
        assert stub.queries == []


def test_a_short_wait_for_a_slot_is_waited_out(tmp_path: Path, town_data: OsmBuilder, bbox: BBox) -> None:
    messages: list[str] = []
    with OverpassStub(town_data.overpass_elements(), status_text=busy_status(1, 30)) as stub:
        settings = Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=5)
        net = fetch_network(settings, bbox, progress=messages.append)
    assert "Kelly Drive" in net.names
    assert "Overpass is busy: waiting 1 s for a free slot" in messages


def test_an_overpass_with_a_broken_status_page_is_still_asked(tmp_path: Path, town_data: OsmBuilder,
                                                             bbox: BBox) -> None:
    # osmnx would sleep 60 s on a status it cannot read; a mirror without /status still serves
    with OverpassStub(town_data.overpass_elements(), status_text="<html>no status here</html>") as stub:
        settings = Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=5)
        net = fetch_network(settings, bbox)
    assert net.edge_count > 0


def test_an_unreachable_overpass_says_so(tmp_path: Path, bbox: BBox) -> None:
    settings = Settings(cache_dir=tmp_path, overpass_url="http://127.0.0.1:9/api", overpass_timeout_s=0.5)
    with pytest.raises(NetworkUnavailable, match=r"^cannot reach Overpass at http://127\.0\.0\.1:9/api: "):
        fetch_network(settings, bbox)


@pytest.mark.parametrize("fault", ["503", "an HTML page", "no elements", "too slow"])
def test_a_failed_refetch_leaves_the_good_cache_as_it_was(tmp_path: Path, town_data: OsmBuilder,
                                                          bbox: BBox, fault: str) -> None:
    stub_settings = next(s for name, s, _ in FAULTS if name == fault)
    with OverpassStub(town_data.overpass_elements()) as stub:
        good = fetch_network(Settings(cache_dir=tmp_path, overpass_url=stub.url, overpass_timeout_s=5), bbox)
        settings = _settings(tmp_path, stub)
        cached = cache_file(settings, sources._overpass_key(settings, bbox))
        before = cached.read_bytes()
        for name, value in stub_settings.items():
            setattr(stub, name, value)
        with pytest.raises(NetworkUnavailable):
            fetch_network(settings, bbox, force=True)
    assert cached.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]  # no temporary file left behind
    loaded = load_network(settings, bbox=bbox)
    assert loaded is not None and loaded.node_count == good.node_count
