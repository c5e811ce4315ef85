"""Turn-by-turn cues from the street names along a route, collapsed the way a runner reads them.

A cue is one stretch on one street: consecutive OSM ways with the same ``name`` (or, when
unnamed, the same kind of way) merge into a single cue, so a long avenue crossed by twenty
side streets reads as one line -- "Turn left onto Christian Street — 0.4 km" -- as on a
printed cue sheet. Turns are judged from bearings measured some metres before and after the
junction, because the last few metres of OSM geometry are often a kink at a corner.

What OSRM's guidance collapses, this collapses too, and every real turn stays:

* a name change that is only a direction word ("South 15th Street" -> "North 15th Street",
  see :func:`~tourapp.streets.street_key`): one street, no cue;
* a few metres on another way between two pieces of the same street (an offset junction, a
  dog-leg): one street (:data:`SHORT_DETOUR_M`, OSRM's 30 m);
* a piece too short to act on (:data:`MIN_STRETCH_M`): part of the cue before it, and the
  next turn is judged across it;
* going straight on along an unnamed sidewalk or crossing that carries a street on: no
  "Continue onto the sidewalk", the street's cue goes on.

The walk between a place and the street network (:data:`~tourapp.model.Stretch` kind
``"approach"``) gets a cue of its own when it is long enough to matter ("Head west to South
Christopher Columbus Boulevard", "Turn left towards Moshulu"); a short one is part of the
street's cue.

Places are named the way a runner says them (:class:`Destination`): a stop by its short name
and its number in the route ("Arrive at stop 6, Moshulu"), the runner's own points as "the
start" and "your finish" -- never by the scene's title, which reads badly in a sentence.

Units stay SI here (``distance_m``); :func:`cue_text` converts to km or miles at the edge.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .formatting import compass_name, format_distance
from .geodesy import LatLon, LocalFrame, initial_bearing_deg
from .model import Cue, Place, Route, Stretch
from .streets import STRAIGHT_ON_DEG, street_key

#: How far before / after a junction the bearings are measured (metres).
BEARING_BASE_M = 20.0
#: A stretch shorter than this (a crossing, a kerb link, a corner) joins the stretch before it.
MIN_STRETCH_M = 15.0
#: A piece of another way at most this long between two pieces of one street is part of it.
SHORT_DETOUR_M = 30.0
#: The walk between a place and the street network gets its own cue from this long (metres).
APPROACH_CUE_M = 20.0
#: The kind of stretch that joins a place to the street network.
APPROACH = "approach"
#: Unnamed ways that are part of a street: going straight on along one is no news.
STREET_PARTS = frozenset({"sidewalk", "crossing"})

#: Sensible words for unnamed ways, by OSM ``highway`` value (or footway subtype).
KIND_LABELS = {
    "footway": "footpath", "path": "path", "steps": "steps", "pedestrian": "pedestrian street",
    "sidewalk": "sidewalk", "crossing": "crossing", "service": "service road", "track": "track",
    "living_street": "street", "residential": "street", "unclassified": "road", "road": "road",
    "cycleway": "cycle path", "bridleway": "bridleway", "corridor": "passage",
    "elevator": "lift", "direct": "direct line",
}


def street_label(name: str, kind: str) -> str:
    """The street's name, or a plain word for an unnamed way (``"footpath"``, ``"steps"``)."""
    if name:
        return name
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    return "road" if kind else "way"


def _label(stretch: Stretch) -> str:
    return "" if stretch.kind == APPROACH else street_label(stretch.name, stretch.kind)


def _target(stretch: Stretch) -> str:
    """A way as the object of a sentence: ``"Christian Street"``, ``"the footpath"``."""
    return stretch.name or f"the {_label(stretch)}"


