"""The app under load: cached endpoints against a same-size static file, and plans computed
per request, on one gunicorn server configured as ``tourapp serve`` configures it.

Run from the repo root: ``python benchmarks/load.py`` (needs ``wrk``: ``apt-get install wrk``;
Debian's is at ``/usr/bin/wrk``). It prints figures and asserts nothing; with the default 30 s
per run it takes about 5 minutes (``--duration-s 10`` for a quick look).

Method, and why it is fair:

* The app routes on the real OpenStreetMap extract ``tests/data/center-city.osm.bz2`` (Center
  City to Penn's Landing): its street graph cache is built once with ``tourapp network fetch``
  before the server starts, as in production, and gunicorn preloads the app (2 sync workers,
  the access log format of ``tourapp serve``). Rate limits are set so high that they never
  refuse (``TOURAPP_RATELIMIT_PLANS``/``TOURAPP_RATELIMIT_GEOCODE``): one wrk is one client.
* The app is wrapped in werkzeug's ``SharedDataMiddleware``, which answers ``/bench-static/…``
  from a temporary folder and passes every other path to ``routes.create_app()`` untouched (one
  string-prefix check per request).
* Cached endpoints: for each, the file placed in that folder holds exactly the bytes the
  endpoint sends to a client that says ``Accept-Encoding: gzip``: both requests move the same
  body over the same sockets, workers and access log. What is left is the cost of the request
  path itself (routing, the view, the page cache, conditional/gzip handling) against a file
  read and ``sendfile``. A ratio near 1 says the endpoint adds little over static serving.
  Among them ``/api/plan`` with a fixed query (a plan many people share: cached like a tour).
* Uncached plans: ``/api/plan`` with a different start point on every request, drawn by wrk's
  Lua inside the extract (fixed seeds, one per wrk thread): each is snapped to the street graph
  and routed, then rendered as GeoJSON, never from a cache.
* Each run is ``wrk -t2 -c64 -d30s -H 'Accept-Encoding: gzip'`` on loopback, after a short
  warm-up. wrk's Lua ``done`` hook reports requests, p50/p99 latency, HTTP status errors
  (>= 400) and socket errors (timeouts included); a check confirms each URL answers 2xx before
  it is loaded. wrk shares the CPU with the server, so each run also reports the CPU share
  other processes took meanwhile (from /proc), flagged unreliable above 10 %.
* At the end: each process's peak resident memory (``VmHWM`` in /proc/<pid>/status) for the
  gunicorn master and every worker, and what they hold now (``VmRSS``).

The server is always stopped in ``finally``, by its own process group.
"""

from __future__ import annotations

import argparse
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
CONNECTIONS = 64
WORKERS = 2
EXTRACT = REPO / "tests" / "data" / "center-city.osm.bz2"
#: Two stops inside the extract (the catalogue tours reach beyond it: Kensington, the Art Museum).
PLAN = "stops=moshulu,italian-market"
ENDPOINTS = ("/", "/api/stops", "/stops/moshulu", f"/plan.gpx?{PLAN}", f"/api/plan?{PLAN}&order=shortest")
#: Where the uncached plans start: Society Hill to Center City, inside the extract and the tour area.
START_BOX = {"south": 39.938, "north": 39.958, "west": -75.170, "east": -75.148}
TARGET_RATIO = 0.8
TARGET_PLANS_PER_S = 100
TARGET_P99_MS = 100
#: Limits no benchmark reaches: rate limiting is effectively off.
NO_LIMIT = "off"
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

