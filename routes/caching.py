"""Responses for content that does not change while the app runs: rendered once, gzipped once.

Maps and data pages are deterministic for a given data file and settings, so a worker
renders each once and answers later requests from memory with an ETag (a revalidating
browser gets ``304``) and, where the client accepts it, the gzip bytes made on first use.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, request

from .state import get_state


@dataclass(frozen=True)
class CachedBody:
    """A response body with its ETag and a gzip copy."""

    raw: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: str | bytes) -> CachedBody:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        return cls(
            raw=raw,
            gzipped=gzip.compress(raw, compresslevel=9, mtime=0),
            etag=hashlib.sha256(raw).hexdigest()[:32],
        )


def cached_response(
    key: object,
    render: Callable[[], str | bytes],
    *,
    mimetype: str,
    max_age_s: int = 0,
    extra_headers: dict[str, str] | None = None,
    cache: bool = True,
) -> Response:
    """Serve ``render()``'s result, computed once per key per process.

    Pass ``cache=False`` for results keyed by free user input (a custom start point), which
    would otherwise let the cache grow without bound.
    """
    state = get_state()
    full_key = (state.data_version, key)  # a reloaded network must not serve pages drawn on the old one
    body = state.pages.get(full_key) if cache else None
    if body is None:
        body = CachedBody.of(render())
        if cache:
            state.pages.put(full_key, body)
    return body_response(body, mimetype=mimetype, max_age_s=max_age_s, extra_headers=extra_headers)


def body_response(
    body: CachedBody,
    *,
    mimetype: str,
    max_age_s: int = 0,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """A conditional, possibly gzipped response for a cached body."""
    if request.if_none_match.contains(body.etag):
        response = Response(status=304)
    else:
        # only when it pays: PNGs and tiny bodies come out of gzip larger than they went in
        use_gzip = request.accept_encodings.quality("gzip") > 0 and len(body.gzipped) < len(body.raw) - 64
        response = Response(body.gzipped if use_gzip else body.raw, mimetype=mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(body.etag)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age_s}, immutable" if max_age_s else "no-cache"
    )
    for name, value in (extra_headers or {}).items():
        response.headers[name] = value
    return response
