"""Routes between stops: leg by leg along the walking network, or straight when there is none.

:func:`plan_route` is the pure core (stops in, :class:`Route` out); :class:`TourPlanner` is
what the web layer and the CLI hold: built once from settings, stops and tours, it loads the
network lazily, prepares a shortest-path tree per stop once, and memoises planned tours.

A route never pretends: when no street network is available, legs are straight lines flagged
``street_following=False``, and everything downstream (API, map, GPX ``<desc>``) says so.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .cuesheet import Cue, Stretch, build_cues
from .errors import BadPlan, NetworkUnavailable, StopNotReachable
from .geodesy import LatLon, bounds, distance_m
from .network import (
    BBox,
    LocalFrame,
    PreparedNetwork,
    StreetNetwork,
    fetch_network,
    load_network,
    network_bbox,
)
from .settings import Settings
from .stops import Stop, StopCatalog

if TYPE_CHECKING:
    from .network import Progress
    from .tours import Tour, TourCatalog

log = logging.getLogger(__name__)

#: Most stops one route may visit: keeps "shortest order" (exact, 2^n work) instant.
MAX_STOPS = 11
ORDERS = ("given", "shortest")
ACTIVITIES = ("run", "walk")
#: Points closer than this to the line through their neighbours are dropped (metres): a GPS
#: track is no more precise, and a straight street then needs only its two ends.
THIN_TOLERANCE_M = 1.0
#: Planned tours kept in memory by :class:`TourPlanner` (custom starts make many keys).
ROUTE_CACHE_SIZE = 256


@dataclass(frozen=True, kw_only=True)
class Place:
    """A point a leg starts or ends at: a stop, or the runner's own start point."""

    id: str
    name: str
    lat: float
    lon: float

    @classmethod
    def of(cls, stop: Stop) -> Place:
        return cls(id=stop.id, name=stop.name, lat=stop.lat, lon=stop.lon)

    @property
    def position(self) -> LatLon:
        return (self.lat, self.lon)


START_ID = "start"


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
    """A planned tour: places in visiting order and the legs between them."""

    tour_id: str
    name: str
    description: str
    activity: str
    stops: tuple[Stop, ...]
    start: Place | None
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
        """Start point (if any) then the stops, in visiting order."""
        head = (self.start,) if self.start is not None else ()
        return head + tuple(Place.of(s) for s in self.stops)

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


# --------------------------------------------------------------------------------------------
# planning


def plan_route(
    stops: Sequence[Stop],
    *,
    network: StreetNetwork | PreparedNetwork | None,
    loop: bool = False,
    start: LatLon | None = None,
    order: str = "given",
    keep_last: bool = False,
    snap_limit_m: float = 150.0,
    tour_id: str = "custom",
    name: str = "Custom route",
    description: str = "",
    activity: str = "run",
) -> Route:
    """Plan a route through ``stops``.

    Parameters
    ----------
    stops
        1 to :data:`MAX_STOPS` distinct stops (at least 2 without ``start``).
    network
        The walking network, ideally prepared for these stops (``TourPlanner`` does that);
        ``None`` gives straight legs flagged ``street_following=False``.
    loop
        Return to the first place at the end.
    start
        ``(lat, lon)`` of the runner's own start point; the route begins there.
    order
        ``"given"`` keeps the order; ``"shortest"`` reorders the stops for the shortest total
        (exactly, by dynamic programming): the start point, or else the first stop, stays first.
    keep_last
        With ``order="shortest"`` on a one-way route, keep the last stop last (a tour that
        must finish on the Art Museum steps).
    snap_limit_m
        How far a place may be from a walkable way, metres.

    Raises
    ------
    BadPlan
        Too few or too many stops, a stop twice, an unknown option, a start off the globe.
    StopNotReachable
        A place too far from any walkable way, or cut off from the others.
    """
    stops = tuple(stops)
    _validate(stops, start=start, order=order, activity=activity)
    start_place = None if start is None else Place(id=START_ID, name="Start",
                                                   lat=float(start[0]), lon=float(start[1]))
    if network is None:
        ordered = _order_straight(stops, start_place, order, loop, keep_last)
        legs = _straight_legs(ordered, start_place, loop)
    else:
        prepared = _prepared_for(network, stops, snap_limit_m)
        attachment = (None if start_place is None
                      else prepared.attach(start_place.lat, start_place.lon, what="the start point"))
        ordered = _order_on_network(prepared, stops, attachment, order, loop, keep_last)
        legs = _street_legs(prepared, ordered, start_place, attachment, loop)
    return Route(tour_id=tour_id, name=name, description=description, activity=activity,
                 stops=tuple(ordered), start=start_place, legs=tuple(legs), loop=loop, order=order)


