"""The ``tourapp`` command: small click commands, each wrapping one core function."""

from __future__ import annotations

import click

from tourapp import __version__


@click.group()
@click.version_option(__version__, prog_name="tourapp")
def main() -> None:
    """Montage Run: serve the app and prepare its data."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn (settings come from TOURAPP_* variables)."""
    from gunicorn.app.base import BaseApplication

    from . import create_app

    app = create_app()  # fail here, before forking, if the data is broken

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            return app

    click.echo(f"Montage Run {__version__} on http://{host}:{port}/")
    _Server().run()
