"""What the app builds once at start-up and shares between requests.

The services (catalogues, planner) come from :func:`tourapp.services.build_services`, the
same function the CLI uses. What changes while the app runs: the planner's route memo and
the cache of rendered responses here, both bounded and thread-safe
(:class:`tourapp.lru.BoundedCache`), and the street network if it is reloaded — which changes
the data version and so the keys of every cached page.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from tourapp.errors import TourError
from tourapp.lru import BoundedCache
from tourapp.model import Route
from tourapp.planner import TourPlanner
from tourapp.services import Services, build_services
from tourapp.settings import Settings
from tourapp.stops import StopCatalog
from tourapp.tours import TourCatalog

#: Rendered responses kept per process. Keys include user-chosen options (pace, units, the
#: host a GPX links back to), so the cache is bounded: the least recently used goes first.
RESPONSE_CACHE_SIZE = 256


@dataclass
class AppState:
    """The services, the digest of the data files and the cache of rendered responses."""

    services: Services
    #: Digest of the stops and tours files as loaded (they are read once, at start-up).
    files_digest: str
    #: Rendered bodies by ``(data version, key)``: maps, GeoJSON and GPX are deterministic.
    pages: BoundedCache[Hashable, Any] = field(default_factory=lambda: BoundedCache(RESPONSE_CACHE_SIZE))

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def stops(self) -> StopCatalog:
        return self.services.stops

    @property
    def tours(self) -> TourCatalog:
        return self.services.tours

    @property
    def planner(self) -> TourPlanner:
        return self.services.planner

    @property
    def data_version(self) -> str:
        """What the precached responses are made from (data files, street network): a new
        value means new cache keys here and a new service worker cache on the phones.

        The network counts by what it is (its kind and size), not where it was read from:
        the same data in another folder or on another host must not make every phone
        download its precache again.
        """
        status = self.planner.status()
        return _data_version(self.files_digest, status.kind, status.nodes)

    def planned(self, tour_id: str) -> tuple[Route | None, str | None]:
        """A tour's route, or why it cannot be planned (a stop too far from any way): pages
        that list every tour show the reason rather than fail for one bad tour."""
        try:
            return self.planner.plan_tour(tour_id), None
        except TourError as exc:
            return None, str(exc)


def init_app(app: Flask) -> None:
    """Build the services now, before any request (see :func:`tourapp.services.build_services`).

    Loading before gunicorn forks lets workers share the network.
    """
    services = build_services(
        app.config["TOURAPP_SETTINGS"],
        stops_file=app.config.get("TOURAPP_STOPS_FILE"),
        tours_file=app.config.get("TOURAPP_TOURS_FILE"),
    )
    digest = hashlib.sha256()
    for path in (services.stops_file, services.tours_file):
        digest.update(path.read_bytes())
    app.extensions["tourapp"] = AppState(services=services, files_digest=digest.hexdigest())


def get_state() -> AppState:
    """The current app's state."""
    state: AppState = current_app.extensions["tourapp"]
    return state


@functools.lru_cache(maxsize=8)
def _data_version(files_digest: str, network_kind: str | None, network_nodes: int) -> str:
    # every cached response's key reads this: hash once per (data, network), not per request
    digest = hashlib.sha256(json.dumps([files_digest, network_kind, network_nodes]).encode())
    return digest.hexdigest()[:12]
