"""Where the street network comes from: an OSM file, the graph cache, or Overpass on request.

Sources, in the order :func:`load_network` tries them:

1. ``settings.osm_file`` (``.osm`` XML, optionally ``.bz2``), through ``osmnx.graph_from_xml``
   -- its parsed graph is cached, keyed by the file's path, size and modification time;
2. a graph cached in ``settings.cache_dir`` by an earlier :func:`fetch_network`, keyed by the
   Overpass URL and the bounding box;
3. nothing: :func:`load_network` returns ``None`` and routes fall back to straight legs.

Downloading (:func:`fetch_network`) happens only when asked, by ``tourapp network fetch``.
Whatever the source, every edge passes :func:`.osm_tags.is_walkable` before the graph is
simplified and flattened.
"""

from __future__ import annotations

import email.utils
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import NetworkUnavailable
from ..geodesy import BBox, LatLon, bbox_around
from ..settings import Settings
from .graph_cache import CacheUnreadable, cache_file
from .osm_tags import WALK_FILTERS, WAY_TAGS, is_walkable
from .street_graph import StreetNetwork

log = logging.getLogger(__name__)

#: Default margin around the stops' bounding box when downloading (metres): enough for a route
#: to swing out around the river or a rail yard without leaving the data.
DEFAULT_MARGIN_M = 1000.0
#: Download boxes are rounded outwards to this many degrees (about 500 m).
_BBOX_STEP_DEG = 0.005

#: Called with a short human message at each stage of a long build (the CLI prints them).
Progress = Callable[[str], None]


def network_bbox(points: Iterable[LatLon], *, margin_m: float = DEFAULT_MARGIN_M) -> BBox:
    """The area to download for ``(lat, lon)`` points: their box plus ``margin_m``, rounded out.

    Rounding to 0.005° keeps the cache key stable when a stop's coordinates are corrected by a
    few metres, so a small data fix does not force a new download.
    """
    pts = list(points)
    if not pts:
        raise ValueError("network_bbox needs at least one point")
    return bbox_around(pts, margin_m=margin_m, step_deg=_BBOX_STEP_DEG)


@contextmanager
def _osmnx_settings(**values: Any) -> Iterator[Any]:
    """Set osmnx's module-level settings for one call and put them back afterwards.

    osmnx keeps its configuration in module globals; restoring them keeps other users of
    osmnx in the same process (tests, notebooks) unaffected.
    """
    import osmnx as ox

    saved = {name: getattr(ox.settings, name) for name in values}
    try:
        for name, value in values.items():
            setattr(ox.settings, name, value)
        yield ox
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)


def _useful_tags() -> list[str]:
    import osmnx as ox

    return sorted(set(ox.settings.useful_tags_way) | set(WAY_TAGS))


def filter_walkable(graph: Any) -> Any:
    """Drop every edge :func:`.osm_tags.is_walkable` rejects, then the nodes left without edges.

    Needed because ``osmnx.graph_from_xml`` applies no filter: every way in the file (rivers,
    railways, motorways) arrives as an edge.
    """
    drop = [(u, v, k) for u, v, k, data in graph.edges(keys=True, data=True) if not is_walkable(data)]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return graph


def _finish(graph: Any, meta: Mapping[str, Any], progress: Progress | None) -> StreetNetwork:
    """Filter, simplify and flatten an unsimplified osmnx graph."""
    import osmnx as ox

    before = graph.number_of_edges()
    graph = filter_walkable(graph)
    _say(progress, f"kept {graph.number_of_edges():,} of {before:,} way edges as walkable")
    if graph.number_of_edges() == 0:
        raise NetworkUnavailable(f"no walkable ways in {meta.get('source')}")
    # keep a node wherever the street name or type changes: the cue sheet needs both per edge
    graph = ox.simplify_graph(graph, edge_attrs_differ=["name", "highway"])
    net = StreetNetwork.from_graph(graph, meta=meta)
    _say(progress, f"network ready: {net.node_count:,} nodes, {net.edge_count:,} edges")
    return net


def build_network_from_xml(path: Path | str, *, progress: Progress | None = None) -> StreetNetwork:
    """Parse an OSM XML file (``.osm`` or ``.osm.bz2``) into a walkable :class:`StreetNetwork`.

    The result depends only on the file's content (its ``source`` names the file, not the
    folder it sits in), so a cache built from it is the same on every machine.

    Raises
    ------
    NetworkUnavailable
        If the file is missing, unreadable, or contains no walkable way.
    """
    path = Path(path)
    _say(progress, f"parsing {path}")
    try:
        with _osmnx_settings(useful_tags_way=_useful_tags()) as ox:
            # bidirectional: pedestrians walk one-way streets both ways; retain_all: a stop in a
            # cut-off part should fail with a clear message, not silently vanish
            graph = ox.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
    except (OSError, ValueError, KeyError, SyntaxError, EOFError) as exc:  # ParseError: SyntaxError
        raise NetworkUnavailable(f"cannot read OSM file {path}: {exc}") from exc
    return _finish(graph, {"kind": "file", "source": f"file:{path.name}", "bbox": None}, progress)


