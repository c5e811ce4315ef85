"""The domain core imports no web framework (Flask's own sans-io rule)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tourapp


def test_importing_every_tourapp_module_loads_no_flask_or_werkzeug():
    modules = [f"tourapp.{m.name}" for m in pkgutil.iter_modules(tourapp.__path__)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'werkzeug', 'routes'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "tourapp.maps" in modules and "tourapp.stops" in modules
    assert result.stdout.strip() == ""
