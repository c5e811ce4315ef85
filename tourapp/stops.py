"""The tour's places: loaded from ``data/stops.json`` and validated once, at start-up.

A malformed data file must stop the app from starting with a message that names the stop
and the field, rather than surface later as a broken page, so every field is checked here
and turned into frozen value objects the rest of the app can trust.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .catalog import ID_PATTERN, ID_RULE, Catalog
from .data_files import read_data_file
from .errors import DataFileError, UnknownStop
from .geodesy import distance_m

FILMED_HERE_STATUSES = ("yes", "no", "partly", "disputed")
CONFIDENCES = ("high", "medium", "low")
ACCESS_KINDS = ("public", "view-only", "private", "gone")
#: The stops of one tour lie within this distance of their middle (the median position); a
#: stop farther away is a typo, often latitude and longitude swapped. No city is hard-coded:
#: the service area is the catalogue's own box (:attr:`tourapp.planner.TourPlanner.area`).
MAX_SPREAD_M = 25_000.0
#: What a coordinate can be at all, degrees.
LAT_RANGE = (-90.0, 90.0)
LON_RANGE = (-180.0, 180.0)
#: Longest ``short_name``: what a Garmin watch shows of a course point's name (FIT), so the
#: name a runner sees on the wrist is never cut.
SHORT_NAME_CHARS = 16


@dataclass(frozen=True, kw_only=True)
class Source:
    """A published source that backs a fact."""

    key: str
    title: str
    publisher: str
    url: str
    accessed: str


@dataclass(frozen=True, kw_only=True)
class Location:
    """A WGS84 point with where it came from and how sure we are of it."""

    lat: float
    lon: float
    source: Source
    confidence: str
    note: str


@dataclass(frozen=True, kw_only=True)
class FilmedHere:
    """Whether the film's scene was really shot at this place, with the honest detail."""

    status: str
    note: str


@dataclass(frozen=True, kw_only=True)
class Today:
    """What a visitor finds at the place now."""

    description: str
    access: str
    note: str


@dataclass(frozen=True, kw_only=True)
class Stop:
    """One place of the tour; ``montage_order`` is ``None`` for places outside the montage.

    ``name`` is the scene ("Along the docks with a tall ship"), the page's title;
    ``short_name`` is what a runner calls the place ("Moshulu"), at most
    :data:`SHORT_NAME_CHARS` characters, for directions, watches and spoken news.
    """

    id: str
    name: str
    short_name: str
    real_place: str
    address: str
    location: Location
    montage_order: int | None
    scene: str
    exercise: str | None
    filmed_here: FilmedHere
    today: Today
    safety: tuple[str, ...]
    sources: tuple[Source, ...]

    @property
    def lat(self) -> float:
        return self.location.lat

    @property
    def lon(self) -> float:
        return self.location.lon

    @property
    def in_montage(self) -> bool:
        return self.montage_order is not None


class StopCatalog(Catalog[Stop]):
    """All stops by id, iterating montage stops first (in montage order), then the others.

    ``catalog[stop_id]`` raises :class:`UnknownStop` naming the known ids. ``version`` and
    ``updated`` come from the data file (what the GPX metadata and the data version cite).
    """

    def __init__(self, stops: Iterable[Stop], *, version: int, updated: str) -> None:
        ordered = sorted(stops, key=lambda s: (s.montage_order is None, s.montage_order or 0))
        super().__init__(ordered, unknown=UnknownStop)
        self.version = version
        self.updated = updated

    @property
    def montage(self) -> tuple[Stop, ...]:
        """The montage stops in film order."""
        return tuple(s for s in self.values() if s.montage_order is not None)

    @property
    def others(self) -> tuple[Stop, ...]:
        """Rocky places that are not part of the training montage."""
        return tuple(s for s in self.values() if s.montage_order is None)


def default_stops_path() -> Path:
    """The data file shipped inside the package."""
    return Path(str(resources.files("tourapp") / "data" / "stops.json"))


