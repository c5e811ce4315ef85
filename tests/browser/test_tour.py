"""Following a tour on a phone in real Chromium: position, next stop, check-ins, progress, reset.

Positions are fed with ``context.set_geolocation``; every wait is on the page's state
(Playwright's auto-waiting assertions), never on a fixed delay. The page's clock is
Playwright's (``page.clock``): a move to a new place lets the time pass that a runner needs
to get there, since the page holds back fixes that imply an impossible speed.
"""

from __future__ import annotations

import json
import math

import pytest
from helpers import TILE_HOST, save_screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TOUR = "montage"
PROGRESS_KEY = f"montage-run:tour:{TOUR}"


def _offset(lat: float, lon: float, north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    """A point some metres north/east of another (fine for test positions a few 100 m away)."""
    return (lat + north_m / 111_320, lon + east_m / (111_320 * math.cos(math.radians(lat))))


@pytest.fixture()
def route(phone, live_server) -> dict:
    """The tour's stops (route order) and line, as the page gets them from the API."""
    page, _ = phone
    geojson = page.request.get(f"{live_server}/api/tours/{TOUR}").json()
    line = next(f for f in geojson["features"] if f["geometry"]["type"] == "LineString")
    stops = [f for f in geojson["features"] if f["properties"].get("kind") == "stop"]
    return {
        "line": [(lat, lon) for lon, lat in line["geometry"]["coordinates"]],
        "stops": [(f["properties"]["id"], *reversed(f["geometry"]["coordinates"])) for f in stops],
    }


def _ahead(route: dict, metres: float) -> tuple[float, float]:
    """A point on the route line some metres on from the first stop (on its first segment)."""
    (lat0, lon0), (lat1, lon1) = route["line"][0], route["line"][1]
    north = (lat1 - lat0) * 111_320
    east = (lon1 - lon0) * 111_320 * math.cos(math.radians(lat0))
    share = metres / math.hypot(north, east)
    return _offset(lat0, lon0, north * share, east * share)


def _go(page, lat: float, lon: float, *, after_s: float = 20, accuracy: float = 8) -> None:
    """The runner is at (lat, lon) after_s seconds later (at most ~5 m/s from the last place)."""
    page.clock.fast_forward(int(after_s * 1000))
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": accuracy})


def _open_tour(page, live_server: str) -> None:
    page.goto(f"{live_server}/tour/{TOUR}")
    page.wait_for_selector(".tour-marker")
    page.wait_for_selector(".leaflet-overlay-pane path")  # the route line has arrived
    expect(page.locator("#stat-left")).not_to_have_text("–")


def _start(page) -> None:
    """Tap Start: only then do positions check stops in and the clock run."""
    page.locator("#btn-run").tap()
    expect(page.locator("#btn-run")).to_have_text("Pause")


def _stored_progress(page) -> dict | None:
    raw = page.evaluate(f"localStorage.getItem({json.dumps(PROGRESS_KEY)})")
    return json.loads(raw) if raw else None


@pytest.fixture()
def located(phone, live_server, route):
    """The tour page on a phone that shares its position, 150 m south of the first stop."""
    page, watch = phone
    page.context.grant_permissions(["geolocation"], origin=live_server)
    _, lat, lon = route["stops"][0]
    page.context.set_geolocation(dict(zip(("latitude", "longitude"), _offset(lat, lon, -150)), accuracy=10))
    page.clock.install()
    _open_tour(page, live_server)
    return page, watch


def test_the_map_shows_the_route_and_seven_numbered_stops(located):
    page, watch = located
    numbers = page.locator(".tour-marker").all_inner_texts()
    assert [int(n) for n in numbers] == list(range(1, 8))
    assert page.locator(".leaflet-tile-loaded").count() > 0
    box = page.locator(".folium-map").bounding_box()
    assert box["width"] == pytest.approx(390, abs=1) and box["height"] > 400
    save_screenshot(page, "tour-phone")
    assert watch.console_errors == [] and watch.page_errors == []


def test_the_panel_shows_the_next_stop_its_distances_and_direction(located, route):
    page, _ = located
    expect(page.locator("#next-text")).to_have_text("1. The rail yard at dawn")
    # 150 m south of the stop: about 150 m straight, due north.
    expect(page.locator("#next-crow")).to_have_text("150 m")
    expect(page.locator("#next-direction")).to_contain_text("N")
    assert "to the north" in page.locator("#next-direction").text_content()
    assert page.locator(".leaflet-overlay-pane path").count() >= 1  # the route
    assert page.locator(".leaflet-here-pane path").count() == 2  # the position: accuracy circle and dot
    assert page.locator("#stat-done").inner_text() == "0 m"


def test_reaching_a_stop_checks_it_in_and_opens_its_card(located, route):
    page, watch = located
    _start(page)
    _, lat, lon = route["stops"][0]
    _go(page, lat, lon, after_s=40)
    expect(page.locator("#sheet-title")).to_have_text("The rail yard at dawn")
    expect(page.locator("#sheet-kind")).to_have_text("Stop 1 of 7 · montage scene 1 · visited")
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    second = page.locator(".tour-stop").nth(1).get_attribute("data-name")
    expect(page.locator("#next-text")).to_have_text(f"2. {second}")
    assert page.locator(".tour-marker.is-visited").count() == 1
    assert _stored_progress(page)["checked"] == ["rail-yard"]
    expect(page.locator("#geo-message")).to_contain_text("Checked in at stop 1, Rail yard.")  # its short name
    save_screenshot(page, "tour-phone-checked-in")
    # the news stays readable while further positions come in
    _go(page, *_ahead(route, 100))
    expect(page.locator("#stat-done")).not_to_have_text("0 m")
    expect(page.locator("#geo-message")).to_contain_text("Checked in at stop 1")
    assert watch.console_errors == [] and watch.page_errors == []


def test_moving_along_the_route_updates_distance_done_and_to_go(located, route):
    page, _ = located
    _start(page)
    _, lat, lon = route["stops"][0]
    _go(page, lat, lon, after_s=40)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    to_next_at_stop = page.locator("#next-route").inner_text()
    left_at_stop = page.locator("#stat-left").inner_text()
    _go(page, *_ahead(route, 100))
    expect(page.locator("#next-route")).not_to_have_text(to_next_at_stop)
    expect(page.locator("#stat-done")).not_to_have_text("0 m")
    assert page.locator("#stat-left").inner_text() != left_at_stop
    assert page.locator("#stops-count").inner_text() == "1 of 7"


def test_progress_survives_a_reload(located, route, live_server):
    page, _ = located
    _start(page)
    _, lat, lon = route["stops"][0]
    _go(page, lat, lon, after_s=40)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    page.locator("#btn-run").tap()  # pause
    expect(page.locator("#btn-run")).to_have_text("Resume")
    page.reload()
    page.wait_for_selector(".tour-marker")
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    expect(page.locator("#btn-run")).to_have_text("Resume")
    assert page.locator(".tour-stop__check").nth(0).is_checked()
    assert page.locator(".tour-marker.is-visited").count() == 1
    assert _stored_progress(page)["startedAt"]


def test_reset_asks_first_and_erases_only_after_yes(located, route):
    page, _ = located
    _start(page)
    _, lat, lon = route["stops"][0]
    _go(page, lat, lon, after_s=40)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    _go(page, *_ahead(route, 100))  # off the stop, so it is not checked in again

    page.locator("#btn-reset").tap()
    dialog = page.locator("#reset-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep my progress").tap()
    expect(dialog).to_be_hidden()
    assert page.locator("#stops-count").inner_text() == "1 of 7"
    assert _stored_progress(page)["checked"] == ["rail-yard"]

    page.locator("#btn-reset").tap()
    dialog.get_by_role("button", name="Erase progress").tap()
    expect(page.locator("#stops-count")).to_have_text("0 of 7")
    assert _stored_progress(page) is None
    assert page.locator(".tour-marker.is-visited").count() == 0


def test_units_switch_to_miles_and_stay_switched(located, live_server):
    page, _ = located
    page.locator("#btn-units").tap()
    expect(page.locator("#stat-left")).to_contain_text("mi")
    # the spoken name starts with what is shown (WCAG 2.5.3, label in name)
    assert page.locator("#btn-units").get_attribute("aria-label").startswith("mi: switch units")
    page.reload()
    page.wait_for_selector(".leaflet-overlay-pane path")
    expect(page.locator("#stat-left")).to_contain_text("mi")


def test_denied_location_says_so_and_stops_can_still_be_ticked_by_tapping(phone, live_server):
    page, watch = phone
    page.context.clear_permissions()
    _open_tour(page, live_server)
    page.locator("#btn-locate").tap()
    expect(page.locator("#geo-message")).to_contain_text("Location is off")
    page.locator(".tour-marker", has_text="2").tap()
    expect(page.locator("#sheet-title")).to_have_text(page.locator(".tour-stop").nth(1).get_attribute("data-name"))
    page.locator("#sheet-visit").tap()
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    expect(page.locator("#sheet-visit")).to_have_text("Visited ✓ (untick)")
    # ... and from the list, without the map.
    page.locator(".tour-stops summary").tap()
    page.locator(".tour-stop__label").nth(0).tap()
    expect(page.locator("#stops-count")).to_have_text("2 of 7")
    third = page.locator(".tour-stop").nth(2).get_attribute("data-name")
    expect(page.locator("#next-text")).to_have_text(f"3. {third}")
    save_screenshot(page, "tour-phone-no-location")
    assert watch.console_errors == [] and watch.page_errors == []


def test_without_tiles_the_route_stops_and_a_notice_still_show(phone, live_server):
    page, _ = phone
    page.context.route(f"**/{TILE_HOST}/**", lambda route: route.abort())
    _open_tour(page, live_server)
    expect(page.locator("#tour-notice")).to_contain_text("No map background")
    assert page.locator(".tour-marker").count() == 7
    assert page.locator(".leaflet-tile-loaded").count() == 0
    save_screenshot(page, "tour-phone-no-tiles")
    # the signal comes back: new tiles load and the notice goes
    page.context.unroute(f"**/{TILE_HOST}/**")
    page.evaluate("window[document.getElementById('tour').dataset.map].setZoom(15, {animate: false})")
    page.wait_for_selector(".leaflet-tile-loaded")
    expect(page.locator("#tour-notice")).not_to_contain_text("No map background")


@pytest.mark.parametrize("width", [375, 430])
def test_no_horizontal_scroll_and_the_controls_sit_within_thumb_reach(phone, live_server, width):
    page, _ = phone
    page.set_viewport_size({"width": width, "height": 740})
    _open_tour(page, live_server)
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width
    for control in ["#btn-run", "#btn-locate", "#btn-units", "#btn-reset"]:
        box = page.locator(control).bounding_box()
        assert box["y"] > 740 / 2, control  # the lower half of the screen
        assert box["height"] >= 44 and box["width"] >= 44, control


def test_every_control_is_labelled_and_big_enough_to_tap(phone, live_server):
    page, _ = phone
    _open_tour(page, live_server)
    page.locator(".tour-stops summary").tap()
    unlabelled, small = page.evaluate(
        """() => {
          const selector = '.tour-panel button, .tour-panel summary, .tour-stop__label, .tour-panel a';
          const controls = [...document.querySelectorAll(selector)]
            .filter(el => el.getClientRects().length);
          const name = el => (el.getAttribute('aria-label') || el.textContent).trim();
          return [controls.filter(el => !name(el)).map(el => el.outerHTML),
                  controls.map(el => [el.outerHTML.slice(0, 60), el.getBoundingClientRect()])
                          .filter(([, r]) => r.height < 44).map(([html]) => html)];
        }"""
    )
    assert unlabelled == [] and small == []


def test_the_tour_page_sends_no_request_off_the_machine_except_tiles(phone, live_server):
    page, watch = phone
    _open_tour(page, live_server)
    page.wait_for_load_state("networkidle")
    outside = [u for u in watch.requests if not u.startswith(live_server) and TILE_HOST not in u]
    assert outside == []
    assert watch.console_errors == [] and watch.page_errors == []


def test_directions_follow_the_units_and_straight_legs_are_flagged(phone, live_server):
    page, watch = phone
    _open_tour(page, live_server)  # the test server has no street data: straight legs
    expect(page.locator("#tour-notice")).to_contain_text("Straight lines between stops")
    page.locator(".tour-cues summary").tap()
    first = page.locator("#cue-list li").first
    expect(first).to_contain_text("in a direct line")
    expect(first).to_contain_text(" km")
    assert page.locator("#cue-list li.tour-cues__arrive").count() == 6  # one per leg
    page.locator("#btn-units").tap()
    expect(first).to_contain_text(" mi")
    assert page.locator(".tour-cues a").get_attribute("href") == f"/tours/{TOUR}/cues"
    assert watch.console_errors == [] and watch.page_errors == []


#: A plan whose last two stops are a few dozen metres apart: the Rocky statue stands at the
#: foot of the Art Museum steps, so at city zoom their markers would cover each other.
CLOSE_STOPS = "/tour/plan?stops=italian-market,rocky-statue,art-museum-steps"
_MAP = "window[document.getElementById('tour').dataset.map]"

#: Each marker with the points of the 24 px square at its centre where the topmost marker is
#: another one (WCAG 2.5.8: a target needs 24 px of its own). The map's notices lie over the
#: map too; they are not targets, so only markers count here.
_COVERED = """() => [...document.querySelectorAll('.tour-marker')].map((marker) => {
  const box = marker.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const covered = [];
  for (const dx of [-12, -6, 0, 6, 12]) for (const dy of [-12, -6, 0, 6, 12]) {
    const hit = document.elementsFromPoint(x + dx, y + dy).map((el) => el.closest('.tour-marker')).find(Boolean);
    if (hit !== marker) covered.push([dx, dy, hit && hit.ariaLabel]);
  }
  return [marker.getAttribute('aria-label'), covered];
})"""

#: How far (px) each marker's centre is from its stop's place on the map.
_DISPLACED = f"""() => {{
  const map = {_MAP}, frame = map.getContainer().getBoundingClientRect();
  return [...document.querySelectorAll('.tour-stop')].map((li, i) => {{
    const box = document.querySelectorAll('.tour-marker')[i].getBoundingClientRect();
    const at = map.latLngToContainerPoint([Number(li.dataset.lat), Number(li.dataset.lon)]);
    return Math.hypot(box.left + box.width / 2 - frame.left - at.x, box.top + box.height / 2 - frame.top - at.y);
  }});
}}"""


def _zoom_by(page, step: int) -> None:
    """Tap the map's zoom button and wait until the zoom has ended (markers redrawn)."""
    page.evaluate(f"() => {{ window.zoomed = new Promise((done) => {_MAP}.once('zoomend', done)); }}")
    page.locator(".leaflet-control-zoom-in" if step > 0 else ".leaflet-control-zoom-out").tap()
    page.evaluate("window.zoomed")


def test_stops_a_few_metres_apart_each_keep_a_whole_marker_to_tap(phone, live_server):
    page, watch = phone
    page.set_viewport_size({"width": 412, "height": 839})  # Lighthouse's phone
    page.goto(live_server + CLOSE_STOPS)
    page.wait_for_selector(".leaflet-overlay-pane path")  # the route line has arrived
    assert page.locator(".tour-marker").count() == 3
    zoom = page.evaluate(f"{_MAP}.getZoom()")
    covered = page.evaluate(_COVERED)
    assert [label for label, points in covered if points] == [], covered
    # the statue's marker is moved off the steps' (or the other way), a line back to its place
    assert max(page.evaluate(_DISPLACED)) > 20
    save_screenshot(page, "tour-phone-close-stops")
    # tapping stop 2 opens stop 2, not the stop drawn next to it
    page.locator(".tour-marker", has_text="2").tap()
    expect(page.locator("#sheet-title")).to_have_text(page.locator(".tour-stop").nth(1).get_attribute("data-name"))
    page.locator("#sheet-close").tap()

    _zoom_by(page, -1)
    assert page.evaluate(f"{_MAP}.getZoom()") == zoom - 1
    covered = page.evaluate(_COVERED)
    assert [label for label, points in covered if points] == [], covered

    # zoomed in to street level the stops are far enough apart: every marker is on its place
    while page.evaluate(f"{_MAP}.getZoom() < {_MAP}.getMaxZoom()"):
        _zoom_by(page, 1)
    # the markers settle once Leaflet has finished moving them after the last zoom step
    page.wait_for_function(f"() => Math.max(...({_DISPLACED})()) < 1", timeout=5000)
    assert watch.console_errors == [] and watch.page_errors == []


#: Each marker where something else (the map's notice) is topmost at its centre or at the edge
#: of the 24 px square around it (WCAG 2.5.8): a tap there does not reach the marker.
_HIDDEN_CENTRES = """() => [...document.querySelectorAll('.tour-marker')].filter((marker) => {
  const box = marker.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  return [[0, 0], [0, -12], [0, 12], [-12, 0], [12, 0]]
    .some(([dx, dy]) => !marker.contains(document.elementFromPoint(x + dx, y + dy)));
}).map((marker) => marker.getAttribute('aria-label'))"""


@pytest.mark.parametrize("tiles", ["loaded", "failed"])
def test_the_notice_over_the_map_leaves_every_stop_free_to_tap(phone, live_server, tiles):
    page, watch = phone
    page.set_viewport_size({"width": 412, "height": 839})  # Lighthouse's phone
    if tiles == "failed":
        page.context.route(f"**/{TILE_HOST}/**", lambda route: route.abort())
    page.goto(live_server + CLOSE_STOPS)
    page.wait_for_selector(".leaflet-overlay-pane path")  # the route line has arrived
    notice = page.locator("#tour-notice")
    expect(notice).to_contain_text("Straight lines between stops")  # the test server has no street data
    if tiles == "failed":
        expect(notice).to_contain_text("No map background")
    assert page.evaluate(_HIDDEN_CENTRES) == []
    save_screenshot(page, f"tour-phone-notice-tiles-{tiles}")
    assert watch.page_errors == []
