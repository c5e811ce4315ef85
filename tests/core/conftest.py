"""Fixtures for the core routing tests: stops built in code, the test town, its network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from geopy.distance import geodesic
from osm_fixtures import PLACES, OsmBuilder, at, make_stop, town

from tourapp.network import StreetNetwork, build_network_from_xml
from tourapp.stops import Stop

StopMaker = Callable[..., Stop]


@pytest.fixture
def stop_at() -> Callable[[str, float, float], Stop]:
    """``stop_at("museum", x_m, y_m)``: a stop at metres from the test town's origin."""

    def build(stop_id: str, x_m: float, y_m: float, **kwargs: object) -> Stop:
        return make_stop(stop_id, *at(x_m, y_m), **kwargs)  # type: ignore[arg-type]

    return build


@pytest.fixture
def place() -> Callable[[str], Stop]:
    """``place("museum")``: a stop at one of the town's named places."""

    def build(place_id: str, **kwargs: object) -> Stop:
        return make_stop(place_id, *at(*PLACES[place_id]), **kwargs)  # type: ignore[arg-type]

    return build


@pytest.fixture
def watch_stops(place: Callable[..., Stop], stop_at: Callable[..., Stop]) -> list[Stop]:
    """The test town's tour for the watch-file tests (TCX, FIT): a stop with a long name and a
    short one, and a stop placed by its coordinates between two of the town's places."""
    return [place("federal-8th", montage_order=1, name="The corner of Federal and 8th", short_name="Federal corner"),
            place("north-bank-east", montage_order=2), stop_at("mid-fitzwater", 150, 212, short_name="Fitzwater"),
            place("museum", montage_order=3)]


@pytest.fixture(scope="session")
def town_data() -> OsmBuilder:
    return town()


@pytest.fixture(scope="session")
def town_osm(tmp_path_factory: pytest.TempPathFactory, town_data: OsmBuilder) -> Path:
    return town_data.write(tmp_path_factory.mktemp("osm") / "town.osm")


@pytest.fixture(scope="session")
def town_net(town_osm: Path) -> StreetNetwork:
    """The test town parsed once per session; tests must not mutate it."""
    return build_network_from_xml(town_osm)


@pytest.fixture(scope="session")
def town_graph(town_data: OsmBuilder) -> nx.Graph:
    """An independent networkx graph of the ways the *fixture* calls walkable.

    Built straight from the fixture's node list with geopy lengths, without osmnx or any
    tourapp code, so comparing against it checks the app rather than the app against itself.
    """
    graph = nx.Graph()
    for way in town_data.ways:
        if not way.walkable:
            continue
        for a, b in zip(way.node_ids, way.node_ids[1:]):
            length = geodesic(town_data.nodes[a], town_data.nodes[b]).meters
            graph.add_edge(a, b, length=length)
    return graph
