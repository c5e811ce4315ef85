"""Turn costs: among near-equal routes the one with fewer turns, never more than 3 % longer.

The towns here offer exactly two ways from A (0, 0) to B (300, 300): a staircase of five
turns that is the shortest (600 m), and an L of one turn that is a little longer. Every
corner of the staircase is a junction (a short dead-end way carries straight on), as on a
real grid, so each of its turns is a choice the runner must be told about.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from osm_fixtures import OsmBuilder, at, make_stop

from tourapp.model import Route
from tourapp.network import StreetNetwork, build_network_from_xml
from tourapp.network.turn_costs import MAX_DETOUR, STRAIGHT_ON_DEG, TURN_COST_M, turn_cost_m
from tourapp.planner import plan_route

STAIRCASE = [(0, 0), (100, 0), (100, 100), (200, 100), (200, 200), (300, 200), (300, 300)]
#: Cue turns that are not a turn a runner makes.
NOT_TURNS = {"start", "straight", "arrive"}


def _town(l_corner_y: float) -> OsmBuilder:
    """The staircase and an L whose corner is at (0, ``l_corner_y``)."""
    town = OsmBuilder()
    for k, (p, q) in enumerate(zip(STAIRCASE, STAIRCASE[1:])):
        town.way([p, q], walkable=True, step_m=50, highway="residential", name=f"Step {k} Street")
        # a dead end carrying straight on past each corner makes the corner a junction
        stub = (q[0] + (q[0] - p[0]) / 5, q[1] + (q[1] - p[1]) / 5)
        if q != STAIRCASE[-1]:
            town.way([q, stub], walkable=True, highway="footway")
    town.way([(0, 0), (0, l_corner_y)], walkable=True, step_m=50, highway="residential", name="West Avenue")
    town.way([(0, l_corner_y), (300, 300)], walkable=True, highway="residential", name="North Street")
    return town


def _network(tmp_path: Path, l_corner_y: float) -> tuple[StreetNetwork, float]:
    """The town's network and the length of its L, metres (``l_corner_y`` + the second arm)."""
    town = _town(l_corner_y)
    net = build_network_from_xml(town.write(tmp_path / "town.osm"))
    return net, l_corner_y + math.hypot(300, l_corner_y - 300)


def _shortest_m(net: StreetNetwork) -> float:
    """The plain shortest A -> B on the app's own arrays, by networkx."""
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist(), net.edge_length_m.tolist()))
    a = int(np.argmin(np.hypot(net.node_lat - at(0, 0)[0], net.node_lon - at(0, 0)[1])))
    b = int(np.argmin(np.hypot(net.node_lat - at(300, 300)[0], net.node_lon - at(300, 300)[1])))
    return float(nx.shortest_path_length(graph, a, b, weight="weight"))


def _turns(route: Route) -> int:
    return sum(c.turn not in NOT_TURNS for leg in route.legs for c in leg.cues)


def test_a_simpler_route_a_little_longer_beats_a_staircase(tmp_path: Path) -> None:
    net, l_length = _network(tmp_path, 306)  # the L is 1 % longer than the staircase
    shortest = _shortest_m(net)
    assert shortest == pytest.approx(600, rel=0.01)
    route = plan_route([make_stop("a", *at(0, 0)), make_stop("b", *at(300, 300))], network=net)
    assert _turns(route) == 1
    # fixture metres are nominal (osm_fixtures.at): compare with the staircase's measured length
    assert route.length_m == pytest.approx(shortest * l_length / 600, rel=0.001)
    assert shortest < route.length_m <= (1 + MAX_DETOUR) * shortest


def test_the_route_is_never_more_than_three_percent_longer_than_the_shortest(tmp_path: Path) -> None:
    net, l_length = _network(tmp_path, 330)  # the L is 5 % longer: the staircase stays
    assert l_length > 1.05 * 600
    route = plan_route([make_stop("a", *at(0, 0)), make_stop("b", *at(300, 300))], network=net)
    assert route.length_m == pytest.approx(_shortest_m(net), abs=0.01)
    assert _turns(route) == 5


def test_a_start_point_takes_the_simpler_route_too(tmp_path: Path) -> None:
    net, l_length = _network(tmp_path, 306)
    # 5 m along the staircase's first street: back to the corner and up the L is 2.7 % longer
    route = plan_route([make_stop("b", *at(300, 300))], network=net, start=at(5, 0))
    assert _turns(route) == 1
    assert route.length_m == pytest.approx(_shortest_m(net) * (5 + l_length) / 600, rel=0.001)
    assert route.length_m <= (1 + MAX_DETOUR) * (_shortest_m(net) - 5)
    # and a finish point, walked the other way
    back = plan_route([make_stop("b", *at(300, 300))], network=net, end=at(5, 0))
    assert back.length_m == pytest.approx(route.length_m)
    assert _turns(back) == 1


def test_the_order_of_stops_is_judged_on_the_routes_walked(tmp_path: Path) -> None:
    net, _ = _network(tmp_path, 306)
    stops = [make_stop("a", *at(0, 0)), make_stop("c", *at(100, 100)), make_stop("b", *at(300, 300))]
    best = plan_route(stops, network=net, order="shortest")
    given = plan_route(stops, network=net)
    swapped = plan_route([stops[0], stops[2], stops[1]], network=net)
    assert best.length_m == pytest.approx(min(given.length_m, swapped.length_m))


@pytest.mark.parametrize(("delta", "same_street", "junction", "cost"), [
    (0, False, True, 0.0), (STRAIGHT_ON_DEG, False, True, 0.0), (-29, False, True, 0.0),
    (45, False, True, TURN_COST_M), (-90, False, True, TURN_COST_M), (270, False, True, TURN_COST_M),
    (90, True, True, 0.0),  # following one street round a corner: no choice, no cue
    (90, False, False, 0.0),  # a bend where no other way leaves
])
def test_a_turn_costs_only_where_the_runner_has_a_choice(delta: float, same_street: bool, junction: bool,
                                                        cost: float) -> None:
    got = turn_cost_m(np.array([delta]), same_street=np.array([same_street]), junction=np.array([junction]))
    assert got.tolist() == [cost]
