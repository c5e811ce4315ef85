"""Which OpenStreetMap ways a runner on foot may use: one predicate, whatever the data source.

``osmnx.graph_from_xml`` keeps every way in a file (rivers and railways included), and an
Overpass filter cannot say "unless foot=yes" in a single query, so neither source can be
trusted to have filtered already: every edge goes through :func:`is_walkable`. The Overpass
filters below only keep downloads small; they are deliberately looser than the predicate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: Highway values a pedestrian may use (when no access tag says otherwise).
WALKABLE_HIGHWAYS = frozenset({
    "footway", "path", "pedestrian", "steps", "living_street", "residential", "service",
    "unclassified", "road", "track", "tertiary", "tertiary_link", "secondary",
    "secondary_link", "primary", "primary_link", "corridor", "crossing", "elevator",
})
#: Highway values walkable only when a tag grants pedestrians access (``foot=yes``, a sidewalk).
FOOT_TAG_REQUIRED_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "cycleway", "bridleway",
})
#: Highways that are not (or not yet / no longer) ways at all.
NOT_A_WAY = frozenset({
    "construction", "proposed", "planned", "abandoned", "razed", "disused", "no",
    "platform", "rest_area", "services", "bus_guideway", "busway", "raceway", "escape",
})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
FOOT_DENIED = frozenset({"no", "private", "use_sidepath"})
ACCESS_DENIED = frozenset({"no", "private"})
SIDEWALK_PRESENT = frozenset({"both", "left", "right", "yes"})

#: Overpass way filters (osmnx ``custom_filter``; osmnx sends one query per filter and merges
#: the answers). They only keep the download small -- :func:`is_walkable` makes the decision,
#: so a file and a download obey exactly the same rules. The second filter brings in ways that
#: the first excludes by type but that grant pedestrians access (``foot=yes`` motorway link,
#: a cycleway with ``foot=designated``, a trunk road with sidewalks).
WALK_FILTERS: tuple[str, ...] = (
    '["highway"]["area"!~"yes"]'
    '["highway"!~"^(motorway|motorway_link|trunk|trunk_link|cycleway|bridleway|'
    + "|".join(sorted(NOT_A_WAY)) + ')$"]'
    '["foot"!~"^(no|private|use_sidepath)$"]["access"!~"^(no|private)$"]["service"!~"^private$"]',
    '["highway"]["area"!~"yes"]["foot"~"^(yes|designated|permissive)$"]',
    '["highway"~"^(trunk|trunk_link)$"]["sidewalk"~"^(both|left|right|yes)$"]',
)

#: OSM way tags osmnx must keep on edges so that :func:`is_walkable` and the cue sheet can
#: read them (osmnx drops tags not listed in ``settings.useful_tags_way``).
WAY_TAGS = (
    "highway", "name", "ref", "foot", "access", "service", "area", "sidewalk", "footway",
    "oneway", "bridge", "tunnel", "junction",
)


def is_walkable(tags: Mapping[str, Any]) -> bool:
    """Whether a runner on foot may use an OSM way with these tags, in both directions.

    A ``highway`` is required (so rivers and railways never count); areas are skipped;
    ``foot=no|private|use_sidepath`` forbids; ``foot=yes|designated|permissive`` allows
    anything that is a real way; otherwise ``access=no|private`` and ``service=private``
    forbid, motorways / trunks / cycleways / bridleways need a sidewalk tag (trunks) or nothing
    allows them, and the ordinary street and path types of :data:`WALKABLE_HIGHWAYS` are
    allowed. One-way tags are ignored on purpose: a pedestrian may walk a one-way street
    either way, and a tour that detours around one would puzzle the runner.
    """
    highway = tag(tags, "highway")
    if not highway or highway in NOT_A_WAY:
        return False
    if tag(tags, "area") == "yes":
        return False
    foot = tag(tags, "foot")
    if foot in FOOT_DENIED:
        return False
    if foot in FOOT_ALLOWED:
        return True
    if tag(tags, "access") in ACCESS_DENIED or tag(tags, "service") == "private":
        return False
    if highway in FOOT_TAG_REQUIRED_HIGHWAYS:
        return highway.startswith("trunk") and tag(tags, "sidewalk") in SIDEWALK_PRESENT
    return highway in WALKABLE_HIGHWAYS


def tag(tags: Mapping[str, Any], key: str) -> str:
    """A tag value as a string, ``""`` when absent.

    osmnx turns the values of merged ways into a list built from a set, whose order changes
    with Python's hash seed: the smallest value is taken, so the same data always gives the
    same answer.
    """
    value = tags.get(key)
    if isinstance(value, (list, tuple)):
        value = min((str(v) for v in value), default=None)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def edge_kind(tags: Mapping[str, Any]) -> str:
    """The kind of way a cue names: the ``highway`` value, or ``sidewalk`` / ``crossing``."""
    highway = tag(tags, "highway")
    footway = tag(tags, "footway")
    if highway == "footway" and footway in {"sidewalk", "crossing"}:
        return footway
    return highway
