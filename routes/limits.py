"""Rate limits on what costs the server work per request: plans, custom routes, address search.

A fixed tour, a stop page or an asset is rendered once and served from memory (or by the
service worker): those are never limited, so a crowd following the montage costs nothing
and a phone installing the app (forty requests at once) is never refused. What is computed
per request is limited per client (:func:`client_key`) with flask-limiter, in two budgets:

- ``plans`` (``TOURAPP_RATELIMIT_PLANS``): the plan endpoints (``/api/plan``, ``/plan/…``,
  ``/tour/plan``, ``/plan.gpx``…), the planner page opened on a plan, and a tour's route,
  cue sheet or file asked with options that leave its cached answer (a start or finish, an
  order, a pace, ``max_points``…);
- ``geocode`` (``TOURAPP_RATELIMIT_GEOCODE``): ``/api/geocode``.

Which budget a request spends is decided here from its endpoint and query
(:func:`budget_for`), so the views stay as they are. Over budget is a 429 with
``Retry-After`` and a message (JSON or a page, like every error). Counters live in memory per
worker process by default; ``TOURAPP_RATELIMIT_STORAGE_URI=redis://…`` shares them between
workers and instances (if that store cannot be reached, each process counts in memory until
it can again, rather than failing every request).

Limits are off under ``TESTING`` unless a test sets ``RATELIMIT_ENABLED``: every test
client is one address, and a suite asking for hundreds of plans is not a crowd.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Mapping

import limits
import limits.errors
import limits.storage
from flask import Blueprint, Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded

from tourapp.errors import DataFileError
from tourapp.plan_request import QUERY_KEYS
from tourapp.settings import Settings

from .security import refusal

#: Endpoints that plan a route from their query whatever it holds.
PLAN_ENDPOINTS = frozenset({"api.plan", "pages.plan_tour", "pages.plan_cue_sheet", "pages.plan_qr"})
#: Endpoints whose plain form is a fixed, cached answer but whose query can ask for a new
#: route (a tour's route, cue sheet and files; the planner page opened on a share link).
TOUR_ENDPOINTS = frozenset({"api.tour", "pages.cue_sheet", "pages.plan"})
#: Every endpoint of these blueprints is a tour's or a plan's file (routes/downloads.py).
FILE_BLUEPRINTS = ("downloads",)
GEOCODE_ENDPOINTS = frozenset({"api.geocode"})
#: Query keys that ask for more than a tour's cached answer. ``units`` only relabels, and
#: a file's ``format`` picks one of two cached bodies; ``max_points`` simplifies anew.
COMPUTED_KEYS = frozenset(QUERY_KEYS) - {"units"} | {"max_points"}

PLANS = "plans"
GEOCODE = "geocode"
#: What each budget is called in the message a client over it reads.
WHAT = {PLANS: "route requests", GEOCODE: "address searches"}


def budget_for(endpoint: str | None, query: Mapping[str, str]) -> str | None:
    """The budget a request to ``endpoint`` with ``query`` spends, or ``None`` (not limited)."""
    if endpoint is None:
        return None
    if endpoint in GEOCODE_ENDPOINTS:
        return GEOCODE
    if endpoint in PLAN_ENDPOINTS:
        return PLANS
    if endpoint in TOUR_ENDPOINTS or endpoint.partition(".")[0] in FILE_BLUEPRINTS:
        return PLANS if any(key in COMPUTED_KEYS for key in query) else None
    return None


def _request_budget() -> str | None:
    return budget_for(request.endpoint, request.args)


def _spends_other_than(budget: str) -> Callable[[], bool]:
    """An ``exempt_when`` for one budget's limit: the request spends another, or none."""
    return lambda: _request_budget() != budget


def client_key() -> str:
    """Who a request counts against: its address (after ``TOURAPP_PROXY_FIX``, the client's).

    An IPv6 client counts by its /64 network: one subscriber's devices share a /64 and may
    pick any address in it, so counting single addresses would not limit them at all.
    """
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _per(item: limits.RateLimitItem) -> str:
    """``60 a minute``, ``600 every 2 hours``: a limit as the message reads it."""
    unit = item.GRANULARITY.name
    if item.multiples == 1:
        return f"{item.amount} a{'n' if unit == 'hour' else ''} {unit}"
    return f"{item.amount} every {item.multiples} {unit}s"


def _limit(variable: str, value: str) -> str:
    """A limit setting checked now, so a typo stops start-up instead of every request."""
    try:
        limits.parse_many(value)
    except ValueError:
        raise DataFileError(
            f"setting {variable}: cannot read {value!r} as a rate limit like '60/minute' or '60/minute;600/hour'"
        ) from None
    return value


def _storage(uri: str) -> str:
    try:
        limits.storage.storage_from_string(uri)
    except limits.errors.ConfigurationError as exc:
        raise DataFileError(f"setting TOURAPP_RATELIMIT_STORAGE_URI: cannot use {uri!r}: {exc}") from None
    return uri


def init_app(app: Flask) -> Limiter:
    """Limit the computed endpoints of ``app``; call after its blueprints are registered."""
    settings: Settings = app.config["TOURAPP_SETTINGS"]
    plans = _limit("TOURAPP_RATELIMIT_PLANS", settings.ratelimit_plans)
    geocode = _limit("TOURAPP_RATELIMIT_GEOCODE", settings.ratelimit_geocode)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    limiter = Limiter(
        client_key,
        app=app,
        storage_uri=_storage(settings.ratelimit_storage_uri),
        strategy="moving-window",  # exact: no double burst at a window's edge
        key_prefix="montage-run",
        headers_enabled=False,  # Retry-After is set on the 429 below; other answers stay plain
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    # Everything that spends no budget skips flask-limiter at once (cached pages stay fast).
    limiter.request_filter(lambda: _request_budget() is None)
    for budget, value in ((PLANS, plans), (GEOCODE, geocode)):
        shared = limiter.shared_limit(value, scope=budget, exempt_when=_spends_other_than(budget))
        for name in ("api", "pages", *FILE_BLUEPRINTS):
            blueprint = app.blueprints.get(name)
            if isinstance(blueprint, Blueprint):
                shared(blueprint)

    def too_many(exc: RateLimitExceeded) -> Response:
        item = exc.limit.limit
        current = limiter.current_limit
        window_s = item.get_expiry()
        wait_s = min(window_s, max(1, math.ceil(current.reset_at - time.time()))) if current else window_s
        budget = _request_budget() or PLANS
        response = refusal(
            429, "Too many requests",
            f"Too many {WHAT[budget]} from your address: at most {_per(item)}. Please try again in {wait_s} s.",
        )
        response.headers["Retry-After"] = str(wait_s)
        return response

    app.register_error_handler(RateLimitExceeded, too_many)
    app.extensions["tourapp.limiter"] = limiter
    return limiter
