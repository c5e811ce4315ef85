"""Addresses to points, with OpenStreetMap's Nominatim, on the terms of its usage policy.

A planner's start or finish can be typed as an address. The public Nominatim server is run by
volunteers, and its policy (https://operations.osmfoundation.org/policies/nominatim/) asks
every application to: send a User-Agent that names it; make at most one request a second;
cache answers; and not search as the user types. So this module

- names the app and its version in the User-Agent (plus an operator contact if configured),
- keeps a bounded cache of answers (not-found included) keyed by the query with case and
  spacing normalised, so "Italian Market" and "italian  market" cost one request,
- lets one request at a time out of the machine, each at least a second after the previous
  one ended, and backs off after a 429 (see :class:`Throttle`: ``tourapp serve`` runs several
  worker processes, which agree through a locked file in the cache directory),
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

import fcntl
import functools
import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from geopy.adapters import AdapterHTTPError, RequestsAdapter
from geopy.exc import GeocoderRateLimited, GeocoderTimedOut, GeopyError
from geopy.geocoders import Nominatim

from . import __version__
from .errors import BadPlan, TourError
from .lru import BoundedCache
from .plan_request import Area
from .settings import Settings

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
#: Seconds between tries for the file lock while another process holds the turn.
LOCK_POLL_S = 0.01
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


def system_clock() -> float:
    """Seconds on the machine's monotonic clock: what every process's throttle reads.

    ``CLOCK_MONOTONIC`` is one clock for every process on a Linux machine (``time.monotonic``
    documents no such thing), so a reading written by one worker means the same in another.
    And no wall-clock step moves it: with ``time.time()``, NTP or an operator setting the clock
    forward would let a request out early, and setting it back would stop address search for
    as long. It starts again at boot, so stored readings carry the :func:`boot_id`.
    """
    return time.clock_gettime(time.CLOCK_MONOTONIC)


@functools.cache
def boot_id() -> str:
    """Which boot of this machine it is (Linux); ``""`` where the system does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return ""


