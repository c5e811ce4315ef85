"""What every response says about itself, and what the app believes about a request.

**Headers.** Every response carries a Content-Security-Policy and the usual hardening headers
(:data:`HARDENING_HEADERS`; HSTS only over HTTPS). Scripts run only from the app itself and,
for the inline scripts folium writes into map pages (and any other inline ``<script>`` or
``<style>`` a page holds), by the SHA-256 hash of their text. Hashes, not nonces: a page is
rendered once and served byte for byte from memory (routes/caching.py), so the policy is
computed from the body the first time it is served and reused by its ETag. A ``304`` carries
no policy: the browser keeps the one stored with the page (a ``304``'s headers replace the
stored ones, and a policy without the page's hashes would block its map).

**Addresses.** The ``Host`` header is the client's to choose, so nothing a user takes away is
built from it: exported files link to ``TOURAPP_PUBLIC_URL`` (:func:`app_url`), which also
fixes the scheme, host and path prefix of every absolute link the app writes (share links, QR
codes). ``TOURAPP_TRUSTED_HOSTS`` answers other hosts with a 400 (Flask's ``TRUSTED_HOSTS``),
and ``X-Forwarded-*`` headers count only behind ``TOURAPP_PROXY_FIX`` (werkzeug ``ProxyFix``).

**Sizes.** Query strings, paths and request bodies are capped (:data:`MAX_QUERY_BYTES`...):
the longest real plan link is a few hundred bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from markupsafe import escape
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from tourapp.errors import DataFileError
from tourapp.settings import DEFAULT_PUBLIC_URL, Settings

from .errors import wants_json

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: A query string longer than this is refused (414): a plan of 11 stops with a start, a
#: finish and every option is under 600 bytes.
MAX_QUERY_BYTES = 2048
#: A path longer than this is refused (414): ids are short, asset names carry a 12-digit hash.
MAX_PATH_BYTES = 1024
#: No view reads a request body; a client sending a large one is refused (413).
MAX_CONTENT_LENGTH = 16 * 1024
#: Policies kept per process, one per distinct HTML body (pages are cached by the hundred).
POLICY_CACHE_SIZE = 512
#: One year, the usual HSTS preload minimum; sent only on responses that came over HTTPS.
HSTS_MAX_AGE_S = 31_536_000

#: Sent with every response.
HARDENING_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    # The origin, not the path, goes to other sites: the OSM tile policy asks for a Referer,
    # and a plan's path and query (a runner's start point) stay private.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    # The phone's position is for this app's own pages only; nothing here uses the others.
    ("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors 'none' for browsers without CSP level 2
)

#: ``type`` values of a ``<script>`` the browser runs (anything else is a data block).
_SCRIPT_TYPES = frozenset({
    "", "module", "text/javascript", "application/javascript", "text/ecmascript",
    "application/ecmascript", "text/jscript", "text/livescript", "application/x-javascript",
})
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_SRC_ATTR = re.compile(r"(?:^|\s)src\s*=", re.IGNORECASE)
_TYPE_ATTR = re.compile(r"""(?:^|\s)type\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def inline_hashes(html: str) -> tuple[list[str], list[str]]:
    """CSP hash sources (``'sha256-…'``) of the inline scripts and ``<style>`` blocks in ``html``.

    Each hash is over the element's text as the browser's parser sees it (line ends made
    ``\\n``), in page order, without repeats. Scripts with ``src`` and data blocks (``type=
    "application/json"``) are not run inline and need none.
    """
    scripts = []
    for attributes, text in _SCRIPT.findall(html):
        if _SRC_ATTR.search(attributes):
            continue
        kind = _TYPE_ATTR.search(attributes)
        script_type = next((g for g in kind.groups() if g is not None), "") if kind else ""
        if script_type.strip().lower() in _SCRIPT_TYPES:
            scripts.append(_hash_source(text))
    styles = [_hash_source(text) for text in _STYLE.findall(html)]
    return list(dict.fromkeys(scripts)), list(dict.fromkeys(styles))