WRK_UNCACHED_LUA = """\
-- a different start on every request, inside START_BOX; fixed seeds, one per wrk thread.
-- A start that snaps onto a piece of footway cut off from the stops is a 422 (documented,
-- "cannot be reached"): counted apart from errors.
local threads = {{}}
function setup(thread)
  thread:set("seed", 1000 + #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(seed)
  unplannable = 0
end
function request()
  local lat = {south} + math.random() * ({north} - {south})
  local lon = {west} + math.random() * ({east} - {west})
  return wrk.format("GET", string.format("/api/plan?{plan}&start=%.6f,%.6f", lat, lon))
end
function response(status, headers, body)
  if status == 422 then unplannable = unplannable + 1 end
end
function done(summary, latency, requests)
  local cut_off = 0
  for _, thread in ipairs(threads) do cut_off = cut_off + thread:get("unplannable") end
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d, "unplannable": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status - cut_off, summary.errors.timeout, cut_off))
end
"""

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
        port: int = s.getsockname()[1]
        return port


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


def wrk_args(duration_s: int) -> list[str]:
    return ["-t2", f"-c{CONNECTIONS}", f"-d{duration_s}s", "--timeout", "5s"]


def run_wrk(url: str, lua: Path, duration_s: int) -> dict[str, float]:
    out = subprocess.run(
        [WRK, *wrk_args(duration_s), "-H", "Accept-Encoding: gzip", "-s", str(lua), url],
        capture_output=True, text=True, timeout=duration_s + 60, check=True,
    ).stdout
    stats: dict[str, float] = json.loads(out.strip().splitlines()[-1])
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
        now = (time.monotonic(), self._busy_s(), self._ours_s())
        wall, busy, ours = (later - then for later, then in zip(now, self.start))
        self.share = max(0.0, busy - ours) / (wall * (os.cpu_count() or 1))


def row(label: str, size: int | str, s: dict[str, float]) -> str:
    size_text = f"{size:>8,}" if isinstance(size, int) else f"{size:>8}"
    return (f"{label:<48}{size_text}{s['rps']:>9,.0f}{s['p50_us'] / 1000:>9.1f}{s['p99_us'] / 1000:>9.1f}"
            f"{s['status']:>8}{s['socket_errors']:>8}")


def server_memory(master_pid: int) -> list[tuple[str, int, float, float]]:
    """(role, pid, peak MB, now MB) for the gunicorn master and each of its workers."""

    def status(pid: int) -> dict[str, str]:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        return dict(line.split(":", 1) for line in lines if ":" in line)

    def mb(value: str) -> float:
        return int(value.split()[0]) / 1024  # kB

    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(parts[1]) == master_pid:  # ppid
            workers.append(int(stat.parent.name))
    out = []
    for role, pid in [("master", master_pid), *(("worker", w) for w in sorted(workers))]:
        try:
            fields = status(pid)
        except OSError:
            continue
        out.append((role, pid, mb(fields["VmHWM"]), mb(fields["VmRSS"])))
    return out


