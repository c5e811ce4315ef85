"""Taking turns at a rate-limited service, across the threads and processes of one machine.

A service may allow only so many calls (Nominatim: one a second, and a pause after a 429).
``tourapp serve`` runs several worker processes, each with threads, so the turn is kept in
two places: a lock for this process's threads, and an ``flock``-ed state file (in the cache
directory) holding the clock reading before which the next call may not start, for the other
processes. A caller that would wait too long is refused with :class:`NoTurn` rather than
queued, and the caller (the geocoder) decides what the user reads.
"""

from __future__ import annotations

import fcntl
import functools
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import TourError

log = logging.getLogger(__name__)

#: Seconds between tries for the file lock while another process holds the turn.
LOCK_POLL_S = 0.01


class NoTurn(TourError, RuntimeError):
    """No turn within the caller's wait limit.

    ``resting_s`` is how much longer the service asked everyone to wait (after a 429), or
    ``0.0`` when the turns of callers ahead took the time.
    """

    def __init__(self, resting_s: float = 0.0) -> None:
        self.resting_s = resting_s
        super().__init__(f"resting for {resting_s:.0f} s more" if resting_s else "busy: other callers hold the turn")


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
        min_interval_s: float,
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
        """Wait for this caller's turn (at most ``wait_limit_s``) and hold it for one call.

        Raises
        ------
        NoTurn
            The turn would come later than ``wait_limit_s`` from now.
        """
        deadline_s = self._clock() + max(wait_limit_s, 0.0)
        if not self._lock.acquire(timeout=max(wait_limit_s, 0.0)):
            raise NoTurn()
        try:
            fd = self._lock_state_file(deadline_s)
            try:
                if fd is not None:
                    self._next_s = max(self._next_s, self._read_state(fd))
                now_s = self._clock()
                wait_s = self._next_s - now_s
                if wait_s > deadline_s - now_s and wait_s > self.min_interval_s:  # a 429's back-off
                    raise NoTurn(resting_s=wait_s)
                if wait_s > deadline_s - now_s:  # others' turns took the time this caller had
                    raise NoTurn()
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
                    raise NoTurn() from None
                self._sleep(min(LOCK_POLL_S, left_s))
            except OSError as exc:  # e.g. ENOLCK on a network file system without locks
                os.close(fd)
                self._fall_back(path, exc)
                return None

    def _fall_back(self, path: Path | None, exc: OSError) -> None:
        if not self._warned:
            self._warned = True
            log.warning(
                "cannot share the call limit with other processes through %s (%s); "
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
