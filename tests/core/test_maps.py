"""Maps: local Leaflet only, numbered montage markers, popups without jQuery."""

from __future__ import annotations

import re

import folium
import pytest

from tourapp import maps
from tourapp.settings import Settings
from tourapp.stops import load_stops

ASSETS = maps.MapAssets(leaflet_js="/vendor/leaflet/leaflet.js", leaflet_css="/vendor/leaflet/leaflet.css")


@pytest.fixture(scope="module")
def catalog():
    return load_stops()


def _overview(catalog, settings=None):
    return maps.overview_map(
        list(catalog.values()),
        settings=settings or Settings(),
        assets=ASSETS,
        stop_url=lambda stop_id: f"/stops/{stop_id}",
    )


def test_the_map_links_only_the_apps_own_leaflet(catalog):
    parts = maps.render_parts(_overview(catalog), map_id="overview")
    urls = re.findall(r'<(?:script|link rel="stylesheet")[^>]*(?:src|href)="([^"]+)"', parts.css + parts.js)
    assert urls == ["/vendor/leaflet/leaflet.css", "/vendor/leaflet/leaflet.js"]


def test_the_page_opens_a_connection_to_the_tile_server_early(catalog):
    css = maps.render_parts(_overview(catalog), map_id="overview").css
    assert css.startswith('<link rel="preconnect" href="https://tile.openstreetmap.org" crossorigin>')
    subdomains = Settings().with_overrides({"tile_url": "https://{s}.tile.example/{z}/{x}/{y}.png"})
    assert "preconnect" not in maps.render_parts(_overview(catalog, subdomains), map_id="o").css


def test_the_map_is_framed_before_any_tile_is_asked_for(catalog):
    script = maps.render_parts(_overview(catalog), map_id="overview").script
    fit, tiles = script.index(".fitBounds("), script.index("L.tileLayer(")
    assert fit < tiles
    assert '"animate": false' in script[fit:tiles]


def test_a_whole_folium_document_of_our_map_names_no_cdn(catalog):
    document = _overview(catalog).get_root().render()
    assert not re.search(r"cdn\.|jquery|bootstrap|font-awesome", document, re.I)


def test_building_a_map_leaves_folium_defaults_untouched(catalog):
    before = (list(folium.Map.default_js), list(folium.Map.default_css))
    _overview(catalog)
    assert (folium.Map.default_js, folium.Map.default_css) == before


def test_montage_stops_are_numbered_markers_and_the_others_are_stars(catalog):
    script = maps.render_parts(_overview(catalog), map_id="overview").script
    for number in range(1, 8):
        assert f'"\\u003cspan\\u003e{number}\\u003c/span\\u003e"' in script
    assert script.count('"stop-marker stop-marker--montage"') == 7
    assert script.count('"stop-marker stop-marker--other"') == len(catalog.others)


def test_popups_are_plain_html_strings_with_a_link_to_the_stop_page(catalog):
    script = maps.render_parts(_overview(catalog), map_id="overview").script
    assert "$(" not in script
    assert '.bindPopup("\\u003cdiv class=\\"stop-popup\\"' in script
    assert "/stops/art-museum-steps" in script


def test_popup_text_is_escaped(catalog):
    stop = catalog["rail-yard"]
    popup = maps.stop_popup_html(stop, url='/stops/x?a="b"')
    assert 'href="/stops/x?a=&quot;b&quot;"' in popup


def test_tile_url_and_attribution_come_from_settings(catalog):
    settings = Settings(tile_url="https://tiles.example/{z}/{x}/{y}.png", tile_attribution="Example tiles")
    script = maps.render_parts(_overview(catalog, settings), map_id="overview").script
    assert '"https://tiles.example/{z}/{x}/{y}.png"' in script
    assert '"attribution": "Example tiles"' in script


def test_the_same_map_renders_to_the_same_bytes(catalog):
    first = maps.render_parts(_overview(catalog), map_id="overview")
    second = maps.render_parts(_overview(catalog), map_id="overview")
    assert first == second


def test_the_rendered_parts_carry_no_viewport_that_blocks_zooming(catalog):
    parts = maps.render_parts(_overview(catalog), map_id="overview")
    assert "user-scalable" not in parts.css + parts.js + parts.html + parts.script


def test_a_route_map_numbers_the_stops_in_visiting_order_and_letters_the_start(catalog):
    from tourapp.planner import plan_route

    stops = [catalog["moshulu"], catalog["italian-market"], catalog["art-museum-steps"]]
    route = plan_route(stops, network=None, start=(39.9526, -75.1652))
    script = maps.render_parts(maps.route_map(route, settings=Settings(), assets=ASSETS), map_id="cues").script
    labels = re.findall(r'html: "\\u003cspan\\u003e([^\\]+)\\u003c/span\\u003e"', script)
    titles = re.findall(r'title: "([^"]+)"', script)
    assert labels == ["S", "1", "2", "3"]
    assert titles[1:] == [f"Stop {n}: {stop.name}" for n, stop in enumerate(stops, 1)]
    # straight legs (no street network) are dashed, one line per leg
    assert script.count("L.polyline(") == 3 and script.count('"dashArray": "8 8"') == 3
