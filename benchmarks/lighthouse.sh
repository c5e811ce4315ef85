#!/usr/bin/env bash
# Lighthouse scores (mobile form factor, Lighthouse's default simulated slow 4G and 4x CPU
# slowdown) for the home page, a stop page and the tour page, against a `tourapp serve` this
# script starts on a free 127.0.0.1 port and always stops. Prints figures, asserts nothing.
#
#   benchmarks/lighthouse.sh            # from the repo root, with the project's venv active
#
# Needs: node + npm (Lighthouse is installed with `npm install --prefix` into
# $LIGHTHOUSE_PREFIX on first use), Debian's chromium at $CHROME_PATH, `tourapp` on PATH
# (or $TOURAPP). Reports go to $LIGHTHOUSE_OUT (JSON + HTML, one pair per page).
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
PAGES=(/ /stops/art-museum-steps /tour/montage)

LH="$PREFIX/node_modules/.bin/lighthouse"
if [ ! -x "$LH" ]; then
  echo "installing lighthouse@$VERSION into $PREFIX ..." >&2
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "lighthouse@$VERSION" >&2
fi

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
mkdir -p "$OUT"
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
printf '%-28s %12s %14s %15s %6s\n' page performance accessibility best-practices seo
for path in "${PAGES[@]}"; do
  name=$(echo "$path" | tr -c 'a-z0-9\n' '-' | sed 's/^-*//; s/-*$//'); name=${name:-home}
  "$LH" "$BASE$path" --quiet --form-factor=mobile \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    --output=json --output=html --output-path="$OUT/$name" >/dev/null 2>>"$OUT/lighthouse.log" || {
      echo "lighthouse failed for $path (see $OUT/lighthouse.log)" >&2; continue; }
  node -e '
    const r = require(process.argv[1]);
    const c = r.categories, f = (k) => (c[k] && c[k].score !== null ? c[k].score.toFixed(2) : "n/a");
    const a = r.audits;
    console.log(process.argv[2].padEnd(28), f("performance").padStart(12), f("accessibility").padStart(14),
      f("best-practices").padStart(15), f("seo").padStart(6),
      `  (FCP ${a["first-contentful-paint"].displayValue}, LCP ${a["largest-contentful-paint"].displayValue}, TBT ${a["total-blocking-time"].displayValue}, CLS ${a["cumulative-layout-shift"].displayValue})`);
    for (const [k, cat] of Object.entries(c)) for (const ref of cat.auditRefs)
      if (ref.weight > 0 && a[ref.id].score !== null && a[ref.id].score < 1 && k !== "performance")
        console.log("".padEnd(30) + `${k}: ${ref.id} (${a[ref.id].score})`);
  ' "$PWD/$OUT/$name.report.json" "$path"
done
echo "reports: $OUT/*.report.html"
