"""The app's services, built in one place from settings: what the web app and the CLI share.

Both the web layer (:mod:`routes.state`) and the ``tourapp`` command call
:func:`build_services`, so both load the same data the same way and apply the same checks:
a broken data file stops start-up naming the record, and so does an OSM file that was
configured but cannot be used (someone asked for it: falling back quietly to straight lines
would hide the mistake). A missing network is not an error: the planner then draws straight
legs and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import NetworkUnavailable
from .planner import TourPlanner
from .settings import Settings
from .stops import StopCatalog, default_stops_path, load_stops
from .tours import TourCatalog, default_tours_path, load_tours


@dataclass(frozen=True, kw_only=True)
class Services:
    """The validated catalogues and the planner (network loaded), and the files they came from."""

    settings: Settings
    stops: StopCatalog
    tours: TourCatalog
    planner: TourPlanner
    stops_file: Path
    tours_file: Path


def build_services(settings: Settings, *, stops_file: Path | str | None = None,
                   tours_file: Path | str | None = None) -> Services:
    """Load and validate the data and the street network now, before any request.

    Parameters
    ----------
    settings
        Where the network comes from; ``settings.osm_file``, when set, must be usable.
    stops_file, tours_file
        Data files to use instead of the packaged ones.

    Raises
    ------
    DataFileError
        A data file is missing or malformed (the message names the record and field).
    NetworkUnavailable
        ``settings.osm_file`` is set but cannot be read.
    """
    stops_path = Path(stops_file) if stops_file else default_stops_path()
    tours_path = Path(tours_file) if tours_file else default_tours_path()
    stops = load_stops(stops_path)
    tours = load_tours(stops, tours_path)
    planner = TourPlanner(settings, stops, tours)
    planner.load_network()
    if settings.osm_file is not None and planner.network_error:
        raise NetworkUnavailable(
            f"TOURAPP_OSM_FILE={settings.osm_file} cannot be used: {planner.network_error}. "
            "Fix the path or unset it (the app then uses a cached or downloaded network)."
        )
    return Services(settings=settings, stops=stops, tours=tours, planner=planner,
                    stops_file=stops_path, tours_file=tours_path)