def _same_way(a: Stretch, b: Stretch) -> bool:
    """One street (names equal but for a direction word), or one kind of unnamed way."""
    if a.kind == APPROACH or b.kind == APPROACH:
        return False
    if a.name or b.name:
        return bool(a.name and b.name) and street_key(a.name) == street_key(b.name)
    return _label(a) == _label(b)


def turn_name(delta_deg: float) -> str:
    """Classify a change of heading (degrees, positive = clockwise = to the right)."""
    delta = (delta_deg + 180.0) % 360.0 - 180.0
    size = abs(delta)
    side = "right" if delta > 0 else "left"
    if size < 20:
        return "straight"
    if size < 50:
        return f"slight {side}"
    if size < 135:
        return side
    if size < 170:
        return f"sharp {side}"
    return "u-turn"


@dataclass(frozen=True)
class Destination:
    """How the cues name the place a leg leads to.

    ``arrive`` follows "Arrive at" ("stop 6, Moshulu", "your finish"); ``towards`` follows
    "towards" in the turn onto the way in ("Turn left towards Moshulu").
    """

    arrive: str
    towards: str

    @classmethod
    def of(cls, place: Place, number: int | None = None) -> Destination:
        """``place`` as the end of a leg; ``number`` is a stop's place in the route (1 = first)."""
        if place.kind == "start":
            return cls("the start", "the start")
        if place.kind == "end":
            return cls("your finish", "your finish")
        short = place.short_name or place.name
        return cls(f"stop {number}, {short}" if number is not None else short, short)


def _verb(turn: str) -> str:
    """The words for a turn before where it leads: "Continue", "Bear left", "Turn sharp right",
    "Make a U-turn" (``"start"`` has its own words, with the compass heading)."""
    if turn == "straight":
        return "Continue"
    if turn == "u-turn":
        return "Make a U-turn"
    if turn.startswith("slight"):
        return f"Bear {turn.split()[1]}"
    return f"Turn {turn}"


def _instruction(turn: str, stretch: Stretch, bearing: float, *, towards: str) -> str:
    """What to do; for an approach, ``towards`` says where it leads ("to Christian Street",
    "towards Moshulu")."""
    if stretch.kind == APPROACH:
        if turn == "start":
            return f"Head {compass_name(bearing)} {towards}"
        return f"{_verb(turn)} {towards}"
    target = _target(stretch)
    if turn == "start":
        if stretch.kind == "direct":
            return f"Head {compass_name(bearing)} in a direct line (not along streets)"
        return f"Head {compass_name(bearing)} on {target}"
    return f"{_verb(turn)} onto {target}"


def _join(a: Stretch, b: Stretch) -> Stretch:
    """``b`` as part of ``a``: ``a``'s name, kind and start, both lengths."""
    return replace(a, length_m=a.length_m + b.length_m)


def merge_stretches(stretches: Sequence[Stretch]) -> list[Stretch]:
    """The collapses that need only names and lengths, repeated until none applies.

    Neighbours on one street join; a short unnamed link joins the stretch before it; a piece
    of another way of up to :data:`SHORT_DETOUR_M` between two pieces of one street joins
    them. Approaches to a place are left alone (:func:`build_cues` decides about them).
    """
    out = list(stretches)
    changed = True
    while changed:
        changed = False
        for i in range(1, len(out)):
            a, b = out[i - 1], out[i]
            if _same_way(a, b) or (not b.name and b.kind not in (APPROACH, "direct")
                                   and a.kind != APPROACH and b.length_m < MIN_STRETCH_M):
                out[i - 1:i + 1] = [_join(a, b)]
                changed = True
                break
            if (i + 1 < len(out) and b.kind != APPROACH and b.length_m <= SHORT_DETOUR_M
                    and _same_way(a, out[i + 1])):
                out[i - 1:i + 2] = [_join(_join(a, b), out[i + 1])]
                changed = True
                break
    return out


@dataclass(frozen=True)
class _Run:
    """A stretch on its way to a cue: ``turn_from`` is where the turn into it begins (the
    start of a short piece absorbed before it), an index into the leg's points."""

    stretch: Stretch
    turn_from: int


