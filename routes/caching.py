"""Responses for content that does not change while the app runs: rendered once, gzipped once.

Maps and data pages are deterministic for a given data file and settings, so a worker
renders each once and answers later requests from memory with an ETag (a revalidating
browser gets ``304``) and, where the client accepts it, the gzip bytes made on first use.

A hit must stay cheap: one lookup by the view's key (built from the parsed request, never
from a computed route) and the response. Only a miss spends the client's rate-limit budget
(routes/limits.py) and renders. Keys hold only bounded input: ids and options checked
against the catalogues or a finite list, never free coordinates (:func:`cacheable`) or an
unchecked ``Host``.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Response, request

from tourapp.plan_request import PlanRequest

from .limits import spend
from .state import get_state

Body = str | bytes
#: What a render makes: a body, or a body and headers that go with it (a file's name).
Rendered = Body | tuple[Body, Mapping[str, str]]


@dataclass(frozen=True)
class CachedBody:
    """A response body with its ETag, a gzip copy and any headers made with it."""

    raw: bytes
    gzipped: bytes
    etag: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, rendered: Rendered) -> CachedBody:
        body, headers = rendered if isinstance(rendered, tuple) else (rendered, {})
        raw = body.encode("utf-8") if isinstance(body, str) else body
        return cls(
            raw=raw,
            gzipped=gzip.compress(raw, compresslevel=9, mtime=0),
            etag=hashlib.sha256(raw).hexdigest()[:32],
            headers=tuple(headers.items()),
        )


def cacheable(plan: PlanRequest) -> bool:
    """Whether answers for this plan may be kept: its ids are checked against the catalogues
    before anything is stored, and its options come from short lists, but free coordinates
    would grow the cache without bound, and so would any pace but the planner's (tenths of a
    second per km, between two limits)."""
    pace = plan.pace_s_per_km
    return plan.start is None and plan.end is None and (pace is None or (pace * 10).is_integer())


def cached_body(key: object) -> CachedBody | None:
    """The body stored under ``key``, if any (for a view that must know before it computes)."""
    state = get_state()
    body: CachedBody | None = state.pages.get((state.data_version, key))
    return body


def cached_response(
    key: object,
    render: Callable[[], Rendered],
    *,
    mimetype: str,
    max_age_s: int = 0,
    extra_headers: dict[str, str] | None = None,
    cache: bool = True,
) -> Response:
    """Serve ``render()``'s result, computed once per key per process.

    Pass ``cache=False`` for results keyed by free user input (a custom start point), which
    would otherwise let the cache grow without bound. A render that raises stores nothing, so
    a key may hold ids the render checks. On a miss the request spends its rate-limit budget
    first (a 429 instead of the render when it is over).
    """
    state = get_state()
    full_key = (state.data_version, key)  # a reloaded network must not serve pages drawn on the old one
    body = state.pages.get(full_key) if cache else None
    if body is None:
        spend()
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
    for name, value in body.headers:
        response.headers[name] = value
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age_s}, immutable" if max_age_s else "no-cache"
    )
    for name, value in (extra_headers or {}).items():
        response.headers[name] = value
    return response
