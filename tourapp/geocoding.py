"""Addresses to points, with OpenStreetMap's Nominatim, on the terms of its usage policy.

A planner's start or finish can be typed as an address. The public Nominatim server is run by
volunteers, and its policy (https://operations.osmfoundation.org/policies/nominatim/) asks
every application to: send a User-Agent that names it; make at most one request a second;
cache answers; and not search as the user types. So this module

- names the app and its version in the User-Agent (plus an operator contact if configured),
- keeps a bounded cache of answers (not-found included) keyed by the query with case and
  spacing normalised, so "Italian Market" and "italian  market" cost one request,
- lets one request at a time out of the machine, each at least a second after the previous
  one ended, and backs off after a 429 (see :class:`tourapp.throttle.Throttle`: ``tourapp serve``
  runs several worker processes, which agree through a locked file in the cache directory),
- refuses queries shorter than :data:`MIN_QUERY_CHARS` (the fragments search-as-you-type
  would send) and longer than :data:`MAX_QUERY_CHARS`,
- searches only inside the service area (``viewbox`` with ``bounded=1``): a runner in
  Philadelphia means Broad Street, Philadelphia, not Broad Street anywhere else.

Whatever goes wrong on the way (no network, a timeout, a 429 or 5xx, an answer that is not
Nominatim's JSON) is a :class:`GeocodingUnavailable`, so the caller shows one clear message
and the rest of the planner keeps working.

The limit holds for the processes of one machine that share a cache directory. Several
machines (or containers with separate cache directories) each keep their own second, so
together they would ask too often: send their address searches through one place that keeps
the limit -- one instance with geocoding on and the others with ``TOURAPP_GEOCODING=false``,
a rate-limiting proxy set as ``TOURAPP_GEOCODER_URL``, or a Nominatim of your own.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from geopy.adapters import AdapterHTTPError, RequestsAdapter
from geopy.exc import GeocoderRateLimited, GeocoderTimedOut, GeopyError
from geopy.geocoders import Nominatim

from . import __version__
from .errors import BadPlan, TourError
from .geodesy import BBox
from .lru import BoundedCache
from .settings import Settings
from .throttle import NoTurn, Throttle

log = logging.getLogger(__name__)

#: Shorter queries are fragments (what search-as-you-type sends), never a place.
MIN_QUERY_CHARS = 3
#: Longer queries are not addresses.
MAX_QUERY_CHARS = 200
#: Nominatim's usage policy: an absolute maximum of one request per second.
MIN_INTERVAL_S = 1.0
#: How long to stop asking after a 429 that names no ``Retry-After``.
RATE_LIMITED_PAUSE_S = 60.0
#: Answers kept per geocoder (each a few hundred bytes).
CACHE_SIZE = 1024
#: What a user reads when the service cannot answer usably (the log says why).
UNAVAILABLE = "address search is unavailable right now; pick the point on the map or use your location"
#: What a caller that cannot get a turn in time reads.
BUSY = "address search is busy; try again in a moment"


class GeocodingUnavailable(TourError, RuntimeError):
    """The address search cannot answer now (switched off, offline, slow, refusing, broken)."""


class PlaceNotFound(TourError, LookupError):
    """Nothing by that name in the service area."""

    def __init__(self, query: str) -> None:
        super().__init__(
            f"no place called {query!r} in the tour area; try a street address or a landmark "
            "in Philadelphia, or pick the point on the map"
        )

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class BadAddress(BadPlan):
    """A query that cannot be an address (too short, too long, control characters)."""


@dataclass(frozen=True)
class FoundPlace:
    """Where an address is: ``lat``/``lon`` in degrees and Nominatim's display name."""

    lat: float
    lon: float
    name: str


def user_agent(contact: str = "") -> str:
    """``montage-run/<version>`` plus the operator's contact: how Nominatim tells apps apart."""
    agent = f"montage-run/{__version__}"
    return f"{agent} (+{contact.strip()})" if contact.strip() else agent


def normalise_query(query: str) -> str:
    """The cache key: spacing collapsed, case folded ("Italian  Market" == "italian market")."""
    return " ".join(query.split()).casefold()


