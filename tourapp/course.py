"""A route as a course for a watch: every point with its distance and time along the way, and
the course points (stops and turns) the watch announces before the runner reaches them.

Every export (GPX, TCX, FIT) is written from one :class:`Course`, so the three files agree on
the geometry, the distances and the times. Distances are the route's own: each leg's points
are measured geodesically and scaled to the leg's ``length_m``, so a watch shows the same
total as the app and the cue sheet. A turn's distance is the sum of the cue-sheet distances
before it, which is what Garmin's "Up Ahead" needs and what Garmin Connect's own GPX import
leaves at 0.

Times come from a pace and a fixed start time (the data's date, not the hour of download),
so a file is the same bytes every time it is asked for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import BadPlan
from .geodesy import LatLon, geodesic_m
from .model import Leg, Place, Route
from .simplify import simplify_to_count

#: Cue turns that become course points (``"start"``, ``"straight"`` and ``"arrive"`` do not:
#: a stop is announced by its own point, and a name change is not a turn).
TURN_KINDS = ("slight left", "left", "sharp left", "slight right", "right", "sharp right", "u-turn")
#: Kinds of the course points for places.
PLACE_KINDS = ("start", "stop", "finish")
#: Street words shortened in course point names, which watches show in 10 to 16 characters:
#: a type at the end of a name ("Christian St"), a direction at the start ("S 4th St").
STREET_TYPES = {
    "Street": "St", "Avenue": "Ave", "Boulevard": "Blvd", "Drive": "Dr", "Road": "Rd",
    "Parkway": "Pkwy", "Place": "Pl", "Lane": "Ln",
}
DIRECTIONS = {"North": "N", "South": "S", "East": "E", "West": "W"}
#: The credit the ODbL asks of a file whose line follows OpenStreetMap's streets.
OSM_CREDIT = "Route data © OpenStreetMap contributors (ODbL)"


@dataclass(frozen=True, kw_only=True)
class CoursePoint:
    """A point the watch announces: a place of the route or a turn.

    ``kind`` is one of :data:`PLACE_KINDS` or :data:`TURN_KINDS`. For a stop, ``name`` is its
    short name ("Moshulu"), ``number`` its place in the route and ``note`` its full name; for a
    turn, ``name`` is the street and ``note`` what the cue sheet says. Writers name the point
    with :meth:`label`, in what their format allows.
    """

    name: str
    kind: str
    lat: float
    lon: float
    distance_m: float
    time: dt.datetime
    note: str
    number: int | None = None

    @property
    def is_turn(self) -> bool:
        return self.kind in TURN_KINDS

    def label(self, max_chars: int) -> str:
        """The name a watch shows in ``max_chars`` characters, never cut inside a word: a stop
        as "6 Moshulu" (or its first words, with the number when it fits: "2 Italian"), a turn
        as its street (:func:`short_label`) or, when no word of it fits, "Left" / "Right"."""
        if self.is_turn:
            return short_label(self.name, max_chars) or self.kind.split()[-1].capitalize()
        return numbered_label(self.name, self.number, max_chars) or self.kind.capitalize()[:max_chars]


@dataclass(frozen=True, kw_only=True)
class Course:
    """The route's line with a distance (metres) and a time for every point, and its course points.

    ``points`` may be a simplified subset of the route's points (``max_points``); their
    distances and times are still those of the full route, so they stay true on the ground.
    """

    name: str
    activity: str
    points: tuple[LatLon, ...]
    distances_m: tuple[float, ...]
    times: tuple[dt.datetime, ...]
    course_points: tuple[CoursePoint, ...]
    pace_s_per_km: float
    start_time: dt.datetime
    #: Points of the full route before ``max_points`` (equal to ``len(points)`` without it).
    full_point_count: int
    #: Farthest a dropped point lies from the simplified line, metres (0 when nothing dropped).
    simplified_by_m: float = 0.0

    @property
    def length_m(self) -> float:
        return self.distances_m[-1] if self.distances_m else 0.0

    @property
    def duration_s(self) -> float:
        return (self.times[-1] - self.start_time).total_seconds() if self.times else 0.0

    @property
    def end_time(self) -> dt.datetime:
        return self.times[-1] if self.times else self.start_time

    @property
    def simplification_note(self) -> str:
        """What ``max_points`` did to the line, for a file's description ("" when nothing)."""
        if len(self.points) >= self.full_point_count:
            return ""
        return (f"Simplified to {len(self.points)} of {self.full_point_count} points: the line strays up to "
                f"{math.ceil(self.simplified_by_m)} m from the streets.")


