"""The web layer: a Flask app factory wrapping the ``tourapp`` core in thin blueprints."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from tourapp.settings import Settings


def _presentation_dir(name: str) -> str:
    """``templates/`` or ``static/``: beside this package in a wheel, at the repo top in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError(f"cannot find the {name}/ folder next to {here}")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment (or ``test_config``), data validated now.

    ``test_config`` may hold Flask keys and a ``"TOURAPP_SETTINGS"`` :class:`Settings` or a
    mapping of setting overrides. A broken stops file fails here, at start-up.
    """
    app = Flask(
        __name__,
        template_folder=_presentation_dir("templates"),
        # Static files are served by routes.assets (gzip + content-hashed URLs), not Flask's.
        static_folder=None,
    )
    app.config.from_mapping(
        TOURAPP_STOPS_FILE=None,
        TOURAPP_TOURS_FILE=None,
        STATIC_DIR=_presentation_dir("static"),
    )
    settings = Settings.from_env()
    if test_config:
        overrides = test_config.get("TOURAPP_SETTINGS")
        if isinstance(overrides, Settings):
            settings = overrides
        elif overrides:
            settings = settings.with_overrides(overrides)
        app.config.update({k: v for k, v in test_config.items() if k != "TOURAPP_SETTINGS"})
    app.config["TOURAPP_SETTINGS"] = settings
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False  # keep GeoJSON members in their natural order

    from . import state

    state.init_app(app)

    from . import api, assets, cli, downloads, errors, pages, pwa

    errors.init_app(app)
    assets.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(pwa.bp)
    cli.init_app(app)
    from . import limits, security  # after the blueprints: limits name them

    security.init_app(app)
    limits.init_app(app)
    return app