class Throttle:
    """One call at a time, each starting at least ``min_interval_s`` after the previous ended.

    Measuring from the end (not the start) of the previous call keeps the gap at the
    server at least ``min_interval_s`` however long the network takes. Callers that would
    wait longer than ``wait_limit_s`` for their turn are refused rather than queued, so a
    burst of users cannot tie up every web worker.

    Threads take turns through a lock. Processes (gunicorn's workers) take turns through
    ``state_file``: a caller holds an exclusive ``flock`` on it for its whole turn, and it
    holds the clock reading before which the next call may not start -- a second after the
    last call ended, or the end of a 429's back-off -- so every process keeps to one limit.
    Without a ``state_file``, or when it cannot be created or locked (a read-only cache
    directory, a file system without locks), the limit holds within this process only, which
    is logged once.

    Parameters
    ----------
    min_interval_s
        The least gap, in seconds, between the end of one call and the start of the next.
    clock, sleep
        Time in seconds and the way to wait; ``clock`` must read one clock for every process
        that shares ``state_file`` (as :func:`system_clock` does).
    state_file
        The file every process sharing the limit names; created (with its directory) on first
        use. A process must not inherit another's open descriptor of it: each turn opens it.
    """

    def __init__(
        self,
        min_interval_s: float = MIN_INTERVAL_S,
        *,
        clock: Callable[[], float] = system_clock,
        sleep: Callable[[float], None] = time.sleep,
        state_file: Path | None = None,
    ) -> None:
        self.min_interval_s = min_interval_s
        self.state_file = state_file
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_s = -math.inf  # the clock reading before which no call may start
        self._warned = False  # about a state file that cannot be used

    @contextmanager
    def turn(self, *, wait_limit_s: float) -> Iterator[None]:
        """Wait for this caller's turn (at most ``wait_limit_s``) and hold it for one call."""
        deadline_s = self._clock() + max(wait_limit_s, 0.0)
        if not self._lock.acquire(timeout=max(wait_limit_s, 0.0)):
            raise GeocodingUnavailable(BUSY)
        try:
            fd = self._lock_state_file(deadline_s)
            try:
                if fd is not None:
                    self._next_s = max(self._next_s, self._read_state(fd))
                now_s = self._clock()
                wait_s = self._next_s - now_s
                if wait_s > deadline_s - now_s and wait_s > self.min_interval_s:  # a 429's back-off
                    raise GeocodingUnavailable(
                        "address search is resting after too many requests; try again in a "
                        f"{'minute' if wait_s < 90 else 'few minutes'}, or pick the point on the map"
                    )
                if wait_s > deadline_s - now_s:  # others' turns took the time this caller had
                    raise GeocodingUnavailable(BUSY)
                if wait_s > 0:
                    self._sleep(wait_s)
                try:
                    yield
                finally:
                    self._next_s = max(self._next_s, self._clock() + self.min_interval_s)
                    if fd is not None:
                        self._write_state(fd)
            finally:
                if fd is not None:
                    os.close(fd)  # which releases the flock
        finally:
            self._lock.release()

    def pause(self, seconds: float) -> None:
        """No call before ``seconds`` from now (the server asked us to slow down).

        Called by the holder of the current turn, so it needs no lock of its own; the end of
        the turn writes it to the state file for the other processes.
        """
        self._next_s = max(self._next_s, self._clock() + seconds)

    def _lock_state_file(self, deadline_s: float) -> int | None:
        """The state file's descriptor, flock-ed for this turn; ``None`` if there is no usable file.

        ``flock`` cannot time out, so a caller tries without blocking until ``deadline_s``
        (turns last about a second, so polling costs little).
        """
        path = self.state_file
        if path is None:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            self._fall_back(path, exc)
            return None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                left_s = deadline_s - self._clock()
                if left_s <= 0:
                    os.close(fd)
                    raise GeocodingUnavailable(BUSY) from None
                self._sleep(min(LOCK_POLL_S, left_s))
            except OSError as exc:  # e.g. ENOLCK on a network file system without locks
                os.close(fd)
                self._fall_back(path, exc)
                return None

    def _fall_back(self, path: Path | None, exc: OSError) -> None:
        if not self._warned:
            self._warned = True
            log.warning(
                "cannot share the geocoder's one-request-a-second limit through %s (%s); "
                "keeping to it in this process only", path, exc,
            )

    def _read_state(self, fd: int) -> float:
        """The stored next-call reading, or ``-inf`` if there is none this boot (or it is garbage)."""
        try:
            fields = dict(
                item.partition("=")[::2] for item in os.pread(fd, 512, 0).decode("ascii").split()
            )
            written_s, next_s = float(fields["written_s"]), float(fields["next_s"])
        except (OSError, UnicodeDecodeError, KeyError, ValueError):
            return -math.inf
        if fields.get("boot") != boot_id() or not written_s <= self._clock() or not math.isfinite(next_s):
            return -math.inf  # written before a reboot (the clock has started again), or damaged
        return next_s

    def _write_state(self, fd: int) -> None:
        state = f"boot={boot_id()} written_s={self._clock()!r} next_s={self._next_s!r}\n".encode("ascii")
        try:
            os.pwrite(fd, state, 0)
            os.ftruncate(fd, len(state))
        except OSError as exc:  # a full disk: this process still keeps the limit
            self._fall_back(self.state_file, exc)


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
        throttle = _throttles.setdefault(key, Throttle())
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
        area: Area,
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
        self.area = area
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
    def from_settings(cls, settings: Settings, *, area: Area) -> Geocoder:
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
            with self._throttle.turn(wait_limit_s=self.timeout_s + MIN_INTERVAL_S):
                answer = self._cache.get(key)  # another thread may have asked meanwhile
                if answer is None:
                    answer = (self._ask(text),)
                    self._cache.put(key, answer)
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
        if not (area.south <= lat <= area.north and area.west <= lon <= area.east):
            return None  # a server that ignores bounded=1: outside the area is not an answer
        return FoundPlace(lat=round(lat, 6), lon=round(lon, 6), name=name)