class _Line:
    """The leg's polyline with distances along it, for headings some metres either side."""

    def __init__(self, points: Sequence[LatLon]) -> None:
        self.pts = np.asarray(points, dtype=float)
        # distance along the leg in a local plane: only used to find the points some metres
        # either side of a junction, where a fraction of a percent does not matter
        x, y = LocalFrame(float(self.pts[0, 0]), float(self.pts[0, 1])).xy(self.pts[:, 0], self.pts[:, 1])
        self.cum = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))

        # plain lists: thousands of single look-ups per plan are faster with bisect than NumPy
        self._cum: list[float] = self.cum.tolist()
        self._lat: list[float] = self.pts[:, 0].tolist()
        self._lon: list[float] = self.pts[:, 1].tolist()

    def at_index(self, index: int) -> float:
        return self._cum[min(max(index, 0), len(self._cum) - 1)]

    def point(self, along_m: float) -> LatLon:
        """The point ``along_m`` metres along the line (clamped to its ends)."""
        cum = self._cum
        s = min(max(along_m, 0.0), cum[-1])
        i = min(bisect_right(cum, s), len(cum) - 1)
        if i == 0 or cum[i] == cum[i - 1]:
            return (self._lat[i], self._lon[i]) if i == 0 or s >= cum[i] else (self._lat[i - 1], self._lon[i - 1])
        t = (s - cum[i - 1]) / (cum[i] - cum[i - 1])
        return (self._lat[i - 1] + t * (self._lat[i] - self._lat[i - 1]),
                self._lon[i - 1] + t * (self._lon[i] - self._lon[i - 1]))

    def heading(self, from_m: float, to_m: float) -> float | None:
        p, q = self.point(from_m), self.point(to_m)
        return None if p == q else initial_bearing_deg(p, q)

    def delta(self, turn_from: int, start: int, length_m: float) -> float:
        """Change of heading (degrees) from the way before ``turn_from`` onto the way starting
        at ``start``; 0 where either heading cannot be measured."""
        s0, s1 = self.at_index(turn_from), self.at_index(start)
        before = self.heading(s0 - BEARING_BASE_M, s0)
        after = self.heading(s1, s1 + min(BEARING_BASE_M, max(length_m, 1.0)))
        return 0.0 if before is None or after is None else (after - before + 180.0) % 360.0 - 180.0

    def turn(self, turn_from: int, start: int, length_m: float) -> str:
        return turn_name(self.delta(turn_from, start, length_m))


def _collapse(runs: list[_Run], line: _Line) -> list[_Run]:
    """The collapses that need the geometry, repeated until none applies."""
    changed = True
    while changed:
        changed = False
        for i, run in enumerate(runs):
            s = run.stretch
            prev = runs[i - 1].stretch if i else None
            nxt = runs[i + 1].stretch if i + 1 < len(runs) else None
            if s.kind == APPROACH:
                if s.length_m >= APPROACH_CUE_M or len(runs) == 1:
                    continue
                if prev is not None and prev.kind != APPROACH:  # a short way in from the street
                    runs[i - 1:i + 1] = [replace(runs[i - 1], stretch=_join(prev, s))]
                elif nxt is not None and nxt.kind != APPROACH:  # a short way out to the street
                    runs[i:i + 2] = [replace(runs[i + 1], stretch=_join(nxt, s))]
                else:
                    continue
                changed = True
                break
            short = s.length_m < MIN_STRETCH_M
            if prev is None:
                if short and nxt is not None and nxt.kind != APPROACH:  # "Head south ... 0 m"
                    runs[0:2] = [_Run(replace(nxt, start_index=s.start_index,
                                              length_m=s.length_m + nxt.length_m), 0)]
                    changed = True
                    break
                continue
            if prev.kind == APPROACH:
                if short and nxt is not None and nxt.kind != APPROACH:  # turn across it
                    runs[i:i + 2] = [_Run(replace(nxt, start_index=s.start_index,
                                                  length_m=s.length_m + nxt.length_m), run.turn_from)]
                    changed = True
                    break
                continue
            going_on = (not s.name and s.kind in STREET_PARTS
                        and abs(line.delta(run.turn_from, s.start_index, s.length_m)) <= STRAIGHT_ON_DEG)
            if short or going_on:
                runs[i - 1:i + 1] = [replace(runs[i - 1], stretch=_join(prev, s))]
                if i < len(runs) and short:  # judge the next turn from before the short piece
                    runs[i] = replace(runs[i], turn_from=min(runs[i].turn_from, run.turn_from))
                changed = True
                break
        if changed:  # the ways either side of what was absorbed may now be one street
            runs = _rejoin(runs)
    return runs


