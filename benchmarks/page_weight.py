"""Page weight: what a first visit downloads, beside the same map built with folium's defaults.

Run from the repo root: ``python benchmarks/page_weight.py``. No server is needed: the Flask
test client (``create_app({"TESTING": True})``) answers every request in-process, so the bytes
counted are exactly the bodies the app sends. It prints figures and asserts nothing.

What is counted for each page in ``PAGES`` (every kind of page the app has; a route that does
not exist yet is skipped) is what a browser's *first visit* fetches, found by parsing rather
than by running a browser:

* the HTML, every ``<script src>``, ``<img src>`` and ``<link>`` stylesheet / icon / manifest /
  modulepreload, the static ``import … from`` graph of ES modules, the data scripts ``fetch()``
  (a literal URL, or ``el.dataset.fooUrl`` read from the page's ``data-foo-url``), and a service
  worker the page registers (its precache list is reported as a separate, background figure:
  the ``PRECACHE`` array of the served ``/sw.js`` if it has one, else every quoted root path in
  it; when the worker precaches with ``cache: "reload"`` or ``"no-store"``, as ours does, the
  files the page already loaded are downloaded a second time, bypassing the HTTP cache, and
  are counted again there);
* ``url(…)`` inside loaded stylesheets only when the rule could apply: a rule whose classes
  appear in the page's markup or inline scripts, a Leaflet rule whose element Leaflet creates
  only for a layers control or a default marker when the inline map script makes one, and an
  ``@font-face`` only when its family is used by some other rule (first ``src`` only).
  Retina (``-2x``/``@2x``) variants are left out: the figures are for a 1x screen.

Excluded, and said so in the output: map tiles (their URL template lives in the inline
script; how many a screen shows depends on its size), manifest icons (fetched only when the
browser checks installability), ``apple-touch-icon`` (fetched when adding to the home screen)
and anything on another host.

Columns: *raw* is the body without ``Accept-Encoding``; *gzip-6* is ``gzip -6`` of it (the
neutral figure used for folium's CDN files too); *gzip* is what the app sends a client that
says ``Accept-Encoding: gzip`` only; *sent* is what it sends Chromium, which says
``Accept-Encoding: gzip, deflate, br, zstd`` (over HTTPS and to localhost alike; Firefox and
Safari also ask for ``br``): Brotli for the static assets, gzip for the rest. Totals and the
target use *sent*. 1 KB here is 1024 B.

The folium comparison builds the same stops with ``folium.Map(...)`` defaults and plain
``folium.Marker``/``folium.Popup`` and counts the CDN files its page links: from installed
packages when they hold the same release byte for byte (Leaflet from ``xstatic-leaflet``,
jQuery from ``xstatic-jquery`` if installed), otherwise from ``RECORDED_CDN_SIZES`` below.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

#: A plan of three stops, as the planner's share link carries it.
PLAN_QUERY = "stops=italian-market,rocky-statue,art-museum-steps"
PAGES = ("/", "/stops/art-museum-steps", "/tour/montage", "/tours/montage/cues", "/plan", "/plan?tour=montage",
         f"/tour/plan?{PLAN_QUERY}", f"/plan/cues?{PLAN_QUERY}", "/offline")
#: What Chromium 156 sends (checked against a local server); the app answers br or gzip.
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
#: First visit budget, gzip, excluding tiles (brief: ≤ 64 KB).
TARGET_FIRST_VISIT_B = 64 * 1024
ORIGIN = "http://localhost"

# --------------------------------------------------------------------------------------------
# folium 0.20's default CDN assets that no installed package provides. Measured once by
# fetching the same release from the npm registry (``npm pack NAME@VERSION``; jsDelivr's /npm/
# URLs serve those files unchanged, and cdnjs builds Leaflet.awesome-markers 2.0.2 from the
# same release) and running ``len(data), len(gzip.compress(data, 6))`` on the file.
# URL -> (raw bytes, gzip -6 bytes, where the figure came from)
RECORDED_CDN_SIZES: dict[str, tuple[int, int, str]] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": (
        87_533, 30_413, "npm jquery@3.7.1 dist/jquery.min.js (= xstatic-jquery 3.7.1.1)"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        80_496, 23_320, "npm bootstrap@5.2.2 dist/js/bootstrap.bundle.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        3_789, 1_165, "npm drmonty-leaflet-awesome-markers@2.0.2 js/leaflet.awesome-markers.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        194_901, 27_513, "npm bootstrap@5.2.2 dist/css/bootstrap.min.css"),
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        7_586, 1_574, "a public copy of the netdna file (7,586 chars), gzipped locally"),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        101_784, 22_304, "npm @fortawesome/fontawesome-free@6.2.0 css/all.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        2_225, 596, "npm drmonty-leaflet-awesome-markers@2.0.2 css/leaflet.awesome-markers.css"),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
        36_186, 3_763, "estimate: the 360 .fa-rotate-N rules of folium's leaflet.awesome.rotate.css, minified"),
}
#: Fetched only if a page shows a Font Awesome glyph (folium.Icon(prefix="fa"), not plain markers).
#: Source: npm @fortawesome/fontawesome-free@6.2.0 webfonts/; woff2 does not compress further.
FOLIUM_CONDITIONAL_FONTS = {"fa-solid-900.woff2 (Font Awesome 6.2.0)": (150_472, 150_472)}
#: The brief's reference figures, printed beside the measured ones.
BRIEF_FOLIUM_CDN_GZIP_KB = 298
BRIEF_LEAFLET_GZIP_KB = 45.5


def gzip6(data: bytes) -> int:
    """``gzip -6`` size, or the raw size where gzip does not help (PNG, woff2: CDNs send those as is)."""
    return min(len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))


def kb(n: int) -> str:
    return f"{n / 1024:7.1f} KB"


@dataclass(eq=False)
class Asset:
    """One fetched URL: its sizes and the headers that decide a repeat visit."""

    url: str
    kind: str
    status: int = 0
    raw: int = 0
    gz6: int = 0
    sent_gzip: int = 0
    sent: int = 0
    encoding: str = "-"
    cache_control: str = ""
    etag: str | None = None
    body: bytes = b""
    note: str = ""


class PageLinks(HTMLParser):
    """The URLs an HTML document makes a browser fetch, plus its class names and inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.images: list[str] = []
        self.icons: list[str] = []
        self.touch_icons: list[str] = []
        self.manifests: list[str] = []
        self.modulepreloads: list[str] = []
        self.inline_scripts: list[str] = []
        self.classes: set[str] = set()
        self.data_attrs: dict[str, str] = {}
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.classes.update(a.get("class", "").split())
        self.data_attrs.update({k: v for k, v in a.items() if k.startswith("data-")})
        rel = set(a.get("rel", "").lower().split())
        if tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"])
            else:
                self._in_script = True
                self.inline_scripts.append("")
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "link" and a.get("href"):
            if "stylesheet" in rel:
                self.stylesheets.append(a["href"])
            elif "manifest" in rel:
                self.manifests.append(a["href"])
            elif "apple-touch-icon" in rel:
                self.touch_icons.append(a["href"])
            elif rel & {"icon", "shortcut"}:
                self.icons.append(a["href"])
            elif "modulepreload" in rel:
                self.modulepreloads.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts[-1] += data


