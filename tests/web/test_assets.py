"""Assets are served by the app: hashed URLs cached for a year, gzip, no path escapes."""

from __future__ import annotations

import re

from tests.conftest import REPO


def test_leaflet_is_served_from_the_installed_package(client):
    html = client.get("/").get_data(as_text=True)
    js = re.search(r'<script defer src="(/vendor/leaflet-[\d.]+/leaflet\.js)"', html).group(1)
    response = client.get(js, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]


def test_the_stylesheet_url_carries_a_content_hash(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert b".stop-marker" in response.data


def test_paths_cannot_escape_the_static_folder(client):
    assert client.get("/static/../setup.cfg").status_code == 404
    assert client.get("/static/%2e%2e/setup.cfg").status_code == 404
    assert client.get("/vendor/leaflet-1.9.3/../__init__.py").status_code == 404


def test_images_that_gzip_cannot_shrink_are_sent_as_they_are(client):
    html = client.get("/").get_data(as_text=True)
    icon = re.search(r'rel="icon"[^>]*href="([^"]+)"', html).group(1)
    response = client.get(icon, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"\x89PNG")


def test_our_scripts_and_styles_are_sent_minified_but_kept_readable_in_the_repo(client):
    html = client.get("/tour/montage").get_data(as_text=True)
    for url, source in [(re.search(r'src="(/static/js/tour\.js\?v=\w+)"', html).group(1), "static/js/tour.js"),
                        (re.search(r'href="(/static/css/app\.css\?v=\w+)"', html).group(1), "static/css/app.css")]:
        sent = client.get(url).get_data(as_text=True)
        original = (REPO / source).read_text()
        assert "/*" in original and "/*" not in sent, url
        assert len(sent) < 0.85 * len(original), url
