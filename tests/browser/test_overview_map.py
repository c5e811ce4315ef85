"""The overview map in real headless Chromium: markers, popups, layout, no stray requests."""

from __future__ import annotations

import pytest

from tests.conftest import TILE_HOST, save_screenshot

pytestmark = pytest.mark.browser


def _open_map(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".leaflet-marker-icon.stop-marker--montage")
    page.wait_for_load_state("networkidle")


def test_phone_map_shows_seven_numbered_montage_markers_and_the_others(phone, live_server):
    page, watch = phone
    _open_map(page, live_server + "/")
    numbers = page.locator(".stop-marker--montage").all_inner_texts()
    assert sorted(int(n) for n in numbers) == list(range(1, 8))
    assert page.locator(".stop-marker--other").count() == 4
    assert page.locator(".leaflet-tile-loaded").count() > 0
    save_screenshot(page, "overview-phone")
    assert watch.console_errors == [] and watch.page_errors == []


def test_tapping_a_marker_opens_its_popup_with_a_link_to_the_stop(phone, live_server):
    page, watch = phone
    _open_map(page, live_server + "/")
    page.locator(".stop-marker--montage", has_text="7").tap()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Montage stop 7" in popup.text_content()
    link = popup.locator("a.stop-popup__link")
    assert link.get_attribute("href") == "/stops/art-museum-steps"
    save_screenshot(page, "overview-phone-popup")
    link.tap()
    page.wait_for_url("**/stops/art-museum-steps")
    assert page.locator("h1").inner_text()
    assert watch.console_errors == [] and watch.page_errors == []


def test_no_request_leaves_the_machine_except_map_tiles(phone, live_server):
    page, watch = phone
    _open_map(page, live_server + "/")
    outside = [u for u in watch.requests if not u.startswith(live_server) and TILE_HOST not in u]
    assert outside == []
    assert watch.tile_requests, "the map asked for no tiles"


def test_the_phone_layout_has_no_horizontal_scroll_and_a_full_screen_map(phone, live_server):
    page, _ = phone
    _open_map(page, live_server + "/")
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width
    box = page.locator(".folium-map").bounding_box()
    assert box["width"] == pytest.approx(390, abs=1)
    assert box["height"] >= 844 - 56 - 1


def test_attribution_to_openstreetmap_is_visible_on_the_map(phone, live_server):
    page, _ = phone
    _open_map(page, live_server + "/")
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.is_visible()
    assert "OpenStreetMap" in attribution.inner_text()


def test_phone_tap_targets_are_at_least_44_px(phone, live_server):
    page, _ = phone
    _open_map(page, live_server + "/")
    small = page.evaluate(
        """() => [...document.querySelectorAll('.site-nav a, .stop-card, .leaflet-control-zoom a')]
              .map(el => el.getBoundingClientRect())
              .filter(r => r.width > 0 && (r.height < 44 || r.width < 44)).length"""
    )
    assert small == 0


def test_desktop_shows_the_list_beside_the_map(desktop, live_server):
    page, watch = desktop
    _open_map(page, live_server + "/")
    stop_list = page.locator(".stop-list").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert stop_list["x"] + stop_list["width"] <= map_box["x"] + 1
    assert abs(stop_list["y"] - map_box["y"]) < 2
    save_screenshot(page, "overview-desktop")
    assert watch.console_errors == [] and watch.page_errors == []


def test_a_stop_page_centres_its_map_on_the_stop(phone, live_server):
    page, watch = phone
    _open_map(page, live_server + "/stops/moshulu")
    assert page.locator(".stop-marker--current").count() == 1
    assert "Moshulu" in page.locator("h1").inner_text() or page.locator("h1").inner_text()
    save_screenshot(page, "stop-phone")
    assert watch.console_errors == [] and watch.page_errors == []
