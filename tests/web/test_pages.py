"""The pages: the overview map with the list of stops, and one page per stop."""

from __future__ import annotations

import re

import pytest
from helpers import MONTAGE_IDS, OTHER_IDS


def test_the_home_page_lists_every_stop_with_a_link(client):
    html = client.get("/").get_data(as_text=True)
    for stop_id in MONTAGE_IDS + OTHER_IDS:
        assert f'href="/stops/{stop_id}"' in html


def test_the_home_page_shows_the_openstreetmap_attribution(client):
    html = client.get("/").get_data(as_text=True)
    assert "OpenStreetMap contributors" in html


def test_pages_load_scripts_and_styles_only_from_the_app(client):
    for path in ["/", "/stops/rail-yard", "/tour/montage", "/tours/montage/cues", "/plan", "/plan?tour=montage",
                 "/plan/cues?stops=moshulu,rail-yard", "/tour/plan?stops=moshulu,rail-yard"]:
        html = client.get(path).get_data(as_text=True)
        # every tag that loads something; a preconnect to the tile server loads nothing
        tags = re.findall(r'<(?:script|link)[^>]+(?:src|href)="[^"]+"[^>]*>', html)
        assets = [re.search(r'(?:src|href)="([^"]+)"', tag).group(1)
                  for tag in tags if 'rel="preconnect"' not in tag]
        assert assets, path
        assert all(url.startswith("/") for url in assets), assets


@pytest.mark.parametrize("path", ["/", "/plan", "/plan/cues?tour=montage"])
def test_the_viewport_lets_people_zoom(client, path):
    html = client.get(path).get_data(as_text=True)
    assert html.count('name="viewport"') == 1
    assert "user-scalable=no" not in html and "maximum-scale=1" not in html


@pytest.mark.parametrize("stop_id", MONTAGE_IDS + OTHER_IDS)
def test_every_stop_page_has_scene_place_today_filmed_safety_and_sources(client, stop_id):
    response = client.get(f"/stops/{stop_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for heading in ["In the film", "Where this was really filmed", "The real place", "Today", "Sources"]:
        assert f">{heading}</h2>" in html, heading
    assert 'rel="noopener"' in html


def test_the_gym_page_says_the_interior_was_filmed_in_los_angeles(client):
    html = client.get("/stops/mighty-micks-gym").get_data(as_text=True)
    assert "Los Angeles" in html


def test_stop_pages_link_to_the_previous_and_next_montage_stop(client):
    html = client.get("/stops/stone-arch-bridge").get_data(as_text=True)
    assert 'href="/stops/italian-market" rel="prev"' in html
    assert 'href="/stops/mighty-micks-gym" rel="next"' in html


def test_an_unknown_stop_page_is_an_html_404_naming_it(client):
    response = client.get("/stops/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "unknown stop &#39;nowhere&#39;" in html
    assert "Traceback" not in html


def test_pages_are_gzipped_for_clients_that_accept_it(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
