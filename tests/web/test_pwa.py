"""The installable app over HTTP: manifest, icons, what /sw.js precaches, the offline page, /tour.

What the service worker does with its caches is tested in Chromium: tests/browser/test_service_worker.py.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

TOUR_IDS = ["montage", "steps-finale", "walking-tour"]


@pytest.fixture()
def manifest(client) -> dict:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return response.get_json(force=True)


@pytest.fixture()
def sw_source(client) -> str:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    return response.get_data(as_text=True)


def test_the_manifest_has_what_an_install_needs(manifest):
    for field in ["name", "short_name", "description", "start_url", "scope", "id",
                  "theme_color", "background_color"]:
        assert manifest[field], field
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/" and manifest["start_url"].startswith("/")
    assert len(manifest["short_name"]) <= 12


def test_the_manifest_icons_are_pngs_of_the_sizes_they_claim(client, manifest):
    purposes = set()
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "PNG"
        assert f"{image.width}x{image.height}" == icon["sizes"]
        purposes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def test_the_maskable_icon_is_opaque_to_the_edges(client, manifest):
    (icon,) = [i for i in manifest["icons"] if i["purpose"] == "maskable"]
    image = Image.open(io.BytesIO(client.get(icon["src"]).data)).convert("RGBA")
    corners = [image.getpixel((x, y)) for x in (0, image.width - 1) for y in (0, image.height - 1)]
    assert all(pixel[3] == 255 for pixel in corners)


def test_pages_link_the_manifest_the_ios_icon_and_the_service_worker_registration(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    touch = re.search(r'<link rel="apple-touch-icon" sizes="180x180" href="([^"]+)"', html).group(1)
    assert Image.open(io.BytesIO(client.get(touch).data)).size == (180, 180)
    assert 'name="apple-mobile-web-app-capable" content="yes"' in html
    assert re.search(r'<script type="module" src="/static/js/pwa\.js\?v=[0-9a-f]{12}"', html)


def test_ios_finds_its_icon_at_the_root(client):
    response = client.get("/apple-touch-icon.png", follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.headers["Cache-Control"] == "no-cache"


def _precache(sw_source: str) -> list[str]:
    return json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw_source).group(1))


def test_the_service_worker_precaches_the_app_shell(sw_source):
    urls = _precache(sw_source)
    assert "/" in urls and "/offline" in urls and "/api/stops" in urls
    assert "/stops/art-museum-steps" in urls and "/stops/rail-yard" in urls
    assert any(re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", u) for u in urls)
    assert any(re.fullmatch(r"/static/js/tour\.js\?v=[0-9a-f]{12}", u) for u in urls)
    assert any(u.startswith("/static/icons/icon-512.png?v=") for u in urls)
    assert any(re.fullmatch(r"/vendor/leaflet-[\d.]+/leaflet\.js", u) for u in urls)
    assert not any(u.startswith("/static/js/sw.js") for u in urls)


@pytest.mark.parametrize("tour_id", TOUR_IDS)
def test_the_service_worker_precaches_every_tour_page_route_and_gpx(sw_source, tour_id):
    urls = _precache(sw_source)
    assert f"/tour/{tour_id}" in urls
    assert f"/api/tours/{tour_id}" in urls, "waits on GET /api/tours/<id> (routes/api.py)"
    assert f"/tours/{tour_id}.gpx" in urls, "waits on GET /tours/<id>.gpx (routes/downloads.py)"


def test_every_precached_url_answers(client, sw_source):
    for url in _precache(sw_source):
        assert client.get(url).status_code == 200, url


def test_the_offline_page_says_so_and_links_to_what_works_offline(client):
    response = client.get("/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "You are offline" in html and 'href="/tour/montage"' in html


@pytest.mark.parametrize("tour_id", TOUR_IDS)
def test_every_tour_has_a_follow_page_listing_its_stops(client, tour_id):
    response = client.get(f"/tour/{tour_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    (tour,) = [t for t in client.get("/api/tours").get_json()["tours"] if t["id"] == tour_id]
    found = re.findall(r'<li class="tour-stop" data-stop-id="([^"]+)"', html)
    assert found == tour["stops"]
    assert f'data-route-url="/api/tours/{tour_id}"' in html


def test_an_unknown_tour_is_a_404_naming_the_known_tours(client):
    response = client.get("/tour/rocky-ii")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "rocky-ii" in html and "montage" in html
