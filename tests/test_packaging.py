"""`pip install .` gives a working app: a real wheel carries templates, static files and data."""

from __future__ import annotations

import site
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("montage_run-*.whl")
    return path


def test_the_wheel_carries_templates_static_files_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tourapp/data/stops.json" in names
    assert "routes/templates/base.html" in names
    assert "routes/templates/pages/index.html" in names
    assert "routes/static/css/app.css" in names
    assert "tourapp/py.typed" in names


def test_an_installed_wheel_serves_the_map_and_a_static_file(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Reuse the dependencies installed for the tests (no index here): a plain path entry in a
    # .pth file adds those site-packages *after* the new venv's own, without running their
    # .pth files, so the project's editable install stays invisible and the wheel is used.
    site_dir = Path(
        subprocess.run([python, "-c", "import site; print(site.getsitepackages()[0])"],
                       capture_output=True, text=True, check=True).stdout.strip()
    )
    (site_dir / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True)
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [venv / "bin" / "tourapp", "serve", "--port", str(port), "--workers", "1"],
            cwd=tmp_path,  # not the repo: the code must come from the wheel
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        html = _get_when_up(base + "/", server, log).decode("utf-8")
        assert "Montage Run" in html and "/vendor/leaflet-" in html
        assert b".stop-marker" in _get(base + "/static/css/app.css")
        origin = subprocess.run(
            [python, "-c", "import routes; print(routes.__file__)"],
            cwd=tmp_path, capture_output=True, text=True, check=True,
        ).stdout
        assert str(venv) in origin
    finally:
        server.terminate()
        server.wait(timeout=10)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def _get_when_up(url: str, server: subprocess.Popen, log: Path, timeout_s: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return _get(url)
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not come up: {log.read_text()}") from None
            time.sleep(0.3)
