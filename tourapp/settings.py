"""Typed, documented defaults for the whole app, overridable from the environment.

Read in one place (:meth:`Settings.from_env`) so that the web layer, the CLI and the
benchmarks agree on where tiles come from, where the street graph is cached and how fast
a runner goes. Units are in the names (``_m``, ``_s_per_km``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from .errors import DataFileError
from .plan_request import PACE_LIMITS_S_PER_KM

#: The OpenStreetMap Foundation's standard tile layer; its usage policy requires the
#: attribution below to be visible and forbids bulk prefetching.
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
#: Longest wait any timeout setting may ask for (a day): beyond it a wait is a hang, and
#: ``Lock.acquire`` refuses timeouts past ``threading.TIMEOUT_MAX``.
MAX_TIMEOUT_S = 86400.0
#: Where exported files link back to when no public URL is set: the address ``tourapp serve``
#: and ``make run`` listen on (a request's ``Host`` header is not trusted for it).
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000/"


def _default_cache_dir() -> Path:
    return platformdirs.user_cache_path("montage-run", appauthor=False)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything an operator may change, with the values a fresh install uses."""

    #: XYZ tile URL template for the base map.
    tile_url: str = DEFAULT_TILE_URL
    #: HTML attribution shown on every map (must credit OpenStreetMap for OSM tiles).
    tile_attribution: str = DEFAULT_TILE_ATTRIBUTION
    #: Highest zoom the tile server offers.
    tile_max_zoom: int = 19
    #: Where downloaded / parsed street graphs are cached between runs.
    cache_dir: Path = field(default_factory=_default_cache_dir)
    #: A local OSM XML file (``.osm`` or ``.osm.bz2``) to build the street network from.
    osm_file: Path | None = None
    #: Base URL of the Overpass API that osmnx downloads from when nothing local exists.
    overpass_url: str = "https://overpass-api.de/api"
    #: Whether the app may download the network at all (``False`` forces straight legs).
    network_download: bool = True
    #: Seconds osmnx waits for an Overpass answer.
    overpass_timeout_s: float = 180.0
    #: A stop farther than this from any walkable way cannot be routed.
    snap_limit_m: float = 150.0
    #: Default running pace (6:00 min/km).
    run_pace_s_per_km: float = 360.0
    #: Default walking pace (12:00 min/km).
    walk_pace_s_per_km: float = 720.0
    #: Whether ``/api/geocode`` may look addresses up at all (``False``: points from the map only).
    geocoding: bool = True
    #: Scheme and host (and any path prefix) of the Nominatim service addresses are looked up
    #: with. The public one allows at most one request a second (the app keeps to that).
    geocoder_url: str = "https://nominatim.openstreetmap.org"
    #: Seconds to wait for the geocoder before telling the user it is unavailable.
    geocoder_timeout_s: float = 5.0
    #: A URL or e-mail address added to the User-Agent, so the geocoder's operators can
    #: reach whoever runs this server (Nominatim's usage policy asks for a way to contact you).
    geocoder_contact: str = ""
    #: The site's public address (scheme, host, any path prefix), e.g.
    #: ``https://montagerun.example/``: the link written into GPX/TCX/FIT files, share links
    #: and QR codes, whatever ``Host`` a request names. Empty: files link to
    #: :data:`DEFAULT_PUBLIC_URL` (or, with ``trusted_hosts``, to the checked host).
    public_url: str = ""
    #: Comma-separated host names the app answers to (Flask's ``TRUSTED_HOSTS``; a leading dot
    #: allows subdomains); any other ``Host`` is a 400. Empty: any host.
    trusted_hosts: str = ""
    #: Proxies in front that set ``X-Forwarded-*`` headers, as werkzeug ``ProxyFix`` hop
    #: counts: ``1`` (one proxy: client address and scheme) or ``for=1,proto=1,host=1,prefix=1``.
    #: Empty: forwarded headers are ignored (a client could forge them).
    proxy_fix: str = ""
    #: Computed answers (plans, custom starts or orders, plan files) per client, as
    #: rate limits (the ``limits`` library's syntax), e.g. ``60/minute`` or ``60/minute;600/hour``;
    #: ``off`` (or ``0``): no limit. A plan answered from the response cache spends nothing.
    ratelimit_plans: str = "60/minute"
    #: Address searches per client (each may cost a call to the geocoder); ``off`` (or ``0``): no limit.
    ratelimit_geocode: str = "10/minute"
    #: Where the rate-limit counters live: ``memory://`` (each worker process counts alone) or
    #: e.g. ``redis://host:6379`` so every worker and instance shares one budget per client.
    ratelimit_storage_uri: str = "memory://"
    #: Address ``tourapp serve`` listens on (``0.0.0.0``: every interface, e.g. in a container).
    host: str = "127.0.0.1"
    #: Port ``tourapp serve`` listens on.
    port: int = 8000
    #: gunicorn worker processes, each answering one request at a time; ``0``: one per CPU,
    #: at least 2. They share the street graph, loaded once before they start.
    workers: int = 0
    #: A worker silent this long on one request is killed and replaced (seconds).
    worker_timeout_s: int = 30
    #: On SIGTERM, how long requests in flight may take to finish before workers are killed.
    graceful_timeout_s: int = 30
    #: A worker is replaced after this many requests, plus up to a tenth more at random so they
    #: do not all restart at once: bounds any slow leak, and memory a worker has unshared from
    #: the preloaded graph. ``0``: never.
    max_requests: int = 10000

    #: Environment variable -> field name.
    ENV: Mapping[str, str] = field(
        default_factory=lambda: {
            "TOURAPP_TILE_URL": "tile_url",
            "TOURAPP_TILE_ATTRIBUTION": "tile_attribution",
            "TOURAPP_TILE_MAX_ZOOM": "tile_max_zoom",
            "TOURAPP_CACHE_DIR": "cache_dir",
            "TOURAPP_OSM_FILE": "osm_file",
            "TOURAPP_OVERPASS_URL": "overpass_url",
            "TOURAPP_NETWORK_DOWNLOAD": "network_download",
            "TOURAPP_OVERPASS_TIMEOUT_S": "overpass_timeout_s",
            "TOURAPP_SNAP_LIMIT_M": "snap_limit_m",
            "TOURAPP_RUN_PACE_S_PER_KM": "run_pace_s_per_km",
            "TOURAPP_WALK_PACE_S_PER_KM": "walk_pace_s_per_km",
            "TOURAPP_GEOCODING": "geocoding",
            "TOURAPP_GEOCODER_URL": "geocoder_url",
            "TOURAPP_GEOCODER_TIMEOUT_S": "geocoder_timeout_s",
            "TOURAPP_GEOCODER_CONTACT": "geocoder_contact",
            "TOURAPP_PUBLIC_URL": "public_url",
            "TOURAPP_TRUSTED_HOSTS": "trusted_hosts",
            "TOURAPP_PROXY_FIX": "proxy_fix",
            "TOURAPP_RATELIMIT_PLANS": "ratelimit_plans",
            "TOURAPP_RATELIMIT_GEOCODE": "ratelimit_geocode",
            "TOURAPP_RATELIMIT_STORAGE_URI": "ratelimit_storage_uri",
            "TOURAPP_HOST": "host",
            "TOURAPP_PORT": "port",
            "TOURAPP_WORKERS": "workers",
            "TOURAPP_WORKER_TIMEOUT_S": "worker_timeout_s",
            "TOURAPP_GRACEFUL_TIMEOUT_S": "graceful_timeout_s",
            "TOURAPP_MAX_REQUESTS": "max_requests",
        },
        repr=False,
        compare=False,
    )

    def __post_init__(self) -> None:
        """Refuse values that convert but make no sense, naming the variable that set them.

        Checked at start-up so that, say, a ``nan`` pace stops the app with the variable's name
        instead of answering every tour with a 400 that blames the runner.
        """
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    math.isfinite(value) and low <= value <= high and (value > 0 or name not in _POSITIVE)):
                bounds = f"more than {low:g}" if name in _POSITIVE else f"at least {low:g}"
                raise DataFileError(f"setting {self._variable(name)}: {value!r} is out of range "
                                    f"({bounds} and at most {high:g})")

    def _variable(self, name: str) -> str:
        """The ``TOURAPP_*`` variable that sets field ``name``."""
        return next((var for var, field_name in self.ENV.items() if field_name == name), name)

    def pace_for(self, activity: str) -> float:
        """The default pace, in seconds per km, for ``"run"`` or ``"walk"``."""
        return self.walk_pace_s_per_km if activity == "walk" else self.run_pace_s_per_km

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``TOURAPP_*`` variables; unset ones keep their defaults."""
        environ = os.environ if environ is None else environ
        base = cls()
        types = {f.name: str(f.type) for f in fields(cls)}
        overrides = {  # converted here, so a bad value is reported by the variable the user set
            name: _convert(var, types[name], environ[var])
            for var, name in base.ENV.items() if environ.get(var, "") != ""
        }
        return base.with_overrides(overrides)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """Return a copy with fields replaced, converting strings to each field's type."""
        types = {f.name: f.type for f in fields(self)}
        converted: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in types or name == "ENV":
                raise DataFileError(f"unknown setting {name!r}")
            converted[name] = _convert(name, str(types[name]), value)
        return replace(self, **converted)


