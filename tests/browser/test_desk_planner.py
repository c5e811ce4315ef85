"""The planner at a desk and the plan on a phone, in real Chromium.

Build a plan by clicking, watch the totals change, reorder with the keyboard, share the link,
read the QR code off the screen, follow the plan in tour mode on a phone, print it.
Every wait is on the page's state (Playwright's auto-waiting assertions), never a fixed delay.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import MONTAGE_IDS, OTHER_IDS, save_screenshot, watch_context
from playwright.sync_api import expect

from routes.assets import asset_url
from tourapp.plan_request import ACTIVITIES, ORDERS, UNITS, PlanRequest

pytestmark = pytest.mark.browser

#: Three stops far apart at the planner's first zoom, so each marker is clear to click.
PICKS = ("moshulu", "italian-market", "stone-arch-bridge")


@pytest.fixture()
def phone_412(browser: Any, tile_png: bytes) -> Iterator[tuple[Any, Any]]:
    """A 412×839 Android-size touch phone whose tile requests are stubbed."""
    context = browser.new_context(viewport={"width": 412, "height": 839}, device_scale_factor=2.625,
                                  is_mobile=True, has_touch=True)
    watch = watch_context(context, tile_png)
    yield context.new_page(), watch
    context.close()


def _name(page, stop_id: str) -> str:
    return page.locator(f".plan-stop[data-stop-id='{stop_id}'] .plan-stop__name > span:last-child").inner_text()


def _order(page) -> list[str]:
    return page.locator("#plan-order li").evaluate_all("items => items.map(li => li.dataset.stopId)")


def _checked(page) -> list[str]:
    return page.locator(".plan-stop__check:checked").evaluate_all("boxes => boxes.map(b => b.value)")


def _decode_qr(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, "no QR code on the screenshot"
    return results[0].text


def _pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _build_plan(page, live_server: str) -> str:
    """Click two markers, tick a third stop, move it up with the keyboard; the share link."""
    page.goto(f"{live_server}/plan")
    expect(page.locator(".plan-marker")).to_have_count(11)
    expect(page.locator("#total-distance")).to_have_text("–")

    first, second, third = PICKS
    page.locator(f".plan-marker[title^='{_name(page, first)}']").click()
    expect(page.locator(".plan-marker.is-chosen")).to_have_count(1)
    page.locator(f".plan-marker[title^='{_name(page, second)}']").click()
    expect(page.locator("#total-distance")).to_have_text(re.compile(r"^\d+(\.\d)? k?m$"))
    two_stops = page.locator("#total-distance").inner_text()
    assert sorted(_checked(page)) == sorted([first, second])

    page.locator(f".plan-stop[data-stop-id='{third}']").click()  # tick it in the list
    expect(page.locator("#total-stops")).to_have_text("3")
    expect(page.locator("#total-distance")).not_to_have_text(two_stops)
    expect(page.locator("#total-time")).to_have_text(re.compile(r"\d+ min"))
    assert len(page.locator("#plan-legs li").all()) == 2

    # keyboard only: focus the last stop's "up" button and press Enter
    before = _order(page)
    last = before[-1]
    page.get_by_role("button", name=f"Move {_name(page, last)} up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#plan-order li").nth(len(before) - 2)).to_have_attribute("data-stop-id", last)
    assert page.locator("input[name='mode'][value='own']").is_checked()
    # the focus stays on the stop that moved, so it can be moved again
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == f"Move {_name(page, last)} up"
    expect(page).to_have_url(re.compile(r"/plan\?stops="))
    expect(page.locator("#share-link")).to_have_value(page.url)
    return page.url


def test_build_share_and_reopen_a_plan_at_a_desk(desktop, live_server, browser):
    page, watch = desktop
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    link = _build_plan(page, live_server)
    order = _order(page)
    totals = [page.locator(f"#total-{k}").inner_text() for k in ("distance", "time", "stops")]
    assert parse_qs(urlsplit(link).query)["stops"] == [",".join(order)]
    save_screenshot(page, "planner-desk")

    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-message")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link

    other = page.context.new_page()
    other.goto(link)
    expect(other.locator("#total-distance")).to_have_text(totals[0])
    assert _order(other) == order
    assert sorted(_checked(other)) == sorted(order)
    assert [other.locator(f"#total-{k}").inner_text() for k in ("distance", "time", "stops")] == totals
    expect(other.locator(".plan-marker.is-chosen")).to_have_count(3)
    assert other.locator("input[name='mode'][value='own']").is_checked()
    assert watch.page_errors == [] and watch.console_errors == []


def test_the_qr_code_on_screen_opens_the_plan_in_tour_mode_on_a_phone(desktop, phone_412, live_server):
    page, _ = desktop
    link = _build_plan(page, live_server)
    query = urlsplit(link).query
    qr = page.locator("#plan-qr")
    expect(qr).to_have_attribute("src", f"/plan/qr.svg?{query}")
    qr.scroll_into_view_if_needed()  # it loads lazily
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    decoded = _decode_qr(qr.screenshot())
    assert decoded == f"{live_server}/tour/plan?{query}"

    phone, watch = phone_412
    phone.goto(decoded)
    stops = parse_qs(query)["stops"][0].split(",")
    expect(phone.locator(".tour-stop")).to_have_count(len(stops))
    assert phone.locator(".tour-stop").evaluate_all("items => items.map(li => li.dataset.stopId)") == stops
    phone.wait_for_selector(".leaflet-overlay-pane path")  # the plan's route line
    expect(phone.locator("#stat-left")).not_to_have_text("–")
    save_screenshot(phone, "planner-tour-mode-phone")
    assert watch.page_errors == []


def test_presets_order_and_pace_update_the_figures(desktop, live_server):
    page, _ = desktop
    page.goto(f"{live_server}/plan")
    page.get_by_role("button", name=re.compile("^Steps finale")).click()
    expect(page.locator("#total-stops")).to_have_text("3")
    expect(page).to_have_url(re.compile(r"/plan\?tour=steps-finale$"))
    expect(page.locator("#total-time")).to_have_text(re.compile(r"\d+ min"))
    expect(page.locator("#plan-straight")).to_be_visible()  # the test server has no street data
    time_at_default = page.locator("#total-time").inner_text()

    page.locator("#pace").fill("4:00")
    page.locator("#pace").press("Enter")
    expect(page).to_have_url(re.compile(r"pace=240"))
    expect(page.locator("#total-time")).not_to_have_text(time_at_default)

    page.get_by_label("miles").check()
    expect(page.locator("#total-distance")).to_have_text(re.compile(r" mi$"))
    expect(page.locator("#pace")).to_have_value("6:26")  # 4:00 per km, per mile
    expect(page).to_have_url(re.compile(r"units=mi"))

    page.get_by_label("Shortest").check()
    expect(page).to_have_url(re.compile(r"order=shortest"))
    page.get_by_label("Back at the start (a loop)").check()
    expect(page).to_have_url(re.compile(r"loop=true"))
    expect(page.locator("#plan-legs li")).to_have_count(3)

    page.locator("#pace").fill("99")
    page.locator("#pace").press("Enter")
    expect(page.locator("#pace-message")).to_contain_text("minutes:seconds")


@pytest.mark.parametrize(("typed", "pace_s_per_km"), [("5.30", 330), ("530", 330), ("10:05", 605), ("1005", 605)])
def test_a_pace_typed_on_a_phone_keypad_without_a_colon_is_minutes_and_seconds(phone_412, live_server,
                                                                               typed, pace_s_per_km):
    """iOS's number keypad has no ':': 5.30 and 530 are 5:30 as well."""
    page, watch = phone_412
    page.goto(f"{live_server}/plan?tour=steps-finale")
    pace = page.locator("#pace")
    expect(pace).not_to_have_attribute("inputmode", "numeric")
    pace.fill(typed)
    assert pace.evaluate("input => input.validity.valid")  # the pattern takes it too
    pace.press("Enter")
    expect(page).to_have_url(re.compile(rf"pace={pace_s_per_km}(&|$)"))
    expect(pace).to_have_value(f"{pace_s_per_km // 60}:{pace_s_per_km % 60:02d}")
    expect(pace).not_to_have_attribute("aria-invalid", "true")
    assert watch.page_errors == []


