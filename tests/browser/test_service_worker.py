"""The real service worker (/sw.js) in Chromium: its caches across releases, tiles, offline answers.

One server origin serves the app; a test swaps the app behind it (same data restarted, or new
data) to play a release, as a phone sees it. Caches are found by what they hold (the app shell
holds /offline, the tile cache holds tile URLs), not by the names sw.js happens to use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import MONTAGE_IDS, OTHER_IDS, REPO, TILE_HOST, serving, watch_context
from playwright.sync_api import expect

from routes import create_app
from tourapp import __version__
from tourapp.settings import Settings

pytestmark = pytest.mark.browser

#: The tile cache's promise (sw.js): at most this many tiles, the oldest dropped first, so a
#: phone's storage cannot fill up with map tiles however far the runner scrolls.
TILE_CAP = 300
#: The moshulu stop's heading in release "B" (new data): shows which cache answered.
RENAMED = "Along the docks with a tall ship (updated)"


class Site:
    """One origin (a live server) whose app can be swapped: how a phone sees a new release."""

    def __init__(self, releases: dict[str, Any]) -> None:
        self.releases = releases
        self.current = releases["a"]
        self.url = ""

    def release(self, name: str) -> None:
        """Serve release ``name`` from now on."""
        self.current = self.releases[name]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.current(environ, start_response)


def _offline_app(folder: Path, stops_file: Path | None = None) -> Any:
    config: dict[str, Any] = {
        "TESTING": True,
        "TOURAPP_SETTINGS": Settings(cache_dir=folder / "cache", network_download=False),
    }
    if stops_file is not None:
        config["TOURAPP_STOPS_FILE"] = str(stops_file)
    return create_app(config)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three releases: "a" the packaged data, "a-restarted" the same in a new process, "b" new data."""
    data = json.loads((REPO / "tourapp" / "data" / "stops.json").read_text(encoding="utf-8"))
    (moshulu,) = [stop for stop in data["stops"] if stop["id"] == "moshulu"]
    moshulu["name"] = RENAMED
    changed = tmp_path_factory.mktemp("release-b") / "stops.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    return {
        "a": _offline_app(tmp_path_factory.mktemp("release-a")),
        "a-restarted": _offline_app(tmp_path_factory.mktemp("release-a-again")),
        "b": _offline_app(tmp_path_factory.mktemp("release-b-app"), changed),
    }


@pytest.fixture(scope="module")
def origin(releases: dict[str, Any]) -> Iterator[Site]:
    site = Site(releases)
    with serving(site) as url:
        site.url = url
        yield site


@pytest.fixture()
def site(origin: Site) -> Site:
    """The origin, serving release "a" at the start of every test."""
    origin.release("a")
    return origin


@pytest.fixture()
def phone_tabs(browser: Any, tile_png: bytes) -> Iterator[tuple[Any, Any, list[Any]]]:
    """A fresh phone (no service worker yet): its page, what it did, and every request event."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    watch = watch_context(context, tile_png)
    requests: list[Any] = []
    context.on("request", lambda request: requests.append(request))
    yield context.new_page(), watch, requests
    context.close()


def _install(page: Any, url: str) -> None:
    """Visit ``url`` online and wait until the service worker has precached and took control."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _cache_names(page: Any) -> list[str]:
    return list(page.evaluate("caches.keys()"))


def _cached_urls(page: Any, name: str) -> list[str]:
    return list(page.evaluate("name => caches.open(name).then(c => c.keys()).then(k => k.map(r => r.url))", name))


def _shell_caches(page: Any, url: str) -> list[str]:
    """The caches holding the app shell (the offline page)."""
    return [name for name in _cache_names(page) if url + "/offline" in _cached_urls(page, name)]


def _tile_caches(page: Any) -> dict[str, list[str]]:
    """Every cache holding map tiles, with the tile URLs it holds."""
    found = {name: _cached_urls(page, name) for name in _cache_names(page)}
    return {name: urls for name, urls in found.items() if any(TILE_HOST in u for u in urls)}


def _update(page: Any) -> dict[str, bool]:
    """Ask the browser to check /sw.js now, as it does on a later visit; what it found."""
    return dict(page.evaluate(
        """navigator.serviceWorker.getRegistration()
             .then(r => r.update().then(() => ({installing: r.installing !== null,
                                                 waiting: r.waiting !== null})))"""
    ))