# ---- CSS: which url(...) a first visit fetches ----------------------------------------------

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""")


def css_rules(css: str) -> Iterable[tuple[str, str]]:
    """(prelude, body) of every innermost block, e.g. ``(".a .b", "color:red")``."""
    css = _CSS_COMMENT.sub("", css)
    starts: list[int] = []
    nested: list[bool] = []
    for i, ch in enumerate(css):
        if ch == "{":
            starts.append(i)
            if nested:
                nested[-1] = True
            nested.append(False)
        elif ch == "}" and starts:
            start = starts.pop()
            had_child = nested.pop()
            if not had_child:
                before = max(css.rfind("}", 0, start), css.rfind("{", 0, start), css.rfind(";", 0, start))
                yield css[before + 1 : start].strip(), css[start + 1 : i]


def _leaflet_default_marker(inline_js: str) -> bool:
    """Does the map script make an ``L.marker`` with Leaflet's default (image) icon?"""
    chunks = inline_js.split("L.marker(")[1:]
    return any("icon" not in chunk.split("L.marker(")[0].lower() for chunk in chunks)


#: Leaflet classes its JS creates at run time, with when the element (and its image) appears.
LEAFLET_RUNTIME: dict[str, Callable[[str], bool]] = {
    "leaflet-control-layers-toggle": lambda js: "L.control.layers(" in js,
    "leaflet-default-icon-path": _leaflet_default_marker,
    "leaflet-retina": lambda js: False,  # 1x screen assumed
}