def test_a_start_and_a_finish_without_a_stop_offer_nothing_to_share(desktop, live_server):
    """The server plans no route without a stop: no share link, QR code or files for it."""
    page, watch = desktop
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if "/api/plan" in r.url and r.status >= 400 else None)
    page.goto(f"{live_server}/plan?stops=moshulu&start=39.9526,-75.1652&end=39.96,-75.17")
    expect(page.locator("#plan-legs li")).to_have_count(2)
    expect(page.locator("#plan-share")).to_be_visible()

    page.locator(".plan-stop[data-stop-id='moshulu']").click()  # untick the only stop
    expect(page.locator("#plan-share")).to_be_hidden()
    expect(page.locator("#plan-status")).to_have_text("Pick at least one stop to visit.")
    expect(page.locator("#plan-legs li")).to_have_count(0)
    expect(page.locator("#total-distance")).to_have_text("–")
    expect(page).to_have_url(f"{live_server}/plan")
    expect(page.locator("#plan-problem")).to_be_hidden()
    assert refused == [] and watch.page_errors == []


def test_a_tour_as_it_is_is_followed_on_its_own_page_and_the_link_to_copy_is_absolute(desktop, live_server):
    page, _ = desktop
    page.goto(f"{live_server}/plan")
    page.get_by_role("button", name=re.compile("^Steps finale")).click()
    expect(page).to_have_url(re.compile(r"/plan\?tour=steps-finale$"))
    follow = page.locator("#follow-link")
    expect(follow).to_have_attribute("href", "/tour/steps-finale")
    expect(page.locator("#share-link")).to_have_value(f"{live_server}/plan?tour=steps-finale")
    # what a runner needs to know beside the links: the files' map credit, the shortest order's rule
    expect(page.locator("#plan-share")).to_contain_text("Route data © OpenStreetMap contributors")
    expect(page.locator("label", has=page.locator("input[value='shortest']"))).to_contain_text(
        "keeps your first and last stop in place")
    expect(page.get_by_role("group", name="Your plan")).to_contain_text("Distance")

    page.locator("#pace").fill("4:00")
    page.locator("#pace").press("Enter")
    expect(page).to_have_url(re.compile(r"pace=240"))
    expect(follow).to_have_attribute("href", "/tour/steps-finale")  # pace changes no route
    page.get_by_label("miles").check()
    expect(follow).to_have_attribute("href", "/tour/steps-finale?units=mi")
    page.get_by_label("Shortest").check()
    expect(follow).to_have_attribute("href", re.compile(r"^/tour/plan\?tour=steps-finale&order=shortest"))
    page.locator(".plan-stop[data-stop-id='rail-yard']").click()
    expect(follow).to_have_attribute("href", re.compile(r"^/tour/plan\?stops="))
    expect(page.locator("#share-link")).to_have_value(page.url)
    page.goto(live_server + (follow.get_attribute("href") or ""))
    expect(page.locator(".tour-stop")).to_have_count(4)


