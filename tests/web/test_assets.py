"""Assets are served by the app: hashed URLs cached for a year, Brotli or gzip, no path escapes."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import brotli
import pytest
from flask import Flask, render_template_string
from helpers import REPO

from routes import assets

#: A static import in a served (minified) module: ``import{a}from"./x.js?v=…"``.
#: What Chromium sends (Firefox and Safari also ask for br).
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
SERVED_IMPORT = re.compile(r'(?:import|export)\b[\w$*\s{},]*?from\s*"([^"]+)"')
HASHED_MODULE = re.compile(r"/static/js/([\w-]+)\.js\?v=[0-9a-f]{12}")


def _tour_page_modules(client, html: str) -> dict[str, str]:
    """Every module the tour page loads, found as a browser does (from the script, following
    the imports of each served module): hashed URL -> file name."""
    entry = re.search(r'<script type="module" src="(/static/js/tour\.js\?v=[0-9a-f]{12})"', html).group(1)
    found: dict[str, str] = {}
    queue = [entry]
    while queue:
        url = queue.pop()
        match = HASHED_MODULE.fullmatch(url)
        assert match, f"not a content-hashed module URL: {url}"
        if url in found:
            continue
        found[url] = match.group(1)
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/javascript", url
        queue += [urljoin(url, spec) for spec in SERVED_IMPORT.findall(response.get_data(as_text=True))]
    return found


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


@pytest.mark.parametrize("accept", ["gzip", BROWSER["Accept-Encoding"]])
def test_images_are_never_sent_larger_than_they_are(client, accept):
    html = client.get("/").get_data(as_text=True)
    manifest = client.get(re.search(r'rel="manifest" href="([^"]+)"', html).group(1)).get_json()
    icons = [re.search(r'rel="apple-touch-icon"[^>]*href="([^"]+)"', html).group(1),
             *(icon["src"] for icon in manifest["icons"])]
    decode = {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}
    for icon in icons:
        png = client.get(icon).data
        assert png.startswith(b"\x89PNG"), icon
        response = client.get(icon, headers={"Accept-Encoding": accept})
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert len(response.data) <= len(png), icon
        assert decode[response.headers.get("Content-Encoding")](response.data) == png, icon


def _page_assets(html: str) -> list[str]:
    """The scripts and stylesheets a page links (Leaflet's and ours)."""
    return re.findall(r'<(?:script[^>]*src|link rel="stylesheet" href)="(/(?:static|vendor)/[^"]+)"', html)


def test_a_browser_gets_every_script_and_stylesheet_in_brotli_smaller_than_gzip(client):
    urls = _page_assets(client.get("/tour/montage").get_data(as_text=True))
    assert any("leaflet.js" in u for u in urls) and any("app.css" in u for u in urls)
    for url in urls:
        plain = client.get(url).data
        gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        sent = client.get(url, headers=BROWSER)
        assert sent.headers["Content-Encoding"] == "br", url
        assert sent.headers["Vary"] == "Accept-Encoding"
        assert brotli.decompress(sent.data) == plain, url
        assert len(sent.data) < len(gzipped.data), url
    leaflet = next(u for u in urls if u.endswith("leaflet.js"))
    gzip_only = client.get(leaflet, headers={"Accept-Encoding": "gzip"})
    saved = len(gzip_only.data) - len(client.get(leaflet, headers=BROWSER).data)
    assert saved > 4 * 1024  # the point of it: most of a first visit is Leaflet


def test_a_client_that_cannot_read_brotli_gets_gzip(client):
    url = _page_assets(client.get("/").get_data(as_text=True))[0]
    for accept in ("gzip, deflate", "br;q=0, gzip"):
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == "gzip", accept


def test_a_revalidating_browser_gets_304_without_a_body(client):
    url = next(u for u in _page_assets(client.get("/").get_data(as_text=True)) if u.endswith("leaflet.js"))
    etag = client.get(url, headers=BROWSER).headers["ETag"]
    again = client.get(url, headers={**BROWSER, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_leaflets_stylesheet_is_sent_minified_with_its_image_urls_intact(client):
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/vendor/leaflet-[\d.]+/leaflet\.css)"', html).group(1)
    sent = client.get(url).get_data(as_text=True)
    original = (assets.LEAFLET_DIR / "leaflet.css").read_text()
    assert "/*" in original and "/*" not in sent
    assert len(sent) < 0.85 * len(original)
    assert 'url(images/layers.png)' in sent.replace('"', "")
    assert client.get(urljoin(url, "images/layers.png")).status_code == 200


def test_every_page_has_a_small_svg_tab_icon(client):
    html = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html).group(1)
    response = client.get(icon, headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    svg = client.get(icon).get_data(as_text=True)
    assert svg.startswith("<svg") and 'viewBox="0 0 48 48"' in svg
    assert len(response.data) < 512  # a PNG of the same icon is 1.4 KB, on every first visit


def test_a_page_stylesheet_comes_after_app_css_so_its_rules_win(app):
    page = '{% extends "base.html" %}{% block styles %}<link rel="stylesheet" href="/page.css">{% endblock %}'
    with app.test_request_context("/"):
        html = render_template_string(page, featured_tour_id="montage")
    assert html.index("css/app.css") < html.index("/page.css") < html.index("</head>")


def test_our_scripts_and_styles_are_sent_minified_but_kept_readable_in_the_repo(client):
    html = client.get("/tour/montage").get_data(as_text=True)
    modules = [(url, f"static/js/{name}.js") for url, name in _tour_page_modules(client, html).items()]
    assert len(modules) >= 5
    for url, source in [*modules,
                        (re.search(r'href="(/static/css/app\.css\?v=\w+)"', html).group(1), "static/css/app.css")]:
        sent = client.get(url).get_data(as_text=True)
        original = (REPO / source).read_text()
        assert "/*" in original and "/*" not in sent, url
        assert len(sent) < 0.85 * len(original), url


def test_the_tour_page_preloads_every_module_it_imports_by_its_hashed_url(client):
    html = client.get("/tour/montage").get_data(as_text=True)
    modules = _tour_page_modules(client, html)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    entry = next(url for url, name in modules.items() if name == "tour")
    assert preloaded == set(modules) - {entry}
    assert {"geometry", "format", "progress-store", "api"} <= set(modules.values())


def test_every_module_the_tour_page_loads_is_precached_for_offline(client):
    html = client.get("/tour/montage").get_data(as_text=True)
    sw_source = client.get("/sw.js").get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw_source).group(1))
    assert set(_tour_page_modules(client, html)) <= set(precache)