def load_stops(path: Path | str | None = None) -> StopCatalog:
    """Read and validate a stops file (the packaged one by default).

    Raises
    ------
    DataFileError
        If the file is missing, not JSON, or any stop has a missing or invalid field; the
        message names the stop id (or index) and the field.
    """
    path = Path(path) if path is not None else default_stops_path()
    return parse_stops(read_data_file(path, "stops"), origin=str(path))


def parse_stops(raw: Any, *, origin: str = "stops data") -> StopCatalog:
    """Validate the decoded JSON of a stops file and build the catalogue."""
    where = _Where(origin)
    if not isinstance(raw, dict):
        raise DataFileError(f"{origin}: top level must be an object")
    sources_raw = where.require(raw, "sources", dict)
    sources = {key: _parse_source(where.at(f"source {key!r}"), key, value)
               for key, value in sources_raw.items()}
    stops_raw = where.require(raw, "stops", list)
    stops: list[Stop] = []
    seen: set[str] = set()
    short_names: dict[str, str] = {}
    for index, item in enumerate(stops_raw):
        label = f"stop #{index}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label = f"stop {item['id']!r}"
        stop = _parse_stop(where.at(label), item, sources)
        if stop.id in seen:
            raise DataFileError(f"{origin}: {label}: id: duplicate id")
        seen.add(stop.id)
        # two places one name on a watch: the runner cannot tell which is next
        other = short_names.setdefault(stop.short_name.casefold(), stop.id)
        if other != stop.id:
            raise DataFileError(f"{origin}: {label}: short_name: {stop.short_name!r} is already the short name "
                                 f"of stop {other!r}")
        stops.append(stop)
    _check_spread(stops, origin)
    orders = sorted(s.montage_order for s in stops if s.montage_order is not None)
    if orders != list(range(1, len(orders) + 1)):
        raise DataFileError(
            f"{origin}: montage_order: must number the montage stops 1..{len(orders)} "
            f"without gaps or repeats, got {orders}"
        )
    # the file's own fields: what the data version and the exported files' time cite
    version = where.require(raw, "version", int)
    if version < 1:
        raise where.fail("version", f"must be 1 or more, got {version}")
    updated = where.require(raw, "updated", str)
    try:
        updated_time(updated)
    except ValueError:
        raise where.fail("updated", f"must be an ISO 8601 date or time such as 2026-11-23, got {updated!r}") from None
    return StopCatalog(stops, version=version, updated=updated)


def updated_time(updated: str) -> dt.datetime:
    """The data file's ``updated`` as a UTC time: a date is its midnight UTC, a time without an
    offset is taken as UTC, and one with an offset is converted (not relabelled).

    Raises
    ------
    ValueError
        When ``updated`` is not an ISO 8601 date or date and time.
    """
    when = dt.datetime.fromisoformat(updated)
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _check_spread(stops: list[Stop], origin: str) -> None:
    """Refuse a stop far from the middle of all of them: a typo, not a place of the tour."""
    if not stops:
        return
    middle = (statistics.median(s.lat for s in stops), statistics.median(s.lon for s in stops))
    for stop in stops:
        away_m = distance_m(middle, (stop.lat, stop.lon))
        if away_m > MAX_SPREAD_M:
            raise DataFileError(
                f"{origin}: stop {stop.id!r}: location: {stop.lat},{stop.lon} is {away_m / 1000:.0f} km from "
                f"the middle of the stops (at most {MAX_SPREAD_M / 1000:.0f} km): a typo, or latitude and "
                "longitude swapped?"
            )