def css_fetches(css: str, page_tokens: set[str], inline_js: str) -> tuple[list[str], list[str]]:
    """(fetched, skipped) url()s of a stylesheet for this page, by the rules in the module doc."""
    fetched: list[str] = [u for u in _CSS_IMPORT.findall(css)]
    skipped: list[str] = []
    fonts: dict[str, list[str]] = {}
    used_families: set[str] = set()
    for prelude, body in css_rules(css):
        if prelude.startswith("@font-face"):
            family = re.search(r"font-family\s*:\s*['\"]?([^;'\"]+)", body)
            srcs = re.findall(r"src\s*:([^;]*)", body)
            if family and srcs:
                fonts[family.group(1).strip()] = _CSS_URL.findall(srcs[-1])
            continue
        for fam in re.findall(r"font-family\s*:\s*([^;}]+)", body):
            used_families.update(f.strip().strip("'\"") for f in fam.split(","))
        urls = [u for _, u in _CSS_URL.findall(body)]
        if not urls:
            continue
        for selector in prelude.split(","):
            classes = re.findall(r"\.([\w-]+)", selector)
            ok = all(
                LEAFLET_RUNTIME[c](inline_js) if c in LEAFLET_RUNTIME else c in page_tokens
                for c in classes
            )
            if ok:
                break
        (fetched if ok else skipped).extend(u for u in urls if not u.startswith(("data:", "#")))
    for family, srcs in fonts.items():
        urls = [u for _, u in srcs if not u.startswith("data:")]
        if family in used_families and urls:
            fetched.append(urls[0])
            skipped.extend(urls[1:])
        else:
            skipped.extend(urls)
    return fetched, skipped


#: ``import {a} from "./x.js"``, also minified (``import{a}from"./x.js"``), and ``import "./y.js"``.
_JS_IMPORT = re.compile(
    r"""(?:^|[;\n])\s*(?:import|export)\b[\w$*\s{},]*?from\s*['"]([^'"]+)['"]"""
    r"""|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]""",
    re.M,
)
#: fetch("/literal") or fetch(el.dataset.someUrl), the latter resolved from data-some-url; also
#: through a helper named fetch… (``fetchRoute(panel.dataset.routeUrl)`` in static/js/api.js).
_JS_FETCH = re.compile(r"""\bfetch\w*\(\s*(?:['"]([^'"]+)['"]|[\w.]*dataset\.(\w+))""")
_SW_REGISTER = re.compile(r"""serviceWorker\s*\.\s*register\(\s*['"]([^'"]+)['"]""")
_SW_URL = re.compile(r"""['"](/[^'"\s]*)['"]""")
_SW_PRECACHE = re.compile(r"""\bPRECACHE\s*=\s*(\[[^\]]*\])""")
#: A precache ``Request`` that skips the HTTP cache: what the page loaded is downloaded again.
_SW_BYPASS = re.compile(r"""\bcache\s*:\s*['"](?:reload|no-store)['"]""")


