"""Which OSM ways a runner may use: the pedestrian rules, the same for every data source."""

from __future__ import annotations

import pytest

from tourapp.network import is_walkable
from tourapp.network.osm_tags import edge_kind, tag


@pytest.mark.parametrize(("tags", "walkable"), [
    ({"highway": "residential"}, True),
    ({"highway": "residential", "oneway": "yes"}, True),
    ({"highway": "footway"}, True),
    ({"highway": "footway", "footway": "sidewalk"}, True),
    ({"highway": "steps"}, True),
    ({"highway": "pedestrian"}, True),
    ({"highway": "living_street"}, True),
    ({"highway": "service"}, True),
    ({"highway": "primary"}, True),
    ({"highway": "path"}, True),
    ({"highway": "motorway"}, False),
    ({"highway": "motorway", "foot": "no"}, False),
    ({"highway": "motorway_link", "foot": "yes"}, True),
    ({"highway": "trunk"}, False),
    ({"highway": "trunk", "sidewalk": "both"}, True),
    ({"highway": "cycleway"}, False),
    ({"highway": "cycleway", "foot": "designated"}, True),
    ({"highway": "residential", "foot": "no"}, False),
    ({"highway": "service", "access": "private"}, False),
    ({"highway": "residential", "access": "no"}, False),
    ({"highway": "residential", "access": "no", "foot": "yes"}, True),
    ({"highway": "service", "service": "private"}, False),
    ({"highway": "pedestrian", "area": "yes"}, False),
    ({"highway": "construction"}, False),
    ({"railway": "rail"}, False),
    ({"waterway": "river"}, False),
    ({"highway": ["residential", "service"]}, True),
])
def test_pedestrian_rules(tags: dict, walkable: bool) -> None:
    assert is_walkable(tags) is walkable


def test_a_merged_way_has_one_kind_whatever_order_osmnx_lists_its_values_in() -> None:
    # osmnx lists the values of merged ways in set order, which changes with the hash seed
    one = {"highway": "footway", "footway": ["sidewalk", "crossing"]}
    other = {"highway": "footway", "footway": ["crossing", "sidewalk"]}
    assert edge_kind(one) == edge_kind(other) == "crossing"
    assert tag({"name": ["Walnut Street", "South 9th Street"]}, "name") == "South 9th Street"


def test_missing_and_nan_tags_read_as_empty() -> None:
    assert tag({}, "name") == "" and tag({"name": float("nan")}, "name") == ""
    assert edge_kind({"highway": "residential", "footway": "sidewalk"}) == "residential"
