"""Typed, documented defaults for the whole app, overridable from the environment.

Read in one place (:meth:`Settings.from_env`) so that the web layer, the CLI and the
benchmarks agree on where tiles come from, where the street graph is cached and how fast
a runner goes. Units are in the names (``_m``, ``_s_per_km``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from .errors import DataFileError

#: The OpenStreetMap Foundation's standard tile layer; its usage policy requires the
#: attribution below to be visible and forbids bulk prefetching.
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


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
        },
        repr=False,
        compare=False,
    )

    def pace_for(self, activity: str) -> float:
        """The default pace, in seconds per km, for ``"run"`` or ``"walk"``."""
        return self.walk_pace_s_per_km if activity == "walk" else self.run_pace_s_per_km

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``TOURAPP_*`` variables; unset ones keep their defaults."""
        environ = os.environ if environ is None else environ
        base = cls()
        overrides = {
            name: environ[var] for var, name in base.ENV.items() if environ.get(var, "") != ""
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
