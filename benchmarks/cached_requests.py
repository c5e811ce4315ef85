"""What one cached request costs in-process: microseconds per request through Flask's test
client, for pages and API answers the app serves from its response cache.

Run from the repo root: ``python benchmarks/cached_requests.py`` (about 30 s). It prints
figures and asserts nothing.

Method: the app as in production (not ``TESTING``: rate limits on, here set out of reach with
``--limit``, as ``load.py`` does), offline (no street network: straight legs; the cached path
does not depend on the network). Each URL is asked once to fill the cache, then ``--runs``
times in a loop with ``Accept-Encoding: gzip``; the figure is the median over ``--repeats``
loops of the mean time per request. The test client builds a WSGI environ per request, so the
figures include that (the same for every URL): compare URLs with each other, not with a server.
``--profile URL`` prints cProfile's top functions for that URL instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from routes import create_app  # noqa: E402
from tourapp.settings import Settings  # noqa: E402

URLS = (
    "/",
    "/api/stops",
    "/api/plan?tour=montage",
    "/api/plan?stops=moshulu,italian-market",
    "/plan.gpx?stops=moshulu,italian-market",
)
HEADERS = {"Accept-Encoding": "gzip"}


def make_client(limit: str, cache_dir: Path) -> Any:
    settings = Settings(cache_dir=cache_dir, network_download=False, geocoding=False).with_overrides(
        {"ratelimit_plans": limit, "ratelimit_geocode": limit})
    return create_app({"TOURAPP_SETTINGS": settings}).test_client()


def time_url(client: Any, url: str, runs: int) -> float:
    """Mean microseconds per request over ``runs`` requests (garbage collection paused)."""
    gc.collect()
    gc.disable()
    try:
        began = time.perf_counter()
        for _ in range(runs):
            client.get(url, headers=HEADERS)
        return (time.perf_counter() - began) / runs * 1e6
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", default="1000000/second", help="TOURAPP_RATELIMIT_PLANS and _GEOCODE")
    parser.add_argument("--profile", metavar="URL", help="print cProfile's top functions for URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        client = make_client(args.limit, Path(tmp) / "cache")
        for url in URLS + ((args.profile,) if args.profile else ()):
            response = client.get(url, headers=HEADERS)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.runs):
                client.get(args.profile, headers=HEADERS)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return
        print(f"µs per cached request (median of {args.repeats} × {args.runs}; limits {args.limit}):")
        for url in URLS:
            figures = [time_url(client, url, args.runs) for _ in range(args.repeats)]
            print(f"  {statistics.median(figures):8.1f}  {url}")


if __name__ == "__main__":
    main()
