"""The cue sheet at a desk and on paper, in real Chromium."""

from __future__ import annotations

import io

import pytest
from helpers import save_screenshot
from pypdf import PdfReader

pytestmark = pytest.mark.browser


def test_the_cue_sheet_prints_without_the_app_chrome(desktop, live_server):
    page, watch = desktop
    page.goto(f"{live_server}/tours/steps-finale/cues")
    assert page.locator("h1").inner_text() == "Steps finale"
    assert page.locator(".cue-table").count() >= 2
    assert page.locator("#print-cues").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("#print-cues").is_visible()
    assert page.locator(".cue-table").first.is_visible()
    save_screenshot(page, "cue-sheet-print")
    page.wait_for_selector(".cues__map .leaflet-marker-icon")
    assert page.locator(".cues__map .leaflet-marker-icon").count() == 3  # the map goes on paper too
    pdf = page.pdf(format="Letter")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert watch.console_errors == [] and watch.page_errors == []


@pytest.mark.parametrize("tour", ["montage", "walking-tour"])
def test_every_tour_sheet_fits_two_a4_pages(desktop, live_server, tour):
    page, _ = desktop
    page.goto(f"{live_server}/tours/{tour}/cues")
    page.wait_for_selector(".cues__map .leaflet-marker-icon")
    page.emulate_media(media="print")
    assert len(PdfReader(io.BytesIO(page.pdf(format="A4"))).pages) <= 2


def test_the_cue_sheet_reads_on_a_phone_without_sideways_scrolling(phone, live_server):
    page, _ = phone
    page.goto(f"{live_server}/tours/walking-tour/cues?units=mi")
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width
    page.get_by_role("link", name="Show kilometres").tap()
    page.wait_for_url("**/cues?units=km")
    assert " km" in page.locator(".cues__summary").inner_text()
