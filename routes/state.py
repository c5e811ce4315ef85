"""What the app loads once at start-up and shares between requests (read-only)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from tourapp.errors import NetworkUnavailable, TourError
from tourapp.routing import Route, TourPlanner
from tourapp.settings import Settings
from tourapp.stops import StopCatalog, default_stops_path, load_stops
from tourapp.tours import TourCatalog, default_tours_path, load_tours

#: Rendered responses kept per process. Keys include user-chosen options (pace, units, the
#: host a GPX links back to), so the cache is bounded: the least recently used goes first.
RESPONSE_CACHE_SIZE = 256


class ResponseCache(OrderedDict):
    """A small LRU mapping of rendered bodies (``get`` and ``[key] = body``)."""

    def __init__(self, maxsize: int = RESPONSE_CACHE_SIZE) -> None:
        super().__init__()
        self.maxsize = maxsize
        self._lock = threading.Lock()  # threaded servers (flask run, the browser tests)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            if key in self:
                self.move_to_end(key)
                return self[key]
            return default

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.maxsize:
                self.popitem(last=False)


@dataclass
class AppState:
    """The validated data, the route planner and the caches of rendered responses."""

    settings: Settings
    stops: StopCatalog
    tours: TourCatalog
    planner: TourPlanner
    #: What the precached responses are made from (data files, street network): a new value
    #: means a new service worker cache on the phones.
    data_version: str = ""
    #: Rendered bodies by key: maps, GeoJSON and GPX are deterministic, so render once.
    pages: ResponseCache = field(default_factory=ResponseCache)

    def planned(self, tour_id: str) -> tuple[Route | None, str | None]:
        """A tour's route, or why it cannot be planned (a stop too far from any way): pages
        that list every tour show the reason rather than fail for one bad tour."""
        try:
            return self.planner.plan_tour(tour_id), None
        except TourError as exc:
            return None, str(exc)


def init_app(app: Flask) -> None:
    """Load and validate the data and the street network now, before any request.

    A bad data file stops the app here, and so does an OSM file that was configured but cannot
    be read (someone asked for it: falling back quietly would hide the mistake). A missing
    network is not an error: the planner then draws straight legs and says so. Loading before
    gunicorn forks lets workers share it.
    """
    settings: Settings = app.config["TOURAPP_SETTINGS"]
    stops_file = app.config.get("TOURAPP_STOPS_FILE") or default_stops_path()
    tours_file = app.config.get("TOURAPP_TOURS_FILE") or default_tours_path()
    stops = load_stops(stops_file)
    tours = load_tours(stops, tours_file)
    planner = TourPlanner(settings, stops, tours)
    planner.load_network()
    if settings.osm_file is not None and planner.network_error:
        raise NetworkUnavailable(
            f"TOURAPP_OSM_FILE={settings.osm_file} cannot be used: {planner.network_error}. "
            "Fix the path or unset it (the app then uses a cached or downloaded network)."
        )
    app.extensions["tourapp"] = AppState(
        settings=settings, stops=stops, tours=tours, planner=planner,
        data_version=_data_version([Path(stops_file), Path(tours_file)], planner.status()),
    )


def _data_version(files: list[Path], network: dict[str, Any]) -> str:
    # what the network is, not where it was read from: the same data in another folder or
    # on another host must not make every phone download its precache again
    kind = str(network.get("source") or "").split(":", 1)[0]
    digest = hashlib.sha256(json.dumps([kind, network.get("nodes")]).encode())
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def get_state() -> AppState:
    """The current app's state."""
    return current_app.extensions["tourapp"]