def _hash_source(text: str) -> str:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")  # as the HTML parser does
    digest = hashlib.sha256(normalised.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def tile_source(tile_url: str) -> str | None:
    """The CSP source of the tile server in ``tile_url`` (``None`` when tiles come from the app).

    A ``{s}`` subdomain placeholder becomes a ``*.`` wildcard (CSP allows one, leftmost).
    """
    parts = urlsplit(tile_url)
    if not parts.netloc:
        return None  # a path on this site: 'self' covers it
    host = parts.netloc.rsplit("@", 1)[-1]
    first, _, rest = host.partition(".")
    if "{" in first and rest and "{" not in rest:
        host = "*." + rest
    elif "{" in host:
        raise DataFileError(
            f"setting TOURAPP_TILE_URL: a placeholder in the host of {tile_url!r} can only stand for "
            "its first label (like {s}.tile.example.org), so the content security policy can name it"
        )
    return f"{parts.scheme}://{host}" if parts.scheme else host


@dataclass(frozen=True)
class ContentSecurityPolicy:
    """The app's policy: fixed directives, plus the hashes of a page's own inline code."""

    #: The tile server's origin (``img-src`` for the map, ``connect-src`` for the service
    #: worker, which fetches tiles to keep them offline), or ``None``.
    tile_source: str | None

    def header(self, script_hashes: Iterable[str] = (), style_hashes: Iterable[str] = ()) -> str:
        """The header value; hashes are added to ``script-src`` / ``style-src``."""
        tiles = [self.tile_source] if self.tile_source else []
        directives: list[tuple[str, list[str]]] = [
            ("default-src", ["'self'"]),
            ("script-src", ["'self'", *script_hashes]),
            # Leaflet positions tiles and markers through element.style (CSSOM), which CSP
            # does not govern; the pages have no style="" attributes, so no 'unsafe-inline'.
            ("style-src", ["'self'", *style_hashes]),
            ("img-src", ["'self'", "data:", *tiles]),
            ("connect-src", ["'self'", *tiles]),
            ("font-src", ["'self'"]),
            ("worker-src", ["'self'"]),
            ("manifest-src", ["'self'"]),
            ("object-src", ["'none'"]),
            ("base-uri", ["'self'"]),
            ("form-action", ["'self'"]),
            ("frame-ancestors", ["'none'"]),
        ]
        return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)

    def for_html(self, html: str) -> str:
        """The header for a page: its inline scripts and styles allowed by hash."""
        scripts, styles = inline_hashes(html)
        return self.header(scripts, styles)


class PolicyCache:
    """Policies of HTML bodies by ETag: a cached page's hashes are computed once, not per hit."""

    def __init__(self, policy: ContentSecurityPolicy) -> None:
        self.policy = policy
        self.base = policy.header()
        # A plain dict, emptied when full: a lookup is on every page served, so it takes no
        # lock (dict reads are atomic), and a page whose entry went is simply hashed again.
        self._by_etag: dict[str, str] = {}

    def header_for(self, response: Response) -> str | None:
        """The policy for ``response``; ``None`` for a 304 (the stored page keeps its own)."""
        if response.status_code == 304:
            return None
        if not response.headers.get("Content-Type", "").startswith("text/html") or response.is_streamed:
            return self.base
        etag = response.headers.get("ETag")  # as sent: parsing it would cost more than the lookup
        if etag:
            found = self._by_etag.get(etag)
            if found is not None:
                return found
        body = response.get_data()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        header = self.policy.for_html(body.decode("utf-8", "replace"))  # the app writes UTF-8
        if etag:
            if len(self._by_etag) >= POLICY_CACHE_SIZE:
                self._by_etag.clear()
            self._by_etag[etag] = header
        return header


# -------------------------------------------------------------------------------------------
# public address, trusted hosts, proxies


def public_url(value: str) -> str:
    """``TOURAPP_PUBLIC_URL`` checked and ending in ``/``; ``""`` when unset."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise DataFileError(
            f"setting TOURAPP_PUBLIC_URL: {value!r} is not an http(s) address like https://montagerun.example/"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def trusted_hosts(value: str) -> list[str] | None:
    """``TOURAPP_TRUSTED_HOSTS`` as Flask's ``TRUSTED_HOSTS`` list; ``None`` (any host) when unset."""
    hosts = [host.strip().lower() for host in value.split(",") if host.strip()]
    for host in hosts:
        if "/" in host or " " in host:
            raise DataFileError(f"setting TOURAPP_TRUSTED_HOSTS: {host!r} is not a host name")
    return hosts or None


_PROXY_KEYS = ("for", "proto", "host", "port", "prefix")


def proxy_hops(value: str) -> dict[str, int]:
    """``TOURAPP_PROXY_FIX`` as ``ProxyFix`` arguments (``{"x_for": 1, ...}``); ``{}`` when unset.

    A bare number trusts that many proxies for the client's address and the scheme only: a
    proxy that does not set ``X-Forwarded-Host`` or ``-Prefix`` would pass the client's own.
    """
    value = value.strip()
    if not value:
        return {}
    if value.isdigit():
        return {"x_for": int(value), "x_proto": int(value)}
    hops: dict[str, int] = {}
    for item in value.split(","):
        key, _, count = item.strip().partition("=")
        if key not in _PROXY_KEYS or not count.strip().isdigit():
            raise DataFileError(
                f"setting TOURAPP_PROXY_FIX: cannot read {item.strip()!r}; give a number of proxies, "
                f"or hop counts like for=1,proto=1 (keys: {', '.join(_PROXY_KEYS)})"
            )
        hops[f"x_{key}"] = int(count)
    return hops


