"""The installable, offline-first app: manifest, service worker, offline page, root icons.

The service worker's logic is a plain script, ``static/js/sw.js``; ``/sw.js`` serves it from
the site root (so its scope is the whole site) after a short prelude naming what to precache
and which cache to use. The cache name is the app version plus a hash of the prelude and the
script, the templates and the data (stops and tours files, the street network loaded): a
release that changes any precached asset (their URLs carry content hashes), a template, a
tour, a stop or the routes gives a new service worker, which installs a fresh cache and
deletes the old ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from tourapp import __version__

from .assets import asset_url, leaflet_url, minified
from .caching import cached_response
from .state import get_state

bp = Blueprint("pwa", __name__)

APP_NAME = "Montage Run"
THEME_COLOUR = "#7a1712"  # --accent in app.css
BACKGROUND_COLOUR = "#ffffff"
#: The service worker's own source, in static/ so it is linted and packaged like other JS.
SW_SOURCE = "js/sw.js"
#: Precached from static/: the page assets, not the service worker's source itself.
PRECACHED_STATIC = ("css", "js", "icons")
ICONS = (
    {"file": "icons/icon-192.png", "sizes": "192x192", "purpose": "any"},
    {"file": "icons/icon-512.png", "sizes": "512x512", "purpose": "any"},
    {"file": "icons/icon-maskable-512.png", "sizes": "512x512", "purpose": "maskable"},
)


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    """The web app manifest that makes the site installable."""
    return cached_response(("manifest",), lambda: json.dumps(_manifest(), indent=1),
                           mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The service worker, from the root so it controls every page; always revalidated."""
    return cached_response(("sw",), _service_worker_source, mimetype="text/javascript")


@bp.get("/offline")
def offline() -> ResponseReturnValue:
    """What the service worker shows for a page it has not cached."""
    return cached_response(("offline",), lambda: render_template("pwa/offline.html"),
                           mimetype="text/html")


@bp.get("/apple-touch-icon.png")
@bp.get("/apple-touch-icon-precomposed.png")
def apple_touch_icon() -> ResponseReturnValue:
    """iOS asks the root for its icon whatever the page links; point it at the hashed file."""
    return redirect(asset_url("icons/apple-touch-icon.png"))


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask the root for a favicon; answer with the app icon (a PNG)."""
    return redirect(asset_url("icons/favicon-48.png"))


def _manifest() -> dict:
    return {
        # the site's root, also under a path prefix (TOURAPP_PUBLIC_URL=https://host/run/)
        "id": url_for("pages.index"),
        "name": f"{APP_NAME}: the Rocky training montage in Philadelphia",
        "short_name": APP_NAME,
        "description": (
            "A self-guided run through the real Philadelphia places of the Rocky (1976) "
            "training montage: follow the route, check in at each stop, offline."
        ),
        "lang": "en",
        "start_url": url_for("pages.index"),
        "scope": url_for("pages.index"),
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["travel", "sports", "navigation"],
        "icons": [
            {"src": asset_url(icon["file"]), "sizes": icon["sizes"], "type": "image/png",
             "purpose": icon["purpose"]}
            for icon in ICONS
        ],
    }


def precache_urls() -> list[str]:
    """Everything a runner needs offline after one visit: pages, data, GPX and assets.

    Only tours that can be planned are listed: the service worker's install is all or
    nothing, so one tour whose stop cannot reach the street network (an error page) must
    not cost the runner every other page offline.
    """
    state = get_state()
    tour_ids = [t for t in state.tours if state.planned(t)[0] is not None]
    urls = [url_for("pages.index"), url_for("pwa.offline"), url_for("pwa.manifest")]
    for endpoint in ("pages.tour", "pages.cue_sheet", "api.tour", "downloads.tour_gpx"):
        urls += [url_for(endpoint, tour_id=t) for t in tour_ids]
    urls += [url_for("pages.stop", stop_id=s) for s in state.stops]
    urls += [url_for("api.stops")]
    urls += [asset_url(name) for name in _static_files()]
    urls += [leaflet_url("leaflet.js"), leaflet_url("leaflet.css")]
    return urls


def _static_files() -> list[str]:
    root = Path(current_app.config["STATIC_DIR"])
    files = sorted(
        path.relative_to(root).as_posix()
        for folder in PRECACHED_STATIC
        for path in (root / folder).rglob("*")
        if path.is_file()
    )
    return [name for name in files if name != SW_SOURCE]


def tile_url_pattern(tile_url: str) -> str:
    """A JavaScript regular expression matching the tile layer's URLs, for the tile cache."""
    placeholders = {"{s}": "[a-z0-9-]+", "{z}": r"\d+", "{x}": r"\d+", "{y}": r"-?\d+", "{r}": "(@2x)?"}
    pattern = re.escape(tile_url)
    for placeholder, regex in placeholders.items():
        pattern = pattern.replace(re.escape(placeholder), regex)
    return "^" + pattern + "$"


def _service_worker_source() -> str:
    config = {
        "PRECACHE": precache_urls(),
        "OFFLINE_URL": url_for("pwa.offline"),
        "TILE_PATTERN": tile_url_pattern(get_state().settings.tile_url),
    }
    body = minified(Path(current_app.config["STATIC_DIR"]) / SW_SOURCE).decode("utf-8")
    digest = hashlib.sha256(
        (json.dumps(config) + body + _templates_digest(str(current_app.template_folder))
         + get_state().data_version).encode()
    ).hexdigest()[:12]
    prelude = "".join(
        f"const {name} = {json.dumps(value)};\n"
        for name, value in {"VERSION": f"{__version__}-{digest}", **config}.items()
    )
    return f"// Montage Run {__version__}: generated by /sw.js from {SW_SOURCE}\n{prelude}\n{body}"


def _templates_digest(folder: str) -> str:
    """The templates shape the precached pages, so a changed template is a new cache."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
