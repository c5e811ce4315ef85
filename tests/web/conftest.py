"""A second app for the web tests: the test town's stops and tours on its OSM street network."""

from __future__ import annotations

import pytest
from osm_fixtures import town
from town_app import make_town_app


@pytest.fixture(scope="session")
def town_app(tmp_path_factory: pytest.TempPathFactory):
    """The app routing on the test town's OSM file (rivers, bridge, motorway, steps)."""
    return make_town_app(tmp_path_factory.mktemp("town-app"))


@pytest.fixture()
def town_client(town_app):
    return town_app.test_client()


@pytest.fixture(scope="session")
def town_walkable_ways() -> list[list[tuple[float, float]]]:
    """Every walkable way of the test town as (lat, lon) polylines."""
    return town().walkable_ways()
