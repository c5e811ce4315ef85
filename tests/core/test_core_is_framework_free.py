"""The domain core imports no web framework (Flask's own sans-io rule)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tourapp


def _all_modules() -> list[str]:
    """Every module of the package, sub-packages' modules included (``tourapp.network.sources``)."""
    return [m.name for m in pkgutil.walk_packages(tourapp.__path__, prefix="tourapp.")]


def test_every_module_of_every_sub_package_is_checked():
    modules = _all_modules()
    assert {"tourapp.maps", "tourapp.stops", "tourapp.network", "tourapp.network.sources",
            "tourapp.network.snapping"} <= set(modules)


def test_importing_every_tourapp_module_loads_no_flask_or_werkzeug():
    code = (
        "import importlib, sys\n"
        "def bad():\n"
        "    return sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'werkzeug', 'routes'})\n"
        f"for name in {_all_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "    if bad():\n"  # name the first module that pulled a framework in, not just the fact
        "        print(name, 'imports', ','.join(bad()))\n"
        "        break\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