def _file_key(path: Path) -> str:
    stat = path.stat()
    return f"file:{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _overpass_key(settings: Settings, bbox: BBox) -> str:
    return f"overpass:{settings.overpass_url}|{bbox.key()}"


def _try_load_cache(path: Path) -> StreetNetwork | None:
    """The cached network, or ``None`` when there is none or it cannot be used (logged)."""
    if not path.is_file():
        return None
    try:
        return StreetNetwork.load(path)
    except CacheUnreadable as exc:
        log.warning("ignoring unusable network cache: %s", exc)
        return None


def _try_save_cache(net: StreetNetwork, path: Path) -> None:
    try:
        net.save(path)
    except OSError as exc:  # a read-only cache dir or a full disk costs speed, not correctness
        log.warning("cannot write network cache %s: %s", path, exc)


def load_network(settings: Settings, *, bbox: BBox | None = None,
                 progress: Progress | None = None) -> StreetNetwork | None:
    """The street network from a local source, or ``None``; never downloads.

    Parameters
    ----------
    settings
        ``osm_file`` and ``cache_dir`` are read.
    bbox
        The area the tours need (see :func:`network_bbox`); selects the cached download.

    Raises
    ------
    NetworkUnavailable
        Only when ``settings.osm_file`` is set but cannot be read: a configured file that is
        broken is an operator's mistake worth stopping for. A missing or unusable cache is
        not an error: the file is parsed again and the cache rewritten.
    """
    if settings.osm_file is not None:
        path = Path(settings.osm_file)
        if not path.is_file():
            raise NetworkUnavailable(f"OSM file {path} (TOURAPP_OSM_FILE) does not exist")
        cached_at = cache_file(settings, _file_key(path))
        net = _try_load_cache(cached_at)
        if net is None:
            net = build_network_from_xml(path, progress=progress)
            _try_save_cache(net, cached_at)
        return net
    if bbox is not None:
        return _try_load_cache(cache_file(settings, _overpass_key(settings, bbox)))
    return None


def fetch_network(settings: Settings, bbox: BBox, *, progress: Progress | None = None,
                  force: bool = False) -> StreetNetwork:
    """Download the walking network for ``bbox`` from Overpass (via osmnx) and cache it.

    Parameters
    ----------
    settings
        ``overpass_url``, ``overpass_timeout_s``, ``network_download`` and ``cache_dir``.
    bbox
        Area to download, e.g. ``network_bbox(stop positions)`` (which adds a margin).
    progress
        Called with a short human message at each stage (for the CLI's display).
    force
        Download even when a cached copy exists.

    Raises
    ------
    NetworkUnavailable
        When downloads are disabled or Overpass cannot be reached, does not answer within
        ``overpass_timeout_s``, is busy, rate limits (429, with its ``Retry-After``), fails
        (5xx), or answers something that is not OSM data (garbage, an empty answer, no ways,
        a query it stopped part way). The message is one line, fit for the command line;
        whatever the failure, a network cached earlier is left as it was.
    """
    target = cache_file(settings, _overpass_key(settings, bbox))
    if not force:
        cached = _try_load_cache(target)
        if cached is not None:
            _say(progress, f"using cached network {target}")
            return cached
    if not settings.network_download:
        raise NetworkUnavailable("network downloads are disabled (TOURAPP_NETWORK_DOWNLOAD)")
    _say(progress, f"downloading walking network for {bbox.key()} from {settings.overpass_url}")
    import requests

    url = settings.overpass_url
    _wait_for_slot(url, timeout_s=min(10.0, settings.overpass_timeout_s), progress=progress)
    try:
        with _osmnx_settings(
            useful_tags_way=_useful_tags(),
            overpass_url=url,
            overpass_rate_limit=False,  # _wait_for_slot asked already, with a bounded wait
            requests_timeout=settings.overpass_timeout_s,
            requests_kwargs={"hooks": {"response": [_check_answer]}},
            use_cache=False,  # we cache the finished graph ourselves
        ) as ox:
            graph = ox.graph_from_bbox(
                bbox.as_osmnx(), network_type="walk", custom_filter=list(WALK_FILTERS),
                simplify=False, retain_all=True, truncate_by_edge=True,
            )
    except requests.Timeout as exc:
        raise NetworkUnavailable(
            f"Overpass at {url} did not answer within {settings.overpass_timeout_s:g} s "
            "(TOURAPP_OVERPASS_TIMEOUT_S)") from exc
    except requests.RequestException as exc:
        raise NetworkUnavailable(f"cannot reach Overpass at {url}: {exc.__class__.__name__}") from exc
    except ValueError as exc:
        # osmnx's InsufficientResponseError (a ValueError): JSON it could not read, or no nodes
        if isinstance(exc.__cause__, ValueError):  # json.JSONDecodeError
            raise NetworkUnavailable(f"Overpass at {url} answered with broken JSON") from exc
        raise NetworkUnavailable(f"Overpass at {url} sent no walkable ways for {bbox.key()}") from exc
    except OSError as exc:
        raise NetworkUnavailable(f"cannot download the street network from {url}: {exc}") from exc
    _say(progress, f"received {graph.number_of_nodes():,} nodes")
    net = _finish(graph, {"kind": "overpass", "source": f"overpass:{url}", "bbox": bbox.key()},
                  progress)
    _try_save_cache(net, target)  # only now: a failed download leaves an older cache as it was
    _say(progress, f"cached at {target}")
    return net


