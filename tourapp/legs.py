"""The legs of a route: the way between two consecutive places, with its cues.

A street leg follows the prepared network's route from one place to the next (the one with
fewer turns among near-equal ways, see :mod:`tourapp.network.turn_costs`) and turns the
pieces of edges it walks into one polyline (thinned, see :mod:`tourapp.simplify`) and a run
of stretches, one per street, for the cue sheet. The line begins and ends at the places
themselves: the short approach between a place and the street network is part of the leg. A
straight leg is the direct line between two places, flagged ``street_following=False`` so
everything downstream says so.

Stops are prepared places of the network (each has a shortest-path tree); the runner's own
start and finish points are *attached* to it (:meth:`PreparedNetwork.attach`) and reach the
stops through the stops' trees, so no extra shortest-path search is needed for them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from .cuesheet import APPROACH, Destination, build_cues
from .errors import BadPlan, StopNotReachable
from .geodesy import distance_m
from .model import Leg, Place, Stretch
from .network import Attachment, PreparedNetwork, StreetNetwork
from .simplify import thin

#: ``(edge, from_m, to_m)``: part of one edge, walked from offset ``from_m`` to ``to_m``.
Piece = tuple[int, float, float]


def straight_legs(places: Sequence[Place], *, loop: bool) -> list[Leg]:
    """Direct lines between consecutive places (and back to the first when ``loop``)."""
    return [_straight_leg(a, b, to) for a, b, to in _pairs(places, loop)]


def street_legs(prepared: PreparedNetwork, places: Sequence[Place], attached: Mapping[str, Attachment],
                *, loop: bool) -> list[Leg]:
    """Legs along walkable ways between consecutive places (and back to the first when ``loop``).

    Parameters
    ----------
    prepared
        The network prepared for every stop among ``places``.
    attached
        The attachment of each place that is not a prepared stop (start and finish points), by id.

    Raises
    ------
    StopNotReachable
        When the next place is cut off from the one before it.
    """
    return [_street_leg(prepared, a, b, _pieces(prepared, a, b, attached), attached, to)
            for a, b, to in _pairs(places, loop)]


def _pairs(places: Sequence[Place], loop: bool) -> list[tuple[Place, Place, Destination]]:
    """Consecutive places, each with how the cues name the second (stops numbered in visiting
    order, as the tour page and the route's map number them)."""
    numbers = itertools.accumulate(int(p.kind == "stop") for p in places)
    to = [Destination.of(p, n if p.kind == "stop" else None) for p, n in zip(places, numbers)]
    pairs = list(zip(places, places[1:], to[1:]))
    if loop and len(places) > 1:
        pairs.append((places[-1], places[0], to[0]))
    return pairs


def _straight_leg(a: Place, b: Place, to: Destination) -> Leg:
    points = (a.position, b.position) if a.position != b.position else (a.position,)
    length = distance_m(a.position, b.position)
    stretch = Stretch(name="", kind="direct", start_index=0, length_m=length)
    return Leg(from_place=a, to_place=b, points=points, length_m=length, street_following=False,
               cues=build_cues(points, [stretch], to=to))


def _describe(place: Place) -> str:
    if place.kind == "start":
        return "the start point"
    if place.kind == "end":
        return "the finish point"
    return f"{place.name} ({place.id})"


def _pieces(prepared: PreparedNetwork, a: Place, b: Place, attached: Mapping[str, Attachment]) -> list[Piece]:
    from_point, to_point = attached.get(a.id), attached.get(b.id)
    if from_point is None and to_point is None:
        reachable = math.isfinite(prepared.distance(a.id, b.id))
    elif from_point is not None and to_point is None:
        reachable = math.isfinite(from_point.distances[prepared.row_of[b.id]])
    elif from_point is None and to_point is not None:
        reachable = math.isfinite(to_point.distances[prepared.row_of[a.id]])
    else:
        raise BadPlan(f"a leg from {_describe(a)} to {_describe(b)} needs a stop between them")
    if not reachable:
        what = _describe(b)
        raise StopNotReachable(
            f"{what[:1].upper()}{what[1:]} cannot be reached from {_describe(a)} along walkable ways"
        )
    if from_point is not None:
        return prepared.path_from_attachment(from_point, b.id)
    if to_point is not None:  # the attachment's path to ``a``, walked backwards
        return [(edge, to_m, from_m) for edge, from_m, to_m in reversed(prepared.path_from_attachment(to_point, a.id))]
    return prepared.path_between(a.id, b.id)


def _street_leg(prepared: PreparedNetwork, a: Place, b: Place, pieces: Sequence[Piece],
                attached: Mapping[str, Attachment], to: Destination) -> Leg:
    """The leg along ``pieces``, with the approaches from ``a`` and to ``b`` at its ends.

    The network part runs from where ``a`` meets the network to where ``b`` does; the line,
    the length and the cues also cover the short walk between each place and its snap point
    (a stop on a pier, in a park or set back from the street), so that following the line
    leads to the place itself, not to the nearest street.
    """
    net = prepared.net
    from_snap = attached[a.id].snap if a.id in attached else prepared.snaps[a.id]
    to_snap = attached[b.id].snap if b.id in attached else prepared.snaps[b.id]
    if pieces:
        lat_all, lon_all, starts = _piece_points(net, pieces)
    else:  # both places meet the network at the same point
        lat_all, lon_all, starts = np.array([from_snap.lat]), np.array([from_snap.lon]), []
    raw = list(zip(lat_all.tolist(), lon_all.tolist()))
    lengths = np.abs(np.array([p[2] - p[1] for p in pieces], dtype=float))
    stretches = _stretches(net, pieces, starts, lengths)
    head: list[Stretch] = []
    if a.position != raw[0]:
        raw.insert(0, a.position)
        stretches = [replace(st, start_index=st.start_index + 1) for st in stretches]
        head = [Stretch(name="", kind=APPROACH, start_index=0, length_m=from_snap.distance_m)]
    tail: list[Stretch] = []
    if b.position != raw[-1]:
        tail = [Stretch(name="", kind=APPROACH, start_index=len(raw) - 1, length_m=to_snap.distance_m)]
        raw.append(b.position)
    stretches = head + stretches + tail
    length = float(sum(st.length_m for st in stretches))
    return Leg(from_place=a, to_place=b, points=thin(raw), length_m=length,
               street_following=True, cues=build_cues(raw, stretches, to=to))


def _stretches(net: StreetNetwork, pieces: Sequence[Piece], starts: Sequence[int],
               lengths: np.ndarray) -> list[Stretch]:
    """One stretch per run of pieces on the same street name (or, unnamed, the same kind of way)."""
    edges = np.array([p[0] for p in pieces], dtype=np.int64)
    if not len(edges):
        return []
    name_ids = net.edge_name[edges]
    kind_ids = net.edge_kind[edges]
    label_key = np.where(name_ids > 0, name_ids, -(kind_ids + 1))
    cuts = np.concatenate(([0], np.flatnonzero(np.diff(label_key)) + 1, [len(edges)]))
    return [Stretch(name=net.names[int(name_ids[lo])], kind=net.kinds[int(kind_ids[lo])],
                    start_index=starts[lo], length_m=float(lengths[lo:hi].sum()))
            for lo, hi in zip(cuts[:-1], cuts[1:])]


def _piece_points(net: StreetNetwork, pieces: Sequence[Piece]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Vertices along consecutive pieces, joints once; and the index where each piece starts.

    Vectorised (one index array for the whole leg) because a cross-city leg has hundreds of
    pieces and a Python loop of NumPy slices per piece was most of the planning time.
    """
    arr = np.asarray(pieces, dtype=float)
    edges = arr[:, 0].astype(np.int64)
    a_m, b_m = arr[:, 1], arr[:, 2]
    length = net.edge_length_m[edges]
    g0, g1 = net.geom_start[edges], net.geom_start[edges + 1]
    forward = (a_m == 0.0) & (b_m == length)
    backward = (b_m == 0.0) & (a_m == length)
    partial = ~(forward | backward)
    first = np.where(forward, g0, g1 - 1)
    step = np.where(backward, -1, 1)
    count = g1 - g0
    vertex_count = len(net.geom_lat)
    extra_lat: list[np.ndarray] = []
    extra_lon: list[np.ndarray] = []
    base = vertex_count
    for k in np.flatnonzero(partial).tolist():  # only pieces touching a snapped place
        lat, lon = _partial(net, int(g0[k]), int(g1[k]), float(a_m[k]), float(b_m[k]))
        extra_lat.append(lat)
        extra_lon.append(lon)
        first[k], step[k], count[k] = base, 1, len(lat)
        base += len(lat)
    # after the first piece, skip each piece's first vertex: it is the previous piece's last
    first[1:] += step[1:]
    count[1:] -= 1
    offsets = np.cumsum(count) - count
    total = int(count.sum())
    idx = np.repeat(first, count) + np.repeat(step, count) * (np.arange(total) - np.repeat(offsets, count))
    in_graph = idx < vertex_count
    lat_all = np.empty(total)
    lon_all = np.empty(total)
    lat_all[in_graph] = net.geom_lat[idx[in_graph]]
    lon_all[in_graph] = net.geom_lon[idx[in_graph]]
    if extra_lat:
        lat_all[~in_graph] = np.concatenate(extra_lat)[idx[~in_graph] - vertex_count]
        lon_all[~in_graph] = np.concatenate(extra_lon)[idx[~in_graph] - vertex_count]
    starts: list[int] = np.maximum(offsets - 1, 0).tolist()
    return lat_all, lon_all, starts


def _partial(net: StreetNetwork, s: int, t: int, a_m: float, b_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of part of an edge, from offset ``a_m`` to ``b_m`` (either direction)."""
    cum = net.geom_cum_m[s:t]
    lat, lon = net.geom_lat[s:t], net.geom_lon[s:t]
    lo, hi = min(a_m, b_m), max(a_m, b_m)
    inner = (cum > lo) & (cum < hi)
    out_lat = np.concatenate(([np.interp(lo, cum, lat)], lat[inner], [np.interp(hi, cum, lat)]))
    out_lon = np.concatenate(([np.interp(lo, cum, lon)], lon[inner], [np.interp(hi, cum, lon)]))
    if a_m > b_m:
        return out_lat[::-1], out_lon[::-1]
    return out_lat, out_lon
