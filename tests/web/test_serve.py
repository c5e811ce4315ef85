"""``tourapp serve`` as an operator runs it: gunicorn workers, an access log, a graceful stop.

The slow tests share one real server process (settings from ``TOURAPP_*`` variables only,
offline, address search pointed at a slow local Nominatim stub); the last one stops it with
SIGTERM. The fast ones check what reaches gunicorn's configuration without starting it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from helpers import MONTAGE_IDS, OTHER_IDS, REPO
from nominatim_stub import NominatimStub

from routes import cli
from routes.cli import main

WORKERS = 3  # neither the default (CPU count, at least 2) nor gunicorn's (1)
#: Upper bounds for waits, not expectations: this machine may be busy with other tests.
START_LIMIT_S = 90.0
GRACEFUL_TIMEOUT_S = 30
ACCESS_LINE = re.compile(
    r'^127\.0\.0\.1 \[[^\]]+\] "GET (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<bytes>\d+|-) '
    r'(?P<ms>\d+)ms "(?P<agent>[^"]*)"$'
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).with_name("tourapp")  # the console script, as installed
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from routes.cli import main; main()"]


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from /proc: no ps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(what: str, ready: Callable[[], bool], limit_s: float = START_LIMIT_S) -> None:
    deadline = time.monotonic() + limit_s
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


class Server:
    """A ``tourapp serve`` process; its stdout and stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(_command() + args, env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [threading.Thread(target=self._collect, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.process.stdout, self.stdout),
                                               (self.process.stderr, self.stderr))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _collect(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def answering(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"tourapp serve exited {self.process.returncode}:\n" + "\n".join(self.stderr))
        try:
            requests.get(self.url + "/sw.js", timeout=5).close()
        except requests.ConnectionError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=GRACEFUL_TIMEOUT_S + 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for reader in self._readers:
            reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def nominatim() -> Iterator[NominatimStub]:
    with NominatimStub({"italian market": (39.9387, -75.1579)}) as stub:
        yield stub


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, nominatim: NominatimStub) -> Iterator[Server]:
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TOURAPP_")}
    env.update({
        "TOURAPP_CACHE_DIR": str(tmp_path_factory.mktemp("serve-cache")),
        "TOURAPP_NETWORK_DOWNLOAD": "false",
        "TOURAPP_PORT": str(port),
        "TOURAPP_WORKERS": str(WORKERS),
        "TOURAPP_GEOCODER_URL": nominatim.url,
        "GUNICORN_CMD_ARGS": "--workers 7 --bind 127.0.0.1:1",  # must be ignored
        "PYTHONUNBUFFERED": "1",
    })
    running = Server(["serve", "--graceful-timeout", str(GRACEFUL_TIMEOUT_S)], env, port)
    try:
        _wait_for("the server to answer", running.answering)
        yield running
    finally:
        running.stop()


@pytest.mark.slow
def test_serves_the_pages_and_the_api(server: Server) -> None:
    page = requests.get(server.url + "/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    stops = requests.get(server.url + "/api/stops", timeout=30)
    assert stops.status_code == 200
    assert {f["properties"]["id"] for f in stops.json()["features"]} == set(MONTAGE_IDS + OTHER_IDS)


@pytest.mark.slow
def test_each_request_is_one_access_log_line_with_its_time_but_no_query(server: Server) -> None:
    requests.get(server.url + "/api/plan?stops=moshulu,rocky-statue&start=39.9712,-75.1343", timeout=30)

    def logged() -> list[re.Match[str]]:
        lines = [ACCESS_LINE.match(line) for line in list(server.stdout)]
        return [m for m in lines if m is not None and m["path"] == "/api/plan"]

    _wait_for("the access log line", lambda: bool(logged()), limit_s=30)
    (line,) = logged()
    assert line["status"] == "200" and int(line["bytes"]) > 0
    assert line["agent"].startswith("python-requests/")
    assert not any("39.9712" in text for text in server.stdout + server.stderr)  # a home stays private


@pytest.mark.slow
def test_runs_the_configured_workers_and_says_so(server: Server) -> None:
    # gunicorn answers as soon as one worker is up; the others may still be forking
    _wait_for(f"{WORKERS} workers", lambda: len(_children(server.process.pid)) >= WORKERS, limit_s=30)
    assert len(_children(server.process.pid)) == WORKERS
    assert f"({WORKERS} workers, street graph loaded once, shared)" in server.stdout[0]
    assert f"Listening at: {server.url}" in "\n".join(server.stderr)  # not GUNICORN_CMD_ARGS' bind


@pytest.mark.slow
def test_sigterm_lets_a_request_in_flight_finish_then_exits_0(server: Server, nominatim: NominatimStub) -> None:
    # Runs last: it stops the module's server.
    workers = _children(server.process.pid)
    nominatim.delay_s = 2.0  # the geocoder's answer keeps one request in flight
    answers: list[requests.Response] = []
    asking = threading.Thread(target=lambda: answers.append(
        requests.get(server.url + "/api/geocode", params={"q": "Italian Market"}, timeout=60)))
    asking.start()
    _wait_for("the request to reach the geocoder", lambda: bool(nominatim.searches), limit_s=30)

    server.process.send_signal(signal.SIGTERM)
    asking.join(timeout=60)
    assert server.process.wait(timeout=GRACEFUL_TIMEOUT_S + 10) == 0
    (answer,) = answers
    assert answer.status_code == 200 and answer.json()["lat"] == pytest.approx(39.9387)
    log = "\n".join(server.stderr)
    assert "Handling signal: term" in log and "Shutting down: Master" in log
    assert "Traceback" not in log
    assert not [pid for pid in workers if _alive(pid)]
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/", timeout=5)


# -- what reaches gunicorn, without starting it ------------------------------------------------


@pytest.fixture()
def gunicorn_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """``gunicorn_config(*args, **TOURAPP_vars)``: gunicorn's settings for ``tourapp serve``."""
    from gunicorn.app.base import BaseApplication

    for name in [n for n in os.environ if n.startswith("TOURAPP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TOURAPP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TOURAPP_NETWORK_DOWNLOAD", "false")
    seen: dict[str, Any] = {}

    def run(self: Any) -> None:  # instead of starting gunicorn
        seen.update({name: setting.get() for name, setting in self.cfg.settings.items()})

    monkeypatch.setattr(BaseApplication, "run", run)

    def configure(*args: str, **variables: str) -> dict[str, Any]:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        seen.clear()
        result = CliRunner().invoke(main, ["serve", *args])
        seen["exit_code"], seen["output"] = result.exit_code, result.output
        return dict(seen)

    return configure


def test_production_settings_are_on_by_default(gunicorn_config: Callable[..., dict[str, Any]],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "default_workers", lambda: 5)
    config = gunicorn_config(GUNICORN_CMD_ARGS="--workers 9 --preload")
    assert config["exit_code"] == 0, config["output"]
    assert config["bind"] == ["127.0.0.1:8000"] and config["workers"] == 5
    assert config["preload_app"] is True
    assert config["max_requests"] == 10000 and config["max_requests_jitter"] == 1000
    assert config["timeout"] == 30 and config["graceful_timeout"] == 30
    assert config["accesslog"] == "-" and "%(M)s" in config["access_log_format"]
    assert config["control_socket_disable"] is True


def test_settings_come_from_tourapp_variables_and_options_win(
        gunicorn_config: Callable[..., dict[str, Any]]) -> None:
    config = gunicorn_config("--workers", "4", "--no-preload", TOURAPP_HOST="0.0.0.0", TOURAPP_PORT="8080",
                             TOURAPP_WORKERS="6", TOURAPP_WORKER_TIMEOUT_S="45", TOURAPP_GRACEFUL_TIMEOUT_S="9",
                             TOURAPP_MAX_REQUESTS="500")
    assert config["exit_code"] == 0, config["output"]
    assert config["bind"] == ["0.0.0.0:8080"] and config["workers"] == 4
    assert config["timeout"] == 45 and config["graceful_timeout"] == 9
    assert config["max_requests"] == 500 and config["max_requests_jitter"] == 50
    assert config["preload_app"] is False
    assert "(4 workers, each worker loads its own)" in config["output"]


@pytest.mark.parametrize(("variables", "message"), [
    ({"TOURAPP_PORT": "0"}, "TOURAPP_PORT: 0 is out of range (at least 1 and at most 65535)"),
    ({"TOURAPP_WORKERS": "-1"}, "TOURAPP_WORKERS: -1 is out of range (at least 0 and at most 64)"),
    ({"TOURAPP_MAX_REQUESTS": "many"}, "TOURAPP_MAX_REQUESTS: cannot read 'many' as int"),
])
def test_a_bad_serve_setting_stops_naming_the_variable(gunicorn_config: Callable[..., dict[str, Any]],
                                                        variables: dict[str, str], message: str) -> None:
    config = gunicorn_config(**variables)
    assert config["exit_code"] == 1
    assert message in config["output"] and "Traceback" not in config["output"]
    assert "bind" not in config  # gunicorn never started


@pytest.mark.parametrize(("cpus", "workers"), [(1, 2), (2, 2), (6, 6)])
def test_the_default_worker_count_is_one_per_cpu_but_at_least_two(monkeypatch: pytest.MonkeyPatch,
                                                                  cpus: int, workers: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)))
    assert cli.default_workers() == workers
