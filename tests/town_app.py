"""The test town as an app: its stops and tours on its OSM street network (tests/osm_fixtures.py).

Used by the web tests (Flask's test client) and the browser tests (a live server).
"""

from __future__ import annotations

import json
from pathlib import Path

from osm_fixtures import PLACES, at, town

from routes import create_app
from tourapp.settings import Settings

TOWN_STOPS = [  # (id, place, montage order)
    ("corner", "federal-8th", 1),
    ("market", "christian-12th", 2),
    ("museum", "museum", 3),
    ("bank", "north-bank-east", None),
]


def stop_record(stop_id: str, place: str | tuple[float, float], order: int | None) -> dict:
    lat, lon = at(*(PLACES[place] if isinstance(place, str) else place))
    return {
        "id": stop_id,
        "name": f"The {stop_id}",
        "short_name": stop_id.replace("-", " ").capitalize(),
        "real_place": str(place),
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


TOWN_TOURS = [
    {"id": "town-run", "name": "Town run", "description": "Corner, market, museum.",
     "stop_ids": ["corner", "market", "museum"], "loop": False, "activity": "run"},
    {"id": "bridge-walk", "name": "Bridge walk", "description": "Across the river and back.",
     "stop_ids": ["corner", "bank"], "loop": True, "activity": "walk"},
]


def make_town_app(folder: Path, *, extra_stops: list[dict] = (), extra_tours: list[dict] = ()):
    """An app on the test town's OSM file, with the town's stops and tours plus any extras."""
    stops = folder / "stops.json"
    stops.write_text(json.dumps({
        "version": 1, "updated": "2026-01-02",
        "sources": {"t": {"title": "Test", "publisher": "tests", "url": "https://example.org/",
                          "accessed": "2026-01-01"}},
        "stops": [stop_record(*row) for row in TOWN_STOPS] + list(extra_stops),
    }))
    tours = folder / "tours.json"
    tours.write_text(json.dumps({"version": 1, "tours": TOWN_TOURS + list(extra_tours)}))
    osm = town().write(folder / "town.osm")
    settings = Settings(cache_dir=folder / "cache", osm_file=osm, network_download=False)
    return create_app({
        "TESTING": True,
        "TOURAPP_SETTINGS": settings,
        "TOURAPP_STOPS_FILE": str(stops),
        "TOURAPP_TOURS_FILE": str(tours),
    })
