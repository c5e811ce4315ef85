#!/usr/bin/env bash
# Lighthouse scores (mobile form factor, Lighthouse's default simulated slow 4G and 4x CPU
# slowdown) for every page of the app, against a `tourapp serve` this script starts on a free
# 127.0.0.1 port and always stops. Prints figures, asserts nothing.
#
#   benchmarks/lighthouse.sh                     # from the repo root, with the project's venv
#   LIGHTHOUSE_RUNS=3 benchmarks/lighthouse.sh   # 3 runs a page, the median performance run kept
#   benchmarks/lighthouse.sh /plan /offline      # only these pages
#
# Needs: node + npm (Lighthouse is installed with `npm install --prefix` into
# $LIGHTHOUSE_PREFIX on first use), Debian's chromium at $CHROME_PATH, `tourapp` on PATH
# (or $TOURAPP). Reports go to $LIGHTHOUSE_OUT (JSON + HTML of the median run, per page).
# The performance score moves with the machine's load (Lighthouse simulates the throttling
# from timings it measures): on a busy shared machine use several runs.
#
# Map tiles: by default a plain local stub (a blank 256 px PNG per tile, on another free
# port), so the figures measure this app, not the OSM tile servers, whose usage policy also
# asks automated tools to stay away. LIGHTHOUSE_TILES=osm keeps the configured tile server;
# without internet those tiles then fail, the page shows its "no map background"
# notice and Chromium logs the failed loads (costing "errors in console" in best-practices).
set -euo pipefail

cd "$(dirname "$0")/.."
PREFIX=${LIGHTHOUSE_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/montage-run/lighthouse}
VERSION=${LIGHTHOUSE_VERSION:-12}
OUT=${LIGHTHOUSE_OUT:-test-artifacts/lighthouse}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
TOURAPP=${TOURAPP:-$(command -v tourapp || echo .venv/bin/tourapp)}
PYTHON=${PYTHON:-$(dirname "$TOURAPP")/python}
RUNS=${LIGHTHOUSE_RUNS:-1}
PLAN_QUERY="stops=italian-market,rocky-statue,art-museum-steps"
PAGES=(/ /stops/art-museum-steps /tour/montage /tours/montage/cues /plan "/plan?tour=montage"
       "/tour/plan?$PLAN_QUERY" "/plan/cues?$PLAN_QUERY" /offline)
if [ "$#" -gt 0 ]; then PAGES=("$@"); fi

LH="$PREFIX/node_modules/.bin/lighthouse"
if [ ! -x "$LH" ]; then
  echo "installing lighthouse@$VERSION into $PREFIX ..." >&2
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "lighthouse@$VERSION" >&2
fi

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PIDS=()
# errexit also applies inside the trap: a `wait` on a server stopped by SIGTERM returns 143,
# which would end the trap (leaving the next server running) and make the script exit 143.
stop_all() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  exit "$rc"
}
trap stop_all EXIT

TILES="${LIGHTHOUSE_TILES:-local}"
if [ "$TILES" = local ]; then
  TILE_PORT=$(free_port)
  "$PYTHON" - "$TILE_PORT" >"$OUT/tiles.log" 2>&1 <<'PY' &
import http.server, struct, sys, zlib

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

row = b"\x00" + bytes((232, 228, 220)) * 256
PNG = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(row * 256, 9)) + chunk(b"IEND", b""))

class Tiles(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        for name, value in (("Content-Type", "image/png"), ("Content-Length", str(len(PNG))),
                            ("Cache-Control", "max-age=86400"), ("Access-Control-Allow-Origin", "*")):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(PNG)

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Tiles).serve_forever()
PY
  PIDS+=($!)
  export TOURAPP_TILE_URL="http://127.0.0.1:$TILE_PORT/{z}/{x}/{y}.png"
fi

"$TOURAPP" serve --host 127.0.0.1 --port "$PORT" --workers 2 >"$OUT/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 100); do
  if "$PYTHON" -c "import urllib.request; urllib.request.urlopen('$BASE/', timeout=1)" 2>/dev/null; then break; fi
  kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.2
done

echo "Lighthouse $("$LH" --version) · $("$CHROME_PATH" --version 2>/dev/null | head -1) · mobile · $BASE · tiles: $TILES"
printf '%-52s %5s %12s %14s %15s %6s\n' page runs performance accessibility best-practices seo
for path in "${PAGES[@]}"; do
  name=$(echo "$path" | tr -c 'a-z0-9\n' '-' | sed 's/^-*//; s/-*$//'); name=${name:-home}
  reports=()
  for run in $(seq 1 "$RUNS"); do
    "$LH" "$BASE$path" --quiet --form-factor=mobile \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
      --output=json --output=html --output-path="$OUT/$name-run$run" >/dev/null 2>>"$OUT/lighthouse.log" || {
        echo "lighthouse failed for $path, run $run (see $OUT/lighthouse.log)" >&2; continue; }
    reports+=("$OUT/$name-run$run.report.json")
  done
  [ "${#reports[@]}" -gt 0 ] || continue
  # The median run by performance score; every run's score is listed beside it.
  median=$(node -e '
    const runs = process.argv.slice(1).map((f) => [f, require(f).categories.performance.score ?? -1]);
    runs.sort((a, b) => a[1] - b[1]);
    console.log(runs[Math.floor((runs.length - 1) / 2)][0]);
  ' "${reports[@]}")
  cp "$median" "$OUT/$name.report.json"; cp "${median%.json}.html" "$OUT/$name.report.html"
  node -e '
    const [file, page, ...all] = process.argv.slice(1);
    const r = require(file);
    const c = r.categories, f = (k) => (c[k] && c[k].score !== null ? c[k].score.toFixed(2) : "n/a");
    const a = r.audits;
    const perfs = all.map((p) => (require(p).categories.performance.score ?? 0).toFixed(2)).join(" ");
    console.log(page.padEnd(52), String(all.length).padStart(5), f("performance").padStart(12),
      f("accessibility").padStart(14), f("best-practices").padStart(15), f("seo").padStart(6));
    console.log("".padEnd(4) + `performance of each run: ${perfs}; median run: FCP ${a["first-contentful-paint"].displayValue},` +
      ` LCP ${a["largest-contentful-paint"].displayValue}, TBT ${a["total-blocking-time"].displayValue},` +
      ` CLS ${a["cumulative-layout-shift"].displayValue}, SI ${a["speed-index"].displayValue}`);
    for (const [k, cat] of Object.entries(c)) for (const ref of cat.auditRefs)
      if (ref.weight > 0 && a[ref.id].score !== null && a[ref.id].score < 1 && (k !== "performance" || c[k].score < 0.98))
        console.log("".padEnd(4) + `${k}: ${ref.id} (${a[ref.id].score}) ${a[ref.id].displayValue || ""}`);
  ' "$median" "$path" "${reports[@]}"
done
echo "reports: $OUT/*.report.html (the median run of each page)"