#: Largest ``max_points`` taken as asked; more is clamped to this (no route here comes near it).
MAX_POINTS_CEILING = 100_000


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """How to write a route to a file: what every format's writer receives.

    Build it with :meth:`tourapp.formats.ExportFormat.options`, which checks the values a
    user typed (``max_points``, the GPX ``format``) and names the bad one.

    Parameters
    ----------
    pace_s_per_km
        The pace the point times are computed at.
    start_time
        Time of the first point (and the file's own time): the data's date, so a file is
        the same bytes on every request (stable ETags).
    kind
        The format's variant (GPX: ``"trk"`` or ``"rte"``); ``""`` for its default.
    max_points
        At most this many track points (``None``: every point).
    app_url, app_name
        Who wrote the file: the author link and ``creator``.
    units
        ``"km"`` or ``"mi"`` for distances in descriptions and file names.
    """

    pace_s_per_km: float
    start_time: dt.datetime
    kind: str = ""
    max_points: int | None = None
    app_url: str = ""
    app_name: str = "Montage Run"
    units: str = "km"

    def course(self, route: Route) -> Course:
        """The route as a course with these options."""
        return build_course(route, pace_s_per_km=self.pace_s_per_km, start_time=self.start_time,
                            max_points=self.max_points)


def data_credit(route: Route) -> str:
    """:data:`OSM_CREDIT` when any leg follows OpenStreetMap's streets; "" when every leg is a
    straight line, which owes OpenStreetMap nothing and must not claim to be routed on it."""
    return OSM_CREDIT if any(leg.street_following for leg in route.legs) else ""


def straight_lines_note(route: Route) -> str:
    """Which legs are straight lines rather than streets ("" when none), for a file's notes."""
    straight = route.straight_legs
    if not straight:
        return ""
    which = "; ".join(f"{leg.from_place.name} to {leg.to_place.name}" for leg in straight)
    scope = "All legs are" if len(straight) == len(route.legs) else "Some legs are"
    return (f"{scope} straight lines, not routes along streets ({which}): no street network was "
            "available. Do not follow them blindly.")


def points_needed(route: Route) -> int:
    """The fewest points a simplified course may have: one where each place meets the streets
    (stops, start and finish; a loop's return counts again), which are never dropped."""
    return len(_joined(route).boundaries)


def build_course(route: Route, *, pace_s_per_km: float, start_time: dt.datetime,
                 max_points: int | None = None) -> Course:
    """The route as a course at a pace.

    Parameters
    ----------
    pace_s_per_km
        Seconds per km; every point's time is the start time plus its distance at this pace,
        rounded to whole seconds (what FIT stores).
    start_time
        Time of the first point; naive times are taken as UTC.
    max_points
        Keep at most this many points (watches that refuse long tracks): where places meet
        the streets always stay, turns stay when they fit, and the rest go by how little
        the line moves without them (:func:`~tourapp.simplify.simplify_to_count`).

    Raises
    ------
    BadPlan
        For a pace that is not a positive number, or ``max_points`` below
        :func:`points_needed`.
    """
    if not (isinstance(pace_s_per_km, int | float) and math.isfinite(pace_s_per_km) and pace_s_per_km > 0):
        raise BadPlan(f"pace must be a positive number of seconds per km, got {pace_s_per_km!r}")
    if start_time.tzinfo is None:
        start_time = start_time.replace(tzinfo=dt.UTC)
    line = _joined(route)

    def time_at(distance_m: float) -> dt.datetime:
        return start_time + dt.timedelta(seconds=round(distance_m / 1000.0 * pace_s_per_km))

    course_points = sorted(
        _place_points(route, line, time_at) + _turn_points(route, line, time_at),
        key=lambda p: p.distance_m,
    )
    indices: tuple[int, ...] = tuple(range(len(line.points)))
    simplified_by_m = 0.0
    if max_points is not None:
        needed = len(line.boundaries)
        if max_points < needed:
            raise BadPlan(
                f"max_points must be at least {needed} for this route (one point where each of "
                f"its places meets the streets), got {max_points}"
            )
        turns = [_nearest_index(line.distances_m, p.distance_m) for p in course_points if p.is_turn]
        result = simplify_to_count(line.points, max_points, keep=line.boundaries, prefer=turns)
        indices, simplified_by_m = result.indices, result.tolerance_m
    return Course(
        name=route.name,
        activity=route.activity,
        points=tuple(line.points[i] for i in indices),
        distances_m=tuple(float(line.distances_m[i]) for i in indices),
        times=tuple(time_at(float(line.distances_m[i])) for i in indices),
        course_points=tuple(course_points),
        pace_s_per_km=float(pace_s_per_km),
        start_time=start_time,
        full_point_count=len(line.points),
        simplified_by_m=simplified_by_m,
    )


def short_label(text: str, max_chars: int) -> str:
    """A name cut to fit a watch: a leading "The " dropped, the street type and a leading
    direction abbreviated ("South 4th Street" -> "S 4th St", but "South Street" -> "South St"),
    then its first whole words that fit. A word is never cut: when the first word alone is too
    long, the words after it ("Christopher Columbus Blvd" in 10 -> "Columbus"); a lone
    direction letter says nothing and is passed over the same way. "" when no word fits."""
    words = text.strip().split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if len(words) > 1 and words[-1] in STREET_TYPES:
        words[-1] = STREET_TYPES[words[-1]]
    if len(words) > 2 and words[0] in DIRECTIONS:
        words[0] = DIRECTIONS[words[0]]
    for first in range(len(words)):
        label = _leading_words(words[first:], max_chars).rstrip(" ,.;:-")
        if label and label not in DIRECTIONS.values():
            return label
    return ""


