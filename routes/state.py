"""What the app loads once at start-up and shares between requests (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from tourapp.settings import Settings
from tourapp.stops import StopCatalog, load_stops


@dataclass
class AppState:
    """The validated data and the caches of rendered pages, owned by one app."""

    settings: Settings
    stops: StopCatalog
    #: Rendered page bodies by key: maps are deterministic, so render them once per process.
    pages: dict[Any, Any] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    """Load and validate the data now, so a bad file stops the app from starting."""
    app.extensions["tourapp"] = AppState(
        settings=app.config["TOURAPP_SETTINGS"],
        stops=load_stops(app.config.get("TOURAPP_STOPS_FILE")),
    )


def get_state() -> AppState:
    """The current app's state."""
    return current_app.extensions["tourapp"]
