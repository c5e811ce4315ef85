"""Fixtures shared by every test: the app, a live server, and real headless Chromium."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from routes import create_app
from tourapp.settings import Settings

REPO = Path(__file__).resolve().parents[1]
GPX_XSD = REPO / "tests" / "data" / "gpx-1.1.xsd"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
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


def require_tool(path_or_name: str) -> str:
    """The tool's path; a skip on a developer machine without it, a failure under CI."""
    found = shutil.which(path_or_name)
    if found:
        return found
    message = f"{path_or_name} is not installed (make test installs it when run as root)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def offline_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with an empty cache and no downloads: the app as on a machine with no network."""
    return Settings(
        cache_dir=tmp_path_factory.mktemp("cache"),
        network_download=False,
    )


@pytest.fixture(scope="session")
def app(offline_settings: Settings):
    """The app with the packaged data, offline."""
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": offline_settings})


@pytest.fixture()
def client(app):
    return app.test_client()


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
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


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, in a thread, for the browser tests."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def tile_png() -> bytes:
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


@pytest.fixture(scope="session")
def playwright_instance():
    require_tool(str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Debian's Chromium, headless, with the flags this closed network needs."""
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


class PageWatch:
    """What a page did: console errors, page errors, and every URL it requested."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.tile_requests: list[str] = []


def _watch(context, tile_png: bytes) -> PageWatch:
    watch = PageWatch()

    def on_request(route, request):
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


def _watch_page(page, watch: PageWatch) -> None:
    page.on("console", lambda msg: msg.type == "error" and watch.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))


@pytest.fixture()
def phone(browser, tile_png):
    """A 390×844 touch phone (iPhone 12-13 size) whose tile requests are stubbed."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    watch = _watch(context, tile_png)
    page = context.new_page()
    yield page, watch
    context.close()


@pytest.fixture()
def desktop(browser, tile_png):
    """A 1280×800 desktop window whose tile requests are stubbed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch = _watch(context, tile_png)
    page = context.new_page()
    yield page, watch
    context.close()


def save_screenshot(page, name: str) -> Path:
    """Write a screenshot as a test artefact under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
