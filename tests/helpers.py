"""Code the tests share: paths, the tool rule, a threaded live server, Chromium and its tile stub.

Tests import from here (``from helpers import require_tool``), never from ``conftest.py``:
conftest holds fixtures only, and pytest loads it itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The GPX 1.1 schema, kept in the repository so a fresh clone can validate its own output.
GPX_XSD = REPO / "tests" / "data" / "gpx-1.1.xsd"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
#: Flags Debian's Chromium needs here: headless, no sandbox (containers), no calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Tile requests (and only those) may leave 127.0.0.1; tests answer them with a local stub.
TILE_HOST = "tile.openstreetmap.org"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

#: The packaged stops, as a reader of the README expects them: the montage in film order...
MONTAGE_IDS = [
    "rail-yard",
    "italian-market",
    "stone-arch-bridge",
    "mighty-micks-gym",
    "meat-plant",
    "moshulu",
    "art-museum-steps",
]
#: ...and the other Rocky places, in no particular order.
OTHER_IDS = ["rockys-house", "adrians-pet-shop", "lucky-seven", "rocky-statue"]


def require_tool(path_or_name: str) -> str:
    """The tool's path; a skip on a developer machine without it, a failure under CI."""
    found = shutil.which(path_or_name)
    if found:
        return found
    _missing(f"{path_or_name} is not installed (make test installs it when run as root)")


def _missing(message: str) -> NoReturn:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def make_tile_png() -> bytes:
    """A plain 256 px tile, so the map looks like a map without any network."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), (232, 228, 220))
    draw = ImageDraw.Draw(image)
    for offset in range(0, 256, 64):
        draw.line([(offset, 0), (offset, 255)], fill=(255, 255, 255), width=3)
        draw.line([(0, offset), (255, offset)], fill=(255, 255, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class PageWatch:
    """What a page did: console errors, page errors, and every URL it requested."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.tile_requests: list[str] = []


def watch_context(context: Any, tile_png: bytes) -> PageWatch:
    """Record what ``context``'s pages do; answer tile requests with ``tile_png``, block the rest.

    Only 127.0.0.1 (the live server), data: and blob: URLs go through; any other host is
    aborted, so a test fails loudly if the app reaches for the internet.
    """
    watch = PageWatch()

    def on_request(route: Any, request: Any) -> None:
        url = request.url
        watch.requests.append(url)
        if TILE_HOST in url:
            watch.tile_requests.append(url)
            # as tile.openstreetmap.org does: CORS, so the service worker can see the status
            route.fulfill(status=200, content_type="image/png", body=tile_png,
                          headers={"Access-Control-Allow-Origin": "*"})
        elif url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", on_request)
    context.on("page", lambda page: _watch_page(page, watch))
    return watch


def _watch_page(page: Any, watch: PageWatch) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            watch.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))


def save_screenshot(page: Any, name: str) -> Path:
    """Write a screenshot as a test artefact under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def serve_http(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """A threaded HTTP server for ``handler`` on a free port of 127.0.0.1, already serving
    (the local stand-ins for Overpass and Nominatim)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop_http(server: ThreadingHTTPServer, thread: threading.Thread) -> None:
    """Stop a server from :func:`serve_http` and free its port."""
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