def numbered_label(name: str, number: int | None, max_chars: int) -> str:
    """A stop's name on a watch: "6 Moshulu" when it fits, else the most of its first words
    that fits, with the number when that fits too ("Rail yard" before "1 Rail", "2 Italian"
    before "Italian"); "" when not even the first word fits. Never cut inside a word."""
    words = name.split()
    for count in range(len(words), 0, -1):
        head = " ".join(words[:count])
        for label in ((f"{number} {head}",) if number is not None else ()) + (head,):
            if len(label) <= max_chars:
                return label
    return ""


def _leading_words(words: list[str], max_chars: int) -> str:
    """As many of ``words`` from the first as fit in ``max_chars`` ("" when the first does not)."""
    label = ""
    for word in words:
        longer = f"{label} {word}" if label else word
        if len(longer) > max_chars:
            break
        label = longer
    return label


# -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """The route's legs joined into one line, with the distance of each point along it."""

    points: list[LatLon]
    distances_m: np.ndarray
    #: Index in ``points`` where each leg starts.
    leg_starts: list[int]
    #: Indices where places meet the streets (leg starts and the end), each once.
    boundaries: list[int]
    #: Distance along the line where each leg starts.
    leg_offsets_m: list[float]


def _joined(route: Route) -> _Line:
    points: list[LatLon] = []
    distances: list[float] = []
    starts: list[int] = []
    offsets: list[float] = []
    for leg in route.legs:
        leg_points = list(leg.points)
        if points and leg_points and points[-1] != leg_points[0]:
            # legs that do not quite meet: the gap is walked too
            gap = float(geodesic_m(points[-1][0], points[-1][1], leg_points[0][0], leg_points[0][1]))
            points.append(leg_points[0])
            distances.append(distances[-1] + gap)
        start_index = max(len(points) - 1, 0)
        offset = distances[-1] if distances else 0.0
        starts.append(start_index)
        offsets.append(offset)
        along = _leg_distances(leg)
        for k, point in enumerate(leg_points):
            if k == 0 and points:
                continue  # the previous leg's last point
            points.append(point)
            distances.append(offset + float(along[k]))
    # a leg of one point (two places where the streets meet at one spot) repeats an index
    boundaries = sorted(set(starts) | ({len(points) - 1} if points else set()))
    return _Line(points=points, distances_m=np.asarray(distances, dtype=float), leg_starts=starts,
                 boundaries=boundaries, leg_offsets_m=offsets)


def _leg_distances(leg: Leg) -> np.ndarray:
    """Distance of each of the leg's points from its start, scaled to the leg's ``length_m``
    (the network's edge lengths, which the thinned points cut short by centimetres)."""
    if len(leg.points) < 2:
        return np.zeros(len(leg.points))
    arr = np.asarray(leg.points, dtype=float)
    steps = geodesic_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])
    along = np.concatenate(([0.0], np.cumsum(steps)))
    if along[-1] > 0 and leg.length_m > 0:
        along *= leg.length_m / along[-1]
    return along


def _place_points(route: Route, line: _Line, time_at: Callable[[float], dt.datetime]) -> list[CoursePoint]:
    if not route.legs:
        return []
    visits: list[tuple[Place, float, int]] = [
        (leg.from_place, offset, index)
        for leg, offset, index in zip(route.legs, line.leg_offsets_m, line.leg_starts)
    ]
    visits.append((route.legs[-1].to_place, float(line.distances_m[-1]), len(line.points) - 1))
    # stops numbered in visiting order, as the tour page, the route's map and the cues number them
    numbers = {stop.id: n for n, stop in enumerate(route.stops, start=1)}
    out = []
    for visit, (place, distance, index) in enumerate(visits):
        kind, name, number = "stop", place.short_name or place.name, numbers.get(place.id)
        if visit == 0 and place.kind == "start":
            kind, name, number = "start", "Start", None
        elif visit == len(visits) - 1 and (place.kind != "stop" or route.loop):
            kind = "finish"
            if place.kind != "stop":
                name, number = "Finish", None
        lat, lon = line.points[index]
        out.append(CoursePoint(name=name, kind=kind, lat=lat, lon=lon, distance_m=distance,
                               time=time_at(distance), note=place.name, number=number))
    return out


def _turn_points(route: Route, line: _Line, time_at: Callable[[float], dt.datetime]) -> list[CoursePoint]:
    out = []
    for leg, offset in zip(route.legs, line.leg_offsets_m):
        along = 0.0
        for cue in leg.cues:
            if cue.turn in TURN_KINDS:
                distance = offset + min(along, leg.length_m)
                out.append(CoursePoint(name=cue.street or cue.turn, kind=cue.turn, lat=cue.at[0],
                                       lon=cue.at[1], distance_m=distance, time=time_at(distance),
                                       note=cue.instruction))
            along += cue.distance_m
    return out


def _nearest_index(distances_m: np.ndarray, distance_m: float) -> int:
    i = int(np.searchsorted(distances_m, distance_m))
    if i >= len(distances_m):
        return len(distances_m) - 1
    if i > 0 and distance_m - distances_m[i - 1] < distances_m[i] - distance_m:
        return i - 1
    return i