def test_a_start_point_clicked_on_the_map_joins_the_plan(desktop, live_server):
    page, _ = desktop
    page.goto(f"{live_server}/plan?stops=moshulu,italian-market")
    expect(page.locator("#plan-legs li")).to_have_count(1)
    page.get_by_label("At a point of my own").first.check()
    page.locator("#start-tools").get_by_role("button", name="Pick on the map").click()
    expect(page.locator("#pick-notice")).to_be_visible()
    box = page.locator(".planner-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55)
    expect(page).to_have_url(re.compile(r"start=39\.\d+,-75\.\d+"))
    expect(page.locator("#plan-legs li")).to_have_count(2)
    expect(page.locator("#plan-legs li").first).to_contain_text("Start →")
    expect(page.locator(".stop-marker--start")).to_have_count(1)


def test_an_address_that_cannot_be_looked_up_says_so_and_the_rest_keeps_working(desktop, live_server):
    page, _ = desktop
    page.goto(f"{live_server}/plan?stops=moshulu,italian-market")
    expect(page.locator("#plan-legs li")).to_have_count(1)
    page.get_by_label("At a point of my own").first.check()
    page.locator("#start-address").fill("1 N Broad St")
    page.locator("#start-address").press("Enter")
    expect(page.locator("#start-message")).not_to_have_text(re.compile(r"^(|Looking it up…)$"))
    # the plan is untouched and still works
    page.locator(".plan-stop[data-stop-id='rail-yard']").click()
    expect(page.locator("#plan-legs li")).to_have_count(2)


def test_a_damaged_link_opens_the_planner_with_the_message_and_it_still_works(desktop, live_server):
    page, _ = desktop
    response = page.goto(f"{live_server}/plan?stops=moshulu,moshulu")
    assert response.status == 400
    expect(page.locator("#plan-problem")).to_contain_text("listed twice")
    expect(page.locator(".plan-stop__check:checked")).to_have_count(0)
    page.locator(".plan-stop[data-stop-id='moshulu']").click()
    page.locator(".plan-stop[data-stop-id='rail-yard']").click()
    expect(page.locator("#plan-legs li")).to_have_count(1)
    expect(page.locator("#plan-problem")).to_be_hidden()


def test_the_planner_on_a_phone_stacks_the_map_over_the_panel(phone_412, live_server):
    page, watch = phone_412
    page.goto(f"{live_server}/plan?tour=montage")
    expect(page.locator("#plan-legs li")).to_have_count(6)
    map_box = page.locator(".planner-map").bounding_box()
    panel_box = page.locator("#planner").bounding_box()
    assert panel_box["y"] >= map_box["y"] + map_box["height"] - 1
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1]
    # touch targets: every button and choice at least 44 px tall
    small = page.evaluate("""() => [...document.querySelectorAll(
        '#planner button, #planner .plan-choices label, #planner .plan-stop, #planner .plan-links a')]
        .filter(el => el.offsetParent && el.getBoundingClientRect().height < 44)
        .map(el => el.textContent.trim() || el.getAttribute('aria-label'))""")
    assert small == []
    save_screenshot(page, "planner-phone")
    assert watch.page_errors == []


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_plans_cue_sheet_prints_on_at_most_two_pages(desktop, live_server, paper):
    page, watch = desktop
    page.goto(f"{live_server}/plan?tour=walking-tour&start=39.9526,-75.1652")
    expect(page.locator("#cues-link")).to_have_attribute("href", re.compile(r"^/plan/cues\?"))
    page.goto(live_server + page.locator("#cues-link").get_attribute("href"))
    expect(page.locator("h1")).to_have_text("Rocky's Philadelphia on foot")
    expect(page.locator(".cues__leg")).to_have_count(11)
    page.wait_for_selector(".cues__map .leaflet-marker-icon")
    page.emulate_media(media="print")
    assert page.locator(".cues__map").is_visible()
    pdf = page.pdf(format=paper, print_background=True)
    assert 1 <= _pdf_pages(pdf) <= 2
    assert watch.page_errors == []


