"""What the app loads once at start-up and shares between requests (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from tourapp.routing import TourPlanner
from tourapp.settings import Settings
from tourapp.stops import StopCatalog, load_stops
from tourapp.tours import TourCatalog, load_tours


@dataclass
class AppState:
    """The validated data, the route planner and the caches of rendered responses."""

    settings: Settings
    stops: StopCatalog
    tours: TourCatalog
    planner: TourPlanner
    #: Rendered bodies by key: maps, GeoJSON and GPX are deterministic, so render once.
    pages: dict[Any, Any] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    """Load and validate the data and the street network now, before any request.

    A bad data file stops the app here. A missing network is not an error: the planner then
    draws straight legs and says so. Loading before gunicorn forks lets workers share it.
    """
    settings: Settings = app.config["TOURAPP_SETTINGS"]
    stops = load_stops(app.config.get("TOURAPP_STOPS_FILE"))
    tours = load_tours(stops, app.config.get("TOURAPP_TOURS_FILE"))
    planner = TourPlanner(settings, stops, tours)
    planner.load_network()
    app.extensions["tourapp"] = AppState(settings=settings, stops=stops, tours=tours, planner=planner)


def get_state() -> AppState:
    """The current app's state."""
    return current_app.extensions["tourapp"]
