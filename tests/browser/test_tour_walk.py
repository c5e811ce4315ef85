"""Walking a tour on a 412×839 phone in Chromium, as a runner would on real streets with real GPS:
a route that doubles back on itself, a fix that jumps, a vague fix, a lost fix, going off
route, voice, the run's own record, and a plan of one's own followed offline (issue #9, and
tour mode from issue #8).

Positions are fed with ``context.set_geolocation``; time is Playwright's clock
(``page.clock``), moved on by as long as a runner needs between fixes. Every wait is on the
page's state, never on a fixed delay.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from helpers import GPX_XSD, save_screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EARTH_RADIUS_M = 6371008.8
#: Records what the page says aloud: speechSynthesis.speak is replaced before any script runs.
SPEECH_STUB = """
window.spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  speak: (utterance) => window.spoken.push(utterance.text), cancel: () => {}, getVoices: () => [],
}});
"""


def _runner(browser, tile_png, live_server, *, service_workers: str):
    from helpers import watch_context

    context = browser.new_context(viewport={"width": 412, "height": 839}, device_scale_factor=2.625,
                                  is_mobile=True, has_touch=True, service_workers=service_workers)
    watch = watch_context(context, tile_png)
    context.grant_permissions(["geolocation"], origin=live_server)
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    page.clock.install()
    return page, watch


@pytest.fixture()
def runner(browser, tile_png, live_server):
    """A 412×839 phone that shares its position, with the page's clock under the test's control.

    No service worker: it would fetch the route itself, past the test's stand-in routes."""
    page, watch = _runner(browser, tile_png, live_server, service_workers="block")
    yield page, watch
    page.context.close()


@pytest.fixture()
def installed_runner(browser, tile_png, live_server):
    """The same phone with the app's service worker, for what works offline."""
    page, watch = _runner(browser, tile_png, live_server, service_workers="allow")
    yield page, watch
    page.context.close()


# ---- places ---------------------------------------------------------------------------------

def _offset(point: tuple[float, float], north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    lat, lon = point
    return (lat + north_m / 111_320, lon + east_m / (111_320 * math.cos(math.radians(lat))))


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _toward(a: tuple[float, float], b: tuple[float, float], metres: float) -> tuple[float, float]:
    share = metres / _haversine_m(a, b)
    return (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)


def _stops(page, server: str, path: str) -> list[tuple[str, tuple[float, float]]]:
    geojson = page.request.get(f"{server}{path}").json()
    return [(f["properties"]["id"], (f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]))
            for f in geojson["features"] if f["properties"].get("kind") == "stop"]


def _go(page, point: tuple[float, float], *, after_s: float = 10, accuracy: float = 8) -> None:
    """The runner is at point after_s seconds later."""
    page.clock.fast_forward(int(after_s * 1000))
    page.context.set_geolocation({"latitude": point[0], "longitude": point[1], "accuracy": accuracy})


def _open(page, server: str, path: str, at: tuple[float, float]) -> None:
    page.context.set_geolocation({"latitude": at[0], "longitude": at[1], "accuracy": 8})
    page.goto(f"{server}{path}")
    page.wait_for_selector(".tour-marker")
    expect(page.locator("#stat-left")).not_to_have_text("–")  # the route is in
    expect(page.locator("#next-crow")).not_to_have_text("–")  # and the position


def _start(page) -> None:
    page.locator("#btn-run").tap()
    expect(page.locator("#btn-run")).to_have_text("Pause")


def _until(page, script: str, arg: object = None, *, tries: int = 150) -> None:
    """Until the page's async script(arg) says true (polled: the pages' CSP forbids the eval
    that page.wait_for_function needs)."""
    for _ in range(tries):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def _metres(text: str) -> float:
    number, unit = text.split()
    return float(number) * (1000 if unit == "km" else 1)


# ---- a route that doubles back (the montage's first leg, out along a street and back) -------

OUT_M, BACK_M = 600, 400


