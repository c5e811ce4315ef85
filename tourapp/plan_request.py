"""The plan request: what a runner asked for, parsed once and carried everywhere.

A plan is a tour from the catalogue or the runner's own stops, with an order, an optional
start and finish point, loop or one-way, an activity, a pace and display units. The same
frozen value comes out of an API query, a page's query string, a GPX download's query, the
command line and a share link, and goes back into a query string (``to_query``) so that a
shared link restores exactly the plan that was shared. Every rule about what a plan may be
lives here, once; the rules that need the catalogues (is ``rail-yard`` a stop? is the start
in the tour area?) are checked by the planner with :meth:`PlanRequest.check_area` and the
catalogue lookups.

Every refusal is a :class:`~tourapp.errors.BadPlan` whose message names the parameter and the
value it got, because the message is what the runner (or the developer reading an API
answer) sees.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from .catalog import ID_PATTERN
from .errors import BadPlan
from .geodesy import BBox, LatLon

#: Most stops one plan may visit: keeps "shortest order" (exact, 2^n work) instant.
MAX_STOPS = 11
ORDERS = ("given", "shortest")
ACTIVITIES = ("run", "walk")
UNITS = ("km", "mi")
#: Paces a person can keep on foot: 2:00 to 30:00 per km.
PACE_LIMITS_S_PER_KM = (120.0, 1800.0)
#: Longest text accepted for one parameter (a stops list of 11 ids fits easily).
MAX_PARAMETER_CHARS = 600
#: Decimal places kept for a coordinate: 6 is about 0.1 m, finer than any GPS fix.
COORDINATE_DECIMALS = 6

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")
#: Query keys in the order :meth:`PlanRequest.to_query` writes them.
QUERY_KEYS = ("tour", "stops", "order", "start", "end", "loop", "activity", "pace", "units")


class TourDefaults(Protocol):
    """What a catalogue tour lends a plan that leaves loop and activity open."""

    @property
    def loop(self) -> bool: ...
    @property
    def activity(self) -> str: ...


class HasActivity(Protocol):
    """A planned route: its activity picks the default pace."""

    @property
    def activity(self) -> str: ...


class PaceDefaults(Protocol):
    """The settings' default pace per activity (:meth:`tourapp.settings.Settings.pace_for`)."""

    def pace_for(self, activity: str) -> float: ...