#: Longest wait for a free Overpass slot before giving up (the public server asks for waits
#: of a few seconds to a few minutes; a command that sits silent longer looks hung).
SLOT_WAIT_LIMIT_S = 60.0
_SLOTS_FREE = re.compile(r"^(\d+) slots? available now", re.MULTILINE)
_SLOT_IN = re.compile(r"^Slot available after: \S+, in (-?\d+) seconds?", re.MULTILINE)


def _wait_for_slot(overpass_url: str, *, timeout_s: float, progress: Progress | None) -> None:
    """Fail at once when Overpass cannot be reached; wait (briefly) when it says it is busy.

    This replaces osmnx's own slot check (``overpass_rate_limit``), which sleeps a default
    60 s whenever ``/status`` cannot be reached or read, and waits unboundedly while the
    server is busy: on a machine with no internet ``make run`` would hang for a minute.
    An unreadable status (a mirror without ``/status``, an error page) is no reason to stop:
    the query itself decides.
    """
    import requests

    try:
        with requests.get(f"{overpass_url.rstrip('/')}/status", timeout=timeout_s) as response:
            status = response.text if response.ok else ""
    except requests.RequestException as exc:
        raise NetworkUnavailable(f"cannot reach Overpass at {overpass_url}: {exc.__class__.__name__}") from exc
    free = _SLOTS_FREE.search(status)
    waits_s = [int(s) for s in _SLOT_IN.findall(status)]
    if (free is not None and int(free.group(1)) > 0) or not waits_s:
        return
    wait_s = max(0, min(waits_s))
    if wait_s > SLOT_WAIT_LIMIT_S:
        raise NetworkUnavailable(f"Overpass at {overpass_url} is busy: its next free slot is in {wait_s} s; "
                                 "try again then")
    _say(progress, f"Overpass is busy: waiting {wait_s} s for a free slot")
    time.sleep(wait_s)


def _check_answer(response: Any, *args: Any, **kwargs: Any) -> None:
    """A requests response hook: turn an Overpass answer that is no OSM data into a clear error.

    Installed through osmnx's ``requests_kwargs`` because osmnx itself retries HTTP 429 and
    504 every 55 s without end, and puts a whole HTML error page into its exception text.
    Raises :class:`NetworkUnavailable` (requests and osmnx let it through unchanged).
    """
    problem = _answer_problem(response)
    if problem is not None:
        response.close()  # nobody else will: the exception skips requests' own clean-up
        url = response.url.split("?")[0].rsplit("/", 1)[0]
        raise NetworkUnavailable(f"Overpass at {url} {problem}")


def _answer_problem(response: Any) -> str | None:
    """What is wrong with an Overpass answer, as the end of a sentence; ``None`` if nothing."""
    code = response.status_code
    if code == 429:
        wait = _retry_after_s(response.headers.get("Retry-After", ""))
        return f"is rate limiting this machine (HTTP 429): try again {'later' if wait is None else f'in {wait} s'}"
    if code >= 500:
        return f"failed (HTTP {code} {response.reason}): try again later"
    if code >= 400:
        return f"refused the query (HTTP {code} {response.reason})"
    body: bytes = response.content
    if not body or body.isspace():
        return "sent an empty answer"
    if not body[:256].lstrip().startswith(b"{"):
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        return f"sent something that is not OSM JSON ({kind})"
    remark = _REMARK.search(body[-4096:])
    if remark is not None and b"error" in remark.group(1).lower():
        # Overpass answers 200 when it runs out of time or memory part way: the data is cut short
        return f"stopped part way ({remark.group(1).decode('utf-8', 'replace').strip()}): try again later"
    return None


_REMARK = re.compile(rb'"remark"\s*:\s*"([^"]*)"')


def _retry_after_s(value: str) -> int | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), or ``None``."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, math.ceil((when - datetime.now(UTC)).total_seconds()))


def _say(progress: Progress | None, message: str) -> None:
    log.info(message)
    if progress is not None:
        progress(message)