def _eventually(page: Any, predicate: str, arg: Any) -> bool:
    """Whether the async JS ``predicate(arg)`` comes true within 20 s, checked every 100 ms."""
    return bool(page.evaluate(
        f"""async arg => {{ const ok = {predicate};
             for (let i = 0; i < 200; i++) {{
               if (await ok(arg)) return true;
               await new Promise(resolve => setTimeout(resolve, 100));
             }}
             return false; }}""",
        arg,
    ))


def _view_a_map(page: Any, url: str) -> None:
    page.goto(url + "/tour/montage")
    page.wait_for_selector(".leaflet-tile-loaded")
    page.wait_for_load_state("networkidle")


def test_the_cache_is_named_after_the_app_version_and_a_restart_keeps_it(site, phone_tabs):
    page, watch, _ = phone_tabs
    _install(page, site.url + "/")
    (shell,) = _shell_caches(page, site.url)
    assert __version__ in shell

    site.release("a-restarted")  # same data, a new server process: nothing to download again
    assert _update(page) == {"installing": False, "waiting": False}
    assert _shell_caches(page, site.url) == [shell]
    assert watch.page_errors == []


def test_new_data_brings_a_new_cache_and_the_old_ones_go_but_the_tiles_stay(site, phone_tabs):
    page, watch, _ = phone_tabs
    _install(page, site.url + "/")
    _view_a_map(page, site.url)
    (shell_a,) = _shell_caches(page, site.url)
    tiles_before = _tile_caches(page)
    assert tiles_before, "viewing a map kept no tile"
    older = shell_a.replace(__version__, "0.0.1")  # left behind by an older release
    page.evaluate("""names => Promise.all(names.map(n => caches.open(n)
                       .then(c => c.put('/left-behind', new Response('old')))))""",
                  [older, "another-apps-cache"])

    site.release("b")
    _update(page)
    assert _eventually(page, "old => caches.keys().then(names => !names.includes(old))", shell_a), (
        "the new worker did not activate, or kept the old cache"
    )
    (shell_b,) = _shell_caches(page, site.url)
    assert shell_b != shell_a and __version__ in shell_b
    names = _cache_names(page)
    assert older not in names
    assert "another-apps-cache" in names, "a cache the app did not make was deleted"
    assert _tile_caches(page) == tiles_before, "the viewed tiles were dropped by the update"

    page.context.set_offline(True)
    page.goto(site.url + "/stops/moshulu")
    assert page.locator("h1").inner_text() == RENAMED
    assert watch.page_errors == []


def test_installing_fetches_no_map_tile(site, phone_tabs):
    page, watch, _ = phone_tabs
    _install(page, site.url + "/offline")  # a page without a map
    page.wait_for_load_state("networkidle")
    assert watch.tile_requests == []
    assert _tile_caches(page) == {}


def test_a_map_keeps_the_tiles_it_showed_and_no_other(site, phone_tabs):
    page, watch, requests = phone_tabs
    _install(page, site.url + "/offline")
    _view_a_map(page, site.url)
    shown = set(page.eval_on_selector_all("img.leaflet-tile-loaded", "imgs => imgs.map(i => i.src)"))
    asked = {r.url for r in requests if TILE_HOST in r.url and r.service_worker is None}
    fetched = {r.url for r in requests if TILE_HOST in r.url and r.service_worker is not None}
    (kept,) = _tile_caches(page).values()
    assert shown and shown <= set(kept), "a tile on screen was not kept for offline use"
    assert set(kept) <= asked, "the service worker kept a tile the map never asked for"
    assert fetched <= asked, "the service worker fetched a tile the map never asked for"
    assert watch.console_errors == [] and watch.page_errors == []


def test_the_tile_cache_keeps_the_newest_tiles_up_to_its_cap(site, phone_tabs):
    page, _, requests = phone_tabs
    _install(page, site.url + "/offline")
    tiles = [f"https://{TILE_HOST}/17/{38000 + i}/49600.png" for i in range(TILE_CAP + 10)]
    statuses = page.evaluate(
        """async urls => { const out = [];
             for (const u of urls) out.push((await fetch(u, {mode: "cors"})).status);
             return out; }""",
        tiles,
    )
    assert set(statuses) == {200}
    assert len([r for r in requests if r.service_worker is not None and TILE_HOST in r.url]) == len(tiles)
    _eventually(  # eviction runs after each answer: let it catch up
        page,
        """([host, cap]) => caches.keys()
             .then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))
             .then(lists => lists.some(k => k.some(r => r.url.includes(host)) && k.length <= cap))""",
        [TILE_HOST, TILE_CAP],
    )
    (kept,) = _tile_caches(page).values()
    assert kept == tiles[-TILE_CAP:], "not the newest tiles, oldest first"


