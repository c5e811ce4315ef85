"""Tours as data: which stops, in what order, one-way or loop, run or walk.

Tours live in ``data/tours.json`` so that a new tour is an edit to a data file, not to code.
They are validated against the stop catalogue at start-up: a typo in a stop id must stop the
app with a message naming the tour and the field, not surface as a 500 on one tour page.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .catalog import ID_PATTERN, ID_RULE, Catalog
from .data_files import read_data_file
from .errors import DataFileError, UnknownTour
from .plan_request import ACTIVITIES, MAX_STOPS
from .stops import StopCatalog


@dataclass(frozen=True, kw_only=True)
class Tour:
    """A named sequence of stops; ``loop`` returns to the first stop at the end."""

    id: str
    name: str
    description: str
    stop_ids: tuple[str, ...]
    loop: bool
    activity: str


#: All tours by id, in file order; ``tours[tour_id]`` raises :class:`UnknownTour` naming the known ids.
TourCatalog = Catalog[Tour]


def default_tours_path() -> Path:
    """The tours file shipped inside the package."""
    return Path(str(resources.files("tourapp") / "data" / "tours.json"))


def load_tours(stop_catalog: StopCatalog, path: Path | str | None = None) -> TourCatalog:
    """Read and validate a tours file (the packaged one by default) against the stops.

    Raises
    ------
    DataFileError
        If the file is missing or not JSON, or a tour has a missing or invalid field or names
        a stop the catalogue does not have; the message names the tour and the field.
    """
    path = Path(path) if path is not None else default_tours_path()
    raw = read_data_file(path, "tours")
    return parse_tours(raw, stop_catalog, origin=str(path))


def parse_tours(raw: Any, stop_catalog: StopCatalog, *, origin: str = "tours data") -> TourCatalog:
    """Validate the decoded JSON of a tours file and build the catalogue."""
    if not isinstance(raw, dict) or not isinstance(raw.get("tours"), list):
        raise DataFileError(f"{origin}: tours: must be a list under the top-level object")
    if not raw["tours"]:
        raise DataFileError(f"{origin}: tours: is empty; the app needs at least one tour to offer")
    tours: list[Tour] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["tours"]):
        label = f"tour #{index}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label = f"tour {item['id']!r}"
        tour = _parse_tour(f"{origin}: {label}", item, stop_catalog)
        if tour.id in seen:
            raise DataFileError(f"{origin}: {label}: id: duplicate id")
        seen.add(tour.id)
        tours.append(tour)
    return Catalog(tours, unknown=UnknownTour)


def _parse_tour(where: str, raw: Any, stops: StopCatalog) -> Tour:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: must be an object")

    def text(field: str) -> str:
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            raise DataFileError(f"{where}: {field}: must be a non-empty string, got {value!r}")
        return value

    tour_id = text("id")
    if not ID_PATTERN.fullmatch(tour_id):
        raise DataFileError(f"{where}: id: must be {ID_RULE}, got {tour_id!r}")
    stop_ids = raw.get("stop_ids")
    if not isinstance(stop_ids, list) or not stop_ids:
        raise DataFileError(f"{where}: stop_ids: must be a non-empty list, got {stop_ids!r}")
    if len(stop_ids) > MAX_STOPS:
        raise DataFileError(f"{where}: stop_ids: at most {MAX_STOPS} stops, got {len(stop_ids)}")
    for i, stop_id in enumerate(stop_ids):
        if not isinstance(stop_id, str) or stop_id not in stops:
            raise DataFileError(
                f"{where}: stop_ids[{i}]: unknown stop {stop_id!r}; known: {', '.join(stops)}"
            )
    if len(set(stop_ids)) != len(stop_ids):
        raise DataFileError(f"{where}: stop_ids: a stop is listed twice")
    loop = raw.get("loop")
    if not isinstance(loop, bool):
        raise DataFileError(f"{where}: loop: must be true or false, got {loop!r}")
    if len(stop_ids) < 2:  # the planner refuses a route of one place, loop or not
        kind = "loop" if loop else "one-way"
        raise DataFileError(f"{where}: stop_ids: a {kind} tour needs at least two stops")
    activity = raw.get("activity")
    if activity not in ACTIVITIES:
        raise DataFileError(f"{where}: activity: must be one of {', '.join(ACTIVITIES)}, got {activity!r}")
    return Tour(id=tour_id, name=text("name"), description=text("description"),
                stop_ids=tuple(stop_ids), loop=loop, activity=activity)