def _rejoin(runs: list[_Run]) -> list[_Run]:
    out: list[_Run] = []
    for run in runs:
        if out and _same_way(out[-1].stretch, run.stretch):
            out[-1] = replace(out[-1], stretch=_join(out[-1].stretch, run.stretch))
        else:
            out.append(run)
    return out


def build_cues(points: Sequence[LatLon], stretches: Sequence[Stretch], *,
               to: Destination) -> tuple[Cue, ...]:
    """Cues for one leg.

    Parameters
    ----------
    points
        The leg's full (unthinned) polyline, ``(lat, lon)``.
    stretches
        Consecutive runs along ``points``, in order; collapsed here (:func:`merge_stretches`
        and the rules of the module docstring).
    to
        How to name the place the leg ends at, in the way in and the arrival.
    """
    if not points:
        return ()
    line = _Line(points)
    merged = merge_stretches(stretches)
    runs = _collapse([_Run(s, s.start_index) for s in merged], line)
    # a last few metres on another street were folded into the turn before: say where it is
    last_named = next((s for s in reversed(merged) if s.kind != APPROACH), None)
    arrive_on = ""
    if (last_named is not None and last_named.name and runs[-1].stretch.kind != APPROACH
            and not _same_way(runs[-1].stretch, last_named)):
        arrive_on = f" on {last_named.name}"  # said before the place: its name ends the line
    cues: list[Cue] = []
    for i, run in enumerate(runs):
        s = run.stretch
        at_m = line.at_index(s.start_index)
        out = line.heading(at_m, at_m + min(BEARING_BASE_M, max(s.length_m, 1.0)))
        turn = "start" if i == 0 else line.turn(run.turn_from, s.start_index, s.length_m)
        towards = f"to {_target(runs[i + 1].stretch)}" if i + 1 < len(runs) else f"towards {to.towards}"
        cues.append(Cue(
            instruction=_instruction(turn, s, out or 0.0, towards=towards),
            street=_label(s),
            distance_m=s.length_m,
            turn=turn,
            at=line.point(at_m),
        ))
    end = line.pts[-1]
    cues.append(Cue(instruction=f"Arrive{arrive_on} at {to.arrive}", street="", distance_m=0.0,
                    turn="arrive", at=(float(end[0]), float(end[1]))))
    return tuple(cues)


def cue_text(cue: Cue, units: str = "km") -> str:
    """One printable line: ``"Turn left onto Christian Street — 0.4 km"``.

    Parameters
    ----------
    units
        ``"km"`` (metres below 1 km) or ``"mi"``.
    """
    if units not in ("km", "mi"):
        raise ValueError(f"units must be 'km' or 'mi', got {units!r}")
    if cue.turn == "arrive":
        return cue.instruction
    return f"{cue.instruction} — {format_distance(cue.distance_m, units)}"


def cue_sheet(route: Route, units: str = "km") -> list[str]:
    """Every cue of a route as printable lines, leg after leg."""
    return [cue_text(cue, units) for leg in route.legs for cue in leg.cues]
