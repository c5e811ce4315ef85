"""Scripts, stylesheets and images, all served by the app itself (the PWA must work offline).

Leaflet comes from the installed ``xstatic-leaflet`` package. Every asset URL carries a hash
of the file's content (``?v=…``), so browsers may keep it for a year and a new release is
fetched at once (only the right hash is kept for a year: another ``v`` is a 404, none is
``no-cache``); both the app's ``static/`` files and Leaflet are served compressed from
memory. The app's own scripts and stylesheets, and Leaflet's stylesheet, are kept readable on
disk and minified once, when first served (rjsmin / rcssmin): on a phone's first visit their
comments would cost ~4 KB (Leaflet's script ships minified).

Every browser that runs this app asks for Brotli (Chromium, Firefox and Safari send ``br`` in
``Accept-Encoding``), which makes Leaflet's script 5 KB smaller than gzip does; so each asset
is also compressed with Brotli at its best (slowest) quality, once per process, when first
asked for (about 0.3 s of CPU for Leaflet, the largest). Gzip stays for any other client.

The page scripts are ES modules that import each other by relative URL (``"./format.js"``).
When a module is served, each relative specifier is rewritten to the imported file's hashed
URL (``"./format.js?v=…"``), and a file's hash is taken over the bytes served, so a change to
any module changes the URL of every module that imports it, directly or not. This keeps
year-long caching safe without an import map in every page; the service worker precaches
the same hashed URLs, so the imports resolve offline. Pages list the imported modules as
``<link rel="modulepreload">`` (:func:`module_imports`), so the browser fetches them all at
once instead of discovering them one level at a time. A module loaded on demand with a
literal ``import("./voice.js")`` gets its hashed URL the same way (and counts for the
importer's hash), but is not preloaded: the page fetches it only when it is first used.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import brotli
import rcssmin
import rjsmin
import xstatic.pkg.leaflet as xleaflet
from flask import Blueprint, Flask, Response, abort, current_app, request, url_for
from werkzeug.security import safe_join

from tourapp.maps import MapAssets

from .caching import CachedBody, body_response
from .security import refusal

bp = Blueprint("assets", __name__)

LEAFLET_DIR = Path(xleaflet.BASE_DIR)
LEAFLET_VERSION = xleaflet.VERSION
#: A year: hashed URLs change whenever the content does.
IMMUTABLE_MAX_AGE_S = 365 * 24 * 3600

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


MINIFIERS: dict[str, Callable[[str], str]] = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def minified(path: Path) -> bytes:
    """A file's bytes, minified if it is one of our unminified scripts or stylesheets."""
    data = path.read_bytes()
    minify = MINIFIERS.get(path.suffix)
    if minify is None or path.name.endswith((".min.js", ".min.css")):
        return data
    return minify(data.decode("utf-8")).encode("utf-8")


#: A static (relative) import or re-export at the start of a line of a module:
#: ``import {a} from "./x.js"``, ``export * from "../y.js"``, ``import "./z.js"``.
_IMPORT = re.compile(
    r"""^(\s*(?:import|export)[\s{*][\w$*\s{},]*?from\s*|\s*import\s*)(["'])(\.{1,2}/[^"'?#]+)\2""", re.M
)

#: A dynamic import of a literal relative URL, anywhere in a line: ``import("./voice.js")``.
_DYNAMIC_IMPORT = re.compile(r"""(\bimport\s*\(\s*)(["'])(\.{1,2}/[^"'?#]+)\2""")


def _imported_name(importer: str, specifier: str) -> str:
    """The ``static/``-relative name a relative import specifier points to."""
    name = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    if name.startswith("../"):
        raise ValueError(f"{importer} imports {specifier!r}, which is outside static/")
    return name


@lru_cache(maxsize=256)
def _direct_imports(folder: str, filename: str, *, lazy: bool = False) -> tuple[str, ...]:
    """The modules ``filename`` imports statically, or (``lazy``) with ``import("./x.js")``."""
    if not filename.endswith(".js"):
        return ()
    source = (Path(folder) / filename).read_text("utf-8")
    pattern = _DYNAMIC_IMPORT if lazy else _IMPORT
    names = tuple(dict.fromkeys(_imported_name(filename, m.group(3)) for m in pattern.finditer(source)))
    for name in names:
        if not (Path(folder) / name).is_file():
            raise FileNotFoundError(f"{filename} imports {name}, which is not in static/")
    return names