def _doubling_back(page, server: str) -> dict:
    """/api/tours/montage with a first leg that runs 600 m east of the rail yard along a street
    and 400 m back along the same street before heading on, as the real route does after stop 3
    and after the Moshulu; served to the page instead of the straight line."""
    geojson = page.request.get(f"{server}/api/tours/montage").json()
    line = geojson["features"][0]
    coords = [(lat, lon) for lon, lat in line["geometry"]["coordinates"]]
    start = coords[0]
    far = _offset(start, 0, OUT_M)
    back = _offset(start, 0, OUT_M - BACK_M)
    leg = line["properties"]["legs"][0]
    leg_points = [start, far, back, coords[1]]
    leg_length = sum(_haversine_m(a, b) for a, b in zip(leg_points, leg_points[1:]))
    line["geometry"]["coordinates"] = [[lon, lat] for lat, lon in leg_points + coords[2:]]
    line["properties"]["length_m"] += leg_length - leg["length_m"]
    leg["length_m"] = leg_length
    leg["cues"] = [
        {"instruction": "Head east on Test Street", "street": "Test Street", "turn": "start",
         "distance_m": OUT_M, "at": [start[1], start[0]]},
        {"instruction": "Turn around onto Test Street", "street": "Test Street", "turn": "uturn",
         "distance_m": BACK_M, "at": [far[1], far[0]]},
        {"instruction": "Turn left onto Long Road", "street": "Long Road", "turn": "left",
         "distance_m": leg_length - OUT_M - BACK_M, "at": [back[1], back[0]]},
        leg["cues"][-1],
    ]
    body = json.dumps(geojson)
    page.route("**/api/tours/montage", lambda route: route.fulfill(
        status=200, content_type="application/geo+json", body=body))
    return {"start": start, "far": far, "back": back}


def test_done_and_left_follow_the_runner_where_the_route_doubles_back(runner, live_server):
    page, watch = runner
    places = _doubling_back(page, live_server)
    _open(page, live_server, "/tour/montage", places["start"])
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    walk = [_toward(places["start"], places["far"], m) for m in range(35, OUT_M + 1, 35)]
    walk += [_toward(places["far"], places["back"], m) for m in range(35, BACK_M + 1, 35)]
    done = 0.0
    left = _metres(page.locator("#stat-left").inner_text())
    for step, point in enumerate(walk, 1):
        before = page.locator("#stat-done").inner_text()
        _go(page, point)
        expect(page.locator("#stat-done")).not_to_have_text(before, timeout=3000)
        now = _metres(page.locator("#stat-done").inner_text())
        assert now == pytest.approx(35 * step, abs=15), f"step {step}: done {now} m"
        assert now > done
        done = now
    assert _metres(page.locator("#stat-left").inner_text()) < left
    assert watch.console_errors == [] and watch.page_errors == []


# ---- issue #9's other bugs -------------------------------------------------------------------

def test_nothing_is_checked_in_and_no_clock_runs_until_start(runner, live_server):
    page, _ = runner
    # a runner who just finished the montage opens steps-finale, standing at its last stop
    stops = _stops(page, live_server, "/api/tours/steps-finale")
    _open(page, live_server, "/tour/steps-finale", stops[-1][1])
    _go(page, _offset(stops[-1][1], 3), after_s=5)
    page.clock.fast_forward(10_000)
    expect(page.locator("#stat-time")).to_have_text("0:00")
    assert page.locator("#stops-count").inner_text() == "0 of 3"
    assert page.locator("#btn-run").inner_text() == "Start"
    assert page.evaluate("localStorage.getItem('montage-run:tour:steps-finale')") is None
    # at the first stop, Start checks it in and starts the clock
    _go(page, stops[0][1], after_s=600)
    expect(page.locator("#next-crow")).to_have_text("0 m")
    assert page.locator("#stops-count").inner_text() == "0 of 3"
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 3")
    page.clock.fast_forward(65_000)
    expect(page.locator("#stat-time")).to_have_text(re.compile(r"^1:0\d$"))