def _random_plans(count: int) -> list[PlanRequest]:
    """Valid plans of every shape the page can make (coordinates as it rounds them: 6 dp)."""
    rng = random.Random(1976)
    ids = MONTAGE_IDS + OTHER_IDS
    plans = []
    while len(plans) < count:
        point = lambda: (round(rng.uniform(39.9, 40.01), rng.choice([0, 3, 6])),  # noqa: E731
                         round(rng.uniform(-75.2, -75.1), rng.choice([1, 4, 6])))
        tour = rng.choice([None, None, "montage", "walking-tour"])
        loop = rng.choice([None, True, False])
        plans.append(PlanRequest(
            tour=tour,
            stops=() if tour else tuple(rng.sample(ids, rng.randint(2, 11))),
            order=rng.choice(ORDERS),
            start=rng.choice([None, point()]),
            end=None if loop else rng.choice([None, point()]),
            loop=loop,
            activity=rng.choice([None, *ACTIVITIES]),
            pace_s_per_km=rng.choice([None, 360.0, float(rng.randint(120, 1800)), rng.randint(1200, 18000) / 10]),
            units=rng.choice(UNITS),
        ))
    return plans


def test_the_pages_share_link_is_the_one_the_server_writes(app, desktop, live_server):
    """plan-query.js and PlanRequest.query_string() agree on every plan: a link copied from the
    page is the canonical link, and the server reads back exactly that plan."""
    page, _ = desktop
    plans = _random_plans(300)
    with app.test_request_context():
        url = asset_url("js/plan-query.js")
    page.goto(f"{live_server}/offline")
    written = page.evaluate("""async ([url, plans]) => {
        const q = await import(url);
        return plans.map((p) => q.planQuery(p));
    }""", [url, [{"tour": p.tour, "stops": list(p.stops), "order": p.order, "start": p.start, "end": p.end,
                  "loop": p.loop, "activity": p.activity, "pace": p.pace_s_per_km, "units": p.units}
                 for p in plans]])
    wrong = [(p.query_string(), js) for p, js in zip(plans, written) if js != p.query_string()]
    assert not wrong, wrong[:5]
    assert all(PlanRequest.from_query({k: v[0] for k, v in parse_qs(js).items()}) == p
               for p, js in zip(plans, written))