@dataclass(frozen=True, kw_only=True)
class PlanRequest:
    """One plan, as asked for. Construct it directly (the CLI) or with :meth:`from_query`.

    Parameters
    ----------
    tour
        A tour id from the catalogue; the tour supplies its stops, loop and activity.
    stops
        Stop ids in the runner's order, for a plan of their own (exactly one of ``tour``
        and ``stops``).
    order
        ``"given"`` keeps the order; ``"shortest"`` reorders the stops between the fixed
        ends for the shortest total (the planner's rule).
    start, end
        ``(lat, lon)`` of the runner's own start and finish points, rounded to 6 decimals.
    loop
        Back to the start at the end; ``None`` takes the tour's own (one-way for a custom plan).
    activity
        ``"run"`` or ``"walk"``; ``None`` takes the tour's own (``"run"`` for a custom plan).
    pace_s_per_km
        Seconds per km for times; ``None`` takes the default pace of the activity.
    units
        ``"km"`` or ``"mi"`` for what people read; never changes the route.
    """

    tour: str | None = None
    stops: tuple[str, ...] = ()
    order: str = "given"
    start: LatLon | None = None
    end: LatLon | None = None
    loop: bool | None = None
    activity: str | None = None
    pace_s_per_km: float | None = None
    units: str = "km"

    def __post_init__(self) -> None:
        # Normalise first (so equal plans compare equal and hash alike), then check.
        object.__setattr__(self, "stops", tuple(self.stops))
        object.__setattr__(self, "start", _coordinate("start", self.start))
        object.__setattr__(self, "end", _coordinate("end", self.end))
        if self.pace_s_per_km is not None:
            object.__setattr__(self, "pace_s_per_km", _pace(self.pace_s_per_km))
        self._check()

    def _check(self) -> None:
        if self.tour is not None and self.stops:
            raise BadPlan("give either tour or stops, not both")
        if self.tour is None and not self.stops:
            raise BadPlan("the plan is empty: give a tour id (tour=montage) or stop ids (stops=rail-yard,moshulu)")
        if self.tour is not None and not ID_PATTERN.fullmatch(self.tour):
            raise BadPlan(f"tour must be a tour id (lower-case letters, digits and '-'), got {self.tour!r}")
        for stop_id in self.stops:
            if not isinstance(stop_id, str) or not ID_PATTERN.fullmatch(stop_id):
                raise BadPlan(f"stops must be stop ids (lower-case letters, digits and '-'), got {stop_id!r}")
        if len(self.stops) > MAX_STOPS:
            raise BadPlan(f"a plan may visit at most {MAX_STOPS} stops, got {len(self.stops)}")
        seen: set[str] = set()
        for stop_id in self.stops:
            if stop_id in seen:
                raise BadPlan(f"stop {stop_id!r} is listed twice in stops")
            seen.add(stop_id)
        _one_of("order", self.order, ORDERS)
        _one_of("units", self.units, UNITS)
        if self.activity is not None:
            _one_of("activity", self.activity, ACTIVITIES)
        if self.loop is not None and not isinstance(self.loop, bool):
            raise BadPlan(f"loop must be true or false, got {self.loop!r}")
        if self.loop and self.end is not None:
            raise BadPlan("a loop returns to its start: leave out end, or make the plan one-way (loop=false)")
        if self.stops:
            places = len(self.stops) + (self.start is not None) + (self.end is not None)
            if places < 2:
                raise BadPlan(
                    "a plan needs at least two places: two stops, or a stop and a start or end point"
                )

    # ---------------------------------------------------------------------------------------
    # query strings

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PlanRequest:
        """The plan a query string asks for; unknown parameters are left to the caller.

        ``query`` is any mapping of parameter names to text; with a multi-dict (Flask's
        ``request.args``) a parameter given twice is refused rather than one copy silently
        winning.

        Raises
        ------
        BadPlan
            Naming the parameter and the value it got.
        """
        return cls._from_values(_read(query))

    @classmethod
    def for_tour(cls, tour_id: str, query: Mapping[str, str]) -> PlanRequest:
        """The plan for a URL that names the tour in its path (``/api/tours/<id>``,
        ``/tours/<id>.gpx``, ``/tours/<id>/cues``): the query adds any option but the plan itself.

        Raises
        ------
        BadPlan
            When the query names a tour or stops as well, or for any bad option.
        """
        if "tour" in query or "stops" in query:
            raise BadPlan(f"the tour is in the path ({tour_id!r}); leave tour and stops out of the query")
        return cls._from_values({**_read(query), "tour": tour_id})

    @classmethod
    def _from_values(cls, values: Mapping[str, str]) -> PlanRequest:
        options: dict[str, Any] = {}
        if values.get("tour"):
            options["tour"] = values["tour"]
        if values.get("stops"):
            options["stops"] = tuple(s.strip() for s in values["stops"].split(","))
        if values.get("order"):
            options["order"] = values["order"]
        for key in ("start", "end"):
            if values.get(key):
                options[key] = _parse_latlon(key, values[key])
        if values.get("loop"):
            options["loop"] = _parse_bool("loop", values["loop"])
        if values.get("activity"):
            options["activity"] = values["activity"]
        if values.get("pace"):
            options["pace_s_per_km"] = _parse_number("pace", values["pace"], "seconds per km")
        if values.get("units"):
            options["units"] = values["units"]
        return cls(**options)

    def to_query(self) -> dict[str, str]:
        """The plan as query parameters: only what differs from the defaults, in a fixed order.

        ``PlanRequest.from_query(plan.to_query()) == plan`` for every valid plan.
        """
        out: dict[str, str] = {}
        if self.tour is not None:
            out["tour"] = self.tour
        if self.stops:
            out["stops"] = ",".join(self.stops)
        if self.order != "given":
            out["order"] = self.order
        if self.start is not None:
            out["start"] = _format_latlon(self.start)
        if self.end is not None:
            out["end"] = _format_latlon(self.end)
        if self.loop is not None:
            out["loop"] = "true" if self.loop else "false"
        if self.activity is not None:
            out["activity"] = self.activity
        if self.pace_s_per_km is not None:
            out["pace"] = _format_number(self.pace_s_per_km)
        if self.units != "km":
            out["units"] = self.units
        return out

    def query_string(self, *, without: tuple[str, ...] = ()) -> str:
        """``to_query()`` URL-encoded, keeping ``,`` and ``:`` readable in share links."""
        query = {k: v for k, v in self.to_query().items() if k not in without}
        return urlencode(query, safe=",:")

    def canonical(self, tours: Mapping[str, TourDefaults]) -> PlanRequest:
        """The same plan with what it spells out needlessly left out: a loop or an activity
        equal to the tour's own (one-way and run for a plan of one's own stops). Two links to
        one route then share one share link, one cache entry, one QR code and one progress key.

        ``tours`` is the tour catalogue; an unknown tour is left as it is (the planner refuses
        it by name).
        """
        if self.tour is not None:
            tour = tours.get(self.tour)
            if tour is None:
                return self
            own_loop, own_activity = tour.loop and self.end is None, tour.activity
        else:
            own_loop, own_activity = False, "run"
        return self.replace(
            loop=None if self.loop == own_loop else self.loop,
            activity=None if self.activity == own_activity else self.activity,
        )

    def pace_for(self, route: HasActivity, defaults: PaceDefaults) -> float:
        """Seconds per km for the times of ``route``: the plan's pace, else the default pace of
        the route's activity (which is the tour's when the plan leaves it open)."""
        if self.pace_s_per_km is not None:
            return self.pace_s_per_km
        return defaults.pace_for(route.activity)

    # ---------------------------------------------------------------------------------------
    # what the planner needs

    def route_key(self) -> tuple[Any, ...]:
        """What the route depends on (pace and units only change the figures shown)."""
        return (self.tour, self.stops, self.order, self.start, self.end, self.loop, self.activity)

    def replace(self, **changes: Any) -> PlanRequest:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def check_area(self, area: BBox) -> None:
        """Refuse a start or end point outside the service area (the tour's part of the city).

        Raises
        ------
        BadPlan
            Naming the point and the area.
        """
        for key, point in (("start", self.start), ("end", self.end)):
            if point is None:
                continue
            if not area.contains(*point):
                raise BadPlan(
                    f"{key} {_format_latlon(point)} is outside the tour area "
                    f"(latitude {area.south:.3f} to {area.north:.3f}, longitude {area.west:.3f} to "
                    f"{area.east:.3f}); choose a point nearer the stops"
                )


