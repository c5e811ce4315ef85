"""A second app for the web tests: the test town's stops and tours on its OSM street network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osm_fixtures import PLACES, at, town
from routes import create_app
from tourapp.settings import Settings

TOWN_STOPS = [  # (id, place, montage order)
    ("corner", "federal-8th", 1),
    ("market", "christian-12th", 2),
    ("museum", "museum", 3),
    ("bank", "north-bank-east", None),
]


def _stop_record(stop_id: str, place: str, order: int | None) -> dict:
    lat, lon = at(*PLACES[place])
    return {
        "id": stop_id,
        "name": f"The {stop_id}",
        "real_place": place,
        "address": "1 Test Street",
        "location": {"lat": lat, "lon": lon, "source": "t", "confidence": "high", "note": "test"},
        "montage_order": order,
        "scene": f"Rocky runs to the {stop_id}.",
        "exercise": None,
        "filmed_here": {"status": "yes", "note": "test"},
        "today": {"description": "test", "access": "public", "note": "test"},
        "safety": [],
        "sources": ["t"],
    }


@pytest.fixture(scope="session")
def town_app(tmp_path_factory: pytest.TempPathFactory):
    """The app routing on the test town's OSM file (rivers, bridge, motorway, steps)."""
    folder = tmp_path_factory.mktemp("town-app")
    stops = folder / "stops.json"
    stops.write_text(json.dumps({
        "version": 1, "updated": "2026-01-02",
        "sources": {"t": {"title": "Test", "publisher": "tests", "url": "https://example.org/",
                          "accessed": "2026-01-01"}},
        "stops": [_stop_record(*row) for row in TOWN_STOPS],
    }))
    tours = folder / "tours.json"
    tours.write_text(json.dumps({"version": 1, "tours": [
        {"id": "town-run", "name": "Town run", "description": "Corner, market, museum.",
         "stop_ids": ["corner", "market", "museum"], "loop": False, "activity": "run"},
        {"id": "bridge-walk", "name": "Bridge walk", "description": "Across the river and back.",
         "stop_ids": ["corner", "bank"], "loop": True, "activity": "walk"},
    ]}))
    osm = town().write(folder / "town.osm")
    settings = Settings(cache_dir=folder / "cache", osm_file=osm, network_download=False)
    return create_app({
        "TESTING": True,
        "TOURAPP_SETTINGS": settings,
        "TOURAPP_STOPS_FILE": str(stops),
        "TOURAPP_TOURS_FILE": str(tours),
    })


@pytest.fixture()
def town_client(town_app):
    return town_app.test_client()


@pytest.fixture(scope="session")
def town_walkable_ways() -> list[list[tuple[float, float]]]:
    """Every walkable way of the test town as (lat, lon) polylines."""
    return town().walkable_ways()