def sw_precache_urls(sw_js: str) -> list[str]:
    """The URLs a service worker precaches: its ``PRECACHE`` array, else every quoted root path."""
    m = _SW_PRECACHE.search(sw_js)
    if m:
        try:
            return list(dict.fromkeys(u for u in json.loads(m.group(1)) if isinstance(u, str)))
        except ValueError:
            pass
    return list(dict.fromkeys(_SW_URL.findall(sw_js)))


# ---- our app ------------------------------------------------------------------------------------


class Fetcher:
    """Fetch URLs from the app through the test client, each once."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: dict[str, Asset] = {}

    def get(self, url: str, kind: str) -> Asset:
        key = urlsplit(url)._replace(scheme="", netloc="").geturl()
        if key in self.seen:
            return replace(self.seen[key], kind=kind)
        sent = self.client.get(key, headers={"Accept-Encoding": BROWSER_ACCEPT_ENCODING})
        gzipped = self.client.get(key, headers={"Accept-Encoding": "gzip"})
        raw = self.client.get(key)
        body = raw.get_data()
        asset = Asset(
            url=key,
            kind=kind,
            status=sent.status_code,
            raw=len(body),
            gz6=gzip6(body),
            sent_gzip=len(gzipped.get_data()),
            sent=len(sent.get_data()),
            encoding=sent.headers.get("Content-Encoding", "-"),
            cache_control=sent.headers.get("Cache-Control", "(none)"),
            etag=sent.headers.get("ETag"),
            body=body,
        )
        if asset.etag:
            again = self.client.get(key, headers={"Accept-Encoding": BROWSER_ACCEPT_ENCODING,
                                                  "If-None-Match": asset.etag})
            asset.note = f"revalidates -> {again.status_code}"
        self.seen[key] = asset
        return asset


def first_visit(fetcher: Fetcher, page: str) -> tuple[list[Asset], list[str], list[Asset]] | int:
    """(counted assets, notes on what was left out, service-worker precache) for one page.

    A page that does not answer 200 gives its status instead.
    """
    html = fetcher.get(page, "html")
    if html.status != 200:
        return html.status
    counted = [html]
    notes: list[str] = []
    links = PageLinks()
    links.feed(html.body.decode("utf-8", "replace"))
    inline_js = "\n".join(links.inline_scripts)
    page_tokens = set(links.classes) | set(re.findall(r"[\w-]+", inline_js))
    base = ORIGIN + page

    def add(ref: str, kind: str, relative_to: str = base) -> Asset | None:
        url = urljoin(relative_to, ref)
        if urlsplit(url).netloc != urlsplit(ORIGIN).netloc:
            notes.append(f"external, not measured: {url}")
            return None
        asset = fetcher.get(url, kind)
        if all(a.url != asset.url for a in counted):
            counted.append(asset)
        return asset

    for ref in links.stylesheets:
        sheet = add(ref, "css")
        if sheet is None or sheet.status != 200:
            continue
        fetched, skipped = css_fetches(sheet.body.decode("utf-8", "replace"), page_tokens, inline_js)
        sheet_url = ORIGIN + sheet.url
        for u in fetched:
            add(u, "css url()", sheet_url)
        for u in sorted(set(skipped)):
            notes.append(f"not fetched on this page (rule does not apply): {urljoin(sheet_url, u)}")
    module_queue = [(ref, "js") for ref in links.scripts] + [(ref, "js module") for ref in links.modulepreloads]
    sw_refs = _SW_REGISTER.findall(inline_js)
    fetches = _JS_FETCH.findall(inline_js)
    while module_queue:
        ref, kind = module_queue.pop(0)
        script = add(ref, kind)
        if script is None or script.status != 200:
            continue
        text = script.body.decode("utf-8", "replace")
        sw_refs += _SW_REGISTER.findall(text)
        fetches += _JS_FETCH.findall(text)
        if "leaflet" in script.url:
            continue  # a UMD bundle: no ES imports to follow
        for a, b in _JS_IMPORT.findall(text):
            module_queue.append((urljoin(ORIGIN + script.url, a or b), "js module"))
    for literal, dataset_key in fetches:
        ref = literal or links.data_attrs.get("data-" + re.sub(r"([A-Z])", r"-\1", dataset_key).lower())
        if ref:
            add(ref, "fetch()")
    for ref in links.images:
        add(ref, "img")
    for ref in links.icons:
        add(ref, "icon")
    for ref in links.touch_icons:
        notes.append(f"apple-touch-icon, not counted (fetched when adding to the home screen): {ref}")
    for ref in links.manifests:
        manifest = add(ref, "manifest")
        if manifest and manifest.status == 200:
            try:
                icons = json.loads(manifest.body).get("icons", [])
            except ValueError:
                icons = []
            counted_urls = {a.url for a in counted}
            for icon in icons:
                if icon.get("src") not in counted_urls:
                    notes.append(f"manifest icon, not counted (install check only): {icon.get('src')}")
    precache: list[Asset] = []
    for ref in dict.fromkeys(sw_refs):
        sw = add(ref, "service worker")
        if sw and sw.status == 200:
            sw_js = sw.body.decode("utf-8", "replace")
            refetch = bool(_SW_BYPASS.search(sw_js))
            counted_urls = {a.url for a in counted}
            for u in sw_precache_urls(sw_js):
                asset = fetcher.get(urljoin(ORIGIN + sw.url, u), "sw precache")
                if asset.status != 200:
                    notes.append(f"sw precache URL answered HTTP {asset.status}, not counted: {u}")
                elif (refetch or asset.url not in counted_urls) and all(a.url != asset.url for a in precache):
                    precache.append(asset)
    notes.append("map tiles excluded (URL template in the inline map script; count depends on screen size)")
    return counted, notes, precache


def repeat_visit(asset: Asset) -> str:
    cc = asset.cache_control
    m = re.search(r"max-age=(\d+)", cc)
    if m and int(m.group(1)) > 0 and "no-cache" not in cc:
        return "cached, no request" + (" (immutable)" if "immutable" in cc else "")
    if asset.etag:
        return f"conditional request ({asset.note})"
    return "full refetch"


def print_page(page: str, counted: list[Asset], notes: list[str], precache: list[Asset], earlier: set[str]) -> int:
    """Print one page's figures; return its first visit to a gzip-only client (for the folium
    comparison, whose CDN files are counted gzipped)."""
    print(f"\n== {page} ==")
    print(f"{'kind':<15}{'raw B':>9}{'gzip-6 B':>10}{'gzip B':>9}{'sent B':>9}  {'enc':<5} {'cache-control':<38} url")
    for a in counted:
        status = "" if a.status == 200 else f"  [HTTP {a.status}]"
        print(f"{a.kind:<15}{a.raw:>9,}{a.gz6:>10,}{a.sent_gzip:>9,}{a.sent:>9,}  {a.encoding:<5}"
              f" {a.cache_control:<38} {a.url}{status}")
    ok = [a for a in counted if a.status == 200]
    raw, gz6, sent_gzip, sent = (sum(getattr(a, f) for a in ok) for f in ("raw", "gz6", "sent_gzip", "sent"))
    print(f"{'TOTAL':<15}{raw:>9,}{gz6:>10,}{sent_gzip:>9,}{sent:>9,}  requests: {len(ok)}")
    for a in counted:
        if a.status != 200:
            print(f"  !! {a.url} answered HTTP {a.status}: left out of the total (the figure is low)")
    verdict = "OK" if sent <= TARGET_FIRST_VISIT_B else "OVER"
    target_kb = TARGET_FIRST_VISIT_B // 1024
    print(f"first visit (sent, excl. tiles): {kb(sent).strip()}  target <= {target_kb} KB: {verdict}"
          f"  (to a gzip-only client: {kb(sent_gzip).strip()})")
    if earlier:
        new = sum(a.sent for a in ok if a.url not in earlier)
        print(f"  after visiting the pages above: {kb(new).strip()} new (the rest is in the HTTP cache)")
    if precache:
        extra = sum(a.sent for a in precache)
        counted_urls = {a.url for a in counted}
        again = [a for a in precache if a.url in counted_urls]
        print(f"service worker precache (background, after load): {len(precache)} files, {kb(extra).strip()} sent")
        if again:
            print(f"  incl. {len(again)} the page already loaded, {kb(sum(a.sent for a in again)).strip()}: downloaded"
                  " again (the worker precaches with cache: \"reload\", bypassing the HTTP cache)")
        for a in precache:
            print(f"    {a.sent:>8,} B  {a.url}{'  (again)' if a.url in counted_urls else ''}")
        print(f"  first visit incl. SW install: {kb(sent + extra).strip()}")
    print("repeat visit:")
    requests = 0
    for a in ok:
        verdict = repeat_visit(a)
        requests += not verdict.startswith("cached")
        print(f"  {verdict:<42} {a.url}")
    print(f"  -> {requests} request(s) on a repeat visit, 0 body bytes when they answer 304")
    if notes:
        print("excluded / not fetched:")
        for n in dict.fromkeys(notes):
            print(f"  - {n}")
    return sent_gzip


# ---- folium's defaults ------------------------------------------------------------------------


def _local_cdn_copy(url: str) -> tuple[Path, str] | None:
    """An installed file byte-identical to a CDN URL, if a package provides that release."""
    import xstatic.pkg.leaflet as xleaflet

    m = re.search(r"/leaflet@([\d.]+)/dist/(leaflet\.(?:js|css))$", url)
    if m and m.group(1) == xleaflet.VERSION:
        return Path(xleaflet.BASE_DIR) / m.group(2), f"xstatic-leaflet {xleaflet.VERSION}"
    m = re.search(r"jquery-([\d.]+)\.min\.js$", url)
    if m:
        try:
            import xstatic.pkg.jquery as xjquery
        except ImportError:
            return None
        if m.group(1) == xjquery.VERSION:
            return Path(xjquery.BASE_DIR) / "jquery.min.js", f"xstatic-jquery {xjquery.VERSION}"
    return None


def folium_default_page(stops) -> tuple[str, bool]:
    """The same stops on a ``folium.Map`` with folium's defaults; (html, uses default markers)."""
    import folium

    from tourapp.maps import stop_popup_html

    lats = [s.lat for s in stops]
    lons = [s.lon for s in stops]
    fmap = folium.Map(location=[sum(lats) / len(lats), sum(lons) / len(lons)], zoom_start=13)
    for stop in stops:
        folium.Marker(
            [stop.lat, stop.lon],
            popup=folium.Popup(stop_popup_html(stop, url=f"/stops/{stop.id}"), max_width=280),
            tooltip=stop.name,
        ).add_to(fmap)
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    html = fmap.get_root().render()
    return html, _leaflet_default_marker(html)


