"""The walking street network: OpenStreetMap ways a runner may use, as a compact routable graph.

One concern per module:

* :mod:`.osm_tags` -- which ways are walkable (:func:`is_walkable`), the Overpass filters;
* :mod:`.street_graph` -- :class:`StreetNetwork`, the graph as arrays, built canonically;
* :mod:`.graph_cache` -- the ``.npz`` cache file: atomic, byte-stable, checked on load;
* :mod:`.snapping` -- the nearest point on the network (:class:`Snap`);
* :mod:`.shortest_paths` -- shortest-path trees from fixed places (:class:`PreparedNetwork`);
* :mod:`.sources` -- an OSM file, the cache or Overpass (:func:`load_network`,
  :func:`fetch_network`).

Geometry (boxes, distances, the local frame) lives in :mod:`tourapp.geodesy`.
"""

from __future__ import annotations

from ..geodesy import BBox
from .graph_cache import CACHE_FORMAT, CacheUnreadable, cache_file
from .osm_tags import is_walkable
from .shortest_paths import Attachment, PreparedNetwork
from .snapping import Snap
from .sources import (
    DEFAULT_MARGIN_M,
    Progress,
    build_network_from_xml,
    fetch_network,
    filter_walkable,
    load_network,
    network_bbox,
)
from .street_graph import StreetNetwork

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_MARGIN_M",
    "Attachment",
    "BBox",
    "CacheUnreadable",
    "PreparedNetwork",
    "Progress",
    "Snap",
    "StreetNetwork",
    "build_network_from_xml",
    "cache_file",
    "fetch_network",
    "filter_walkable",
    "is_walkable",
    "load_network",
    "network_bbox",
]
