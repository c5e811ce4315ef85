"""The installable, offline-first app in real Chromium: install criteria, service worker, offline."""

from __future__ import annotations

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, TILE_HOST, save_screenshot, watch_context

pytestmark = pytest.mark.browser


def _wait_for_service_worker(page) -> None:
    """Until the service worker is active (its precache is complete) and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


@pytest.fixture()
def installed(phone, live_server):
    """A phone that visited the home page once online: the app shell is now precached."""
    page, watch = phone
    page.goto(live_server + "/")
    _wait_for_service_worker(page)
    return page, watch


def test_chromium_reports_no_installability_errors(playwright_instance, tmp_path, tile_png, live_server):
    # Incognito contexts always report "in-incognito": installability needs a persistent profile.
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        watch = watch_context(context, tile_png)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda msg: msg.type == "error" and watch.console_errors.append(msg.text))
        page.goto(live_server + "/")
        _wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert manifest.get("errors", []) == []
        assert watch.console_errors == []
    finally:
        context.close()


def test_the_service_worker_registers_with_root_scope_and_controls_the_page(installed, live_server):
    page, watch = installed
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == live_server + "/"
    cache_names = page.evaluate("caches.keys()")
    assert any(name.startswith("montage-run-0") for name in cache_names), cache_names
    assert watch.console_errors == [] and watch.page_errors == []


def test_after_one_visit_the_tour_page_works_offline(installed, live_server):
    page, watch = installed
    page.context.set_offline(True)
    page.goto(live_server + "/tour/montage")
    page.wait_for_selector(".tour-marker")
    assert page.locator(".tour-marker").count() == 7
    page.wait_for_selector(".leaflet-overlay-pane path")  # the route line, from the cached GeoJSON
    assert "montage" in page.locator("h1").inner_text().lower()
    save_screenshot(page, "tour-offline-phone")
    assert watch.page_errors == []


def test_after_one_visit_a_stop_page_works_offline(installed, live_server):
    page, _ = installed
    page.context.set_offline(True)
    response = page.goto(live_server + "/stops/moshulu")
    assert response.ok
    assert page.locator("h1").inner_text() == "Along the docks with a tall ship"
    assert "Moshulu" in page.locator(".stop-detail").inner_text()


def test_after_one_visit_the_stops_api_and_a_gpx_download_work_offline(installed, live_server):
    page, _ = installed
    page.context.set_offline(True)
    stops = page.evaluate("fetch('/api/stops').then(r => r.json())")
    assert len(stops["features"]) == 11
    status, gpx = page.evaluate(
        "fetch('/tours/montage.gpx').then(async r => [r.status, await r.text()])"
    )
    assert status == 200
    assert "<gpx" in gpx and "</gpx>" in gpx


def test_an_uncached_page_offline_shows_the_offline_page(installed, live_server):
    page, _ = installed
    page.context.set_offline(True)
    page.goto(live_server + "/never-visited")
    assert page.locator("h1").inner_text() == "You are offline"
    assert page.locator('.error a[href="/tour/montage"]').count() == 1


def test_a_viewed_map_tile_is_kept_for_offline_use_and_nothing_is_prefetched(installed, live_server):
    page, watch = installed
    page.goto(live_server + "/tour/montage")
    page.wait_for_selector(".leaflet-tile-loaded")
    page.wait_for_load_state("networkidle")
    cached = page.evaluate(
        "caches.open('montage-run-tiles-cors').then(c => c.keys()).then(k => k.map(r => r.url))"
    )
    assert cached, "no tile was cached"
    assert all(TILE_HOST in url for url in cached)
    # Only tiles the map asked for: the service worker fetched nothing on its own.
    assert len(cached) <= len(set(watch.tile_requests))
    outside = [u for u in watch.requests if not u.startswith(live_server) and TILE_HOST not in u]
    assert outside == []
    assert watch.console_errors == [] and watch.page_errors == []
