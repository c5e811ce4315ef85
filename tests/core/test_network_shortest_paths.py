"""Shortest paths from fixed places, checked against networkx on the fixture's own graph."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from geopy.distance import geodesic
from osm_fixtures import PLACES, OsmBuilder, at

from tourapp.network import PreparedNetwork, StreetNetwork

CORNERS = ("federal-8th", "christian-12th", "north-bank-east", "museum", "bainbridge-8th")


@pytest.fixture(scope="module")
def prepared(town_net: StreetNetwork) -> PreparedNetwork:
    return town_net.prepare([(key, *at(*PLACES[key])) for key in CORNERS], limit_m=150)


def _node_at(town_graph: nx.Graph, town_data: OsmBuilder, key: str) -> int:
    point = at(*PLACES[key])
    return int(min(town_graph.nodes, key=lambda n: geodesic(town_data.nodes[n], point).meters))


def test_distances_between_places_match_networkx(prepared: PreparedNetwork, town_graph: nx.Graph,
                                                 town_data: OsmBuilder) -> None:
    for a, b in itertools.combinations(CORNERS, 2):
        expected = nx.shortest_path_length(town_graph, _node_at(town_graph, town_data, a),
                                           _node_at(town_graph, town_data, b), weight="length")
        assert prepared.shortest_m(a, b) == pytest.approx(expected, abs=0.01), (a, b)
        # the route walked may take a few metres more for fewer turns: never more than 3 %
        assert expected - 0.01 <= prepared.distance(a, b) <= 1.03 * expected, (a, b)
        assert prepared.distance(b, a) == pytest.approx(prepared.distance(a, b))


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(CORNERS, 2)))
def test_a_route_is_as_long_as_the_distance_it_claims(prepared: PreparedNetwork, a: str, b: str) -> None:
    pieces = prepared.path_between(a, b)
    assert sum(abs(to - frm) for _, frm, to in pieces) == pytest.approx(prepared.distance(a, b))


def test_a_path_is_pieces_of_edges_that_add_up_to_the_distance(prepared: PreparedNetwork,
        town_net: StreetNetwork) -> None:
    pieces = prepared.path_between("federal-8th", "museum")
    assert sum(abs(to - frm) for _, frm, to in pieces) == pytest.approx(
        prepared.distance("federal-8th", "museum"))
    start = town_net.point_at(pieces[0][0], pieces[0][1])
    end = town_net.point_at(pieces[-1][0], pieces[-1][2])
    assert geodesic(start, at(*PLACES["federal-8th"])).meters < 0.5
    assert geodesic(end, at(*PLACES["museum"])).meters < 0.5
    for (e1, _, to), (e2, frm, _) in zip(pieces, pieces[1:]):
        assert geodesic(town_net.point_at(e1, to), town_net.point_at(e2, frm)).meters < 0.01


def test_a_free_point_mid_block_reads_its_distances_from_the_trees(prepared: PreparedNetwork,
        town_net: StreetNetwork) -> None:
    attachment = prepared.attach(*at(50, 0))  # on Federal Street, 50 m east of 8th
    row = prepared.keys.index("federal-8th")
    assert attachment.distances[row] == pytest.approx(50, abs=0.5)
    pieces = prepared.path_from_attachment(attachment, "federal-8th")
    assert sum(abs(to - frm) for _, frm, to in pieces) == pytest.approx(attachment.distances[row])
