"""The planned route as value objects: places, legs, cues and the route that holds them.

These live apart from the code that builds them (:mod:`tourapp.planner`, :mod:`tourapp.legs`,
:mod:`tourapp.cuesheet`) and the code that writes them out (GPX, GeoJSON, maps), so every
one of those modules can import the model without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import BadPlan
from .geodesy import LatLon, bounds
from .stops import Stop

#: Ids (and :attr:`Place.kind`) of the runner's own start and finish points; stop ids are
#: checked against the catalogue, so a stop never reaches a route under these ids.
START_ID = "start"
END_ID = "end"


@dataclass(frozen=True, kw_only=True)
class Place:
    """A point a leg starts or ends at: a stop, or the runner's own start or finish point.

    ``kind`` is ``"stop"``, ``"start"`` or ``"end"``.
    """

    id: str
    name: str
    lat: float
    lon: float
    kind: str = "stop"
    #: What a runner calls a stop (:attr:`Stop.short_name`), for directions and watches; "" for
    #: the runner's own start and finish points.
    short_name: str = ""

    @classmethod
    def of(cls, stop: Stop) -> Place:
        return cls(id=stop.id, name=stop.name, short_name=stop.short_name, lat=stop.lat, lon=stop.lon)

    @classmethod
    def start_at(cls, position: LatLon) -> Place:
        """The runner's own start point."""
        return cls(id=START_ID, name="Start", lat=float(position[0]), lon=float(position[1]), kind="start")

    @classmethod
    def end_at(cls, position: LatLon) -> Place:
        """The runner's own finish point."""
        return cls(id=END_ID, name="Finish", lat=float(position[0]), lon=float(position[1]), kind="end")

    @property
    def position(self) -> LatLon:
        return (self.lat, self.lon)


@dataclass(frozen=True, kw_only=True)
class Cue:
    """One line of the cue sheet: what to do at ``at``, then how far to go (``distance_m``)."""

    instruction: str
    street: str
    distance_m: float
    turn: str
    at: LatLon


@dataclass(frozen=True, kw_only=True)
class Stretch:
    """A run of one way (one street name, or one kind of unnamed way) from point ``start_index`` on.

    ``kind`` is the OSM ``highway`` value (or footway subtype), ``"direct"`` for a straight leg.
    """

    name: str
    kind: str
    start_index: int
    length_m: float


@dataclass(frozen=True, kw_only=True)
class Leg:
    """One leg between two places.

    ``points`` run along walkable ways from where ``from_place`` meets the network to where
    ``to_place`` does (or straight between the two when ``street_following`` is false);
    ``length_m`` is the geodesic length of the walked geometry.
    """

    from_place: Place
    to_place: Place
    points: tuple[LatLon, ...]
    length_m: float
    street_following: bool
    cues: tuple[Cue, ...]


@dataclass(frozen=True, kw_only=True)
class Route:
    """A planned tour: places in visiting order and the legs between them.

    ``start`` and ``end`` are the runner's own start and finish points (``None``: the route
    starts at the first stop and, one-way, finishes at the last; a loop returns to its start).
    """

    tour_id: str
    name: str
    description: str
    activity: str
    stops: tuple[Stop, ...]
    start: Place | None
    end: Place | None = None
    legs: tuple[Leg, ...]
    loop: bool
    order: str

    @property
    def length_m(self) -> float:
        """Total geodesic length, metres."""
        return float(sum(leg.length_m for leg in self.legs))

    @property
    def street_following(self) -> bool:
        """True only when every leg follows walkable ways."""
        return bool(self.legs) and all(leg.street_following for leg in self.legs)

    @property
    def straight_legs(self) -> tuple[Leg, ...]:
        return tuple(leg for leg in self.legs if not leg.street_following)

    @property
    def places(self) -> tuple[Place, ...]:
        """Start point (if any), the stops in visiting order, then the finish point (if any)."""
        head = (self.start,) if self.start is not None else ()
        tail = (self.end,) if self.end is not None else ()
        return head + tuple(Place.of(s) for s in self.stops) + tail

    @property
    def points(self) -> tuple[LatLon, ...]:
        """The whole route as one polyline (no repeated point where legs join)."""
        out: list[LatLon] = []
        for leg in self.legs:
            for point in leg.points:
                if not out or out[-1] != point:
                    out.append(point)
        return tuple(out)

    @property
    def bounds(self) -> tuple[LatLon, LatLon]:
        """South-west and north-east corners around the route and its places."""
        return bounds(list(self.points) + [p.position for p in self.places])

    def duration_s(self, pace_s_per_km: float) -> float:
        """Time to cover the route at ``pace_s_per_km`` (e.g. 360 for 6:00 min/km), seconds."""
        if not pace_s_per_km > 0:
            raise BadPlan(f"pace must be positive seconds per km, got {pace_s_per_km!r}")
        return self.length_m / 1000.0 * pace_s_per_km