# -------------------------------------------------------------------------------------------
# parsing and checking single values


def _read(query: Mapping[str, str]) -> dict[str, str]:
    """The plan parameters of ``query`` as stripped text (unknown ones left out)."""
    getlist = getattr(query, "getlist", None)
    values: dict[str, str] = {}
    for key in QUERY_KEYS:
        if getlist is not None:
            found = getlist(key)
            if len(found) > 1:
                raise BadPlan(f"{key} is given {len(found)} times; give it once")
            raw = found[0] if found else None
        else:
            raw = query.get(key)
        if raw is None:
            continue
        if not isinstance(raw, str):
            raise BadPlan(f"{key} must be text, got {raw!r}")
        if len(raw) > MAX_PARAMETER_CHARS:
            raise BadPlan(f"{key} is {len(raw)} characters long; at most {MAX_PARAMETER_CHARS}")
        if "\x00" in raw:
            raise BadPlan(f"{key} contains a NUL character")
        values[key] = raw.strip()
    return values


def units_from_query(query: Mapping[str, str]) -> str:
    """The display units a query asks for (``km`` when it does not say), for a page that may
    open without a plan (the empty planner).

    Raises
    ------
    BadPlan
        Naming the bad value, as :meth:`PlanRequest.from_query` would.
    """
    getlist = getattr(query, "getlist", None)
    found = getlist("units") if getlist is not None else [query["units"]] if "units" in query else []
    if len(found) > 1:
        raise BadPlan(f"units is given {len(found)} times; give it once")
    units = found[0].strip() if found and found[0].strip() else "km"
    _one_of("units", units, UNITS)
    return units


def _one_of(key: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise BadPlan(f"{key} must be one of {', '.join(allowed)}, got {value!r}")


def _parse_number(key: str, raw: str, what: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadPlan(f"{key} must be a number of {what}, got {raw!r}") from None
    if not math.isfinite(value):
        raise BadPlan(f"{key} must be a finite number of {what}, got {raw!r}")
    return value


def _parse_latlon(key: str, raw: str) -> LatLon:
    parts = raw.split(",")
    if len(parts) != 2:
        raise BadPlan(f"{key} must be 'latitude,longitude' in degrees, got {raw!r}")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise BadPlan(f"{key} must be 'latitude,longitude' in degrees, got {raw!r}") from None
    return lat, lon


def _parse_bool(key: str, raw: str) -> bool:
    text = raw.lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadPlan(f"{key} must be true or false, got {raw!r}")


def _coordinate(key: str, point: Any) -> LatLon | None:
    if point is None:
        return None
    try:
        lat, lon = (float(v) for v in point)
    except (TypeError, ValueError):
        raise BadPlan(f"{key} must be (latitude, longitude) in degrees, got {point!r}") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadPlan(f"{key} must be a latitude in -90..90 and a longitude in -180..180, got {lat!r},{lon!r}")
    return round(lat, COORDINATE_DECIMALS) + 0.0, round(lon, COORDINATE_DECIMALS) + 0.0


def _pace(value: Any) -> float:
    try:
        pace = float(value)
    except (TypeError, ValueError):
        raise BadPlan(f"pace must be a number of seconds per km, got {value!r}") from None
    low, high = PACE_LIMITS_S_PER_KM
    if not (math.isfinite(pace) and low <= pace <= high):
        raise BadPlan(
            f"pace must be between {low:.0f} and {high:.0f} seconds per km "
            f"(2:00 to 30:00 min/km), got {value!r}"
        )
    return pace


def _format_number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _format_latlon(point: LatLon) -> str:
    return f"{_format_number(point[0])},{_format_number(point[1])}"
