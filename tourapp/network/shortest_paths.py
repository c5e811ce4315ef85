"""Routes between fixed places, computed once so that every later leg is a lookup.

SciPy's compiled Dijkstra runs once from every fixed place (every stop of the catalogue) when
the network is prepared: on the nodes, for the plain shortest distances, and on the line graph
with turn costs (:mod:`.turn_costs`), for the routes a runner is sent along. A leg is then a
walk along a predecessor array, and a free start point reads its route to every place straight
from the trees. Planning a tour costs milliseconds, not a graph search per request.

The trees of a network loaded from its cache are saved beside it (:mod:`.prepared_store`)
and memory-mapped by every later process, so a worker is ready in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .snapping import Snap
from .turn_costs import HEADING_BASE_M, MAX_DETOUR, STRAIGHT_ON_DEG, TURN_COST_M, TurnGraph

if TYPE_CHECKING:
    from .street_graph import StreetNetwork

#: A piece of an edge a path walks: ``(edge, from_m, to_m)``, offsets from the edge's ``u`` end.
Piece = tuple[int, float, float]


@dataclass(frozen=True)
class Csr:
    """A symmetric CSR adjacency with, per stored entry, the piece of edge it stands for.

    ``piece_edge[k]``, ``piece_from[k]``, ``piece_to[k]``: entry ``k`` (row -> column) walks
    edge ``piece_edge[k]`` from offset ``piece_from`` to ``piece_to`` metres (decreasing when
    walked against the geometry). ``keys`` = ``row * n + col``, sorted, finds an entry fast.
    ``matrix`` is ``None`` when the trees were read from a file: only a search needs it.
    """

    matrix: csr_matrix | None
    keys: np.ndarray
    piece_edge: np.ndarray
    piece_from: np.ndarray
    piece_to: np.ndarray
    n: int

    @classmethod
    def build(cls, net: StreetNetwork, extra: Sequence[tuple[int, int, int, float, float]],
              n_extra_nodes: int = 0) -> Csr:
        """Base edges plus ``extra`` pieces ``(a, b, edge, from_m, to_m)`` joining virtual nodes."""
        n = net.node_count + n_extra_nodes
        u, v = net.edge_u.astype(np.int64), net.edge_v.astype(np.int64)
        zeros = np.zeros(net.edge_count)
        ex = np.array(extra, dtype=float).reshape(-1, 5)
        ea, eb = ex[:, 0].astype(np.int64), ex[:, 1].astype(np.int64)
        ee, ef, et = ex[:, 2].astype(np.int64), ex[:, 3], ex[:, 4]
        edges = np.arange(net.edge_count)
        rows = np.concatenate((u, v, ea, eb))
        cols = np.concatenate((v, u, eb, ea))
        p_edge = np.concatenate((edges, edges, ee, ee))
        p_from = np.concatenate((zeros, net.edge_length_m, ef, et))
        p_to = np.concatenate((net.edge_length_m, zeros, et, ef))
        # zero-length entries would vanish from a sparse matrix; a micrometre keeps them
        weight = np.maximum(np.abs(p_to - p_from), 1e-6)
        keys = rows * n + cols
        order = np.argsort(keys, kind="stable")
        keys, rows, cols, weight = keys[order], rows[order], cols[order], weight[order]
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
        matrix = csr_matrix((weight, cols, indptr), shape=(n, n))
        return cls(matrix=matrix, keys=keys, piece_edge=p_edge[order], piece_from=p_from[order],
                   piece_to=p_to[order], n=n)

    def entries(self, path: np.ndarray) -> np.ndarray:
        """Entry index of each step ``path[i] -> path[i + 1]``."""
        return np.asarray(np.searchsorted(self.keys, path[:-1] * self.n + path[1:]))


class PreparedNetwork:
    """A network with fixed places snapped and two searches run from each, once.

    The places become nodes (``virtual`` nodes where they fall mid-edge: the edge is split,
    its original entry kept -- the pieces add up to it, so no shortcut appears). Then, from
    every place at once:

    * a plain Dijkstra on the nodes: the shortest distance to everywhere, the yardstick;
    * a Dijkstra with turn costs on the line graph (:class:`~.turn_costs.TurnGraph`): the
      route a runner is sent along, with fewer turns among near-equal ways.

    A route is the turn-aware one unless it is more than :data:`~.turn_costs.MAX_DETOUR`
    longer than the shortest; then it is the shortest path. Trees are read backwards for a leg
    that ends at their place (turn costs do not depend on the direction of travel).
    """

    def __init__(self, net: StreetNetwork, places: Sequence[tuple[str, float, float]], *,
                 limit_m: float, turn_cost_m: float = TURN_COST_M) -> None:
        """Snap ``places`` and read their trees from the file beside ``net``'s cache, or compute
        them (and save them there when ``net`` was read from a cache file)."""
        self.net = net
        self.limit_m = float(limit_m)
        self.keys = tuple(p[0] for p in places)
        self.positions = {key: (float(lat), float(lon)) for key, lat, lon in places}
        self.snaps: dict[str, Snap] = {}
        for key, lat, lon in places:
            self.snaps[key] = net.snap(lat, lon, limit_m=limit_m, what=key)
        self.node_of: dict[str, int] = {}
        # chain of (offset, node) along every edge that carries a place
        self.chains: dict[int, list[tuple[float, int]]] = {}
        extra: list[tuple[int, int, int, float, float]] = []
        next_node = net.node_count
        by_edge: dict[int, dict[float, list[str]]] = {}
        for key, snap in self.snaps.items():
            length = float(net.edge_length_m[snap.edge])
            if snap.offset_m < 0.01:
                self.node_of[key] = int(net.edge_u[snap.edge])
            elif snap.offset_m > length - 0.01:
                self.node_of[key] = int(net.edge_v[snap.edge])
            else:
                by_edge.setdefault(snap.edge, {}).setdefault(round(snap.offset_m, 3), []).append(key)
        for edge, at in by_edge.items():
            chain = [(0.0, int(net.edge_u[edge]))]
            for offset in sorted(at):
                for key in at[offset]:
                    self.node_of[key] = next_node
                chain.append((offset, next_node))
                next_node += 1
            chain.append((float(net.edge_length_m[edge]), int(net.edge_v[edge])))
            for (o1, n1), (o2, n2) in zip(chain, chain[1:]):
                extra.append((n1, n2, edge, o1, o2))
            self.chains[edge] = chain
        sources = np.array([self.node_of[k] for k in self.keys], dtype=np.int64)
        self.row_of = {k: i for i, k in enumerate(self.keys)}
        #: per place: plain shortest distance and predecessor per node; turn-aware cost
        #: (metres, float32 to halve the memory) and predecessor per state
        self.dist: np.ndarray
        self.pred: np.ndarray
        self.cost: np.ndarray
        self.state_pred: np.ndarray
        from . import prepared_store  # imports the graph cache, which imports this module

        identity = self._identity(places, turn_cost_m)
        path = None if identity is None or net.cache_path is None else prepared_store.store_path(
            net.cache_path, identity)
        n_states = net.edge_count * 2 + len(extra) * 2
        stored = None if path is None or identity is None else prepared_store.load(
            path, identity, self._shapes(next_node, n_states))
        if stored is not None:
            self._use(stored, next_node)
            return
        self._compute(extra, next_node, sources, turn_cost_m)
        if path is not None and identity is not None:
            prepared_store.save(path, identity, self._arrays())

    def _identity(self, places: Sequence[tuple[str, float, float]], turn_cost_m: float) -> dict[str, Any] | None:
        """Everything the trees depend on, to name and check their file; ``None`` if unsaved."""
        if self.net.fingerprint is None or not places:
            return None  # no file to keep them beside, or nothing worth keeping
        return {"graph": self.net.fingerprint, "limit_m": self.limit_m, "turn_cost_m": float(turn_cost_m),
                "places": [[str(k), float(lat), float(lon)] for k, lat, lon in places],
                "max_detour": MAX_DETOUR, "straight_on_deg": STRAIGHT_ON_DEG,
                "heading_base_m": HEADING_BASE_M}

    def _shapes(self, n: int, n_states: int) -> dict[str, tuple[tuple[int, ...], str]]:
        k = len(self.keys)
        size = n_states + k
        return {"csr_keys": ((n_states,), "int64"), "piece_edge": ((n_states,), "int64"),
                "piece_from": ((n_states,), "float64"), "piece_to": ((n_states,), "float64"),
                "state_length_m": ((n_states,), "float64"), "in_ptr": ((n + 1,), "int64"),
                "in_states": ((n_states,), "int64"), "dist": ((k, n), "float64"),
                "pred": ((k, n), "int32"), "cost": ((k, size), "float32"),
                "state_pred": ((k, size), "int32"), "arrival": ((k, k), "int64"),
                "route_m": ((k, k), "float64")}

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"csr_keys": self.csr.keys, "piece_edge": self.csr.piece_edge,
                "piece_from": self.csr.piece_from, "piece_to": self.csr.piece_to,
                "state_length_m": self.turns.length_m, "in_ptr": self.turns.in_ptr,
                "in_states": self.turns.in_states, "dist": self.dist, "pred": self.pred,
                "cost": self.cost, "state_pred": self.state_pred, "arrival": self.arrival,
                "route_m": self.route_m}

    def _use(self, stored: dict[str, np.ndarray], n: int) -> None:
        """Take the trees read from a file (read-only views of it)."""
        self.csr = Csr(matrix=None, keys=stored["csr_keys"], piece_edge=stored["piece_edge"],
                       piece_from=stored["piece_from"], piece_to=stored["piece_to"], n=n)
        n_states = len(stored["csr_keys"])
        self.turns = TurnGraph(matrix=None, n_states=n_states,
                               roots=n_states + np.arange(len(self.keys), dtype=np.int64),
                               length_m=stored["state_length_m"], in_ptr=stored["in_ptr"],
                               in_states=stored["in_states"])
        self.dist, self.pred = stored["dist"], stored["pred"]
        self.cost, self.state_pred = stored["cost"], stored["state_pred"]
        self.arrival, self.route_m = stored["arrival"], stored["route_m"]

    def _compute(self, extra: list[tuple[int, int, int, float, float]], n: int, sources: np.ndarray,
                 turn_cost_m: float) -> None:
        """Build the graphs and run both searches from every place."""
        net = self.net
        self.csr = Csr.build(net, extra, n - net.node_count)
        self.turns = TurnGraph.build(net, self.csr, sources, turn_cost=turn_cost_m)
        matrix, turn_matrix = self.csr.matrix, self.turns.matrix
        assert matrix is not None and turn_matrix is not None  # just built
        if len(sources):
            #: plain shortest distances and predecessors, per place and node
            self.dist, self.pred = dijkstra(matrix, directed=True, indices=sources,
                                            return_predecessors=True)
            cost, state_pred = dijkstra(turn_matrix, directed=True, indices=self.turns.roots,
                                        return_predecessors=True)
            #: turn-aware cost (metres, float32 to halve the memory) and predecessor per state
            self.cost = cost.astype(np.float32)
            self.state_pred = state_pred
            del cost
        else:
            self.dist = np.zeros((0, self.csr.n))
            self.pred = np.zeros((0, self.csr.n), dtype=np.int32)
            self.cost = np.zeros((0, turn_matrix.shape[0]), dtype=np.float32)
            self.state_pred = np.zeros((0, turn_matrix.shape[0]), dtype=np.int32)
        self._routes_between()

    def _routes_between(self) -> None:
        """The route between every two places: its arrival state and length, or the fallback.

        ``route_m[i, j]`` is the length of the route walked from place ``i`` to place ``j``
        (read from ``j``'s trees), ``arrival[i, j]`` the state it arrives by in ``j``'s
        turn-aware tree, ``-1`` where the plain shortest path is used instead.
        """
        k = len(self.keys)
        nodes = [self.node_of[key] for key in self.keys]
        arrival = np.full((k, k), -1, dtype=np.int64)
        for j in range(k):
            for i, node in enumerate(nodes):
                if node != nodes[j]:
                    arrival[i, j] = self._best_arrival(j, node)
        rows = np.repeat(np.arange(k), k).reshape(k, k).T  # rows[i, j] = j: the tree walked
        length = self._walk_m(rows.ravel(), arrival.ravel()).reshape(k, k)
        shortest = self.dist[:, nodes].T if k else np.zeros((0, 0))  # shortest[i, j]: j's tree at i
        ok = (arrival >= 0) & (length <= shortest * (1.0 + MAX_DETOUR) + 1e-6)
        self.arrival = np.where(ok, arrival, -1)
        self.route_m = np.where(ok, length, shortest)

    def _best_arrival(self, row: int, node: int) -> int:
        """The cheapest state of ``row``'s turn-aware tree that ends at ``node``; -1 if none."""
        states = self.turns.arrivals(node)
        if not len(states):
            return -1
        cost = self.cost[row, states]
        best = int(np.argmin(cost))
        return int(states[best]) if np.isfinite(cost[best]) else -1

    def _walk_m(self, rows: np.ndarray, states: np.ndarray) -> np.ndarray:
        """Length of the turn-aware route from each state back to its tree's root, metres.

        All routes are walked at once, one step per loop: a few hundred NumPy steps instead of
        a Python loop per state. ``inf`` for a state of ``-1``.
        """
        rows = np.asarray(rows, dtype=np.int64)
        current = np.asarray(states, dtype=np.int64).copy()
        length = np.where(current >= 0, 0.0, np.inf)
        n_states = self.turns.n_states
        alive = np.flatnonzero((current >= 0) & (current < n_states))
        while len(alive):
            length[alive] += self.turns.length_m[current[alive]]
            current[alive] = self.state_pred[rows[alive], current[alive]]
            alive = alive[(current[alive] >= 0) & (current[alive] < n_states)]
        return length

    def __contains__(self, key: object) -> bool:
        return key in self.row_of

    def position_of(self, key: str) -> tuple[float, float]:
        """The ``(lat, lon)`` the place was prepared with (to notice a moved stop)."""
        return self.positions[key]

    def distance(self, a: str, b: str) -> float:
        """Length of the route walked from ``a`` to ``b``, metres (``inf`` if cut off)."""
        return float(self.route_m[self.row_of[a], self.row_of[b]])

    def shortest_m(self, a: str, b: str) -> float:
        """The plain shortest walking distance between two places, metres (``inf`` if cut off)."""
        return float(self.dist[self.row_of[b], self.node_of[a]])

    def path_between(self, a: str, b: str) -> list[Piece]:
        """The pieces of the route from ``a`` to ``b``."""
        row = self.row_of[b]  # walk b's tree from a back to b, i.e. forwards from a
        state = int(self.arrival[self.row_of[a], row])
        if state >= 0:
            return self._state_pieces(row, state)
        return self._pieces(_walk_to_root(self.pred[row], self.node_of[a]))

    def attach(self, lat: float, lon: float, *, what: str = "start point") -> Attachment:
        """Snap a free point (a custom start) and read its route to every place from the trees."""
        snap = self.net.snap(lat, lon, limit_m=self.limit_m, what=what)
        chain = self.chains.get(snap.edge) or [
            (0.0, int(self.net.edge_u[snap.edge])),
            (float(self.net.edge_length_m[snap.edge]), int(self.net.edge_v[snap.edge])),
        ]
        lo = max((c for c in chain if c[0] <= snap.offset_m), key=lambda c: c[0])
        hi = min((c for c in chain if c[0] >= snap.offset_m), key=lambda c: c[0])
        to_lo = snap.offset_m - lo[0]
        to_hi = hi[0] - snap.offset_m
        shortest_lo = self.dist[:, lo[1]] + to_lo
        shortest_hi = self.dist[:, hi[1]] + to_hi
        use_hi = shortest_hi < shortest_lo
        shortest = np.where(use_hi, shortest_hi, shortest_lo)

        rows = np.arange(len(self.keys), dtype=np.int64)
        if lo[1] == hi[1]:  # on a node: arrive there by the cheapest state
            states = np.array([self._best_arrival(int(r), lo[1]) for r in rows], dtype=np.int64)
            turn_hi = np.zeros(len(rows), dtype=bool)
            length = self._walk_m(rows, states)
        else:  # arrive at one end of the piece the point lies on, and walk in along it
            into = self.csr.entries(np.array([lo[1], hi[1], lo[1]], dtype=np.int64))  # lo->hi, hi->lo
            from_lo, from_hi = int(into[0]), int(into[1])
            cost_lo = self.cost[:, from_lo] - self.turns.length_m[from_lo] + to_lo
            cost_hi = self.cost[:, from_hi] - self.turns.length_m[from_hi] + to_hi
            turn_hi = cost_hi < cost_lo
            states = np.where(turn_hi, from_hi, from_lo)
            states = np.where(np.isfinite(np.minimum(cost_lo, cost_hi)), states, -1)
            length = (self._walk_m(rows, states) - self.turns.length_m[np.maximum(states, 0)]
                      + np.where(turn_hi, to_hi, to_lo))
        ok = (states >= 0) & (length <= shortest * (1.0 + MAX_DETOUR) + 1e-6)
        return Attachment(snap=snap, lo=lo, hi=hi, use_hi=np.where(ok, turn_hi, use_hi),
                          states=np.where(ok, states, -1), distances=np.where(ok, length, shortest))

    def path_from_attachment(self, att: Attachment, key: str) -> list[Piece]:
        """Pieces from an attached free point to place ``key``."""
        row = self.row_of[key]
        offset, node = att.hi if att.use_hi[row] else att.lo
        first = [(att.snap.edge, att.snap.offset_m, offset)] if offset != att.snap.offset_m else []
        state = int(att.states[row])
        if state < 0:
            return first + self._pieces(_walk_to_root(self.pred[row], node))
        if att.lo[1] != att.hi[1]:  # the piece the point lies on is walked as ``first``
            state = int(self.state_pred[row, state])
        return first + self._state_pieces(row, state)

    def _state_pieces(self, row: int, state: int) -> list[Piece]:
        """The pieces of ``row``'s turn-aware tree from ``state`` back to the root, reversed:
        the route walked *towards* the root."""
        states = []
        n_states = self.turns.n_states
        while 0 <= state < n_states:
            states.append(state)
            state = int(self.state_pred[row, state])
        k = np.array(states, dtype=np.int64)
        return list(zip(self.csr.piece_edge[k].tolist(), self.csr.piece_to[k].tolist(),
                        self.csr.piece_from[k].tolist()))

    def _pieces(self, nodes: np.ndarray) -> list[Piece]:
        if len(nodes) < 2:
            return []
        k = self.csr.entries(nodes)
        return list(zip(self.csr.piece_edge[k].tolist(), self.csr.piece_from[k].tolist(),
                        self.csr.piece_to[k].tolist()))


@dataclass(frozen=True)
class Attachment:
    """A free point snapped onto a prepared network, with its route to every place.

    ``distances[i]``: length of the route to place ``i``, metres; ``states[i]``: the state of
    place ``i``'s turn-aware tree the route leaves by (``-1``: the plain shortest path, from
    ``hi`` when ``use_hi[i]``, else from ``lo``).
    """

    snap: Snap
    lo: tuple[float, int]
    hi: tuple[float, int]
    use_hi: np.ndarray
    states: np.ndarray
    distances: np.ndarray


def _walk_to_root(pred: np.ndarray, node: int) -> np.ndarray:
    """Nodes from ``node`` back to the tree's root, following predecessors (root last)."""
    out = [node]
    previous = pred[node]
    while previous >= 0:
        out.append(int(previous))
        previous = pred[previous]
    return np.array(out, dtype=np.int64)