class _Where:
    """Builds error messages that say which record and which field is wrong."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def at(self, label: str) -> _Where:
        return _Where(f"{self.prefix}: {label}")

    def fail(self, field: str, problem: str) -> DataFileError:
        return DataFileError(f"{self.prefix}: {field}: {problem}")

    def require(self, obj: Any, field: str, kind: type | tuple[type, ...], *, nullable: bool = False) -> Any:
        if not isinstance(obj, dict):
            raise DataFileError(f"{self.prefix}: must be an object")
        if field not in obj:
            raise self.fail(field, "missing")
        value = obj[field]
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(field, f"must be {names}, got {value!r}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(field, "must not be empty")
        return value

    def choice(self, obj: Any, field: str, allowed: tuple[str, ...]) -> str:
        value: str = self.require(obj, field, str)
        if value not in allowed:
            raise self.fail(field, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value


def _parse_source(where: _Where, key: str, raw: Any) -> Source:
    url = where.require(raw, "url", str)
    if not url.startswith(("https://", "http://")):
        raise where.fail("url", f"must be an http(s) URL, got {url!r}")
    return Source(
        key=key,
        title=where.require(raw, "title", str),
        publisher=where.require(raw, "publisher", str),
        url=url,
        accessed=where.require(raw, "accessed", str),
    )


def _lookup_source(where: _Where, field: str, key: Any, sources: Mapping[str, Source]) -> Source:
    if not isinstance(key, str) or key not in sources:
        raise where.fail(field, f"unknown source {key!r}; known: {', '.join(sources)}")
    return sources[key]


def _parse_stop(where: _Where, raw: Any, sources: Mapping[str, Source]) -> Stop:
    stop_id = where.require(raw, "id", str)
    if not ID_PATTERN.fullmatch(stop_id):
        raise where.fail("id", f"must be {ID_RULE}, got {stop_id!r}")

    loc_raw = where.require(raw, "location", dict)
    loc_where = where.at("location")
    lat = loc_where.require(loc_raw, "lat", (int, float))
    lon = loc_where.require(loc_raw, "lon", (int, float))
    for axis, value, (low, high) in (("lat", lat, LAT_RANGE), ("lon", lon, LON_RANGE)):
        if not (math.isfinite(value) and low <= value <= high):
            raise loc_where.fail(axis, f"must be in {low:g}..{high:g} degrees, got {value}")
    location = Location(
        lat=float(lat),
        lon=float(lon),
        source=_lookup_source(loc_where, "source", loc_raw.get("source"), sources),
        confidence=loc_where.choice(loc_raw, "confidence", CONFIDENCES),
        note=loc_where.require(loc_raw, "note", str),
    )

    order = where.require(raw, "montage_order", int, nullable=True)
    if order is not None and order < 1:
        raise where.fail("montage_order", f"must be 1 or more, got {order}")

    filmed_raw = where.require(raw, "filmed_here", dict)
    filmed_where = where.at("filmed_here")
    today_raw = where.require(raw, "today", dict)
    today_where = where.at("today")

    safety = where.require(raw, "safety", list)
    for i, note in enumerate(safety):
        if not isinstance(note, str) or not note.strip():
            raise where.fail(f"safety[{i}]", "must be a non-empty string")
    source_keys = where.require(raw, "sources", list)
    if not source_keys:
        raise where.fail("sources", "must name at least one source")

    short_name = where.require(raw, "short_name", str).strip()
    if len(short_name) > SHORT_NAME_CHARS:
        raise where.fail("short_name", f"must be at most {SHORT_NAME_CHARS} characters (what a watch shows), "
                                       f"got {short_name!r} ({len(short_name)})")

    return Stop(
        id=stop_id,
        name=where.require(raw, "name", str),
        short_name=short_name,
        real_place=where.require(raw, "real_place", str),
        address=where.require(raw, "address", str),
        location=location,
        montage_order=order,
        scene=where.require(raw, "scene", str),
        exercise=where.require(raw, "exercise", str, nullable=True),
        filmed_here=FilmedHere(
            status=filmed_where.choice(filmed_raw, "status", FILMED_HERE_STATUSES),
            note=filmed_where.require(filmed_raw, "note", str),
        ),
        today=Today(
            description=today_where.require(today_raw, "description", str),
            access=today_where.choice(today_raw, "access", ACCESS_KINDS),
            note=today_where.require(today_raw, "note", str),
        ),
        safety=tuple(safety),
        sources=tuple(
            _lookup_source(where, f"sources[{i}]", key, sources) for i, key in enumerate(source_keys)
        ),
    )
