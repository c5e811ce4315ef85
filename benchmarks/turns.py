"""Turns per km and length on real streets: routes with turn costs against the plain shortest path.

On the real OpenStreetMap extract in ``tests/data/center-city.osm.bz2``, for the Moshulu ->
Italian Market leg (both ways) and for legs from start points in Society Hill, Old City,
Rittenhouse, Washington Square West, Bella Vista and Pennsport to both stops, each leg is
planned twice: on the plain shortest path (turn cost 0) and as the app plans it (with turn
costs). For each: length, turns (cues that are a turn: not start, straight-on or arrival),
turns per km, and the cues OSRM-style guidance would still collapse (none is the aim).

Never asserted in tests. Run: ``python benchmarks/turns.py [-v]`` (``-v`` prints every cue).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EXTRACT = REPO / "tests" / "data" / "center-city.osm.bz2"
#: Start points inside the extract, ``(lat, lon)``.
STARTS = {
    "Washington Square": (39.9470, -75.1527), "Head House Square": (39.9418, -75.1452),
    "Rittenhouse Square": (39.9496, -75.1718), "Independence Hall": (39.9489, -75.1500),
    "Magic Gardens": (39.9427, -75.1593), "Reading Terminal": (39.9533, -75.1590),
    "Pennsport": (39.9300, -75.1480), "Fitler Square": (39.9450, -75.1780),
    "Bella Vista": (39.9380, -75.1600),
}
NOT_TURNS = {"start", "straight", "arrive"}


def collapsible(cues: Sequence[Any]) -> list[str]:
    """Cues OSRM-style guidance would collapse: what is left of them is a fault."""
    from tourapp.cuesheet import MIN_STRETCH_M, SHORT_DETOUR_M
    from tourapp.network.turn_costs import street_key

    body = [c for c in cues if c.turn != "arrive"]
    found = []
    for prev, cue in zip(body, body[1:]):
        if cue.street and prev.street and street_key(cue.street) == street_key(prev.street):
            found.append(f"same street twice: {cue.instruction}")
        if cue.turn == "straight" and cue.street in ("sidewalk", "crossing"):
            found.append(f"straight on along a street part: {cue.instruction}")
        if cue.distance_m < MIN_STRETCH_M:
            found.append(f"too short to act on: {cue.instruction} ({cue.distance_m:.0f} m)")
    for prev, cue, nxt in zip(body, body[1:], body[2:]):
        if (cue.distance_m <= SHORT_DETOUR_M and prev.street and nxt.street
                and street_key(prev.street) == street_key(nxt.street)):
            found.append(f"a dog-leg: {cue.instruction}")
    return found


def main() -> None:
    logging.disable(logging.WARNING)
    from tourapp.network import PreparedNetwork, build_network_from_xml
    from tourapp.planner import plan_route
    from tourapp.stops import load_stops

    verbose = "-v" in sys.argv[1:]
    stops = load_stops()
    net = build_network_from_xml(EXTRACT)
    inside = [stops["moshulu"], stops["italian-market"]]
    places = [(s.id, s.lat, s.lon) for s in inside]
    plain = PreparedNetwork(net, places, limit_m=150, turn_cost_m=0.0)
    turning = net.prepare(places, limit_m=150)
    cases: list[tuple[str, list[Any], tuple[float, float] | None]] = [
        ("Moshulu -> Italian Market", inside, None),
        ("Italian Market -> Moshulu", inside[::-1], None),
    ]
    cases += [(f"{name} -> {stop.name}", [stop], at) for name, at in STARTS.items() for stop in inside]
    totals = {"plain": [0.0, 0], "turns": [0.0, 0]}
    print(f"{'leg':58} {'plain shortest':>22} {'with turn costs':>22} {'longer':>7} {'left':>5}")
    for label, legs, start in cases:
        row = []
        for key, prepared in (("plain", plain), ("turns", turning)):
            route = plan_route(legs, network=prepared, start=start)
            cues = [c for leg in route.legs for c in leg.cues]
            turns = sum(c.turn not in NOT_TURNS for c in cues)
            totals[key][0] += route.length_m
            totals[key][1] += turns
            row.append((route.length_m, turns, cues))
        (m0, t0, _), (m1, t1, cues) = row
        left = collapsible(cues)
        print(f"{label[:58]:58} {m0:7.0f} m {t0:2d} t {t0 / m0 * 1000:4.1f}/km "
              f"{m1:7.0f} m {t1:2d} t {t1 / m1 * 1000:4.1f}/km {(m1 / m0 - 1) * 100:6.1f}% {len(left):5d}")
        if verbose:
            from tourapp.cuesheet import cue_text

            for cue in cues:
                print(f"      {cue_text(cue)}")
            for fault in left:
                print(f"      ! {fault}")
    (pm, pt), (tm, tt) = totals["plain"], totals["turns"]
    print(f"\nall {len(cases)} legs: plain {pm / 1000:.1f} km, {pt} turns = {pt / pm * 1000:.2f} per km; "
          f"with turn costs {tm / 1000:.1f} km ({(tm / pm - 1) * 100:+.2f} %), {tt} turns = "
          f"{tt / tm * 1000:.2f} per km")


if __name__ == "__main__":
    main()