#: Field -> (lowest, highest) value it may take; fields in :data:`_POSITIVE` must also be > 0.
_RANGES: dict[str, tuple[float, float]] = {
    "tile_max_zoom": (0, 30),
    "overpass_timeout_s": (0, MAX_TIMEOUT_S),
    "snap_limit_m": (0, 10_000.0),  # beyond 10 km a "snap" is no longer a way to the stop
    "run_pace_s_per_km": PACE_LIMITS_S_PER_KM,
    "walk_pace_s_per_km": PACE_LIMITS_S_PER_KM,
    "geocoder_timeout_s": (0, MAX_TIMEOUT_S),
    "port": (1, 65535),
    "workers": (0, 64),  # 0: one per CPU
    "worker_timeout_s": (1, MAX_TIMEOUT_S),
    "graceful_timeout_s": (1, MAX_TIMEOUT_S),
    "max_requests": (0, 2**31),  # 0: never
}
_POSITIVE = frozenset({"overpass_timeout_s", "snap_limit_m", "geocoder_timeout_s"})


def _convert(name: str, type_name: str, value: Any) -> Any:
    """Turn an environment string into the field's type, naming the setting on failure."""
    if not isinstance(value, str):
        return Path(value) if "Path" in type_name and value is not None else value
    try:
        if type_name == "bool":
            lowered = value.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if "Path" in type_name:
            return Path(value).expanduser()
    except ValueError:
        raise DataFileError(f"setting {name}: cannot read {value!r} as {type_name}") from None
    return value
