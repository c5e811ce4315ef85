"""A new deploy while a runner is mid-tour: the new service worker takes over, and nothing on
the phone is lost (issue #10, "faults survived").

One origin (the same host and port: a service worker and its storage belong to an origin)
serves release "a"; the test then swaps release "b" in behind it, as a deploy does. Release
"b" changes a script (run-record.js, which the tour page loads to keep the track), the
stylesheet and the stops data (stop 2's name), so every asset URL the pages link, the
precache list and with them /sw.js change: the phone installs a new worker with a new cache.
The phone (one Chromium context, kept for the whole test) runs with its position fed by
``set_geolocation`` and its page clock under Playwright's control; every wait is on the
page's state.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, serving, watch_context
from playwright.sync_api import expect

from routes import create_app
from routes.assets import asset_url
from tourapp.settings import Settings

pytestmark = pytest.mark.browser

PROGRESS = "montage-run:tour:montage"
#: Stop 2's name in release "b": what shows the runner is on the new release.
RENAMED = "The Italian Market (new release)"
#: What release "b" adds to run-record.js: a change the minifier keeps, so its URL changes.
NEW_CODE = '\nexport const RELEASE = "b";\n'

#: The run's recorded track (run-record.js's IndexedDB store), or null before there is one.
#: It never opens a database that does not exist: that would create it without its store.
READ_TRACK = """async (run) => {
  if (!(await indexedDB.databases()).some((db) => db.name === "montage-run")) return null;
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("montage-run");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  if (!db.objectStoreNames.contains("track")) { db.close(); return null; }
  const points = await new Promise((resolve, reject) => {
    const request = db.transaction("track").objectStore("track")
      .getAll(IDBKeyRange.bound([run, -Infinity], [run, Infinity]));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return points.map((p) => [p.t, p.lat, p.lon]);
}"""

#: Whether the worker controlling the page is the registration's active one, nothing newer
#: is waiting, and the caches are the expected shell (plus tiles), the old one gone.
UPDATED = """async ([shell, old]) => {
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration || registration.installing || registration.waiting) return false;
  if (!navigator.serviceWorker.controller || registration.active !== navigator.serviceWorker.controller) return false;
  const names = await caches.keys();
  return names.includes(shell) && !names.includes(old);
}"""


class Origin:
    """One live server whose app is swapped for a deploy: the same host and port throughout."""

    def __init__(self, releases: dict[str, Any]) -> None:
        self.releases = releases
        self.current = releases["a"]
        self.url = ""

    def deploy(self, name: str) -> None:
        self.current = self.releases[name]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.current(environ, start_response)


def _app(folder: Path, **config: Any) -> Any:
    settings = Settings(cache_dir=folder / "cache", network_download=False)
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": settings, **config})


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Origin]:
    """Release "a" (the packaged app) and "b" (new code, style and data) behind one origin."""
    new = tmp_path_factory.mktemp("release-b")
    static = new / "static"
    shutil.copytree(REPO / "static", static)
    with (static / "js" / "run-record.js").open("a", encoding="utf-8") as script:
        script.write(NEW_CODE)
    with (static / "css" / "app.css").open("a", encoding="utf-8") as style:
        style.write("\n.release-b { display: none; }\n")
    data = json.loads((REPO / "tourapp" / "data" / "stops.json").read_text(encoding="utf-8"))
    (market,) = [stop for stop in data["stops"] if stop["id"] == "italian-market"]
    market["name"] = RENAMED
    (new / "stops.json").write_text(json.dumps(data), encoding="utf-8")
    site = Origin({
        "a": _app(tmp_path_factory.mktemp("release-a")),
        "b": _app(new, STATIC_DIR=str(static), TOURAPP_STOPS_FILE=str(new / "stops.json")),
    })
    with serving(site) as url:
        site.url = url
        yield site


@pytest.fixture()
def runner(browser: Any, tile_png: bytes, origin: Origin) -> Iterator[tuple[Any, Any]]:
    """A 412×839 phone sharing its position, service workers allowed, its page clock faked."""
    origin.deploy("a")
    context = browser.new_context(viewport={"width": 412, "height": 839}, device_scale_factor=2.625,
                                  is_mobile=True, has_touch=True, service_workers="allow")
    watch = watch_context(context, tile_png)
    context.grant_permissions(["geolocation"], origin=origin.url)
    page = context.new_page()
    page.clock.install()
    yield page, watch
    context.close()


def _until(page: Any, script: str, arg: object = None, *, what: str, tries: int = 200) -> None:
    """Until the page's async script(arg) says true, polled every 100 ms (the pages' CSP
    forbids the eval that page.wait_for_function needs)."""
    for _ in range(tries):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never happened: {what}")


def _shell_cache(app: Any) -> str:
    """The cache a release's service worker keeps the app in: sw.js names it after VERSION."""
    source = app.test_client().get("/sw.js").get_data(as_text=True)
    version = re.search(r'^const VERSION = "([^"]+)";$', source, re.M)
    assert version, "/sw.js names no VERSION"
    return f"montage-run-{version.group(1)}"


