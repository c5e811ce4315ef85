"""A loop tour on the phone: after the last stop the runner is sent back to the start.

Runs the test town (tests/town_app.py) on its OSM street network, where `bridge-walk` goes
from the corner over the river to the bank and back.
"""

from __future__ import annotations

import pytest
from helpers import serving
from playwright.sync_api import expect
from town_app import make_town_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def town_server(tmp_path_factory):
    with serving(make_town_app(tmp_path_factory.mktemp("loop-app"))) as url:
        yield url


def _go(page, lat: float, lon: float) -> None:
    """The runner is there ten minutes later (a fix that implies an impossible speed is held)."""
    page.clock.fast_forward(600_000)
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 5})


def test_a_loop_ends_back_at_the_start_not_at_its_last_stop(phone, town_server):
    page, watch = phone
    page.context.grant_permissions(["geolocation"], origin=town_server)
    page.clock.install()
    stops = page.request.get(f"{town_server}/api/tours/bridge-walk").json()["features"][1:]
    (corner_lon, corner_lat), (bank_lon, bank_lat) = (f["geometry"]["coordinates"] for f in stops)
    _go(page, corner_lat, corner_lon)
    page.goto(f"{town_server}/tour/bridge-walk")
    page.wait_for_selector(".leaflet-overlay-pane path")
    expect(page.locator("#next-crow")).to_have_text("0 m")
    assert page.locator("#stops-count").inner_text() == "0 of 2"  # nothing before Start
    page.locator("#btn-run").tap()
    expect(page.locator("#stops-count")).to_have_text("1 of 2")
    assert "not loaded" not in (page.locator("#tour-notice").text_content() or "")  # streets

    _go(page, bank_lat, bank_lon)
    expect(page.locator("#stops-count")).to_have_text("2 of 2")
    expect(page.locator("#next-text")).to_have_text("Back to the start: The corner")
    expect(page.locator("#geo-message")).to_contain_text("now back to the start")
    assert page.locator("#stat-left").inner_text() not in ("0 m", "–")  # the way back
    expect(page.locator(".tour-marker.stop-marker--current")).to_have_text("1")  # the target

    _go(page, corner_lat, corner_lon)
    expect(page.locator("#next-text")).to_have_text("Tour complete!")
    expect(page.locator("#stat-left")).to_have_text("0 m")
    # the clock stopped at the finish, and nothing offers to restart it
    expect(page.locator("#btn-run")).to_have_text("Finished")
    expect(page.locator("#btn-run")).to_be_disabled()
    page.reload()
    expect(page.locator("#next-text")).to_have_text("Tour complete!")
    expect(page.locator("#btn-run")).to_be_disabled()
    assert watch.console_errors == [] and watch.page_errors == []


def test_without_location_the_finish_is_confirmed_on_the_first_stops_card(phone, town_server):
    page, _ = phone
    page.goto(f"{town_server}/tour/bridge-walk")
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.locator(".tour-stops summary").tap()
    for label in page.locator(".tour-stop__label").all():
        label.tap()
    expect(page.locator("#next-text")).to_have_text("Back to the start: The corner")
    page.locator("#next-name").tap()  # a tap alone does not end the tour...
    expect(page.locator("#sheet-title")).to_have_text("The corner")
    expect(page.locator("#next-text")).to_have_text("Back to the start: The corner")
    page.locator("#sheet-visit", has_text="I am back at the start").tap()  # ...this does
    expect(page.locator("#next-text")).to_have_text("Tour complete!")
