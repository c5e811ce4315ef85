"""A read-only catalogue of records by id: the stops, the tours.

One class for both, because the rules are the same: records keep the order they were given
in, an unknown id is an error that names the id and every known one (what a user who
mistyped a link needs to see), and ``in`` answers ``False`` rather than raising.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar, overload

from .errors import DataFileError, TourError

#: The one rule for a stop's or a tour's id, wherever an id is read (data files, requests):
#: lower-case ASCII letters, digits and '-', not starting with '-', at most 64 characters.
#: Ids appear in URLs, query strings and file names, so they stay short and need no escaping.
#: Use with ``ID_PATTERN.fullmatch(text)``.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
#: How :data:`ID_PATTERN` reads in a message.
ID_RULE = "lower-case letters, digits and '-' (not first), at most 64 characters"


class Identified(Protocol):
    """Anything with an ``id``: a :class:`~tourapp.stops.Stop`, a :class:`~tourapp.tours.Tour`."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Identified)
D = TypeVar("D")
#: Builds the error for an unknown id from the id and the known ids (``UnknownStop``, ``UnknownTour``).
UnknownError = Callable[[str, tuple[str, ...]], TourError]


class Catalog(Mapping[str, T]):
    """Records by id, in the order given.

    Parameters
    ----------
    items
        The records; their ids must be unique.
    unknown
        The error raised for an unknown id, built as ``unknown(item_id, known_ids)``.

    ``catalog[item_id]`` is the lookup: it raises ``unknown`` (a :class:`LookupError` in the
    app's error family) naming the id and the known ones. ``get`` keeps the
    :class:`~collections.abc.Mapping` contract and returns the default instead.
    """

    def __init__(self, items: Iterable[T], *, unknown: UnknownError) -> None:
        self._by_id: dict[str, T] = {}
        for item in items:
            if item.id in self._by_id:
                raise DataFileError(f"id {item.id!r} appears twice")
            self._by_id[item.id] = item
        self._unknown = unknown

    def __getitem__(self, item_id: str) -> T:
        try:
            return self._by_id[item_id]
        except KeyError:
            raise self._unknown(item_id, tuple(self._by_id)) from None

    def __contains__(self, item_id: object) -> bool:
        # Mapping's default catches only KeyError; the unknown error is not one.
        return item_id in self._by_id

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    @overload
    def get(self, item_id: str, /) -> T | None: ...
    @overload
    def get(self, item_id: str, /, default: T | D) -> T | D: ...

    def get(self, item_id: str, /, default: Any = None) -> Any:
        """The record, or ``default`` for an unknown id (use ``catalog[item_id]`` to refuse it)."""
        return self._by_id.get(item_id, default)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {', '.join(self._by_id)}>"
