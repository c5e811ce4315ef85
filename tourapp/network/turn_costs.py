"""Turn costs: what a turn is worth in metres, so that a route does not zigzag.

On a street grid many routes are equally short, and a plain shortest path picks one of them
by accident -- often a staircase (Front -> Delancey -> 3rd -> Pine -> 4th -> South) that no
runner wants to read or follow. Routing engines give a turn a cost (GraphHopper's turn costs,
Valhalla's pedestrian maneuver penalty), so that among near-equal routes the one with fewer
turns wins. Here the search runs on the *line graph* of the network: its states are directed
pieces of edges (the entries of :class:`~.shortest_paths.Csr`), and moving from one state to
the next means walking the next piece after turning at the node between them. A transition
costs the piece's length plus :func:`turn_cost_m` of the turn.

Why these numbers: a turn of more than :data:`STRAIGHT_ON_DEG` at a junction is worth
:data:`TURN_COST_M` metres of walking -- enough to swap a staircase for an L on a grid of
80-100 m blocks, small enough that a real detour never pays. Following one street round a
bend, or a bend where no other way leaves (a degree-2 node), costs nothing: the runner makes
no choice there, and the cue sheet says nothing either; nor does it between two unnamed ways
of one kind ("the footpath"), so neither does the search. The planner still never accepts a
route more than :data:`MAX_DETOUR` longer than the plain shortest one
(:class:`~.shortest_paths.PreparedNetwork` falls back to the shortest path then).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

from ..streets import STRAIGHT_ON_DEG, street_key  # shared with the cue sheet

if TYPE_CHECKING:
    from .shortest_paths import Csr
    from .street_graph import StreetNetwork

#: What a turn at a junction costs, as metres of walking.
TURN_COST_M = 10.0
#: How much longer than the plain shortest path a route with fewer turns may be (a fraction).
MAX_DETOUR = 0.03
#: Headings into and out of a junction are measured over this much of the way (metres):
#: the last metres of OSM geometry at a corner are often a kink.
HEADING_BASE_M = 15.0


def turn_cost_m(delta_deg: np.ndarray, *, same_street: np.ndarray, junction: np.ndarray,
                cost_m: float = TURN_COST_M) -> np.ndarray:
    """The cost of each turn, metres.

    Parameters
    ----------
    delta_deg
        Change of heading at the node, degrees (any sign, any turn count).
    same_street
        The way before and after is one street (:func:`street_key`), or one kind of unnamed
        way: the cue sheet names no turn there.
    junction
        Another way leaves the node, so the runner has a choice to make there.
    cost_m
        What one turn costs (0: the plain shortest path).
    """
    size = np.abs((np.asarray(delta_deg, dtype=float) + 180.0) % 360.0 - 180.0)
    turning = (size > STRAIGHT_ON_DEG) & ~np.asarray(same_street, dtype=bool) & np.asarray(junction, dtype=bool)
    return np.where(turning, cost_m, 0.0)


@dataclass(frozen=True)
class TurnGraph:
    """The line graph of a :class:`~.shortest_paths.Csr`, with a root state per fixed place.

    States ``0 .. n_states - 1`` are the Csr's entries (directed pieces of edges); state
    ``n_states + i`` is the root of place ``i``, joined to every piece leaving the place's node
    at the piece's length (no turn cost on setting off). ``in_ptr`` / ``in_states``: the
    states that end at each node, for reading the best arrival at a node. ``matrix`` is
    ``None`` when the trees were read from a file: only the search needs it.
    """

    matrix: csr_matrix | None
    n_states: int
    roots: np.ndarray
    length_m: np.ndarray
    in_ptr: np.ndarray
    in_states: np.ndarray

    @classmethod
    def build(cls, net: StreetNetwork, csr: Csr, sources: np.ndarray, *,
              turn_cost: float = TURN_COST_M) -> TurnGraph:
        """The line graph of ``csr`` with turns costing ``turn_cost`` metres, rooted at ``sources``."""
        if csr.matrix is None:
            raise ValueError("a line graph needs the Csr's matrix, not one read back from a file")
        indptr = csr.matrix.indptr.astype(np.int64)
        head = csr.matrix.indices.astype(np.int64)
        n_states = len(head)
        tail = np.repeat(np.arange(csr.n, dtype=np.int64), np.diff(indptr))
        length = np.maximum(np.abs(csr.piece_to - csr.piece_from), 1e-6)
        start_deg, end_deg = _headings(net, csr)
        key = _street_keys(net)[csr.piece_edge]
        out_degree = np.diff(indptr)
        # ways meeting at each node (a virtual node, where a place splits an edge, has two)
        degree = np.full(csr.n, 2, dtype=np.int64)
        degree[:net.node_count] = np.bincount(np.concatenate((net.edge_u, net.edge_v)),
                                              minlength=net.node_count)

        # every (state into a node, state out of it), except straight back along the same edge
        fan = out_degree[head]
        src = np.repeat(np.arange(n_states, dtype=np.int64), fan)
        first = np.repeat(np.cumsum(fan) - fan, fan)
        dst = np.repeat(indptr[head], fan) + (np.arange(len(src), dtype=np.int64) - first)
        keep = ~((head[dst] == tail[src]) & (csr.piece_edge[dst] == csr.piece_edge[src]))
        src, dst = src[keep], dst[keep]
        cost = turn_cost_m(start_deg[dst] - end_deg[src],
                           same_street=key[src] == key[dst],
                           junction=degree[head[src]] > 2, cost_m=turn_cost)
        weight = length[dst] + cost

        roots = n_states + np.arange(len(sources), dtype=np.int64)
        root_fan = out_degree[sources]
        root_src = np.repeat(roots, root_fan)
        root_first = np.repeat(np.cumsum(root_fan) - root_fan, root_fan)
        root_dst = (np.repeat(indptr[sources], root_fan)
                    + np.arange(int(root_fan.sum()), dtype=np.int64) - root_first)
        rows = np.concatenate((src, root_src))  # already in row order: states, then roots
        cols = np.concatenate((dst, root_dst))
        data = np.concatenate((weight, length[root_dst]))
        size = n_states + len(sources)
        row_ptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=size))))
        matrix = csr_matrix((data, cols, row_ptr), shape=(size, size))

        in_states = np.argsort(head, kind="stable")
        in_ptr = np.concatenate(([0], np.cumsum(np.bincount(head, minlength=csr.n))))
        return cls(matrix=matrix, n_states=n_states, roots=roots, length_m=length,
                   in_ptr=in_ptr, in_states=in_states)

    def arrivals(self, node: int) -> np.ndarray:
        """The states that end at ``node``."""
        return np.asarray(self.in_states[self.in_ptr[node]:self.in_ptr[node + 1]])


def _street_keys(net: StreetNetwork) -> np.ndarray:
    """Per edge, a number for its way as the cue sheet names it: its street (:func:`street_key`),
    or for an unnamed way its kind, as a negative number (all footpaths are "the footpath")."""
    keys: dict[str, int] = {"": 0}
    table = np.array([keys.setdefault(street_key(name), len(keys)) for name in net.names], dtype=np.int64)
    named = table[net.edge_name]
    return np.asarray(np.where(named > 0, named, -1 - net.edge_kind.astype(np.int64)))


def _headings(net: StreetNetwork, csr: Csr) -> tuple[np.ndarray, np.ndarray]:
    """Heading (degrees) of each piece as it leaves its first node and as it reaches its last.

    Measured over :data:`HEADING_BASE_M` (or the whole piece when shorter), in one vectorised
    interpolation over every edge's geometry laid end to end.
    """
    counts = np.diff(net.geom_start)
    base = np.concatenate(([0.0], np.cumsum(net.edge_length_m + 1.0)))[:-1]
    along = net.geom_cum_m + np.repeat(base, counts)
    edge = csr.piece_edge
    frm, to = csr.piece_from, csr.piece_to
    reach = np.minimum(HEADING_BASE_M, np.abs(to - frm))
    sign = np.sign(to - frm)

    def position(offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = base[edge] + np.clip(offset, 0.0, net.edge_length_m[edge])
        return np.interp(at, along, net.geom_lat), np.interp(at, along, net.geom_lon)

    def heading(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        dx = (b[1] - a[1]) * np.cos(np.radians(a[0]))
        return np.asarray(np.degrees(np.arctan2(dx, b[0] - a[0])))

    start = heading(position(frm), position(frm + sign * reach))
    end = heading(position(to - sign * reach), position(to))
    return start, end