def check_query(query: str) -> str:
    """The query with its spacing tidied, or a :class:`BadAddress` naming what is wrong."""
    text = " ".join(query.split())
    if len(text) < MIN_QUERY_CHARS:
        raise BadAddress(
            f"an address needs at least {MIN_QUERY_CHARS} characters, got {query!r}"
        )
    if len(text) > MAX_QUERY_CHARS:
        raise BadAddress(
            f"an address may have at most {MAX_QUERY_CHARS} characters, got {len(text)}"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise BadAddress(f"an address cannot contain control characters, got {query!r}")
    return text


_throttles: dict[str, Throttle] = {}
_throttles_lock = threading.Lock()


def state_file_for(directory: Path, service_url: str) -> Path:
    """Where processes sharing ``directory`` keep their turns for one geocoding service."""
    digest = hashlib.sha256(service_url.rstrip("/").encode()).hexdigest()[:16]
    return Path(directory) / f"geocoder-{digest}.throttle"


def throttle_for(service_url: str, state_dir: Path | None = None) -> Throttle:
    """The process-wide throttle for one geocoding service: every geocoder (and app) in this
    process that talks to the same server shares it, and with ``state_dir`` so does every
    process on this machine that names the same directory. The first directory named for a
    service is the one its throttle keeps."""
    key = service_url.rstrip("/")
    with _throttles_lock:
        throttle = _throttles.setdefault(key, Throttle(MIN_INTERVAL_S))
        if throttle.state_file is None and state_dir is not None:
            throttle.state_file = state_file_for(state_dir, key)
        return throttle


class Geocoder:
    """Looks addresses up in the service area, within Nominatim's usage policy.

    Parameters
    ----------
    area
        The service area (south, west, north, east in degrees): the search's bounded viewbox,
        and a result outside it counts as not found.
    url
        ``scheme://host[:port][/prefix]`` of a Nominatim service.
    timeout_s
        Seconds to wait for an answer (and at most for this caller's turn).
    contact
        Added to the User-Agent so the service's operators can reach this server's operator.
    enabled
        ``False`` answers every lookup with :class:`GeocodingUnavailable`, without a request.
    cache_size
        Answers kept (least recently used dropped first).
    throttle
        Who decides when a request may go; by default the one this process shares for ``url``.
    state_dir
        Where the default throttle keeps the file through which every process on this machine
        naming the same directory shares the one-a-second limit (the cache directory);
        ``None``: this process keeps it alone.
    """

    def __init__(
        self,
        *,
        area: BBox,
        url: str = Settings.geocoder_url,
        timeout_s: float = Settings.geocoder_timeout_s,
        contact: str = "",
        enabled: bool = True,
        cache_size: int = CACHE_SIZE,
        throttle: Throttle | None = None,
        state_dir: Path | None = None,
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"geocoder URL must be http(s)://host[/path], got {url!r}")
        self.area = BBox(south=area.south, west=area.west, north=area.north, east=area.east)
        self.timeout_s = timeout_s
        self.enabled = enabled
        self.user_agent = user_agent(contact)
        self._nominatim = Nominatim(
            user_agent=self.user_agent,
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme,
            timeout=timeout_s,
            # No retries: geopy's default adapter retries twice and, after a 429, sleeps out
            # Retry-After inside the request -- extra requests the throttle never sees, and a
            # web worker stuck for minutes.
            adapter_factory=partial(RequestsAdapter, max_retries=0, pool_maxsize=2),
        )
        self._throttle = throttle or throttle_for(f"{parts.scheme}://{parts.netloc}{parts.path}", state_dir)
        # an answer in a one-tuple, so that a cached "not found" (None) is told from a miss
        self._cache: BoundedCache[str, tuple[FoundPlace | None]] = BoundedCache(cache_size)

    @classmethod
    def from_settings(cls, settings: Settings, *, area: BBox) -> Geocoder:
        """The geocoder the settings describe (``TOURAPP_GEOCODER_*``, ``TOURAPP_GEOCODING``),
        sharing its limit with every process that uses the same ``TOURAPP_CACHE_DIR``."""
        return cls(
            area=area,
            url=settings.geocoder_url,
            timeout_s=settings.geocoder_timeout_s,
            contact=settings.geocoder_contact,
            enabled=settings.geocoding,
            state_dir=settings.cache_dir,
        )

    def geocode(self, query: str) -> FoundPlace:
        """The best match for ``query`` inside the service area.

        Raises
        ------
        BadAddress
            The query is too short, too long or contains control characters.
        PlaceNotFound
            Nothing by that name in the area.
        GeocodingUnavailable
            Address search is switched off, busy, or the service did not answer usably.
        """
        text = check_query(query)
        if not self.enabled:
            raise GeocodingUnavailable(
                "address search is switched off on this server; pick the point on the map "
                "or use your location"
            )
        key = normalise_query(text)
        answer = self._cache.get(key)
        if answer is None:
            try:
                with self._throttle.turn(wait_limit_s=self.timeout_s + MIN_INTERVAL_S):
                    answer = self._cache.get(key)  # another thread may have asked meanwhile
                    if answer is None:
                        answer = (self._ask(text),)
                        self._cache.put(key, answer)
            except NoTurn as refused:
                raise GeocodingUnavailable(_no_turn_message(refused)) from refused
        (place,) = answer
        if place is None:
            raise PlaceNotFound(text)
        return place

    def _ask(self, text: str) -> FoundPlace | None:
        """One request to the service; the caller holds the throttle's turn."""
        area = self.area
        try:
            location = self._nominatim.geocode(
                text,
                exactly_one=True,
                viewbox=((area.south, area.west), (area.north, area.east)),
                bounded=True,
            )
            if location is None:
                return None
            # from the raw answer: geopy reads a place without coordinates as (0, 0)
            lat, lon = float(location.raw["lat"]), float(location.raw["lon"])
            name = str(location.raw.get("display_name") or text)
        except GeocoderRateLimited as exc:
            self._throttle.pause(float(exc.retry_after or RATE_LIMITED_PAUSE_S))
            log.warning("geocoder rate-limited us: %s", exc)
            raise GeocodingUnavailable(
                "address search is resting after too many requests; try again in a minute, "
                "or pick the point on the map"
            ) from exc
        except GeocoderTimedOut as exc:
            if isinstance(exc.__cause__, AdapterHTTPError):  # geopy files a 503 or 504 here
                raise GeocodingUnavailable(UNAVAILABLE) from exc
            raise GeocodingUnavailable(
                f"address search did not answer within {self.timeout_s:g} s; try again, or pick "
                "the point on the map"
            ) from exc
        except (GeopyError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("geocoder failed for %r: %s: %s", text, type(exc).__name__, exc)
            raise GeocodingUnavailable(UNAVAILABLE) from exc
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise GeocodingUnavailable("address search gave an answer that is not a place")
        if not area.contains(lat, lon):
            return None  # a server that ignores bounded=1: outside the area is not an answer
        return FoundPlace(lat=round(lat, 6), lon=round(lon, 6), name=name)


def _no_turn_message(refused: NoTurn) -> str:
    """What a user reads when the throttle gives no turn in time."""
    if refused.resting_s:  # the service asked for a pause (a 429)
        return ("address search is resting after too many requests; try again in a "
                f"{'minute' if refused.resting_s < 90 else 'few minutes'}, or pick the point on the map")
    return BUSY