def test_every_precached_url_answers_offline(site, phone_tabs):
    page, _, _ = phone_tabs
    _install(page, site.url + "/")
    (shell,) = _shell_caches(page, site.url)
    urls = [u.removeprefix(site.url) for u in _cached_urls(page, shell)]
    tour_ids = [tour["id"] for tour in site.current.test_client().get("/api/tours").get_json()["tours"]]
    for tour_id in tour_ids:
        assert {f"/tour/{tour_id}", f"/api/tours/{tour_id}", f"/tours/{tour_id}.gpx"} <= set(urls), tour_id
    assert {f"/stops/{stop_id}" for stop_id in MONTAGE_IDS + OTHER_IDS} <= set(urls)

    page.context.set_offline(True)
    answers = page.evaluate(
        "urls => Promise.all(urls.map(u => fetch(u).then(r => [u, r.status], () => [u, 'failed'])))", urls
    )
    assert [(u, status) for u, status in answers if status != 200] == []


def test_editing_plans_in_the_planner_keeps_the_plan_followed_offline(site, phone_tabs):
    """The planner asks for a new route at every edit; none of them may push out of the cache
    the plan a runner opened in tour mode before heading out."""
    page, watch, _ = phone_tabs
    followed = "stops=rail-yard,italian-market,moshulu"
    _install(page, site.url + "/")
    page.goto(f"{site.url}/tour/plan?{followed}")
    expect(page.locator("#stat-left")).not_to_have_text("–")  # its route is in
    assert _eventually(page, """async plan => {
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            if (await cache.match('/tour/plan?' + plan) && await cache.match('/api/plan?' + plan)) return true;
          }
          return false; }""", followed)

    page.goto(f"{site.url}/plan")
    ids = MONTAGE_IDS + OTHER_IDS
    edits = [f"stops={a},{b}" for a, b in zip(ids, ids[1:] + ids[:1])] + [
        f"stops={a},{b},{c}" for a, b, c in zip(ids, ids[2:] + ids[:2], ids[5:] + ids[:5])]
    edits = (edits + [f"{q}&order=shortest" for q in edits])[:30]
    statuses = page.evaluate("""async queries => { const out = [];
             for (const q of queries) out.push((await fetch('/api/plan?' + q)).status);
             return out; }""", edits)
    assert statuses == [200] * 30
    page.goto(f"{site.url}/tour/montage")  # and a page that is kept anyway, as a runner moves on

    page.context.set_offline(True)
    page.goto(f"{site.url}/tour/plan?{followed}")
    expect(page.locator(".tour-stop")).to_have_count(3)
    expect(page.locator("#stat-left")).not_to_have_text("–")  # the route line, from the cache
    kept = [url for name in _cache_names(page) for url in _cached_urls(page, name) if "/api/plan?" in url]
    assert kept == [f"{site.url}/api/plan?{followed}"], "the planner's routes were kept"
    page.context.set_offline(False)
    assert watch.page_errors == []


def test_under_a_path_prefix_the_worker_keeps_the_site_for_offline_use(browser, tile_png, tmp_path):
    """A site served at https://host/run/ (the proxy strips /run): the worker registers at
    /run/sw.js for /run/, precaches its pages and keeps a plan followed there."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.wrappers import Response

    site = DispatcherMiddleware(Response("not this site", status=404), {"/run": _offline_app(tmp_path)})
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    watch = watch_context(context, tile_png)
    page = context.new_page()
    followed = "stops=rail-yard,moshulu"
    with serving(site) as url:
        try:
            page.goto(f"{url}/run/")
            assert _eventually(page, "async () => navigator.serviceWorker.controller !== null", None), (
                "no service worker took control of the site")
            scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
            assert scope == f"{url}/run/"
            page.goto(f"{url}/run/tour/plan?{followed}")
            expect(page.locator("#stat-left")).not_to_have_text("–")
            assert _eventually(page, """async plan => {
                  for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    if (await cache.match('/run/tour/plan?' + plan) && await cache.match('/run/api/plan?' + plan)) {
                      return true;
                    }
                  }
                  return false; }""", followed)
            context.set_offline(True)
            page.goto(f"{url}/run/tour/montage")
            expect(page.locator(".tour-stop")).to_have_count(7)
            expect(page.locator("#stat-left")).not_to_have_text("–")
            page.goto(f"{url}/run/tour/plan?{followed}")
            expect(page.locator(".tour-stop")).to_have_count(2)
            expect(page.locator("#stat-left")).not_to_have_text("–")
            assert watch.page_errors == []
        finally:
            context.close()
