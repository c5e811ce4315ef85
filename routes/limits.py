"""Rate limits on what costs the server work per request: plans, custom routes, address search.

A fixed tour, a stop page or an asset is rendered once and served from memory (or by the
service worker): those are never limited, so a crowd following the montage costs nothing
and a phone installing the app (forty requests at once) is never refused. What is computed
per request is limited per client (:func:`client_key`), in two budgets:

- ``plans`` (``TOURAPP_RATELIMIT_PLANS``): the plan endpoints (``/api/plan``, ``/plan/cues``,
  ``/tour/plan``, ``/plan.gpx``…; not the QR code, which plans nothing), the planner page
  opened on a plan, and a tour's route, cue sheet or file asked with options that leave its
  cached answer (a start or finish, an order, a pace, ``max_points``…);
- ``geocode`` (``TOURAPP_RATELIMIT_GEOCODE``): ``/api/geocode``.

Which budget a request spends is decided here from its endpoint and query
(:func:`budget_for`). A request spends its plans budget only when its answer is computed: a
plan many people share is served from the response cache like a tour, and a hit costs no
count (nor a store round trip). So the check before the view only notes the budget; the view
spends it with :func:`spend` once it knows it must compute (routes/caching.py does on every
cache miss; a start or finish point is never cached, so it always spends). Address searches
spend on arrival. Over budget is a 429 with ``Retry-After`` and a message (JSON or a page,
like every error).

``off`` (or ``0``) as a budget's setting switches that limit off.

The counting is the ``limits`` library's (the engine under flask-limiter, with its limit
syntax and storage URIs), called from one ``before_request`` that returns after a dict
lookup for the requests that spend nothing: flask-limiter's own hook walks its limit
registry on every request, cached pages included. Counters live in memory per worker
process by default; ``TOURAPP_RATELIMIT_STORAGE_URI=redis://…`` shares them between workers
and instances. If that store cannot be reached the request is served and the failure
logged: a limit is there to keep the app up, not to take it down with its store.

Limits are off under ``TESTING`` unless a test sets ``RATELIMIT_ENABLED``: every test
client is one address, and a suite asking for hundreds of plans is not a crowd.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import limits
import limits.errors
import limits.storage
import limits.strategies
from flask import Flask, Response, abort, current_app, g, request

from tourapp.errors import DataFileError
from tourapp.plan_request import QUERY_KEYS
from tourapp.settings import Settings

from .security import refusal

#: Endpoints that plan a route from their query whatever it holds. Not the plan's QR code
#: (``pages.plan_qr``): it plans nothing (a lookup of the ids and a small SVG), and the
#: planner page asks for a new one at every edit, which would lock a desk user out of routes.
PLAN_ENDPOINTS = frozenset({"api.plan", "pages.plan_tour", "pages.plan_cue_sheet"})
#: Endpoints whose plain form is a fixed, cached answer but whose query can ask for a new
#: route (a tour's route, cue sheet and files; the planner page opened on a share link).
TOUR_ENDPOINTS = frozenset({"api.tour", "pages.cue_sheet", "pages.plan"})
#: Every endpoint of these blueprints is a tour's or a plan's file (routes/downloads.py).
FILE_BLUEPRINTS = frozenset({"downloads"})
GEOCODE_ENDPOINTS = frozenset({"api.geocode"})
#: Endpoints that may spend a budget (the file blueprints' too).
CANDIDATES = PLAN_ENDPOINTS | TOUR_ENDPOINTS | GEOCODE_ENDPOINTS
#: Query keys that ask for more than a tour's cached answer. ``units`` only relabels, and
#: a file's ``format`` picks one of two cached bodies; ``max_points`` simplifies anew.
COMPUTED_KEYS = frozenset(QUERY_KEYS) - {"units"} | {"max_points"}

PLANS = "plans"
GEOCODE = "geocode"
#: What each budget is called in the message a client over it reads.
WHAT = {PLANS: "route requests", GEOCODE: "address searches"}
#: Namespace of the counters in a shared store.
KEY_PREFIX = "montage-run"
#: What a budget setting says to switch that limit off.
OFF = frozenset({"off", "0"})
#: Where the budget a request will spend if computed waits for :func:`spend` (``flask.g``).
_PENDING = "tourapp_budget"


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


@dataclass(frozen=True)
class RateLimits:
    """The budgets and where their counts are kept."""

    #: Budget name -> its limits (all must hold: ``60/minute;600/hour``); none: off.
    budgets: Mapping[str, tuple[limits.RateLimitItem, ...]]
    counter: limits.strategies.RateLimiter

    def check(self) -> Response | None:
        """Before the view: note the plans budget for :func:`spend`; count an address search
        now (a 429 answer when it is over)."""
        endpoint = request.endpoint
        if endpoint not in CANDIDATES and (endpoint or "").partition(".")[0] not in FILE_BLUEPRINTS:
            return None  # most requests: a cached page or an asset, decided without parsing the query
        budget = budget_for(endpoint, request.args)
        if budget is None or not self.budgets[budget]:
            return None
        if budget == PLANS:
            setattr(g, _PENDING, budget)  # spent only if the answer is not in the cache
            return None
        return self.count(budget)

    def count(self, budget: str) -> Response | None:
        """Count this request against ``budget``; a 429 answer when it is over."""
        who = client_key()
        for item in self.budgets[budget]:
            try:
                if self.counter.hit(item, KEY_PREFIX, budget, who):
                    continue
                reset_at = self.counter.get_window_stats(item, KEY_PREFIX, budget, who).reset_time
            except Exception:  # an unreachable store must not take every plan down with it
                current_app.logger.exception("rate-limit store failed; request %s served unlimited", request.path)
                return None
            wait_s = min(item.get_expiry(), max(1, math.ceil(reset_at - time.time())))
            return _too_many(budget, item, wait_s)
        return None


def spend() -> None:
    """Count the request's pending budget, once, now that its answer is to be computed.

    Call before planning or rendering anything a client chose. Nothing happens when the
    request spends no budget (or limits are off).

    Raises
    ------
    werkzeug.exceptions.HTTPException
        Carrying the 429 answer when the client is over its budget.
    """
    budget: str | None = g.pop(_PENDING, None)
    if budget is None:
        return
    rate_limits: RateLimits = current_app.extensions["tourapp.limits"]
    refused = rate_limits.count(budget)
    if refused is not None:
        abort(refused)


def _too_many(budget: str, item: limits.RateLimitItem, wait_s: int) -> Response:
    response = refusal(
        429, "Too many requests",
        f"Too many {WHAT[budget]} from your address: at most {_per(item)}. Please try again in {wait_s} s.",
    )
    response.headers["Retry-After"] = str(wait_s)
    return response


def _per(item: limits.RateLimitItem) -> str:
    """``60 a minute``, ``600 every 2 hours``: a limit as the message reads it."""
    unit = item.GRANULARITY.name
    if item.multiples == 1:
        return f"{item.amount} a{'n' if unit == 'hour' else ''} {unit}"
    return f"{item.amount} every {item.multiples} {unit}s"


def _parse(variable: str, value: str) -> tuple[limits.RateLimitItem, ...]:
    """A limit setting read now, so a typo stops start-up instead of every request; ``()`` for
    ``off`` (no limit)."""
    if value.strip().lower() in OFF:
        return ()
    try:
        return tuple(limits.parse_many(value))
    except ValueError:
        raise DataFileError(
            f"setting {variable}: cannot read {value!r} as a rate limit like '60/minute' or "
            "'60/minute;600/hour', or 'off'"
        ) from None


def _storage(uri: str) -> limits.storage.Storage:
    try:
        storage = limits.storage.storage_from_string(uri)
    except limits.errors.ConfigurationError as exc:
        raise DataFileError(f"setting TOURAPP_RATELIMIT_STORAGE_URI: cannot use {uri!r}: {exc}") from None
    if not isinstance(storage, limits.storage.Storage):  # async+… stores need an event loop
        raise DataFileError(f"setting TOURAPP_RATELIMIT_STORAGE_URI: {uri!r} is an async store; use e.g. redis://")
    return storage


def init_app(app: Flask) -> RateLimits:
    """Limit the computed endpoints of ``app`` (checked before any view runs)."""
    settings: Settings = app.config["TOURAPP_SETTINGS"]
    rate_limits = RateLimits(
        budgets={
            PLANS: _parse("TOURAPP_RATELIMIT_PLANS", settings.ratelimit_plans),
            GEOCODE: _parse("TOURAPP_RATELIMIT_GEOCODE", settings.ratelimit_geocode),
        },
        # a moving window is exact: no double burst where two fixed windows meet
        counter=limits.strategies.MovingWindowRateLimiter(_storage(settings.ratelimit_storage_uri)),
    )
    app.extensions["tourapp.limits"] = rate_limits
    if app.config.setdefault("RATELIMIT_ENABLED", not app.testing):
        app.before_request(rate_limits.check)
    return rate_limits
