"""One error family for everything a user can get wrong or the data can break.

Each subclass also inherits the builtin a caller would naturally catch, so library code
can ``except LookupError`` while the web layer maps the family to HTTP status codes.
"""

from __future__ import annotations


class TourError(Exception):
    """Root of every error the tour core raises on purpose."""


class UnknownStop(TourError, LookupError):
    """A stop id that is not in the data file."""

    def __init__(self, stop_id: str, known: list[str] | tuple[str, ...]) -> None:
        self.stop_id = stop_id
        self.known = tuple(known)
        super().__init__(f"unknown stop {stop_id!r}; known stops: {', '.join(self.known)}")

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class UnknownTour(TourError, LookupError):
    """A tour id that is not in the tours file."""

    def __init__(self, tour_id: str, known: list[str] | tuple[str, ...]) -> None:
        self.tour_id = tour_id
        self.known = tuple(known)
        super().__init__(f"unknown tour {tour_id!r}; known tours: {', '.join(self.known)}")

    def __str__(self) -> str:
        return str(self.args[0])


class BadPlan(TourError, ValueError):
    """A request for a route that cannot be honoured as asked (bad option, too many stops)."""


class DataFileError(TourError, ValueError):
    """A packaged or configured data file is malformed; the message names the record and field."""


class NetworkUnavailable(TourError, RuntimeError):
    """No street network could be loaded (no OSM file, no cache, no reachable Overpass)."""


class StopNotReachable(TourError, ValueError):
    """A stop lies too far from any walkable way, or in a part of the network cut off from the rest."""