class PublicAddress:
    """WSGI middleware: requests look as if they came to the public URL's scheme and path prefix.

    With ``SERVER_NAME`` set to its host, ``url_for(..., _external=True)`` then writes the
    public URL whatever ``Host`` the client sent (which Flask still checks against
    ``TRUSTED_HOSTS``, so it is left alone).
    """

    def __init__(self, app: WSGIApplication, url: str) -> None:
        parts = urlsplit(url)
        self.app = app
        self.scheme = parts.scheme
        self.script_name = parts.path.rstrip("/")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = self.scheme
        if self.script_name:
            environ["SCRIPT_NAME"] = self.script_name
        return self.app(environ, start_response)


def app_url() -> str:
    """The app's root URL for links in files people take away (GPX, TCX, FIT).

    ``TOURAPP_PUBLIC_URL`` when set; else the request's host if ``TOURAPP_TRUSTED_HOSTS``
    vouches for it; else :data:`~tourapp.settings.DEFAULT_PUBLIC_URL` — never a ``Host`` that
    nobody checked.
    """
    configured: str = current_app.extensions["tourapp.security"]["public_url"]
    if configured:
        return configured
    if current_app.config.get("TRUSTED_HOSTS"):
        return f"{request.scheme}://{request.host}{request.script_root}/"
    return DEFAULT_PUBLIC_URL


# -------------------------------------------------------------------------------------------
# refusals


def refusal(status: int, title: str, message: str) -> Response:
    """An error answered like routes/errors.py's: JSON for API clients, the error page for people."""
    if wants_json():
        response = jsonify(error={"status": status, "title": title, "message": message})
    else:
        response = make_response(render_template("errors/error.html", status=status, title=title,
                                                 message=message))
    response.status_code = status
    return response


def _untrusted_host(exc: SecurityError) -> Response:
    """A 400 for a ``Host`` outside ``TOURAPP_TRUSTED_HOSTS``, without the error page: with no
    trusted host there is no URL adapter, so the page's links could not be built."""
    message = exc.description or "That host is not served here."
    if wants_json():
        response = jsonify(error={"status": 400, "title": "Unknown host", "message": message})
    else:
        response = Response(f"<!doctype html><title>Unknown host</title><p>{escape(message)}</p>",
                            mimetype="text/html")
    response.status_code = 400
    return response


def _check_sizes() -> Response | None:
    """Refuse over-long addresses and bodies before any view parses them (read from the WSGI
    environ: this runs on every request, cached pages included)."""
    environ = request.environ
    query_bytes = len(environ.get("QUERY_STRING", ""))  # latin-1 text: one character per byte
    if query_bytes > MAX_QUERY_BYTES:
        return refusal(414, "That address is too long",
                       f"The query is {query_bytes} bytes long; at most {MAX_QUERY_BYTES} are accepted.")
    path_bytes = len(environ.get("PATH_INFO", ""))
    if path_bytes > MAX_PATH_BYTES:
        return refusal(414, "That address is too long",
                       f"The path is {path_bytes} bytes long; at most {MAX_PATH_BYTES} are accepted.")
    if environ.get("CONTENT_LENGTH") and (request.content_length or 0) > MAX_CONTENT_LENGTH:
        return refusal(413, "That request is too large",
                       f"The request body is {request.content_length} bytes; at most {MAX_CONTENT_LENGTH} "
                       "are accepted (no page here takes one).")
    return None


# -------------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Wire the proxy and address rules, the size caps and the headers into ``app``.

    A bad setting stops start-up here with a message naming the variable.
    """
    settings: Settings = app.config["TOURAPP_SETTINGS"]
    public = public_url(settings.public_url)
    hosts = trusted_hosts(settings.trusted_hosts)
    hops = proxy_hops(settings.proxy_fix)
    policies = PolicyCache(ContentSecurityPolicy(tile_source(settings.tile_url)))
    app.extensions["tourapp.security"] = {"public_url": public, "policies": policies}

    # Flask() reads FLASK_DEBUG from the environment; no documented setting turns debug on.
    app.debug = False
    if hosts is not None:
        app.config["TRUSTED_HOSTS"] = hosts
        app.register_error_handler(SecurityError, _untrusted_host)
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_CONTENT_LENGTH)
    if public:
        app.config["SERVER_NAME"] = urlsplit(public).netloc
        app.wsgi_app = PublicAddress(app.wsgi_app, public)  # type: ignore[method-assign]
    if hops:  # outermost: the client's address and scheme are known before anything else runs
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)  # type: ignore[method-assign]

    app.before_request(_check_sizes)

    hsts = ("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_S}")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # added, not set: no view sends these, and this runs on every cached page
        headers = response.headers
        headers.extend(HARDENING_HEADERS)
        if request.is_secure:
            headers.add(*hsts)
        policy = policies.header_for(response)
        if policy is not None:
            headers.add("Content-Security-Policy", policy)
        return response

