"""Scripts, stylesheets and images, all served by the app itself (the PWA must work offline).

Leaflet comes from the installed ``xstatic-leaflet`` package. Every asset URL carries a hash
of the file's content (``?v=…``), so browsers may keep it for a year and a new release is
fetched at once; both the app's ``static/`` files and Leaflet are served gzipped from memory.
The app's own scripts and stylesheets are kept readable in the repo and minified once, when
first served (rjsmin / rcssmin): on a phone's first visit their comments would cost ~3 KB.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin
import xstatic.pkg.leaflet as xleaflet
from flask import Blueprint, Flask, abort, current_app, url_for
from werkzeug.security import safe_join

from tourapp.maps import MapAssets

from .caching import CachedBody, body_response

bp = Blueprint("assets", __name__)

LEAFLET_DIR = Path(xleaflet.BASE_DIR)
LEAFLET_VERSION = xleaflet.VERSION
#: A year: hashed URLs change whenever the content does.
IMMUTABLE_MAX_AGE_S = 365 * 24 * 3600

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def minified(path: Path) -> bytes:
    """A file's bytes, minified if it is one of our unminified scripts or stylesheets."""
    data = path.read_bytes()
    minify = MINIFIERS.get(path.suffix)
    if minify is None or path.name.endswith((".min.js", ".min.css")):
        return data
    return minify(data.decode("utf-8")).encode("utf-8")


@lru_cache(maxsize=256)
def _load(path: str, minify: bool) -> CachedBody:
    return CachedBody.of(minified(Path(path)) if minify else Path(path).read_bytes())


def _serve(folder: Path, filename: str, *, minify: bool = False):
    full = safe_join(str(folder), filename)
    if full is None or not Path(full).is_file():
        abort(404, description=f"no such file: {filename}")
    mimetype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    return body_response(_load(full, minify), mimetype=mimetype, max_age_s=IMMUTABLE_MAX_AGE_S)


@bp.get("/static/<path:filename>")
def static(filename: str):
    """The app's own CSS, JS and icons."""
    return _serve(Path(current_app.config["STATIC_DIR"]), filename, minify=True)


@bp.get(f"/vendor/leaflet-{LEAFLET_VERSION}/<path:filename>")
def leaflet(filename: str):
    """Leaflet's files from the installed xstatic package."""
    return _serve(LEAFLET_DIR, filename)


def asset_url(filename: str) -> str:
    """URL of a file in ``static/`` with its content hash, for year-long caching."""
    return url_for("assets.static", filename=filename, v=_content_hash(current_app.config["STATIC_DIR"], filename))


def leaflet_url(filename: str) -> str:
    """URL of a Leaflet file (the version in the path makes it immutable)."""
    return url_for("assets.leaflet", filename=filename)


def map_assets() -> MapAssets:
    """The local Leaflet files a folium map should link to."""
    return MapAssets(leaflet_js=leaflet_url("leaflet.js"), leaflet_css=leaflet_url("leaflet.css"))


@lru_cache(maxsize=256)
def _content_hash(folder: str, filename: str) -> str:
    path = Path(folder) / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Serve ``static/`` and Leaflet, and give templates ``asset_url`` and ``leaflet_url``."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(asset_url=asset_url, leaflet_url=leaflet_url)