def _validate(stops: tuple[Stop, ...], *, start: LatLon | None, order: str, activity: str) -> None:
    if order not in ORDERS:
        raise BadPlan(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
    if activity not in ACTIVITIES:
        raise BadPlan(f"activity must be one of {', '.join(ACTIVITIES)}, got {activity!r}")
    if len(stops) > MAX_STOPS:
        raise BadPlan(f"a route may visit at most {MAX_STOPS} stops, got {len(stops)}")
    if len(stops) < (1 if start is not None else 2):
        raise BadPlan("a route needs at least two places (two stops, or a start and a stop)")
    seen: set[str] = set()
    for stop in stops:
        if stop.id in seen:
            raise BadPlan(f"stop {stop.id!r} is listed twice")
        seen.add(stop.id)
    if start is not None:
        try:
            lat, lon = (float(v) for v in start)
        except (TypeError, ValueError):
            raise BadPlan(f"start must be (lat, lon), got {start!r}") from None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadPlan(f"start must be a (lat, lon) in degrees, got {start!r}")


def _prepared_for(network: StreetNetwork | PreparedNetwork, stops: Sequence[Stop],
                  snap_limit_m: float) -> PreparedNetwork:
    """The prepared network that knows every stop, preparing one if needed."""
    if isinstance(network, PreparedNetwork):
        if all(s.id in network and network.position_of(s.id) == (s.lat, s.lon) for s in stops):
            return network
        network = network.net
    return network.prepare([(s.id, s.lat, s.lon) for s in stops], limit_m=snap_limit_m)


def _order_straight(stops: tuple[Stop, ...], start: Place | None, order: str, loop: bool,
                    keep_last: bool) -> list[Stop]:
    if order == "given":
        return list(stops)
    places = ([start.position] if start else []) + [(s.lat, s.lon) for s in stops]
    d = np.array([[distance_m(a, b) for b in places] for a in places])
    return _apply_order(stops, start is not None, d, loop, keep_last)


def _order_on_network(prepared: PreparedNetwork, stops: tuple[Stop, ...], attachment: Any,
                      order: str, loop: bool, keep_last: bool) -> list[Stop]:
    if order == "given":
        return list(stops)
    rows = [prepared.row_of[s.id] for s in stops]
    nodes = [prepared.node_of[s.id] for s in stops]
    d = prepared.dist[np.ix_(rows, nodes)]
    if attachment is not None:
        to_start = attachment.distances[rows]
        d = np.block([[np.zeros((1, 1)), to_start[None, :]], [to_start[:, None], d]])
    return _apply_order(stops, attachment is not None, d, loop, keep_last)


def _apply_order(stops: tuple[Stop, ...], has_start: bool, d: np.ndarray, loop: bool,
                 keep_last: bool) -> list[Stop]:
    sequence = shortest_order(d, loop=loop, keep_last=keep_last and not loop)
    offset = 1 if has_start else 0
    return [stops[i - offset] for i in sequence if i >= offset]


@functools.lru_cache(maxsize=MAX_STOPS + 1)
def _subset_layers(m: int) -> tuple[tuple[np.ndarray, ...], ...]:
    """For Held-Karp over ``m`` places: per subset size 2..m, per place j, the subsets holding j."""
    masks = np.arange(1 << m)
    popcount = np.zeros(1 << m, dtype=np.int64)
    for bit in range(m):
        popcount += (masks >> bit) & 1
    return tuple(
        tuple(layer[(layer >> j) & 1 == 1] for j in range(m))
        for layer in (masks[popcount == size] for size in range(2, m + 1))
    )


def shortest_order(d: np.ndarray, *, loop: bool = False, keep_last: bool = False) -> list[int]:
    """The visiting order of minimum total distance, place 0 first (Held-Karp, vectorised).

    Parameters
    ----------
    d
        Symmetric ``(n, n)`` matrix of distances in metres (``inf`` where unreachable).
    loop
        Count the way back from the last place to place 0.
    keep_last
        Place ``n - 1`` must be visited last.

    Raises
    ------
    StopNotReachable
        When no order connects all places.
    """
    n = d.shape[0]
    fixed_end = keep_last and n > 2
    free = list(range(1, n - 1 if fixed_end else n))
    m = len(free)
    if m <= 1:
        order = [0] + free + ([n - 1] if fixed_end else [])
    else:
        sub = d[np.ix_(free, free)]
        full = (1 << m) - 1
        dp = np.full((1 << m, m), np.inf)
        parent = np.full((1 << m, m), -1, dtype=np.int64)
        for j in range(m):
            dp[1 << j, j] = d[0, free[j]]
        for layer in _subset_layers(m):
            for j, with_j in enumerate(layer):
                cand = dp[with_j ^ (1 << j)] + sub[:, j][None, :]
                best = np.argmin(cand, axis=1)
                dp[with_j, j] = cand[np.arange(len(with_j)), best]
                parent[with_j, j] = best
        tail = np.zeros(m)
        if fixed_end:
            tail = d[free, n - 1]
        elif loop:
            tail = d[free, 0]
        last = int(np.argmin(dp[full] + tail))
        sequence = []
        mask, j = full, last
        while j >= 0:
            sequence.append(free[j])
            mask, j = mask ^ (1 << j), int(parent[mask, j])
        order = [0] + sequence[::-1] + ([n - 1] if fixed_end else [])
    total = sum(d[a, b] for a, b in zip(order, order[1:])) + (d[order[-1], 0] if loop else 0.0)
    if not math.isfinite(total):
        raise StopNotReachable("the places are not all connected by walkable ways")
    return order


# --------------------------------------------------------------------------------------------
# legs


def _straight_legs(stops: Sequence[Stop], start: Place | None, loop: bool) -> list[Leg]:
    places = ([start] if start else []) + [Place.of(s) for s in stops]
    pairs = list(zip(places, places[1:])) + ([(places[-1], places[0])] if loop else [])
    legs = []
    for a, b in pairs:
        points = (a.position, b.position) if a.position != b.position else (a.position,)
        length = distance_m(a.position, b.position)
        stretch = Stretch(name="", kind="direct", start_index=0, length_m=length)
        legs.append(Leg(from_place=a, to_place=b, points=points, length_m=length,
                        street_following=False, cues=build_cues(points, [stretch], arrive_at=b.name)))
    return legs


def _street_legs(prepared: PreparedNetwork, stops: Sequence[Stop], start: Place | None,
                 attachment: Any, loop: bool) -> list[Leg]:
    places = [Place.of(s) for s in stops]
    legs = []
    if start is not None:
        for place in places:
            if not math.isfinite(attachment.distances[prepared.row_of[place.id]]):
                raise StopNotReachable(
                    f"{place.name} ({place.id}) cannot be reached from the start point along walkable ways"
                )
        pieces = prepared.path_from_attachment(attachment, places[0].id)
        legs.append(_leg(prepared, start, places[0], pieces))
    for a, b in zip(places, places[1:]):
        legs.append(_leg(prepared, a, b, _checked_path(prepared, a, b)))
    if loop:
        last = places[-1]
        if start is not None:
            back = [(e, t, f) for e, f, t in reversed(prepared.path_from_attachment(attachment, last.id))]
            legs.append(_leg(prepared, last, start, back))
        else:
            legs.append(_leg(prepared, last, places[0], _checked_path(prepared, last, places[0])))
    return legs


def _checked_path(prepared: PreparedNetwork, a: Place, b: Place) -> list[tuple[int, float, float]]:
    if not math.isfinite(prepared.distance(a.id, b.id)):
        raise StopNotReachable(
            f"{b.name} ({b.id}) cannot be reached from {a.name} ({a.id}) along walkable ways"
        )
    return prepared.path_between(a.id, b.id)


def _leg(prepared: PreparedNetwork, a: Place, b: Place,
         pieces: Sequence[tuple[int, float, float]]) -> Leg:
    net = prepared.net
    if pieces:
        lat_all, lon_all, starts = _piece_points(net, pieces)
    else:  # both places meet the network at the same point
        snap = prepared.snaps.get(a.id) or prepared.snaps[b.id]
        lat_all, lon_all, starts = np.array([snap.lat]), np.array([snap.lon]), []
    raw = list(zip(lat_all.tolist(), lon_all.tolist()))

    edges = np.array([p[0] for p in pieces], dtype=np.int64)
    lengths = np.abs(np.array([p[2] - p[1] for p in pieces], dtype=float))
    stretches: list[Stretch] = []
    if len(edges):
        name_ids = net.edge_name[edges]
        kind_ids = net.edge_kind[edges]
        label_key = np.where(name_ids > 0, name_ids, -(kind_ids + 1))
        cuts = np.concatenate(([0], np.flatnonzero(np.diff(label_key)) + 1, [len(edges)]))
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            stretches.append(Stretch(name=net.names[int(name_ids[lo])], kind=net.kinds[int(kind_ids[lo])],
                                     start_index=starts[lo], length_m=float(lengths[lo:hi].sum())))
    cues = build_cues(raw, stretches, arrive_at=b.name)
    return Leg(from_place=a, to_place=b, points=thin(raw), length_m=float(lengths.sum()),
               street_following=True, cues=cues)


def _piece_points(net: StreetNetwork, pieces: Sequence[tuple[int, float, float]]
                  ) -> tuple[np.ndarray, np.ndarray, list[int]]:
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
    starts = np.maximum(offsets - 1, 0).tolist()
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


def thin(points: Sequence[LatLon], tolerance_m: float = THIN_TOLERANCE_M) -> tuple[LatLon, ...]:
    """Drop repeated points, then points within ``tolerance_m`` of a straight run (Douglas-Peucker).

    The kept points are original vertices, so they still lie exactly on the ways.
    """
    pts = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(pts) <= 2:
        return tuple(pts)
    arr = np.asarray(pts, dtype=float)
    x, y = LocalFrame(float(arr[0, 0]), float(arr[0, 1])).xy(arr[:, 0], arr[:, 1])
    keep = np.zeros(len(arr), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(arr) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        dx, dy = x[j] - x[i], y[j] - y[i]
        len2 = dx * dx + dy * dy
        px, py = x[i + 1:j] - x[i], y[i + 1:j] - y[i]
        t = np.clip((px * dx + py * dy) / len2, 0, 1) if len2 else np.zeros_like(px)
        dist = np.hypot(px - t * dx, py - t * dy)
        k = int(np.argmax(dist))
        if dist[k] > tolerance_m:
            keep[i + 1 + k] = True
            stack.append((i, i + 1 + k))
            stack.append((i + 1 + k, j))
    return tuple(pts[i] for i in np.flatnonzero(keep))


# --------------------------------------------------------------------------------------------
# the service object the web layer holds


class TourPlanner:
    """Plans tours for the app: one per process, shared by every request (thread-safe).

    Parameters
    ----------
    settings
        Where the network comes from, the snap limit and paces.
    stops, tours
        The catalogues (``load_stops()``, ``load_tours(stops)``).
    network
        An already loaded network, or ``None`` for straight legs; leave unset to load from
        ``settings`` on first use (file or cache; never downloads).
    """

    _UNSET: Any = object()

    def __init__(self, settings: Settings, stops: StopCatalog, tours: TourCatalog, *,
                 network: StreetNetwork | None = _UNSET) -> None:
        self.settings = settings
        self.stops = stops
        self.tours = tours
        self._lock = threading.RLock()
        self._routes: OrderedDict[tuple[Any, ...], Route] = OrderedDict()
        self._network: StreetNetwork | None = None
        self._prepared: PreparedNetwork | None = None
        self._loaded = False
        #: Why the last load found no network (``None`` when it found one), for status pages.
        self.network_error: str | None = None
        if network is not self._UNSET:
            self.set_network(network)

    @property
    def bbox(self) -> BBox:
        """The area every stop of the catalogue needs, with a margin (what ``fetch`` downloads)."""
        return network_bbox([(s.lat, s.lon) for s in self.stops.values()])

    @property
    def network(self) -> StreetNetwork | None:
        """The street network, loaded on first access; ``None`` means straight legs."""
        with self._lock:
            if not self._loaded:
                self.load_network()
            return self._network

    def load_network(self) -> StreetNetwork | None:
        """(Re)load from the OSM file or the cache; a failure is logged, never raised."""
        with self._lock:
            try:
                net = load_network(self.settings, bbox=self.bbox)
                error = None if net is not None else "no OSM file and no cached network"
            except NetworkUnavailable as exc:
                log.error("street network unavailable: %s", exc)
                net, error = None, str(exc)
            self.set_network(net)
            self.network_error = error
            return net

    def fetch_network(self, *, progress: Progress | None = None, force: bool = False) -> StreetNetwork:
        """Download (or reuse the cached) network for :attr:`bbox` and start using it.

        Raises
        ------
        NetworkUnavailable
            When the download fails or is disabled.
        """
        net = fetch_network(self.settings, self.bbox, progress=progress, force=force)
        self.set_network(net)
        return net

    def set_network(self, network: StreetNetwork | None) -> None:
        """Use this network from now on; prepares every stop that can snap (once)."""
        with self._lock:
            self._network = network
            self._loaded = True
            self.network_error = None
            self._routes.clear()
            self._prepared = None
            if network is not None:
                reachable = []
                for stop in self.stops.values():
                    try:
                        network.snap(stop.lat, stop.lon, limit_m=self.settings.snap_limit_m, what=stop.id)
                    except StopNotReachable as exc:
                        log.warning("%s", exc)
                        continue
                    reachable.append((stop.id, stop.lat, stop.lon))
                self._prepared = network.prepare(reachable, limit_m=self.settings.snap_limit_m)

    def status(self) -> dict[str, Any]:
        """What the app routes on, for an API or a footer notice."""
        net = self.network
        return {
            "street_following": net is not None,
            "source": None if net is None else net.meta.get("source"),
            "nodes": 0 if net is None else net.node_count,
            "error": self.network_error,
        }

    def plan_tour(self, tour_id: str, *, start: LatLon | None = None, order: str = "given",
                  keep_last: bool = False) -> Route:
        """The route of a tour from the catalogue (memoised).

        Raises
        ------
        UnknownTour, BadPlan, StopNotReachable
        """
        tour: Tour = self.tours[tour_id]
        return self._plan(
            tuple(tour.stop_ids), loop=tour.loop, start=start, order=order, keep_last=keep_last,
            tour_id=tour.id, name=tour.name, description=tour.description, activity=tour.activity,
        )

    def plan_stops(self, stop_ids: Sequence[str], *, loop: bool = False, start: LatLon | None = None,
                   order: str = "given", keep_last: bool = False, activity: str = "run") -> Route:
        """A custom route through stops of the catalogue (memoised).

        Raises
        ------
        UnknownStop, BadPlan, StopNotReachable
        """
        if len(stop_ids) > MAX_STOPS:
            raise BadPlan(f"a route may visit at most {MAX_STOPS} stops, got {len(stop_ids)}")
        for stop_id in stop_ids:
            self.stops.get_stop(stop_id)
        return self._plan(tuple(stop_ids), loop=loop, start=start, order=order, keep_last=keep_last,
                          tour_id="custom", name="Custom route", description="", activity=activity)

    def _plan(self, stop_ids: tuple[str, ...], *, start: LatLon | None, **options: Any) -> Route:
        start_key = None if start is None else tuple(round(float(v), 6) for v in start)
        key = (stop_ids, start_key, tuple(sorted(options.items())))
        with self._lock:
            if key in self._routes:
                self._routes.move_to_end(key)
                return self._routes[key]
            net = self.network
            network = self._prepared if net is not None else None
        route = plan_route(
            [self.stops.get_stop(s) for s in stop_ids], network=network, start=start_key,
            snap_limit_m=self.settings.snap_limit_m, **options,
        )
        with self._lock:
            self._routes[key] = route
            while len(self._routes) > ROUTE_CACHE_SIZE:
                self._routes.popitem(last=False)
        return route