def test_a_shared_plan_fills_in_its_figures_without_moving_the_form(phone_412, live_server):
    """Opened from a link, the planner works the route out after the page is on screen: the
    figures, the status line and the straight-lines notice must fill space already kept for
    them, or the tour buttons jump down under the runner's thumb (Lighthouse: CLS)."""
    page, watch = phone_412
    page.add_init_script("""
      window.shifts = [];
      new PerformanceObserver((list) => { window.shifts.push(...list.getEntries().map((e) => e.value)); })
        .observe({ type: "layout-shift", buffered: true });
    """)
    held = []  # the route's answer waits until the page has drawn the form without it
    page.route("**/api/plan?**", lambda route: held.append(route))
    with page.expect_request("**/api/plan?**"):
        page.goto(f"{live_server}/plan?tour=montage")
    expect(page.locator("#plan-status")).to_have_text("Working out the route…")
    expect(page.locator("#plan-straight")).to_be_visible()  # the test server has no street data
    presets = page.locator("section[aria-labelledby=presets-title]")
    before = presets.bounding_box()
    page.evaluate("window.shifts = []")

    held[0].continue_()
    expect(page.locator("#total-time")).to_have_text(re.compile(r"\d+ h \d+ min"))
    expect(page.locator("#plan-status")).to_have_text(re.compile(r"^7 stops, "))
    expect(page.locator("#plan-straight")).to_be_visible()
    assert presets.bounding_box() == before
    assert page.evaluate("window.shifts") == []
    assert watch.page_errors == []


def test_a_long_time_in_the_totals_fits_a_narrow_phone(phone_412, live_server):
    page, watch = phone_412
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phones still in use
    page.goto(f"{live_server}/plan?tour=walking-tour&activity=walk&pace=1600")  # a slow stroll: 26:40 per km
    expect(page.locator("#total-time")).to_have_text(re.compile(r"^\d h \d\d min$"))  # the widest time
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # each figure and its name whole on screen, inside its own box
    cells = page.locator(".plan-totals > div")
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, cells.nth(i).inner_text()
        overflows = "cell => [cell, ...cell.children].some((el) => el.scrollWidth > el.clientWidth)"
        assert not cells.nth(i).evaluate(overflows), cells.nth(i).inner_text()
    save_screenshot(page, "planner-phone-320")
    assert watch.page_errors == []