def _module_graph(folder: str, entry: str, *, lazy: bool = False) -> list[str]:
    """Every module ``entry`` imports, directly or not, dependencies first; a cycle is an error
    (a module's URL hash covers its imports' hashes, so it must not depend on itself).
    ``lazy`` follows the dynamic imports too (for the hashes; the page preloads only the rest)."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in visiting:
            raise ValueError("import cycle: " + " -> ".join([*visiting[visiting.index(name):], name]))
        if name in order:
            return
        visiting.append(name)
        for imported in _direct_imports(folder, name) + (_direct_imports(folder, name, lazy=True) if lazy else ()):
            visit(imported)
        visiting.pop()
        order.append(name)

    visit(entry)
    return order[:-1]


def module_imports(entry: str) -> list[str]:
    """The ``static/`` files a module imports, directly or not: the page's modulepreload list."""
    return _module_graph(current_app.config["STATIC_DIR"], entry)


@lru_cache(maxsize=256)
def _static_body(folder: str, filename: str) -> CachedBody:
    """A ``static/`` file as served: minified, with its imports pointing at hashed URLs."""
    path = Path(folder) / filename
    if not (_direct_imports(folder, filename) or _direct_imports(folder, filename, lazy=True)):
        return CachedBody.of(minified(path))
    _module_graph(folder, filename, lazy=True)  # refuse a cycle before following it

    def hashed(match: re.Match[str]) -> str:
        name = _imported_name(filename, match.group(3))
        return f"{match.group(1)}{match.group(2)}{match.group(3)}?v={_content_hash(folder, name)}{match.group(2)}"

    source = _DYNAMIC_IMPORT.sub(hashed, _IMPORT.sub(hashed, path.read_text("utf-8")))
    return CachedBody.of(MINIFIERS[".js"](source).encode("utf-8"))


@lru_cache(maxsize=256)
def _leaflet_body(path: str) -> CachedBody:
    """A Leaflet file as served: the stylesheet minified (the script is minified already)."""
    data = Path(path).read_bytes()
    if path.endswith(".css"):
        data = rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")
    return CachedBody.of(data)


@lru_cache(maxsize=512)
def _brotli(body: CachedBody) -> bytes | None:
    """The Brotli copy of a body, or None where it would not beat gzip (PNGs, tiny files)."""
    compressed: bytes = brotli.compress(body.raw, quality=11)
    return compressed if len(compressed) < min(len(body.gzipped), len(body.raw) - 64) else None


def _response(full: str, body: CachedBody, *, max_age_s: int = IMMUTABLE_MAX_AGE_S) -> Response:
    mimetype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    response = body_response(body, mimetype=mimetype, max_age_s=max_age_s)
    if response.status_code == 200 and request.accept_encodings.quality("br") > 0:
        compressed = _brotli(body)
        if compressed is not None:
            response.set_data(compressed)
            response.headers["Content-Encoding"] = "br"
    return response


def _existing(folder: Path, filename: str) -> str:
    full = safe_join(str(folder), filename)
    if full is None or not Path(full).is_file():
        abort(404, description=f"no such file: {filename}")
    return full


@bp.get("/static/<path:filename>")
def static(filename: str) -> Response:
    """The app's own CSS, JS and icons.

    Only the URL :func:`asset_url` writes (``?v=`` the hash of these bytes) is kept for a
    year. During a rolling deploy an instance still running the old release can be asked for
    the new release's URL: answering it with the old bytes would pin them in browsers and
    caches for a year under the new name, so a ``v`` that is not this file's hash is a 404
    that no one stores, and the browser asks again (a newer instance has the file). Without
    ``v`` (a hand-typed URL) the file is served but revalidated every time.
    """
    folder = current_app.config["STATIC_DIR"]
    full = _existing(Path(folder), filename)
    name = Path(full).relative_to(folder).as_posix()
    versions = request.args.getlist("v")
    if not versions:
        return _response(full, _static_body(folder, name), max_age_s=0)
    expected = _content_hash(folder, name)
    if versions != [expected]:
        refused = refusal(404, "Not found", f"{filename} is not at version {versions[0]!r} here; reload the page.")
        refused.headers["Cache-Control"] = "no-store"
        return refused
    return _response(full, _static_body(folder, name))


@bp.get(f"/vendor/leaflet-{LEAFLET_VERSION}/<path:filename>")
def leaflet(filename: str) -> Response:
    """Leaflet's files from the installed xstatic package."""
    full = _existing(LEAFLET_DIR, filename)
    return _response(full, _leaflet_body(full))


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
    """Hash of the bytes served, so it changes with the file and with anything it imports."""
    return hashlib.sha256(_static_body(folder, filename).raw).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Serve ``static/`` and Leaflet; templates get ``asset_url``, ``leaflet_url``, ``module_imports``."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(asset_url=asset_url, leaflet_url=leaflet_url, module_imports=module_imports)
