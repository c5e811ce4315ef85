"""Turn-by-turn cues from the street names along a route.

A cue is one stretch on one street: consecutive OSM ways with the same ``name`` (or, when
unnamed, the same kind of way) merge into a single cue, so a long avenue crossed by twenty
side streets reads as one line -- "Turn left onto Christian Street — 0.4 km" -- as on a
printed cue sheet. Turns are judged from bearings measured some metres before and after the
junction, because the last few metres of OSM geometry are often a kink at a corner.

Units stay SI here (``distance_m``); :func:`cue_text` converts to km or miles at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .formatting import compass_name, format_distance
from .geodesy import LatLon, LocalFrame, initial_bearing_deg
from .model import Cue, Route, Stretch

#: How far before / after a junction the bearings are measured (metres).
BEARING_BASE_M = 20.0
#: An unnamed stretch shorter than this (a crossing, a kerb link) joins the stretch before it.
MIN_STRETCH_M = 15.0

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
    return street_label(stretch.name, stretch.kind)


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


def _instruction(turn: str, stretch: Stretch, bearing: float) -> str:
    target = stretch.name or f"the {_label(stretch)}"
    if turn == "start":
        if stretch.kind == "direct":
            return f"Head {compass_name(bearing)} in a direct line (not along streets)"
        return f"Head {compass_name(bearing)} on {target}"
    if turn == "straight":
        return f"Continue onto {target}"
    if turn == "u-turn":
        return f"Make a U-turn onto {target}"
    if turn.startswith("slight"):
        return f"Bear {turn.split()[1]} onto {target}"
    return f"Turn {turn} onto {target}"


def merge_stretches(stretches: Sequence[Stretch]) -> list[Stretch]:
    """Join neighbours with the same label and swallow short unnamed links into the previous one."""
    merged: list[Stretch] = []
    for stretch in stretches:
        if merged and (_label(stretch) == _label(merged[-1])
                       or (not stretch.name and stretch.length_m < MIN_STRETCH_M)):
            merged[-1] = replace(merged[-1], length_m=merged[-1].length_m + stretch.length_m)
        else:
            merged.append(stretch)
    # a short link may have separated two pieces of the same street: join those too
    out: list[Stretch] = []
    for stretch in merged:
        if out and _label(stretch) == _label(out[-1]):
            out[-1] = replace(out[-1], length_m=out[-1].length_m + stretch.length_m)
        else:
            out.append(stretch)
    return out


def build_cues(points: Sequence[LatLon], stretches: Sequence[Stretch], *,
               arrive_at: str) -> tuple[Cue, ...]:
    """Cues for one leg.

    Parameters
    ----------
    points
        The leg's full (unthinned) polyline, ``(lat, lon)``.
    stretches
        Consecutive runs along ``points``, in order; merged here (:func:`merge_stretches`).
    arrive_at
        Name of the place the leg ends at, for the arrival cue.
    """
    if not points:
        return ()
    pts = np.asarray(points, dtype=float)
    # cumulative distance along the leg in a local plane: only used to find the points some
    # metres either side of a junction, where a fraction of a percent does not matter
    x, y = LocalFrame(float(pts[0, 0]), float(pts[0, 1])).xy(pts[:, 0], pts[:, 1])
    steps = np.hypot(np.diff(x), np.diff(y))
    cum = np.concatenate(([0.0], np.cumsum(steps)))

    merged = merge_stretches(stretches)
    # every position needed (junction, some metres before, some metres after), in one go
    at_s = cum[np.minimum(np.array([m.start_index for m in merged], dtype=np.int64), len(cum) - 1)]
    reach = np.array([min(BEARING_BASE_M, max(m.length_m, 1.0)) for m in merged], dtype=float)
    back = np.concatenate(([0.0], reach[:-1]))
    wanted = np.clip(np.concatenate((at_s, at_s + reach, at_s - back)), 0.0, cum[-1])
    lats = np.interp(wanted, cum, pts[:, 0]).tolist()
    lons = np.interp(wanted, cum, pts[:, 1]).tolist()
    n = len(merged)
    here = list(zip(lats[:n], lons[:n]))
    ahead = list(zip(lats[n:2 * n], lons[n:2 * n]))
    behind = list(zip(lats[2 * n:], lons[2 * n:]))

    def heading(p: LatLon, q: LatLon) -> float | None:
        return None if p == q else initial_bearing_deg(p, q)

    cues: list[Cue] = []
    for i, stretch in enumerate(merged):
        out = heading(here[i], ahead[i])
        if i == 0:
            turn = "start"
        else:
            before = heading(behind[i], here[i])
            turn = "straight" if before is None or out is None else turn_name(out - before)
        cues.append(Cue(
            instruction=_instruction(turn, stretch, out or 0.0),
            street=_label(stretch),
            distance_m=stretch.length_m,
            turn=turn,
            at=here[i],
        ))
    cues.append(Cue(instruction=f"Arrive at {arrive_at}", street="", distance_m=0.0,
                    turn="arrive", at=(float(pts[-1, 0]), float(pts[-1, 1]))))
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