def print_folium(stops, ours_sent: int) -> None:
    import folium
    import xstatic.pkg.leaflet as xleaflet

    html, default_markers = folium_default_page(stops)
    links = PageLinks()
    links.feed(html)
    data = html.encode("utf-8")
    rows: list[tuple[str, int, int, str]] = [
        ("(the rendered page)", len(data), gzip6(data), "folium get_root().render()")]
    missing: list[str] = []
    leaflet_gz = 0
    for url in links.scripts + links.stylesheets:
        local = _local_cdn_copy(url)
        if local:
            body = local[0].read_bytes()
            rows.append((url, len(body), gzip6(body), f"installed {local[1]}"))
            if "leaflet@" in url:
                leaflet_gz += rows[-1][2]
        elif url in RECORDED_CDN_SIZES:
            raw, gz, source = RECORDED_CDN_SIZES[url]
            rows.append((url, raw, gz, f"recorded: {source}"))
        else:
            missing.append(url)
    if default_markers:
        # L.marker without an icon: Leaflet loads its default icon image and shadow (1x screen).
        for name in ("marker-icon.png", "marker-shadow.png"):
            body = (Path(xleaflet.BASE_DIR) / "images" / name).read_bytes()
            rows.append((f"leaflet images/{name}", len(body), gzip6(body),
                         f"installed xstatic-leaflet {xleaflet.VERSION}"))
    print(f"\n== the same map with folium {folium.__version__} defaults (folium.Map + folium.Marker/Popup) ==")
    print(f"{'raw B':>9}{'gzip-6 B':>10}  url  [source of the figure]")
    for url, raw, gz, source in rows:
        print(f"{raw:>9,}{gz:>10,}  {url}  [{source}]")
    raw_total = sum(r[1] for r in rows)
    gz_total = sum(r[2] for r in rows)
    cdn_gz = sum(r[2] for r in rows[1:])
    print(f"{raw_total:>9,}{gz_total:>10,}  TOTAL first visit excl. tiles ({len(rows)} requests)")
    for url in missing:
        print(f"  !! no size known for {url} (add it to RECORDED_CDN_SIZES)")
    font_gz = sum(gz for _, gz in FOLIUM_CONDITIONAL_FONTS.values())
    print(f"  CDN assets alone: {kb(cdn_gz).strip()} gzip; {kb(cdn_gz + font_gz).strip()} with the Font Awesome"
          f" font a page with fa icons fetches (brief: ~{BRIEF_FOLIUM_CDN_GZIP_KB} KB)")
    print(f"  Leaflet js+css alone: {kb(leaflet_gz).strip()} gzip (brief: {BRIEF_LEAFLET_GZIP_KB} KB)")
    for name, (_raw, gz) in FOLIUM_CONDITIONAL_FONTS.items():
        print(f"  + {name}: {gz:,} B if an icon glyph is shown -> {kb(gz_total + gz).strip()}"
              " (not fetched with plain markers)")
    print("  map tiles excluded; the 2x marker image replaces the 1x one on retina screens")
    print(f"\nratio folium defaults / Montage Run, first visit of '/', both gzip: {gz_total / ours_sent:.1f}x"
          f"  ({kb(gz_total).strip()} vs {kb(ours_sent).strip()}; CDNs send Brotli too, so do we)")


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from routes import create_app
    from tourapp.stops import load_stops

    app = create_app({"TESTING": True})
    app.logger.setLevel(logging.CRITICAL)  # a broken URL shows as [HTTP 500] in the table
    fetcher = Fetcher(app.test_client())
    print("Page weight: first visit, excluding map tiles (raw / gzip -6 / bytes the app sends with"
          f" Accept-Encoding: gzip / with {BROWSER_ACCEPT_ENCODING!r}, as Chromium asks)")
    print(f"target: first visit <= {TARGET_FIRST_VISIT_B // 1024} KB (sent, gzip) excluding tiles")
    ours_index = 0
    earlier: set[str] = set()
    for page in PAGES:
        result = first_visit(fetcher, page)
        if isinstance(result, int):
            why = "no such route yet" if result == 404 else "the page is broken, fix it and rerun"
            print(f"\n== {page} ==\n  HTTP {result}: {why}; skipped")
            continue
        counted, notes, precache = result
        sent_gzip = print_page(page, counted, notes, precache, earlier)
        earlier |= {a.url for a in counted}
        if page == "/":
            ours_index = sent_gzip
    print_folium(list(load_stops().values()), ours_index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