def _asset(app: Any, name: str) -> str:
    """A static file's content-hashed URL in a release."""
    with app.test_request_context():
        return str(asset_url(name))


def _stops(page: Any, url: str) -> list[tuple[float, float]]:
    geojson = page.request.get(f"{url}/api/tours/montage").json()
    return [(f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
            for f in geojson["features"] if f["properties"].get("kind") == "stop"]


def _toward(a: tuple[float, float], b: tuple[float, float], metres: float) -> tuple[float, float]:
    """The point ``metres`` from a on the straight line to b (an equirectangular guess, near enough)."""
    north = (b[0] - a[0]) * 111_320
    east = (b[1] - a[1]) * 111_320 * math.cos(math.radians(a[0]))
    share = metres / math.hypot(north, east)
    return (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)


def _go(page: Any, point: tuple[float, float], *, after_s: float) -> None:
    """The runner is at ``point`` ``after_s`` seconds later."""
    page.clock.fast_forward(int(after_s * 1000))
    page.context.set_geolocation({"latitude": point[0], "longitude": point[1], "accuracy": 8})


def _seconds(clock: str) -> int:
    """ "1:02:03" or "2:03" as seconds."""
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return total


def _ready(page: Any) -> None:
    """The tour page is drawn, with its route line and the runner's position."""
    page.wait_for_selector(".tour-marker")
    expect(page.locator("#stat-left")).not_to_have_text("–")
    expect(page.locator("#next-crow")).not_to_have_text("–")


def _track(page: Any) -> list[list[float]]:
    return list(page.evaluate(READ_TRACK, PROGRESS) or [])


def test_a_deploy_with_a_new_service_worker_keeps_the_runners_progress_and_track(
    runner: tuple[Any, Any], origin: Origin
) -> None:
    page, watch = runner
    stops = _stops(page, origin.url)
    old_shell, new_shell = _shell_cache(origin.releases["a"]), _shell_cache(origin.releases["b"])
    assert old_shell != new_shell, "release b would not bring a new service worker"

    # release "a": start at stop 1, run a little of the way to stop 2, recorded on the phone
    page.context.set_geolocation({"latitude": stops[0][0], "longitude": stops[0][1], "accuracy": 8})
    page.goto(f"{origin.url}/tour/montage")
    _ready(page)
    _until(page, UPDATED, [old_shell, "none"], what="release a's service worker took control")
    page.locator("#btn-run").tap()
    expect(page.locator("#btn-run")).to_have_text("Pause")
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    for metres in (90, 180, 270):  # 3 m/s
        _go(page, _toward(stops[0], stops[1], metres), after_s=30)
    _until(page, f"async (run) => ((await ({READ_TRACK})(run)) || []).length >= 4", PROGRESS,
           what="the start and three fixes recorded")
    track = _track(page)
    progress = json.loads(page.evaluate("key => localStorage.getItem(key)", PROGRESS))
    assert progress["checked"] == ["rail-yard"] and progress["runningSince"] is not None
    clock = _seconds(page.locator("#stat-time").inner_text())
    assert clock >= 90

    # the deploy: release "b" on the same origin; the runner reloads the page
    origin.deploy("b")
    page.reload()
    _ready(page)
    _until(page, UPDATED, [new_shell, old_shell], what="release b's worker took over and the old cache went")
    expect(page.locator("#next-text")).to_have_text(f"2. {RENAMED}")  # the new release, on stop 2
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    expect(page.locator("#btn-run")).to_have_text("Pause")  # still running, not back to Start
    assert _seconds(page.locator("#stat-time").inner_text()) >= clock
    assert _track(page) == track, "the recorded track changed with the deploy"
    # the new release's files: its stylesheet, and its tour.js, whose URL covers run-record.js's
    for name, selector in (("css/app.css", "link[rel=stylesheet]"), ("js/tour.js", "script[type=module]")):
        old, new = (_asset(origin.releases[release], name) for release in ("a", "b"))
        linked = page.locator(selector).evaluate_all("els => els.map(e => e.src || e.href)")
        assert old != new and origin.url + new in linked, name

    # the tour goes on: more of the track, the clock, stop 2 checked in by position
    _go(page, _toward(stops[1], stops[0], 60), after_s=1800)  # half an hour on, 60 m short of it
    _go(page, stops[1], after_s=20)
    expect(page.locator("#stops-count")).to_have_text("2 of 7")
    expect(page.locator("#sheet-title")).to_have_text(RENAMED)
    assert _seconds(page.locator("#stat-time").inner_text()) >= clock + 1820
    _until(page, f"async ([run, n]) => ((await ({READ_TRACK})(run)) || []).length >= n",
           [PROGRESS, len(track) + 2], what="the fixes after the deploy recorded")
    after = _track(page)
    assert after[:len(track)] == track, "the points from before the deploy were not kept"
    progress = json.loads(page.evaluate("key => localStorage.getItem(key)", PROGRESS))
    assert progress["checked"] == ["rail-yard", "italian-market"]

    # offline after the update: the page, its route and the progress come from the new cache
    clock = _seconds(page.locator("#stat-time").inner_text())
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector(".tour-marker")
    expect(page.locator("#stat-left")).not_to_have_text("–")  # the route line, from the cache
    expect(page.locator("#stops-count")).to_have_text("2 of 7")
    third = page.locator(".tour-stop").nth(2).get_attribute("data-name")
    expect(page.locator("#next-text")).to_have_text(f"3. {third}")
    expect(page.locator("#btn-run")).to_have_text("Pause")
    assert _seconds(page.locator("#stat-time").inner_text()) >= clock
    assert _track(page) == after
    assert page.locator("script[src*='/js/tour.js']").get_attribute("src") == _asset(origin.releases["b"], "js/tour.js")
    assert old_shell not in page.evaluate("caches.keys()")
    page.context.set_offline(False)
    assert watch.page_errors == []
    assert watch.console_errors == []


def test_a_tour_page_left_open_through_the_update_still_finishes_offline_with_its_track(
    runner: tuple[Any, Any], origin: Origin
) -> None:
    page, watch = runner
    stops = _stops(page, origin.url)
    old_shell, new_shell = _shell_cache(origin.releases["a"]), _shell_cache(origin.releases["b"])
    page.context.set_geolocation({"latitude": stops[0][0], "longitude": stops[0][1], "accuracy": 8})
    page.goto(f"{origin.url}/tour/montage")
    _ready(page)
    _until(page, UPDATED, [old_shell, "none"], what="release a's service worker took control")
    page.locator("#btn-run").tap()
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    for metres in (90, 180):
        _go(page, _toward(stops[0], stops[1], metres), after_s=30)
    _until(page, f"async (run) => ((await ({READ_TRACK})(run)) || []).length >= 3", PROGRESS,
           what="the start and two fixes recorded")
    points = len(_track(page))

    # the deploy reaches the phone through another tab; this page stays on release "a"...
    origin.deploy("b")
    other = page.context.new_page()
    other.goto(f"{origin.url}/stops/moshulu")
    _until(other, UPDATED, [new_shell, old_shell], what="release b's worker took over and the old cache went")
    _until(page, UPDATED, [new_shell, old_shell], what="the open tour page is now the new worker's")
    assert page.locator("script[src*='/js/tour.js']").get_attribute("src") == _asset(origin.releases["a"], "js/tour.js")
    other.close()

    # ...and, with no signal, finishes the tour: the summary (loaded on demand) has the track
    page.context.set_offline(True)
    page.locator(".tour-stops summary").tap()
    for label in page.locator(".tour-stop__label").all()[1:]:
        page.clock.fast_forward(60_000)
        label.tap()
    expect(page.locator("#next-text")).to_have_text("Tour complete!")
    expect(page.locator("#finish-splits li")).to_have_count(7)
    expect(page.locator("#finish-record")).to_contain_text(f"Your track ({points} points)")
    with page.expect_download() as info:
        page.locator("#btn-track").tap()
    gpx = Path(info.value.path()).read_text(encoding="utf-8")
    assert gpx.count("<trkpt ") == points and gpx.count("<wpt ") == 7
    page.context.set_offline(False)
    assert watch.page_errors == []
