"""Fixtures shared by every test: the app, a live server, and real headless Chromium.

Fixtures only: code the tests share lives in ``tests/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, make_tile_png, require_tool, serving, watch_context
from hypothesis import HealthCheck, settings

from routes import create_app
from tourapp.settings import Settings

# Property tests explore the same cases on every run (a failure reproduces) and are judged on
# what they find, not on how fast a loaded 2-core CI machine runs them.
settings.register_profile(
    "montage-run", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("montage-run")


@pytest.fixture(scope="session")
def offline_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with an empty cache and no downloads: the app as on a machine with no network."""
    return Settings(
        cache_dir=tmp_path_factory.mktemp("cache"),
        network_download=False,
    )


@pytest.fixture(scope="session")
def app(offline_settings: Settings) -> Any:
    """The app with the packaged data, offline, shared by the whole session.

    Its response cache and planner memo fill up as tests run: a test that counts renders,
    compares a first answer with a later one or measures a cache uses ``fresh_app``.
    """
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": offline_settings})


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture()
def fresh_app(tmp_path: Path) -> Any:
    """A new app for this test alone: empty caches, its own (empty) cache folder, offline."""
    settings = Settings(cache_dir=tmp_path / "cache", network_download=False)
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": settings})


@pytest.fixture()
def fresh_client(fresh_app: Any) -> Any:
    return fresh_app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, in a thread, for the browser tests."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def tile_png() -> bytes:
    """A plain 256 px tile, so the map looks like a map without any network."""
    return make_tile_png()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    require_tool(str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    """Debian's Chromium, headless, with the flags this closed network needs."""
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture()
def phone(browser: Any, tile_png: bytes) -> Iterator[tuple[Any, Any]]:
    """A 390×844 touch phone (iPhone 12-13 size) whose tile requests are stubbed."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    watch = watch_context(context, tile_png)
    page = context.new_page()
    yield page, watch
    context.close()


@pytest.fixture()
def desktop(browser: Any, tile_png: bytes) -> Iterator[tuple[Any, Any]]:
    """A 1280×800 desktop window whose tile requests are stubbed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch = watch_context(context, tile_png)
    page = context.new_page()
    yield page, watch
    context.close()
