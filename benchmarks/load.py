"""Throughput of the cached endpoints against a static file of the same size, same server.

Run from the repo root: ``python benchmarks/load.py`` (needs ``wrk``; Debian's is at
``/usr/bin/wrk``). It prints figures and asserts nothing; it takes about 1.5 minutes.

Method, and why it is fair:

* One gunicorn server on a free ``127.0.0.1`` port, configured as ``tourapp serve`` configures
  it (2 sync workers, access log on), run directly from gunicorn because the baseline must be
  served by the *same* server: the app is wrapped in werkzeug's ``SharedDataMiddleware``,
  which answers ``/bench-static/…`` from a temporary folder and passes every other path to
  ``routes.create_app()`` untouched (one string-prefix check per request).
* For each endpoint, the file placed in that folder holds exactly the bytes the endpoint sends
  to a client that says ``Accept-Encoding: gzip`` (so the gzip body, when the app gzips):
  both requests move the same body over the same sockets, workers and access log. What is
  left is the cost of the request path itself: Flask routing, the view, the page cache,
  conditional/gzip handling — against a file read and ``sendfile``. A ratio near 1 says the
  endpoint adds little over static serving.
* Each pair runs back to back, after a short warm-up so every worker has rendered and cached
  the page: ``wrk -t2 -c16 -d10s -H 'Accept-Encoding: gzip'`` on loopback only. wrk's Lua
  ``done`` hook reports requests, p50/p99 latency, HTTP status errors (>= 400) and socket
  errors; a separate check confirms each URL answers 2xx before it is loaded. wrk shares the
  CPU with the server, so each pair also reports the CPU share other processes took while it
  ran (from /proc) and is flagged unreliable above 10 %.

The server is always stopped in ``finally``, by its own process group.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"
WRK_ARGS = ["-t2", "-c16", "-d10s", "--timeout", "5s"]
WORKERS = 2
ENDPOINTS = ("/", "/api/stops", "/stops/moshulu", "/tours/montage.gpx")
TARGET_RATIO = 0.8
#: Above this share of all cores used by other processes during a pair, its ratio is noise.
OTHER_CPU_LIMIT = 0.10

WSGI_WRAPPER = '''\
"""routes.create_app() plus /bench-static/ served from BENCH_STATIC_DIR (benchmarks/load.py)."""
import os

from werkzeug.middleware.shared_data import SharedDataMiddleware

from routes import create_app

application = SharedDataMiddleware(
    create_app(), {"/bench-static": os.environ["BENCH_STATIC_DIR"]}, cache=True, cache_timeout=0
)
'''

WRK_REPORT_LUA = """\
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def wait_until_up(base: str, server: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            get(base + "/")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn not answering at {base} after {timeout_s:.0f} s")


def run_wrk(url: str, lua: Path) -> dict[str, float]:
    out = subprocess.run(
        [WRK, *WRK_ARGS, "-H", "Accept-Encoding: gzip", "-s", str(lua), url],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    stats["socket_errors"] = stats["connect"] + stats["read"] + stats["write"] + stats["timeout"]
    return stats


class OtherCpu:
    """CPU time that processes other than ours (server, wrk, this script) use during a run.

    wrk and gunicorn share this machine's cores, so another busy process (a test suite, a
    browser) lowers one run of a pair more than the other. The load average cannot tell, as
    our own wrk raises it; /proc can: all busy time minus our process group's and children's.
    """

    def __init__(self, server_pgid: int) -> None:
        self.pgid = server_pgid
        self.tick = os.sysconf("SC_CLK_TCK")

    def _busy_s(self) -> float:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / self.tick  # minus idle, iowait

    def _ours_s(self) -> float:
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parts = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(parts[2]) == self.pgid:  # pgrp
                total += int(parts[11]) + int(parts[12])  # utime, stime
        me = os.times()
        return total / self.tick + me.user + me.system + me.children_user + me.children_system

    def __enter__(self) -> OtherCpu:
        self.start = (time.monotonic(), self._busy_s(), self._ours_s())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, busy, ours = (now - then for now, then in zip((time.monotonic(), self._busy_s(), self._ours_s()), self.start))
        self.share = max(0.0, busy - ours) / (wall * (os.cpu_count() or 1))


def row(label: str, size: int, s: dict[str, float]) -> str:
    return (f"{label:<34}{size:>8,}{s['rps']:>9,.0f}{s['p50_us'] / 1000:>9.1f}{s['p99_us'] / 1000:>9.1f}"
            f"{s['status']:>8}{s['socket_errors']:>8}")


def main() -> int:
    if not Path(WRK).exists():
        print("wrk not found: apt-get install wrk")
        return 1
    work = Path(tempfile.mkdtemp(prefix="montage-load-"))
    static_dir = work / "static"
    static_dir.mkdir()
    (work / "bench_wsgi.py").write_text(WSGI_WRAPPER)
    lua = work / "report.lua"
    lua.write_text(WRK_REPORT_LUA)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BENCH_STATIC_DIR=str(static_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work), str(REPO), env.get("PYTHONPATH")]))
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--access-logfile", "-", "bench_wsgi:application"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    results: list[tuple[str, float, int]] = []
    try:
        wait_until_up(base, server)
        print(f"Load: gunicorn {WORKERS} sync workers on {base}; wrk {' '.join(WRK_ARGS)}, Accept-Encoding: gzip")
        print(f"target: endpoint req/s >= {TARGET_RATIO} x same-size static file, zero errors\n")
        print(f"{'':<34}{'body B':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>8}{'errors':>8}")
        for path in ENDPOINTS:
            status, body, headers = get(base + path)
            if status == 404:
                print(f"{path:<34}  404: no such route yet, skipped")
                continue
            if not 200 <= status < 300:
                print(f"{path:<34}  HTTP {status} before load, skipped")
                continue
            name = path.strip("/").replace("/", "_").replace(".", "_") or "index"
            (static_dir / f"{name}.bin").write_bytes(body)
            static_path = f"/bench-static/{name}.bin"
            s_status, s_body, _ = get(base + static_path)
            assert s_status == 200 and s_body == body, "static copy not served as written"
            for _ in range(8):  # warm-up: let both workers render and cache the page
                get(base + path)
                get(base + static_path)
            enc = headers.get("Content-Encoding", "identity")
            with OtherCpu(server.pid) as others:
                ep = run_wrk(base + path, lua)
                st = run_wrk(base + static_path, lua)
            print(row(f"{path} ({enc})", len(body), ep))
            print(row("  same-size static file", len(body), st))
            ratio = ep["rps"] / st["rps"]
            ok = ratio >= TARGET_RATIO and not (ep["status"] or ep["socket_errors"])
            print(f"  ratio endpoint/static {ratio:.2f}  {'OK' if ok else 'BELOW TARGET'}")
            note = f"other processes used {others.share:.0%} of the CPU meanwhile"
            if others.share > OTHER_CPU_LIMIT:
                note += ": UNRELIABLE, rerun on a quiet machine"
            print(f"  {note}")
            results.append((path, ratio, int(ep["status"] + ep["socket_errors"])))
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    if results:
        worst = min(results, key=lambda r: r[1])
        errors = sum(r[2] for r in results)
        print(f"\nworst ratio {worst[1]:.2f} ({worst[0]}); errors on endpoints: {errors};"
              f" server stopped (exit {server.returncode})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
