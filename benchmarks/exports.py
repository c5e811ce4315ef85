"""Export sizes: GPX, TCX and FIT of a route at full resolution and with ``max_points``.

Run ``.venv/bin/python benchmarks/exports.py``. Two routes:

* the ``montage`` tour as this machine plans it (with the street network of the settings,
  ``TOURAPP_OSM_FILE`` or the cache; straight legs when there is none);
* a street-following route on the real OpenStreetMap extract in ``tests/data`` (the Italian
  Market to the Moshulu and back, from a start point in Society Hill), which shows what
  real streets cost per kilometre.

For each format and ``max_points`` (none, 500, 25): points written, bytes, gzip bytes (what
the app sends a browser that accepts gzip), the farthest a dropped point lies from the
simplified line, and the time to write the file.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tourapp.formats import FORMATS  # noqa: E402
from tourapp.gpx import data_time  # noqa: E402
from tourapp.model import Route  # noqa: E402
from tourapp.plan_request import PlanRequest  # noqa: E402
from tourapp.planner import TourPlanner  # noqa: E402
from tourapp.settings import Settings  # noqa: E402
from tourapp.stops import load_stops  # noqa: E402
from tourapp.tours import load_tours  # noqa: E402

EXTRACT = REPO / "tests" / "data" / "center-city.osm.bz2"
MAX_POINTS = (None, 500, 25)


def routes() -> list[tuple[str, Route, str]]:
    stops = load_stops()
    tours = load_tours(stops)
    here = TourPlanner(Settings.from_env(), stops, tours)
    here.load_network()
    with tempfile.TemporaryDirectory() as cache:
        real = TourPlanner(Settings(cache_dir=Path(cache), osm_file=EXTRACT, network_download=False),
                           stops, tours)
        loop = real.plan(PlanRequest(stops=("italian-market", "moshulu"), start=(39.9445, -75.1480),
                                     loop=True))
    return [("montage (this machine)", here.plan(PlanRequest(tour="montage")), stops.updated),
            ("Center City loop (real OSM)", loop, stops.updated)]


def main() -> None:
    print(f"{'route':30} {'km':>6} {'format':6} {'max_points':>10} {'points':>6} {'bytes':>8} "
          f"{'gzip':>7} {'off by m':>8} {'ms':>6}")
    for label, route, updated in routes():
        street = "streets" if route.street_following else "straight legs"
        for name, fmt in FORMATS.items():
            for max_points in MAX_POINTS:
                options = fmt.options(pace_s_per_km=360.0, start_time=data_time(updated),
                                      max_points=None if max_points is None else str(max_points))
                start = time.perf_counter()
                body = fmt.write(route, options)
                elapsed_ms = (time.perf_counter() - start) * 1000
                course = options.course(route)
                print(f"{label:30} {route.length_m / 1000:6.1f} {name:6} {max_points or 'full'!s:>10} "
                      f"{len(course.points):6d} {len(body):8d} {len(gzip.compress(body, 9, mtime=0)):7d} "
                      f"{course.simplified_by_m:8.1f} {elapsed_ms:6.0f}")
        print(f"  ({street}; {len(route.points)} points, {len(route.stops)} stops)")


if __name__ == "__main__":
    main()
