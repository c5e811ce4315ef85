"""The phone's format.js reads numbers exactly as tourapp/formatting.py does, in real Chromium.

Both run every case of ``tests/data/formatting_cases.json`` (the Python side in
``tests/core/test_formatting.py``). The module is loaded by its hashed URL, as the tour page
imports it, so this also proves the served (minified) module still parses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routes.assets import asset_url

pytestmark = pytest.mark.browser

CASES = json.loads((Path(__file__).resolve().parents[1] / "data" / "formatting_cases.json").read_text("utf-8"))

RUN_CASES = """async ([url, cases]) => {
  const f = await import(url);
  return {
    distance: cases.distance.map((c) => f.formatDistance(c.m, c.units)),
    pace: cases.pace.map((c) => f.formatPace(c.s_per_km, c.units)),
    duration: cases.duration.map((c) => f.formatDuration(c.s)),
    compass: cases.compass.map((c) => [f.compassPoint(c.deg), f.compassName(c.deg)]),
    clock: [0, 999, 61000, 3599999, 3723000].map((ms) => f.formatClock(ms)),
  };
}"""


@pytest.fixture(scope="module")
def results(app, browser, live_server) -> dict:
    """What format.js says for every case, computed in one page."""
    with app.test_request_context():
        url = asset_url("js/format.js")
    page = browser.new_page()
    try:
        page.goto(f"{live_server}/offline")
        return page.evaluate(RUN_CASES, [url, CASES])
    finally:
        page.close()


@pytest.mark.parametrize("kind", ["distance", "pace", "duration"])
def test_format_js_writes_what_python_writes(results, kind):
    expected = [case["text"] for case in CASES[kind]]
    wrong = [(case, got) for case, got, want in zip(CASES[kind], results[kind], expected) if got != want]
    assert not wrong, wrong


def test_format_js_names_the_compass_points_as_python_does(results):
    expected = [[case["point"], case["name"]] for case in CASES["compass"]]
    got = results["compass"]
    wrong = [(case["deg"], said) for case, said, want in zip(CASES["compass"], got, expected) if said != want]
    assert not wrong, wrong


def test_the_running_clock_shows_minutes_then_hours(results):
    assert results["clock"] == ["0:00", "0:00", "1:01", "59:59", "1:02:03"]