def build_network_cache(env: dict[str, str]) -> None:
    """``tourapp network fetch --if-missing`` (here: built from the extract and cached), once,
    before the server starts, as a deploy does."""
    tourapp = Path(sys.executable).with_name("tourapp")
    command = [str(tourapp)] if tourapp.exists() else [sys.executable, "-m", "routes.cli"]
    subprocess.run([*command, "network", "fetch", "--if-missing"], env=env, check=True, capture_output=True,
                   timeout=600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration-s", type=int, default=30, help="seconds of load per run (default 30)")
    duration_s = parser.parse_args().duration_s
    if not Path(WRK).exists():
        print("wrk not found: apt-get install wrk")
        return 1
    from routes.cli import ACCESS_LOG_FORMAT

    work = Path(tempfile.mkdtemp(prefix="montage-load-"))
    static_dir = work / "static"
    static_dir.mkdir()
    (work / "bench_wsgi.py").write_text(WSGI_WRAPPER)
    lua = work / "report.lua"
    lua.write_text(WRK_REPORT_LUA)
    uncached_lua = work / "uncached.lua"
    uncached_lua.write_text(WRK_UNCACHED_LUA.format(plan=PLAN, **START_BOX))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BENCH_STATIC_DIR=str(static_dir), TOURAPP_OSM_FILE=str(EXTRACT),
               TOURAPP_CACHE_DIR=str(work / "cache"), TOURAPP_NETWORK_DOWNLOAD="false",
               TOURAPP_GEOCODING="false", TOURAPP_RATELIMIT_PLANS=NO_LIMIT, TOURAPP_RATELIMIT_GEOCODE=NO_LIMIT)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work), str(REPO), env.get("PYTHONPATH")]))
    build_network_cache(env)
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--preload", "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT, "bench_wsgi:application"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    results: list[tuple[str, float, int]] = []
    memory: list[tuple[str, int, float, float]] = []
    plans: dict[str, float] | None = None
    try:
        wait_until_up(base, server)
        print(f"Load: gunicorn {WORKERS} sync workers (preloaded) on {base}, routing on {EXTRACT.name}; "
              f"wrk {' '.join(wrk_args(duration_s))}, Accept-Encoding: gzip; rate limits {NO_LIMIT}")
        print(f"targets: cached endpoint req/s >= {TARGET_RATIO} x same-size static file; uncached plans >= "
              f"{TARGET_PLANS_PER_S}/s; p99 < {TARGET_P99_MS} ms; zero errors\n")
        print(f"{'':<48}{'body B':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>8}{'errors':>8}")
        for path in ENDPOINTS:
            status, body, headers = get(base + path)
            if not 200 <= status < 300:
                print(f"{path:<48}  HTTP {status} before load, skipped")
                continue
            name = path.strip("/").replace("/", "_").replace(".", "_").replace("?", "_").replace("&", "_") or "index"
            (static_dir / f"{name}.bin").write_bytes(body)
            static_path = f"/bench-static/{name}.bin"
            s_status, s_body, _ = get(base + static_path)
            assert s_status == 200 and s_body == body, "static copy not served as written"
            for _ in range(8):  # warm-up: let both workers render and cache the page
                get(base + path)
                get(base + static_path)
            enc = headers.get("Content-Encoding", "identity")
            with OtherCpu(server.pid) as others:
                ep = run_wrk(base + path, lua, duration_s)
                st = run_wrk(base + static_path, lua, duration_s)
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
        # uncached: every request a new start point, snapped and routed
        status, _, _ = get(f"{base}/api/plan?{PLAN}&start=39.95,-75.16")
        if status != 200:
            print(f"/api/plan with a start: HTTP {status} before load, skipped")
        else:
            with OtherCpu(server.pid) as others:
                plans = run_wrk(f"{base}/api/plan?{PLAN}", uncached_lua, duration_s)
            print(row(f"/api/plan?{PLAN}&start=<new each time>", "varies", plans))
            ok = (plans["rps"] >= TARGET_PLANS_PER_S and plans["p99_us"] / 1000 < TARGET_P99_MS
                  and not (plans["status"] or plans["socket_errors"]))
            print(f"  uncached plans {plans['rps']:,.0f}/s, p99 {plans['p99_us'] / 1000:.0f} ms  "
                  f"{'OK' if ok else 'BELOW TARGET'}; {plans['unplannable']:,.0f} starts cut off from the "
                  "stops (422, not counted as errors)")
            note = f"other processes used {others.share:.0%} of the CPU meanwhile"
            if others.share > OTHER_CPU_LIMIT:
                note += ": UNRELIABLE, rerun on a quiet machine"
            print(f"  {note}")
        memory = server_memory(server.pid)
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
    if memory:
        print("\nmemory (VmHWM peak / VmRSS now): " + "; ".join(
            f"{role} {pid}: {peak:.0f} / {now:.0f} MB" for role, pid, peak, now in memory))
    if results:
        worst = min(results, key=lambda r: r[1])
        errors = sum(r[2] for r in results) + (int(plans["status"] + plans["socket_errors"]) if plans else 0)
        print(f"worst ratio {worst[1]:.2f} ({worst[0]}); errors on endpoints: {errors};"
              f" server stopped (exit {server.returncode})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