def test_a_jump_is_held_until_a_second_fix_confirms_it(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/montage")
    _open(page, live_server, "/tour/montage", stops[0][1])
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    # one fix at the steps a second later (kilometres away): held, nothing checked in...
    steps = stops[-1][1]
    _go(page, steps, after_s=1)
    expect(page.locator("#geo-message")).to_contain_text("Your position jumped")
    # ...and dropped when the next fix is back where the runner was
    _go(page, _offset(stops[0][1], 5), after_s=2)
    expect(page.locator("#geo-message")).not_to_contain_text("jumped")
    assert page.locator("#stops-count").inner_text() == "1 of 7"
    seventh = page.locator(".tour-stop").nth(6).get_attribute("data-name")
    assert page.get_by_role("button", name=f"Stop 7: {seventh}", exact=True).count() == 1  # not visited
    # a jump that the next fix confirms (a tram, a tunnel) is taken
    _go(page, steps, after_s=1)
    expect(page.locator("#geo-message")).to_contain_text("Your position jumped")
    assert page.locator("#stops-count").inner_text() == "1 of 7"
    _go(page, _offset(steps, 3), after_s=2)
    expect(page.locator("#stops-count")).to_have_text("2 of 7")
    assert json.loads(page.evaluate("localStorage.getItem('montage-run:tour:montage')"))["checked"] == [
        "rail-yard", "art-museum-steps"]


def test_a_vague_fix_checks_nothing_in_and_says_gps_is_poor(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/montage")
    _open(page, live_server, "/tour/montage", _offset(stops[0][1], -150))
    _start(page)
    _go(page, stops[0][1], after_s=60, accuracy=500)
    expect(page.locator("#geo-message")).to_have_text(re.compile(r"^GPS is poor: ±500 m\."))
    expect(page.locator("#tour")).to_have_class(re.compile(r"\bis-stale\b"))
    assert page.locator("#stops-count").inner_text() == "0 of 7"
    _go(page, _offset(stops[0][1], 2), after_s=5, accuracy=8)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    expect(page.locator("#tour")).not_to_have_class(re.compile(r"\bis-stale\b"))


def test_a_lost_fix_is_reported_and_the_figures_marked_stale_until_one_returns(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/montage")
    _open(page, live_server, "/tour/montage", stops[0][1])
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    page.clock.fast_forward(15_000)
    assert "lost" not in page.locator("#geo-message").inner_text()
    page.clock.fast_forward(12_000)  # 27 s without a fix
    expect(page.locator("#geo-message")).to_contain_text("Position lost")
    expect(page.locator("#tour")).to_have_class(re.compile(r"\bis-stale\b"))
    save_screenshot(page, "tour-walk-position-lost")
    _go(page, _offset(stops[0][1], 20), after_s=1)
    expect(page.locator("#geo-message")).not_to_contain_text("Position lost")
    expect(page.locator("#tour")).not_to_have_class(re.compile(r"\bis-stale\b"))


def test_markers_and_the_next_stop_are_named_for_screen_readers(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/montage")
    _open(page, live_server, "/tour/montage", _offset(stops[0][1], -150))
    names = page.locator(".tour-stop").evaluate_all("items => items.map(li => li.dataset.name)")
    expect(page.get_by_role("button", name="Next stop: 1. " + names[0], exact=True)).to_be_visible()
    page.locator(".tour-stops summary").tap()
    page.locator(".tour-stop__label").nth(0).tap()
    expect(page.get_by_role("button", name=f"Stop 1: {names[0]} (visited)", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name=f"Stop 2: {names[1]}", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Next stop: 2. " + names[1], exact=True)).to_be_visible()


def test_the_arrival_card_fits_the_phone_with_every_control_and_the_runner_in_view(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/montage")
    _open(page, live_server, "/tour/montage", _offset(stops[0][1], -150))
    _start(page)
    _go(page, stops[0][1], after_s=60)
    expect(page.locator("#sheet-title")).to_have_text(page.locator(".tour-stop").nth(0).get_attribute("data-name"))
    expect(page.locator("#sheet-scene")).not_to_be_empty()
    card = page.locator("#stop-sheet").bounding_box()
    frame = page.locator(".tour-map").bounding_box()
    assert card["y"] + card["height"] <= 839 and card["height"] <= 0.5 * frame["height"] + 1
    for control in ("#sheet-visit", "#sheet-link", "#sheet-close"):
        box = page.locator(control).bounding_box()
        assert box["y"] >= card["y"] and box["y"] + box["height"] <= card["y"] + card["height"] + 0.5, control
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 412, control
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        on_top = page.evaluate("([x, y, id]) => document.elementFromPoint(x, y).closest(id) !== null",
                               [*centre, control])
        assert on_top, f"{control} is covered"
    # the runner's dot: on the map, clear of the card and of the notice, drawn above the stop markers
    dot = page.locator(".leaflet-here-pane path[fill='#0b57d0'][stroke='#fff']").bounding_box()
    notice = page.locator("#tour-notice").bounding_box()
    assert frame["y"] < dot["y"] and dot["y"] + dot["height"] < card["y"] and 0 < dot["x"] < 412 - dot["width"]
    assert notice is None or dot["y"] > notice["y"] + notice["height"], "the dot is under the notice"
    above = page.evaluate("""() => Number(getComputedStyle(document.querySelector('.leaflet-here-pane')).zIndex)
      > Number(getComputedStyle(document.querySelector('.leaflet-marker-pane')).zIndex)""")
    assert above
    save_screenshot(page, "tour-walk-arrival-card-412x839")


def test_after_the_finish_nothing_restarts_the_clock(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/steps-finale")
    _open(page, live_server, "/tour/steps-finale", _offset(stops[0][1], -150))
    _start(page)
    page.locator(".tour-stops summary").tap()
    for label in page.locator(".tour-stop__label").all():
        page.clock.fast_forward(60_000)
        label.tap()
    expect(page.locator("#next-text")).to_have_text("Tour complete!")
    run = page.locator("#btn-run")
    expect(run).to_have_text("Finished")
    expect(run).to_be_disabled()
    time = page.locator("#stat-time").inner_text()
    page.clock.fast_forward(120_000)
    assert page.locator("#stat-time").inner_text() == time
    page.reload()
    expect(page.locator("#btn-run")).to_be_disabled()
    expect(page.locator("#stat-time")).to_have_text(time)
    expect(page.locator("#finish-splits li")).to_have_count(3)


# ---- voice and off route ---------------------------------------------------------------------

def test_voice_is_off_by_default_and_speaks_turns_arrivals_and_the_finish_when_on(runner, live_server):
    page, _ = runner
    places = _doubling_back(page, live_server)
    _open(page, live_server, "/tour/montage", _offset(places["start"], -100))
    voice = page.locator("#btn-voice")
    expect(voice).to_have_attribute("aria-pressed", "false")
    _start(page)
    _go(page, places["start"], after_s=30)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    assert page.evaluate("window.spoken") == []  # off: nothing said
    voice.tap()
    expect(voice).to_have_attribute("aria-pressed", "true")
    expect(voice).to_have_text("Voice")  # its name stays: aria-pressed alone says it is on
    page.reload()  # remembered
    expect(page.locator("#btn-voice")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#stat-left")).not_to_have_text("–")
    for metres in range(25, OUT_M + 1, 25):
        _go(page, _toward(places["start"], places["far"], metres))
    expect(page.locator("#stat-done")).to_have_text("600 m")
    spoken = page.evaluate("window.spoken")
    # the turn, about 100 m before it (the first fix within 100 m) and at it, once each
    ahead = [line for line in spoken if re.fullmatch(r"In (80|90|100) m, turn around onto Test Street", line)]
    assert len(ahead) == 1 and spoken.count("Turn around onto Test Street") == 1, spoken
    assert spoken.index(ahead[0]) < spoken.index("Turn around onto Test Street")
    # arrival at a stop with its one-line scene, and the finish
    page.locator(".tour-stops summary").tap()
    labels = page.locator(".tour-stop__label").all()
    labels[1].tap()
    expect(page.locator("#stops-count")).to_have_text("2 of 7")
    scene = page.locator("#sheet-scene").text_content() or ""
    name = page.locator(".tour-stop").nth(1).get_attribute("data-name")
    for label in labels[2:]:
        label.tap()
    expect(page.locator("#next-text")).to_have_text("Tour complete!")
    spoken = page.evaluate("window.spoken")
    # said by what a runner calls the place, not by the scene's title
    arrival = next(line for line in spoken if line.startswith("Stop 2, "))
    assert arrival.startswith("Stop 2, Italian Market. ") and len(arrival) < len("Stop 2, Italian Market. ") + 200
    assert name and name not in arrival
    assert scene == "" or arrival.split(". ", 1)[1].split(".")[0] in scene
    assert spoken[-1].endswith("Tour complete!")


def test_off_route_for_fifteen_seconds_says_so_and_clears_back_on_it(runner, live_server):
    page, _ = runner
    stops = _stops(page, live_server, "/api/tours/montage")
    first, second = stops[0][1], stops[1][1]
    _open(page, live_server, "/tour/montage", first)
    page.locator("#btn-voice").tap()
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 7")
    on_route = _toward(first, second, 200)
    _go(page, on_route, after_s=40)
    # 120 m to the side of the line (it runs south-west here: north-west is to its right)
    north, east = (second[0] - first[0]) * 111_320, (second[1] - first[1]) * 111_320 * math.cos(math.radians(first[0]))
    size = math.hypot(north, east)
    off = _offset(on_route, -east / size * 120, north / size * 120)
    _go(page, off, after_s=20)
    page.clock.fast_forward(10_000)
    expect(page.locator("#tour-notice")).not_to_contain_text("Off route")  # 10 s: not yet
    _go(page, _offset(off, 0, 1), after_s=6)
    notice = page.locator("#tour-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(re.compile(r"Off route: 1[12]\d m from it"))
    spoken = page.evaluate("window.spoken")
    assert any(re.fullmatch(r"You are off route, 1[12]\d m from it\.", line) for line in spoken), spoken
    save_screenshot(page, "tour-walk-off-route")
    _go(page, _toward(first, second, 260), after_s=20)
    expect(notice).not_to_contain_text("Off route")
    assert page.evaluate("window.spoken")[-1] == "Back on route."


# ---- the run's own record --------------------------------------------------------------------

def test_the_run_is_recorded_on_the_phone_and_offered_as_gpx_with_split_times(runner, live_server):
    from lxml import etree

    page, _ = runner
    stops = [at for _, at in _stops(page, live_server, "/api/tours/steps-finale")]
    _open(page, live_server, "/tour/steps-finale", stops[0])
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 3")
    for index, (a, b) in enumerate(zip(stops, stops[1:]), 2):
        length = _haversine_m(a, b)
        for metres in [length * k / 4 for k in (1, 2, 3)] + [length]:
            _go(page, _toward(a, b, metres), after_s=length / 4 / 3)  # 3 m/s
        expect(page.locator("#stops-count")).to_have_text(f"{index} of 3")
        if index == 2:
            page.reload()  # the track and the clock survive a reload
            expect(page.locator("#btn-run")).to_have_text("Pause")
            expect(page.locator("#stat-left")).not_to_have_text("–")
    summary = page.locator("#finish-summary")
    expect(summary).to_be_visible()
    splits = page.locator("#finish-splits li")
    expect(splits).to_have_count(3)
    expect(splits.nth(0)).to_contain_text("0:00")
    save_screenshot(page, "tour-walk-finish-summary")
    with page.expect_download() as info:
        page.locator("#btn-track").tap()
    download = info.value
    assert re.fullmatch(r"montage-run-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.gpx", download.suggested_filename)
    document = etree.parse(download.path())
    etree.XMLSchema(etree.parse(str(GPX_XSD))).assertValid(document)
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    points = document.findall(".//g:trkpt", ns)
    assert len(points) >= 9  # the start and every fix on the way (four a leg)
    assert all(p.find("g:time", ns) is not None for p in points)
    times = [p.find("g:time", ns).text for p in points]
    assert times == sorted(times)
    assert len(document.findall(".//g:wpt", ns)) == 3
    assert download.url.startswith("blob:")  # made on the phone, not fetched
    # Reset erases the track with the progress
    page.locator("#btn-reset").tap()
    page.locator("#reset-confirm").tap()
    expect(page.locator("#stops-count")).to_have_text("0 of 3")
    _until(page, """() => new Promise((resolve) => {
      const open = indexedDB.open("montage-run");
      open.onsuccess = () => {
        const request = open.result.transaction("track").objectStore("track").count();
        request.onsuccess = () => resolve(request.result === 0);
      };
    })""")


# ---- location refused, site data blocked ----------------------------------------------------

#: Counts the page's live one-second timers (the clock and follow.js's tick).
TIMER_COUNT = """
window.liveTimers = new Set();
const setEvery = window.setInterval, stopEvery = window.clearInterval;
window.setInterval = function (fn, ms, ...rest) {
  const id = setEvery.call(this, fn, ms, ...rest);
  if (ms === 1000) window.liveTimers.add(id);
  return id;
};
window.clearInterval = function (id) { window.liveTimers.delete(id); return stopEvery.call(this, id); };
"""
#: Site data blocked: every touch of localStorage throws, as in a browser that blocks cookies.
NO_STORAGE = """
Object.defineProperty(window, "localStorage", {configurable: true, get() {
  throw new DOMException("The access is denied for this document.", "SecurityError");
}});
"""


def _phone(browser, tile_png, script: str):
    """A phone that has not allowed its position, with ``script`` run before the page's own."""
    from helpers import watch_context

    context = browser.new_context(viewport={"width": 412, "height": 839}, is_mobile=True, has_touch=True,
                                  service_workers="block")
    watch = watch_context(context, tile_png)
    context.add_init_script(script)
    return context.new_page(), watch


def test_tapping_start_and_centre_again_after_location_is_refused_keeps_one_ticker(browser, tile_png, live_server):
    page, watch = _phone(browser, tile_png, TIMER_COUNT)
    try:
        page.goto(f"{live_server}/tour/steps-finale")
        page.wait_for_selector(".tour-marker")
        refused = "Location is off, so the map cannot follow you."
        _start(page)
        expect(page.locator("#geo-message")).to_contain_text(refused)
        _until(page, "() => window.liveTimers.size === 2")  # the clock, and the tick for a lost fix
        for _ in range(3):
            page.locator("#geo-message").evaluate("p => { p.textContent = ''; }")
            page.locator("#btn-locate").tap()
            expect(page.locator("#geo-message")).to_contain_text(refused)  # asked again, refused again
        page.locator("#btn-run").tap()  # pause: the clock's timer goes
        expect(page.locator("#btn-run")).to_have_text("Resume")
        assert page.evaluate("window.liveTimers.size") == 1
        assert watch.page_errors == []
    finally:
        page.context.close()


def test_with_site_data_blocked_the_tour_still_draws_and_runs_without_keeping_progress(
        browser, tile_png, live_server):
    page, watch = _phone(browser, tile_png, NO_STORAGE)
    try:
        page.goto(f"{live_server}/tour/steps-finale")
        expect(page.locator(".tour-marker")).to_have_count(3)
        expect(page.locator("#stat-left")).not_to_have_text("–")  # the route is in
        page.locator("#btn-units").tap()
        expect(page.locator("#btn-units")).to_have_text("mi")
        _start(page)
        page.locator(".tour-stops summary").tap()
        page.locator(".tour-stop__label").first.tap()
        expect(page.locator("#stops-count")).to_have_text("1 of 3")
        page.locator("#btn-reset").tap()
        page.locator("#reset-confirm").tap()
        expect(page.locator("#stops-count")).to_have_text("0 of 3")
        assert watch.page_errors == []
    finally:
        page.context.close()


# ---- a plan of one's own, in tour mode -------------------------------------------------------

PLAN = "stops=rail-yard,italian-market,moshulu"


def test_a_plan_is_followed_in_tour_mode_and_offline_after_one_visit(installed_runner, live_server):
    page, watch = installed_runner
    stops = _stops(page, live_server, f"/api/plan?{PLAN}")
    assert [s for s, _ in stops] == ["rail-yard", "italian-market", "moshulu"]
    _open(page, live_server, f"/tour/plan?{PLAN}", stops[0][1])
    assert page.locator(".tour-marker").count() == 3
    _start(page)
    expect(page.locator("#stops-count")).to_have_text("1 of 3")
    stored = page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('montage-run:plan:'))")
    assert stored == [f"montage-run:plan:{PLAN}"]
    # the service worker keeps the page and its route once it controls the page
    _until(page, """async (plan) => {
          if (!navigator.serviceWorker.controller) return false;
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            if (await cache.match('/tour/plan?' + plan) && await cache.match('/api/plan?' + plan)) return true;
          }
          return false;
        }""", PLAN)
    page.context.set_offline(True)
    page.goto(f"{live_server}/tour/plan?{PLAN}")
    page.wait_for_selector(".tour-marker")
    expect(page.locator("#stops-count")).to_have_text("1 of 3")
    expect(page.locator("#stat-left")).not_to_have_text("–")  # the route line, from the cache
    second = page.locator(".tour-stop").nth(1).get_attribute("data-name")
    expect(page.locator("#next-text")).to_have_text(f"2. {second}")
    page.locator(".tour-cues summary").tap()
    expect(page.locator("#cue-list li").first).not_to_have_text("Loading the route…")
    page.context.set_offline(False)
    assert watch.page_errors == []


def test_a_damaged_plan_link_answers_400_with_the_message(runner, live_server):
    page, _ = runner
    response = page.goto(f"{live_server}/tour/plan?stops=rail-yard")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("at least two places")
