"""Plans routes: :func:`plan_route` (stops in, :class:`Route` out) and the :class:`TourPlanner` service.

:func:`plan_route` is the pure core: it orders the places (:mod:`tourapp.ordering`) and
builds the legs (:mod:`tourapp.legs`). :class:`TourPlanner` is what the web layer and the CLI
hold: built once from settings and the catalogues (:func:`tourapp.services.build_services`),
it loads the network lazily, prepares a shortest-path tree per stop once, turns a
:class:`~tourapp.plan_request.PlanRequest` into the stops, name and options of a route, and
memoises the result.

A route never pretends: when no street network is available, legs are straight lines flagged
``street_following=False``, and everything downstream (API, map, GPX ``<desc>``) says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import BadPlan, NetworkUnavailable, StopNotReachable
from .geodesy import BBox, LatLon, distance_m
from .legs import straight_legs, street_legs
from .lru import BoundedCache
from .model import END_ID, START_ID, Place, Route
from .network import (
    Attachment,
    PreparedNetwork,
    Progress,
    StreetNetwork,
    fetch_network,
    load_network,
    network_bbox,
)
from .ordering import shortest_order
from .plan_request import PlanRequest
from .settings import Settings
from .stops import Stop, StopCatalog
from .tours import TourCatalog

log = logging.getLogger(__name__)

#: What a plan of the runner's own stops is called (a tour supplies its own id and name).
CUSTOM_TOUR_ID = "plan"
CUSTOM_NAME = "Your Rocky run"
#: Planned routes kept in memory by :class:`TourPlanner` (custom starts make many keys).
ROUTE_CACHE_SIZE = 256


def plan_route(
    stops: Sequence[Stop],
    *,
    network: StreetNetwork | PreparedNetwork | None,
    loop: bool = False,
    start: LatLon | None = None,
    end: LatLon | None = None,
    order: str = "given",
    snap_limit_m: float = 150.0,
    tour_id: str = CUSTOM_TOUR_ID,
    name: str = CUSTOM_NAME,
    description: str = "",
    activity: str = "run",
) -> Route:
    """Plan a route through ``stops`` (checked already: a :class:`PlanRequest` does that).

    Parameters
    ----------
    stops
        The stops in the order asked for.
    network
        The walking network, ideally prepared for these stops (``TourPlanner`` does that);
        ``None`` gives straight legs flagged ``street_following=False``.
    loop
        Return to the first place at the end.
    start, end
        ``(lat, lon)`` of the runner's own start and finish points (no ``end`` on a loop).
    order
        ``"given"`` keeps the order; ``"shortest"`` reorders the stops for the shortest total
        (exactly) between fixed ends: the start point, or else the first stop, stays first; on
        a one-way route the finish point, or else the last stop, stays last.
    snap_limit_m
        How far a place may be from a walkable way, metres.

    Raises
    ------
    BadPlan
        Fewer than two places, or a loop with a finish point.
    StopNotReachable
        A place too far from any walkable way, or cut off from the others.
    """
    stops = tuple(stops)
    if loop and end is not None:
        raise BadPlan("a loop returns to its start: it cannot also have a finish point")
    start_place = None if start is None else Place.start_at(start)
    end_place = None if end is None else Place.end_at(end)
    if not stops or len(stops) + (start_place is not None) + (end_place is not None) < 2:
        raise BadPlan("a route needs a stop and at least one more place (a stop, a start or a finish point)")

    def places_of(visit: Sequence[Stop]) -> list[Place]:
        head = [start_place] if start_place else []
        return head + [Place.of(s) for s in visit] + ([end_place] if end_place else [])

    if network is None:
        if order == "shortest":
            positions = [p.position for p in places_of(stops)]
            d = np.array([[distance_m(a, b) for b in positions] for a in positions])
            stops = _reorder(stops, d, has_start=start_place is not None, loop=loop)
        legs = straight_legs(places_of(stops), loop=loop)
    else:
        prepared = _prepared_for(network, stops, snap_limit_m)
        attached: dict[str, Attachment] = {}
        if start_place is not None:
            attached[START_ID] = prepared.attach(start_place.lat, start_place.lon, what="the start point")
        if end_place is not None:
            attached[END_ID] = prepared.attach(end_place.lat, end_place.lon, what="the finish point")
        if order == "shortest":
            d = _network_distances(prepared, stops, attached.get(START_ID), attached.get(END_ID))
            stops = _reorder(stops, d, has_start=start_place is not None, loop=loop)
        legs = street_legs(prepared, places_of(stops), attached, loop=loop)
    return Route(tour_id=tour_id, name=name, description=description, activity=activity, stops=stops,
                 start=start_place, end=end_place, legs=tuple(legs), loop=loop, order=order)


def _reorder(stops: tuple[Stop, ...], d: np.ndarray, *, has_start: bool, loop: bool) -> tuple[Stop, ...]:
    """The stops in shortest order over the matrix of all places (start, stops, finish)."""
    offset = 1 if has_start else 0
    labels = ["the start point"] * offset + [f"{s.name} ({s.id})" for s in stops]
    labels += ["the finish point"] * (d.shape[0] - len(labels))
    sequence = shortest_order(d, loop=loop, keep_last=not loop, labels=labels)
    return tuple(stops[i - offset] for i in sequence if offset <= i < offset + len(stops))


def _network_distances(prepared: PreparedNetwork, stops: Sequence[Stop], start: Attachment | None,
                       end: Attachment | None) -> np.ndarray:
    """Lengths of the routes walked between all places, start point first and finish point last
    (metres): the order is judged on the routes the runner will follow."""
    rows = [prepared.row_of[s.id] for s in stops]
    first = 1 if start is not None else 0
    n = first + len(stops) + (1 if end is not None else 0)
    d = np.full((n, n), np.inf)  # start <-> finish stays inf: a stop always lies between them
    np.fill_diagonal(d, 0.0)
    inner = slice(first, first + len(stops))
    d[inner, inner] = prepared.route_m[np.ix_(rows, rows)]
    for attachment, index in ((start, 0), (end, n - 1)):
        if attachment is not None:
            d[index, inner] = d[inner, index] = attachment.distances[rows]
    return d


def _prepared_for(network: StreetNetwork | PreparedNetwork, stops: Sequence[Stop],
                  snap_limit_m: float) -> PreparedNetwork:
    """The prepared network that knows every stop, preparing one if needed."""
    if isinstance(network, PreparedNetwork):
        if all(s.id in network and network.position_of(s.id) == (s.lat, s.lon) for s in stops):
            return network
        network = network.net
    return network.prepare([(s.id, s.lat, s.lon) for s in stops], limit_m=snap_limit_m)


@dataclass(frozen=True, kw_only=True)
class NetworkStatus:
    """What the app routes on, for the API, the CLI, a footer notice and the data version.

    ``kind`` is ``"file"`` (a local OSM extract) or ``"overpass"`` (downloaded), ``None``
    without a network; ``source`` says where it came from, for people to read.
    """

    street_following: bool
    kind: str | None
    source: str | None
    nodes: int
    error: str | None


class TourPlanner:
    """Plans routes for the app: one per process, shared by every request (thread-safe).

    Parameters
    ----------
    settings
        Where the network comes from, the snap limit.
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
        #: The service area: every stop of the catalogue with a margin. Start and finish
        #: points must lie inside it, and it is the box ``fetch_network`` downloads.
        self.area: BBox = network_bbox([(s.lat, s.lon) for s in stops.values()])
        self._lock = threading.RLock()
        self._routes: BoundedCache[tuple[Any, ...], Route] = BoundedCache(ROUTE_CACHE_SIZE)
        self._network: StreetNetwork | None = None
        self._prepared: PreparedNetwork | None = None
        self._loaded = False
        #: Why the last load found no network (``None`` when it found one), for status pages.
        self.network_error: str | None = None
        if network is not self._UNSET:
            self.set_network(network)

    # -- the network ---------------------------------------------------------------------------

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
                net = load_network(self.settings, bbox=self.area)
                error = None if net is not None else "no OSM file and no cached network"
            except NetworkUnavailable as exc:
                log.error("street network unavailable: %s", exc)
                net, error = None, str(exc)
            self.set_network(net)
            self.network_error = error
            return net

    def fetch_network(self, *, progress: Progress | None = None, force: bool = False) -> StreetNetwork:
        """Download (or reuse the cached) network for :attr:`area` and start using it.

        Raises
        ------
        NetworkUnavailable
            When the download fails or is disabled.
        """
        net = fetch_network(self.settings, self.area, progress=progress, force=force)
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

    def status(self) -> NetworkStatus:
        """What the app routes on."""
        net = self.network
        return NetworkStatus(
            street_following=net is not None,
            kind=None if net is None else net.meta.get("kind"),
            source=None if net is None else net.meta.get("source"),
            nodes=0 if net is None else net.node_count,
            error=self.network_error,
        )

    # -- planning ------------------------------------------------------------------------------

    def plan(self, request: PlanRequest) -> Route:
        """The route a plan request asks for (memoised on ``request.route_key()``).

        A tour supplies its stops, name, description, loop and activity (the request's loop
        and activity override them; a finish point makes a tour one-way unless the request
        says ``loop``). A plan of the runner's own stops is one-way and a run unless the
        request says otherwise. The pace is not part of the route.

        Raises
        ------
        UnknownTour, UnknownStop
            An id the catalogues do not have (the message names the known ones).
        BadPlan
            A start or finish point outside :attr:`area`; a one-stop tour with nowhere to go.
        StopNotReachable
            A place too far from any walkable way, or cut off from the others.
        """
        key = request.route_key()
        route = self._routes.get(key)
        if route is not None:
            return route
        request.check_area(self.area)
        if request.tour is not None:
            tour = self.tours[request.tour]
            stop_ids, tour_id, name, description = tour.stop_ids, tour.id, tour.name, tour.description
            default_loop, default_activity = tour.loop and request.end is None, tour.activity
        else:
            stop_ids, tour_id, name, description = request.stops, CUSTOM_TOUR_ID, CUSTOM_NAME, ""
            default_loop, default_activity = False, "run"
        stops = [self.stops[stop_id] for stop_id in stop_ids]
        with self._lock:
            network = self._prepared if self.network is not None else None
        route = plan_route(
            stops, network=network, start=request.start, end=request.end, order=request.order,
            loop=default_loop if request.loop is None else request.loop,
            activity=request.activity or default_activity,
            snap_limit_m=self.settings.snap_limit_m, tour_id=tour_id, name=name, description=description,
        )
        self._routes.put(key, route)
        return route

    def plan_tour(self, tour_id: str) -> Route:
        """A tour of the catalogue as it is (memoised): ``plan(PlanRequest(tour=tour_id))``."""
        return self.plan(PlanRequest(tour=tour_id))
