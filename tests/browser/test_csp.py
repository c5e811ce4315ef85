"""Every page under its Content-Security-Policy in real Chromium: nothing blocked, maps drawn.

The policy allows inline scripts only by hash (routes/security.py). A page whose inline code
changed without its hash, an event-handler attribute, a ``style=""`` attribute or an asset
from another origin would be blocked: the browser reports each as a
``securitypolicyviolation`` event, recorded here from before the page's first byte.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import TILE_HOST

pytestmark = pytest.mark.browser

PLAN = "stops=rail-yard,italian-market,art-museum-steps&start=39.9526,-75.1652"

#: (path, whether it draws a Leaflet map with markers)
PAGES = [
    ("/", True),
    ("/stops/art-museum-steps", True),
    ("/tour/montage", True),
    ("/tours/montage/cues", True),
    ("/tours/montage/cues?units=mi&order=shortest", True),
    ("/plan", True),
    (f"/plan?{PLAN}", True),
    (f"/tour/plan?{PLAN}", True),
    (f"/plan/cues?{PLAN}", True),
    ("/offline", False),
    ("/stops/nowhere", False),  # the error page
]

#: Runs in every page before its own scripts; the browser's injection is not subject to CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
    + ` ${event.sample}`);
});
"""


def _csp_messages(messages: list[str]) -> list[str]:
    return [text for text in messages if "Content Security Policy" in text or "Refused to" in text]


@pytest.fixture()
def watched(desktop: tuple[Any, Any]) -> tuple[Any, Any, list[str]]:
    """The desktop page, recording CSP violations and every console message."""
    page, watch = desktop
    page.context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    return page, watch, console


@pytest.mark.parametrize(("path", "has_map"), PAGES, ids=[path for path, _ in PAGES])
def test_each_page_runs_under_its_policy_with_nothing_blocked(watched, live_server, path, has_map):
    page, watch, console = watched
    response = page.goto(live_server + path)
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    page.wait_for_load_state("load")
    assert page.evaluate("window.__cspViolations") == []
    if has_map:
        assert "script-src 'self' 'sha256-" in policy  # folium's map script, allowed by its hash
        page.wait_for_selector(".leaflet-marker-icon")
        page.wait_for_selector(".leaflet-tile-loaded")
        assert page.locator(".leaflet-marker-icon").count() >= 2
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    assert _csp_messages(console) == []
    assert watch.page_errors == []


def test_opening_a_popup_and_planning_a_route_break_no_rule(watched, live_server):
    page, watch, console = watched
    page.goto(live_server + "/")
    page.locator(".stop-marker--montage", has_text="7").click()
    page.locator(".leaflet-popup-content a.stop-popup__link").wait_for()

    page.goto(live_server + "/plan")
    page.locator(".plan-marker").first.wait_for()
    for marker in page.locator(".plan-marker").all()[:2]:
        marker.click()
    page.locator(".leaflet-overlay-pane path").first.wait_for()  # the planned route, drawn
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    assert _csp_messages(console) == []
    assert watch.page_errors == []


def test_the_service_worker_still_keeps_tiles_under_the_policy(watched, live_server):
    """The worker runs under /sw.js's own policy: its connect-src must allow the tile server."""
    page, _, console = watched
    page.goto(live_server + "/tour/montage")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # a function: no eval
    page.wait_for_selector(".leaflet-tile-loaded")
    page.wait_for_load_state("networkidle")
    kept = page.evaluate(
        """host => caches.keys()
             .then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))
             .then(lists => lists.flat().map(r => r.url).filter(u => u.includes(host)))""",
        TILE_HOST,
    )
    assert kept, "no tile was kept: the service worker could not fetch tiles"
    assert page.evaluate("window.__cspViolations") == []
    assert _csp_messages(console) == []