def _static_app(folder: Path, files: dict[str, str]) -> Flask:
    """An app serving only ``files`` as its static/ folder."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    app = Flask("static_only", static_folder=None)
    app.config["STATIC_DIR"] = str(folder)
    assets.init_app(app)
    return app


def _urls(app: Flask, *names: str) -> dict[str, str]:
    with app.test_request_context():
        return {name: assets.asset_url(name) for name in names}


MODULES = {
    "js/page.js": 'import { a } from "./lib/a.js";\nimport "./side.js";\nconsole.log(a);\n',
    "js/lib/a.js": '/* a */\nexport { b as a } from "../b.js";\n',
    "js/b.js": "export const b = 1;\n",
    "js/side.js": "export {};\n",
}


def test_a_changed_module_changes_the_url_of_every_module_that_imports_it(tmp_path):
    before = _urls(_static_app(tmp_path / "v1", MODULES), *MODULES)
    after = _urls(_static_app(tmp_path / "v2", {**MODULES, "js/b.js": "export const b = 2;\n"}), *MODULES)
    changed = {name for name in MODULES if before[name] != after[name]}
    assert changed == {"js/b.js", "js/lib/a.js", "js/page.js"}


def test_a_served_module_imports_the_hashed_urls_the_page_preloads(tmp_path):
    app = _static_app(tmp_path, MODULES)
    urls = _urls(app, *MODULES)
    with app.test_request_context():
        assert assets.module_imports("js/page.js") == ["js/b.js", "js/lib/a.js", "js/side.js"]
    client = app.test_client()
    page = client.get(urls["js/page.js"]).get_data(as_text=True)
    assert {urljoin(urls["js/page.js"], spec) for spec in re.findall(r'"(\.[^"]+)"', page)} == {
        urls["js/lib/a.js"], urls["js/side.js"]}
    a = client.get(urls["js/lib/a.js"]).get_data(as_text=True)
    assert urljoin(urls["js/lib/a.js"], re.search(r'from"([^"]+)"', a).group(1)) == urls["js/b.js"]


@pytest.mark.parametrize(("files", "error", "message"), [
    ({"js/a.js": 'import "./b.js";\n', "js/b.js": 'import { a } from "./a.js";\n'},
     ValueError, "import cycle: js/a.js -> js/b.js -> js/a.js"),
    ({"js/a.js": 'import { x } from "./gone.js";\n'}, FileNotFoundError, "js/a.js imports js/gone.js"),
    ({"js/a.js": 'import { x } from "../../x.js";\n'}, ValueError, "outside static/"),
])
def test_a_broken_import_fails_loudly_naming_the_module(tmp_path, files, error, message):
    app = _static_app(tmp_path, files)
    with app.test_request_context(), pytest.raises(error, match=re.escape(message)):
        assets.asset_url("js/a.js")


LAZY_MODULES = {
    "js/page.js": 'document.body.onclick = () => import("./lazy.js").then((m) => m.go());\n',
    "js/lazy.js": 'import { b } from "./b.js";\nexport const go = () => b;\n',
    "js/b.js": "export const b = 1;\n",
}


def test_a_module_loaded_on_demand_gets_its_hashed_url_but_is_not_preloaded(tmp_path):
    app = _static_app(tmp_path / "v1", LAZY_MODULES)
    urls = _urls(app, *LAZY_MODULES)
    with app.test_request_context():
        assert assets.module_imports("js/page.js") == []  # fetched only when first used
    page = app.test_client().get(urls["js/page.js"]).get_data(as_text=True)
    assert urljoin(urls["js/page.js"], re.search(r'import\("([^"]+)"\)', page).group(1)) == urls["js/lazy.js"]
    # what the lazy module imports counts for the page's URL, as for a static import
    after = _urls(_static_app(tmp_path / "v2", {**LAZY_MODULES, "js/b.js": "export const b = 2;\n"}), *LAZY_MODULES)
    assert {name for name in LAZY_MODULES if after[name] != urls[name]} == set(LAZY_MODULES)


def test_a_cycle_through_a_module_loaded_on_demand_fails_loudly(tmp_path):
    app = _static_app(tmp_path, {"js/a.js": 'const b = () => import("./b.js");\n', "js/b.js": 'import "./a.js";\n'})
    cycle = re.escape("import cycle: js/a.js -> js/b.js -> js/a.js")
    with app.test_request_context(), pytest.raises(ValueError, match=cycle):
        assets.asset_url("js/a.js")


def test_a_file_too_small_to_gain_from_compression_is_sent_as_it_is(tmp_path):
    app = _static_app(tmp_path, {"js/tiny.js": "export const b = 1;\n"})
    url = _urls(app, "js/tiny.js")["js/tiny.js"]
    response = app.test_client().get(url, headers=BROWSER)
    assert "Content-Encoding" not in response.headers
    assert response.data == b"export const b=1;"


def test_only_the_url_with_the_files_own_hash_is_kept_for_a_year(client):
    """A rolling deploy: an old instance asked for the new release's URL must not answer it
    with its old bytes, which browsers would then keep for a year under the new name."""
    html = client.get("/tour/montage").get_data(as_text=True)
    url = re.search(r'src="(/static/js/tour\.js\?v=[0-9a-f]{12})"', html).group(1)
    assert "immutable" in client.get(url).headers["Cache-Control"]
    path = url.partition("?")[0]
    for other in (f"{path}?v=000000000000", f"{url}&v=000000000000"):
        stale = client.get(other)
        assert stale.status_code == 404, other
        assert stale.headers["Cache-Control"] == "no-store", other
    plain = client.get(path)
    assert plain.status_code == 200 and plain.data == client.get(url).data
    assert plain.headers["Cache-Control"] == "no-cache"
