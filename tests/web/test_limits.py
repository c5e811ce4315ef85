"""Rate limits: computed answers are limited per client, cached ones never are (a plan asked
before is served from the cache and spends nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routes import create_app
from routes.limits import GEOCODE, PLANS, budget_for, client_key
from tourapp.errors import DataFileError
from tourapp.settings import Settings

JSON = {"Accept": "application/json"}
START = "start=39.9526,-75.1652"
PLAN = f"stops=rail-yard,moshulu&{START}"

#: One URL per kind of computed answer: each spends the plans budget.
COMPUTED = [
    f"/api/plan?{PLAN}",
    "/api/plan?tour=montage",
    f"/api/tours/montage?{START}",
    "/api/tours/montage?order=shortest",
    "/api/tours/steps-finale?pace=300",
    f"/plan?{PLAN}",
    f"/tour/plan?{PLAN}",
    f"/plan/cues?{PLAN}",
    f"/plan.gpx?{PLAN}",
    f"/plan.fit?{PLAN}",
    f"/tours/montage.gpx?{START}",
    "/tours/montage.gpx?max_points=50",
    f"/tours/montage/cues?{START}",
]

#: Cached answers (and what a phone installing the app asks for): never limited.
FIXED = [
    "/", "/stops/rail-yard", "/tour/montage", "/tours/montage/cues", "/tours/montage/cues?units=mi",
    "/api/stops", "/api/tours", "/api/tours/montage", "/api/tours/montage?units=mi",
    "/tours/montage.gpx", "/tours/montage.gpx?format=rte", "/tours/montage.tcx", "/plan", "/offline",
    "/sw.js", "/manifest.webmanifest", "/favicon.ico",
]


def _limited_app(tmp_path: Path, plans: str = "3/minute", geocode: str = "2/minute", **settings: Any) -> Any:
    config = Settings(cache_dir=tmp_path / "cache", network_download=False, geocoding=False).with_overrides(
        {"ratelimit_plans": plans, "ratelimit_geocode": geocode, **settings})
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "TOURAPP_SETTINGS": config})


@pytest.fixture()
def limited(tmp_path: Path) -> Any:
    return _limited_app(tmp_path).test_client()


def test_the_request_over_the_limit_is_a_429_with_retry_after_and_a_message(limited):
    for _ in range(3):
        assert limited.get(f"/api/plan?{PLAN}").status_code == 200
    refused = limited.get(f"/api/plan?{PLAN}")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    error = refused.get_json()["error"]
    assert error["status"] == 429
    assert "at most 3 a minute" in error["message"]
    assert f"try again in {refused.headers['Retry-After']} s" in error["message"]
    page = limited.get(f"/plan?{PLAN}", headers={"Accept": "text/html"})
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert "Too many route requests" in page.get_data(as_text=True)
    assert "Content-Security-Policy" in page.headers


@pytest.mark.parametrize("url", COMPUTED)
def test_each_computed_answer_spends_the_budget(tmp_path, url):
    client = _limited_app(tmp_path, plans="1/minute").test_client()
    assert client.get(url).status_code != 429
    assert client.get(f"/api/plan?{PLAN}").status_code == 429


def test_a_plan_asked_again_comes_from_the_cache_and_spends_nothing(tmp_path):
    client = _limited_app(tmp_path, plans="2/minute").test_client()
    for _ in range(5):  # computed once, then served from the cache
        assert client.get("/api/plan?stops=moshulu,italian-market").status_code == 200
        assert client.get("/plan.gpx?stops=moshulu,italian-market").status_code == 200
    assert client.get("/api/plan?stops=moshulu,rail-yard").status_code == 429


def test_a_custom_start_spends_the_budget_every_time(tmp_path):
    client = _limited_app(tmp_path, plans="2/minute").test_client()
    for _ in range(2):
        assert client.get(f"/api/plan?{PLAN}").status_code == 200
    assert client.get(f"/api/plan?{PLAN}").status_code == 429
    assert client.get("/api/plan?stops=moshulu,italian-market").status_code == 429


def test_the_plans_budget_is_shared_by_every_computed_endpoint(limited):
    for url in COMPUTED[:3]:
        assert limited.get(url).status_code == 200
    assert limited.get(COMPUTED[3]).status_code == 429


def test_cached_answers_are_never_limited_even_for_a_client_over_its_budget(limited):
    while limited.get(f"/api/plan?{PLAN}").status_code != 429:
        pass
    for url in FIXED:
        for _ in range(4):
            response = limited.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)


def test_qr_codes_plan_nothing_and_spend_no_budget(limited):
    """The planner asks for a new QR code at every edit: a desk user making many edits must
    keep the budget for the routes themselves."""
    assert budget_for("pages.plan_qr", {"stops": "rail-yard,moshulu"}) is None
    for minute in range(30):  # each one a new plan with a point of its own: never cached
        qr = limited.get(f"/plan/qr.svg?stops=rail-yard,moshulu&start=39.95{minute:02d},-75.1652")
        assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    for _ in range(3):
        assert limited.get(f"/api/plan?{PLAN}").status_code == 200


def test_address_search_has_its_own_budget(limited):
    for _ in range(2):
        assert limited.get("/api/geocode?q=Broad+Street").status_code == 503  # switched off here
    refused = limited.get("/api/geocode?q=Broad+Street")
    assert refused.status_code == 429
    assert "Too many address searches" in refused.get_json()["error"]["message"]
    assert limited.get(f"/api/plan?{PLAN}").status_code == 200  # the plans budget is untouched


def test_each_client_has_its_own_budget(limited):
    for _ in range(3):
        limited.get(f"/api/plan?{PLAN}", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert limited.get(f"/api/plan?{PLAN}", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    assert limited.get(f"/api/plan?{PLAN}", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


def test_one_ipv6_subscriber_cannot_dodge_the_limit_by_changing_address(limited):
    for suffix in range(3):
        limited.get(f"/api/plan?{PLAN}", environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{suffix + 1}"})
    assert limited.get(f"/api/plan?{PLAN}", environ_base={"REMOTE_ADDR": "2001:db8:1:2::ff"}).status_code == 429
    assert limited.get(f"/api/plan?{PLAN}", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 200


def test_a_forged_forwarded_for_buys_no_new_budget(limited):
    for n in range(3):
        limited.get(f"/api/plan?{PLAN}", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    forged = limited.get(f"/api/plan?{PLAN}", headers={"X-Forwarded-For": "198.51.100.99"})
    assert forged.status_code == 429


def test_behind_a_configured_proxy_clients_are_told_apart_by_forwarded_for(tmp_path):
    client = _limited_app(tmp_path, proxy_fix="1").test_client()
    for _ in range(3):
        client.get(f"/api/plan?{PLAN}", headers={"X-Forwarded-For": "198.51.100.1"})
    assert client.get(f"/api/plan?{PLAN}", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert client.get(f"/api/plan?{PLAN}", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200


def test_limits_are_on_in_production(offline_settings):
    app = create_app({"TOURAPP_SETTINGS": offline_settings.with_overrides({"ratelimit_plans": "1/hour"})})
    client = app.test_client()
    client.get(f"/api/plan?{PLAN}")
    assert client.get(f"/api/plan?{PLAN}").status_code == 429


@pytest.mark.parametrize("off", ["off", "OFF", "0"])
def test_a_limit_set_to_off_is_no_limit(tmp_path, monkeypatch, off):
    monkeypatch.setenv("TOURAPP_RATELIMIT_PLANS", off)
    monkeypatch.setenv("TOURAPP_RATELIMIT_GEOCODE", off)
    settings = Settings.from_env().with_overrides({"cache_dir": str(tmp_path / "cache"),
                                                   "network_download": "false", "geocoding": "false"})
    client = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "TOURAPP_SETTINGS": settings}).test_client()
    for _ in range(5):
        assert client.get(f"/api/plan?{PLAN}").status_code == 200
        assert client.get("/api/geocode?q=Broad+Street").status_code == 503  # switched off, not limited


def test_one_budget_off_leaves_the_other_on(tmp_path):
    client = _limited_app(tmp_path, plans="off", geocode="1/minute").test_client()
    for _ in range(5):
        assert client.get(f"/api/plan?{PLAN}").status_code == 200
    assert client.get("/api/geocode?q=Broad+Street").status_code == 503
    assert client.get("/api/geocode?q=Broad+Street").status_code == 429


@pytest.mark.parametrize(("setting", "variable"), [
    ("ratelimit_plans", "TOURAPP_RATELIMIT_PLANS"),
    ("ratelimit_geocode", "TOURAPP_RATELIMIT_GEOCODE"),
    ("ratelimit_storage_uri", "TOURAPP_RATELIMIT_STORAGE_URI"),
])
def test_a_bad_limit_setting_stops_start_up_naming_it(tmp_path, setting, variable):
    with pytest.raises(DataFileError, match=variable) as refused:
        _limited_app(tmp_path, **{setting: "lots"})
    assert "'lots'" in str(refused.value)


def test_which_budget_a_request_spends():
    assert budget_for("api.geocode", {"q": "x"}) == GEOCODE
    assert budget_for("api.plan", {}) == PLANS
    assert budget_for("downloads.plan_gpx", {"stops": "a,b"}) == PLANS
    assert budget_for("downloads.tour_gpx", {"format": "rte", "units": "mi"}) is None
    assert budget_for("downloads.tour_fit", {"end": "1,2"}) == PLANS
    assert budget_for("pages.plan", {}) is None
    assert budget_for("pages.plan", {"tour": "montage"}) == PLANS
    assert budget_for("pages.stop", {"stops": "a,b"}) is None  # the page reads no query
    assert budget_for("assets.static", {"pace": "1"}) is None
    assert budget_for(None, {"stops": "a,b"}) is None


@pytest.mark.parametrize(("address", "key"), [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
])
def test_clients_are_counted_by_address_and_ipv6_by_network(app, address, key):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}):
        assert client_key() == key


def test_an_async_store_is_refused_at_start_up(tmp_path):
    with pytest.raises(DataFileError, match="TOURAPP_RATELIMIT_STORAGE_URI"):
        _limited_app(tmp_path, ratelimit_storage_uri="async+memory://")


def test_a_store_that_cannot_be_reached_serves_the_plan_and_logs_why(tmp_path, monkeypatch, caplog):
    app = _limited_app(tmp_path)

    def unreachable(*args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("redis://limits.internal:6379 refused the connection")

    monkeypatch.setattr(app.extensions["tourapp.limits"].counter, "hit", unreachable)
    client = app.test_client()
    for _ in range(5):
        assert client.get(f"/api/plan?{PLAN}").status_code == 200
    assert "rate-limit store failed" in caplog.text
