"""The overview map in real headless Chromium: markers, popups, layout, no stray requests."""

from __future__ import annotations

import pytest
from helpers import TILE_HOST, save_screenshot

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


_VISIBLE_MARKER_BOXES = """() => [...document.querySelectorAll('.leaflet-marker-icon.stop-marker')]
    .filter(el => el.getClientRects().length)
    .map(el => {
      const r = el.getBoundingClientRect();
      return [el.textContent, r.x + r.width / 2, r.y + r.height / 2, r.width];
    })"""


def _closest_pair_px(boxes) -> float:
    return min(
        ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5
        for i, (_, ax, ay, _) in enumerate(boxes) for (_, bx, by, _) in boxes[i + 1:]
    )


def test_markers_never_cover_each_other_and_zooming_in_shows_the_hidden_ones(phone, live_server):
    page, _ = phone
    _open_map(page, live_server + "/")
    boxes = page.evaluate(_VISIBLE_MARKER_BOXES)
    assert sorted(int(text) for text, *_ in boxes if text.isdigit()) == list(range(1, 8))
    size = max(width for *_, width in boxes)
    assert size >= 24  # WCAG 2.5.8's minimum target
    assert _closest_pair_px(boxes) >= size  # no marker covers part of another
    hidden = page.locator(".stop-marker.is-crowded").count()
    assert hidden >= 1  # the Rocky statue stands by the museum steps
    page.evaluate("map_overview.setView([39.96497, -75.1795], 18, {animate: false})")
    page.wait_for_function(f"() => document.querySelectorAll('.stop-marker.is-crowded').length < {hidden}")


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


def test_on_a_stop_page_its_own_marker_stays_on_top_of_a_neighbour(phone, live_server):
    page, _ = phone
    _open_map(page, live_server + "/stops/rocky-statue")
    boxes = page.evaluate(_VISIBLE_MARKER_BOXES)
    assert page.locator(".stop-marker--current:not(.is-crowded)").count() == 1
    assert _closest_pair_px(boxes) >= max(width for *_, width in boxes)
