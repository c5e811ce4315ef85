"""What the app trusts and what every response says: public address, hosts, proxies, headers,
the Content-Security-Policy of each page, size caps, and no debug or banner in production."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from helpers import REPO
from lxml import html as lxml_html
from qr_reader import read_svg_qr

from routes import create_app
from routes.security import MAX_PATH_BYTES, MAX_QUERY_BYTES, inline_hashes, tile_source
from tourapp.errors import DataFileError
from tourapp.plan_request import MAX_STOPS, PlanRequest
from tourapp.settings import DEFAULT_PUBLIC_URL, Settings

EVIL = {"Host": "evil.example"}
JSON = {"Accept": "application/json"}
PLAN = "stops=rail-yard,moshulu&start=39.9526,-75.1652"


def _app(tmp_path: Path, **settings: Any) -> Any:
    config = Settings(cache_dir=tmp_path / "cache", network_download=False).with_overrides(settings)
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": config})


# -------------------------------------------------------------------------------------------
# the app's public address: never taken from an unchecked Host header


@pytest.mark.parametrize("path", ["/tours/montage.gpx", "/tours/montage.gpx?format=rte", f"/plan.gpx?{PLAN}"])
def test_a_download_never_links_to_the_host_the_client_named(client, path):
    body = client.get(path, headers=EVIL).get_data()
    assert b"evil.example" not in body
    assert DEFAULT_PUBLIC_URL.encode() in body


def test_every_file_links_to_the_public_url_whatever_the_host(tmp_path):
    client = _app(tmp_path, public_url="https://montagerun.example").test_client()
    for path in ("/tours/montage.gpx", "/tours/montage.gpx?format=rte", f"/plan.gpx?{PLAN}"):
        body = client.get(path, headers=EVIL).get_data()
        assert b"evil.example" not in body and b"127.0.0.1" not in body
        assert b"https://montagerun.example/" in body


def test_qr_codes_use_the_public_url_and_the_page_names_no_host_at_all(tmp_path):
    client = _app(tmp_path, public_url="https://montagerun.example/run/").test_client()
    query = PlanRequest.from_query({"stops": "rail-yard,moshulu"}).query_string()
    body = client.get(f"/plan?{query}", headers=EVIL).get_data(as_text=True)
    page = lxml_html.fromstring(body)
    assert page.get_element_by_id("share-link").get("value") == f"/run/plan?{query}"
    assert "evil.example" not in body and "://montagerun.example" not in body
    text, _ = read_svg_qr(client.get(f"/plan/qr.svg?{query}", headers=EVIL).get_data())
    assert text == f"https://montagerun.example/run/tour/plan?{query}"


def test_without_a_public_url_the_share_link_leads_back_to_the_plan_from_the_page_it_is_on(client):
    query = PlanRequest.from_query({"stops": "rail-yard,moshulu"}).query_string()
    opened_at = f"http://localhost/plan?{query}"
    page = lxml_html.fromstring(client.get(opened_at).get_data())
    link = urljoin(opened_at, page.get_element_by_id("share-link").get("value"))
    assert link == opened_at


def test_a_host_that_is_not_trusted_is_refused_naming_it(tmp_path):
    client = _app(tmp_path, trusted_hosts="montagerun.example, .montagerun.example").test_client()
    refused = client.get("/api/stops", headers=EVIL)
    assert refused.status_code == 400
    assert "evil.example" in refused.get_json()["error"]["message"]
    page = client.get("/", headers={**EVIL, "Accept": "text/html"})
    assert page.status_code == 400 and "evil.example" in page.get_data(as_text=True)
    assert client.get("/", headers={"Host": "montagerun.example"}).status_code == 200
    assert client.get("/", headers={"Host": "www.montagerun.example"}).status_code == 200


def test_a_trusted_host_is_what_files_link_to(tmp_path):
    client = _app(tmp_path, trusted_hosts="montagerun.example").test_client()
    body = client.get("/tours/montage.gpx", base_url="https://montagerun.example").get_data()
    assert b"https://montagerun.example/" in body and b"127.0.0.1" not in body


def test_forwarded_headers_count_only_behind_a_configured_proxy(client, tmp_path):
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/x"}
    plain = client.get("/api/stops", headers=forged)
    assert "Strict-Transport-Security" not in plain.headers  # not believed: the client said so

    proxied = _app(tmp_path, proxy_fix="1").test_client()
    response = proxied.get("/api/stops", headers=forged)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # a bare count trusts the address and scheme only: the host and prefix are still the socket's
    body = proxied.get("/tours/montage.gpx", headers=forged).get_data()
    assert b"evil.example" not in body


def test_hop_counts_name_which_forwarded_headers_are_believed(tmp_path):
    client = _app(tmp_path, proxy_fix="for=1,proto=1,host=1,prefix=1",
                  trusted_hosts="montagerun.example").test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "montagerun.example",
                 "X-Forwarded-Prefix": "/run"}
    body = client.get("/tours/montage.gpx", headers=forwarded).get_data()
    assert b"https://montagerun.example/run/" in body


@pytest.mark.parametrize(("setting", "value", "variable"), [
    ("public_url", "montagerun.example", "TOURAPP_PUBLIC_URL"),
    ("public_url", "ftp://montagerun.example/", "TOURAPP_PUBLIC_URL"),
    ("public_url", "https://montagerun.example/?x=1", "TOURAPP_PUBLIC_URL"),
    ("trusted_hosts", "https://montagerun.example/", "TOURAPP_TRUSTED_HOSTS"),
    ("proxy_fix", "lots", "TOURAPP_PROXY_FIX"),
    ("proxy_fix", "for=1,via=2", "TOURAPP_PROXY_FIX"),
    ("tile_url", "https://tiles.{s}.example/{z}/{x}/{y}.png", "TOURAPP_TILE_URL"),
])
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, setting, value, variable):
    with pytest.raises(DataFileError, match=variable) as refused:
        _app(tmp_path, **{setting: value})
    assert repr(value.split(",")[-1]) in str(refused.value) or repr(value) in str(refused.value)


# -------------------------------------------------------------------------------------------
# headers on every response

EVERY_KIND = [
    "/", "/stops/rail-yard", "/tour/montage", "/tours/montage/cues", "/plan", "/offline",
    "/api/stops", "/api/tours/montage", "/tours/montage.gpx", "/sw.js", "/manifest.webmanifest",
    "/favicon.ico", "/no/such/page", "/api/plan?stops=rail-yard",
]


@pytest.mark.parametrize("path", EVERY_KIND)
def test_every_response_carries_the_hardening_headers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    assert "camera=()" in headers["Permissions-Policy"] and "microphone=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = _directives(headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored anyway
    assert "Set-Cookie" not in headers


def test_hsts_is_sent_over_https(client):
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_images_and_connections_reach_only_the_app_and_the_tile_server(client):
    policy = _directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert policy["connect-src"] == ["'self'", "https://tile.openstreetmap.org"]
    assert policy["default-src"] == ["'self'"] and policy["worker-src"] == ["'self'"]


def test_another_tile_server_is_the_one_the_policy_allows(tmp_path):
    client = _app(tmp_path, tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png").test_client()
    policy = _directives(client.get("/sw.js").headers["Content-Security-Policy"])
    assert policy["img-src"][-1] == policy["connect-src"][-1] == "https://*.tiles.example.org"
    assert "tile.openstreetmap.org" not in str(policy)


@pytest.mark.parametrize(("tile_url", "source"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.org:8443/{z}/{x}/{y}{r}.png", "https://*.tile.example.org:8443"),
    ("/tiles/{z}/{x}/{y}.png", None),
])
def test_the_tile_source_is_the_tile_servers_origin(tile_url, source):
    assert tile_source(tile_url) == source


PAGES = ["/", "/stops/rail-yard", "/stops/art-museum-steps", "/tour/montage", "/tours/montage/cues",
         "/plan", f"/plan?{PLAN}", f"/tour/plan?{PLAN}", f"/plan/cues?{PLAN}", "/offline", "/no/such/page"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_allows_exactly_its_own_inline_scripts(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    policy = _directives(response.headers["Content-Security-Policy"])
    tree = lxml_html.fromstring(page)
    inline = [s.text or "" for s in tree.iter("script")
              if s.get("src") is None and s.get("type") in (None, "module", "text/javascript")]
    assert sorted(policy["script-src"][1:]) == sorted({_sha256(text) for text in inline})
    assert policy["style-src"] == ["'self'", *sorted({_sha256(s.text or "") for s in tree.iter("style")})]
    # what no hash can allow: handler attributes, javascript: links, style attributes
    assert not [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
    assert "javascript:" not in page.lower()
    assert tree.xpath("//*[@style]") == []


def test_the_map_pages_scripts_differ_so_their_hashes_do(client):
    first = client.get("/stops/rail-yard").headers["Content-Security-Policy"]
    second = client.get("/stops/moshulu").headers["Content-Security-Policy"]
    assert "'sha256-" in first and first != second


def test_a_cached_page_keeps_its_policy_gzipped_or_not_and_a_304_keeps_the_stored_one(fresh_client):
    plain = fresh_client.get("/tour/montage", headers={"Accept-Encoding": "identity"})
    zipped = fresh_client.get("/tour/montage", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    again = fresh_client.get("/tour/montage", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    # a 304's headers replace the stored ones: a policy without the page's hashes would block its map
    assert "Content-Security-Policy" not in again.headers
    assert again.headers["X-Content-Type-Options"] == "nosniff"


def test_inline_hashes_follow_the_browsers_rules():
    page = (
        '<script src="/a.js"></script><script type="application/json">{"a": 1}</script>'
        '<script>\r\nrun();\r\n</script><script type="module">go()</script><script>go()</script>'
        "<style>p{color:red}</style><div data-src=x></div>"
    )
    scripts, styles = inline_hashes(page)
    assert scripts == [_sha256("\nrun();\n"), _sha256("go()")]  # CRLF as the parser reads it; once each
    assert styles == [_sha256("p{color:red}")]


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (d.split() for d in header.split(";") if d.strip())
    return {name: sources for name, *sources in parts}


# -------------------------------------------------------------------------------------------
# sizes


def test_the_longest_real_plan_link_fits_the_caps(client):
    ids = list(client.application.extensions["tourapp"].stops)[:MAX_STOPS]
    plan = PlanRequest.from_query({"stops": ",".join(ids), "start": "39.952583,-75.165222",
                                   "end": "39.965570,-75.180966", "order": "shortest",
                                   "activity": "walk", "pace": "733.5", "units": "mi"})
    assert len(plan.query_string()) < MAX_QUERY_BYTES / 3
    assert client.get(f"/api/plan?{plan.query_string()}").status_code == 200


def test_a_query_over_the_cap_is_a_414_saying_so(client):
    response = client.get("/api/plan?stops=rail-yard,moshulu&pad=" + "x" * MAX_QUERY_BYTES, headers=JSON)
    assert response.status_code == 414
    assert f"at most {MAX_QUERY_BYTES}" in response.get_json()["error"]["message"]
    page = client.get("/plan?pad=" + "x" * MAX_QUERY_BYTES, headers={"Accept": "text/html"})
    assert page.status_code == 414 and "too long" in page.get_data(as_text=True)


def test_a_path_over_the_cap_is_a_414(client):
    response = client.get("/stops/" + "a" * MAX_PATH_BYTES, headers=JSON)
    assert response.status_code == 414
    assert f"at most {MAX_PATH_BYTES}" in response.get_json()["error"]["message"]


def test_a_large_request_body_is_refused(client):
    response = client.get("/api/stops", data=b"x" * 100_000, headers=JSON)
    assert response.status_code == 413
    assert "at most" in response.get_json()["error"]["message"]


# -------------------------------------------------------------------------------------------
# production: no debug, no traceback, no banner, no secret


def test_an_unexpected_error_is_a_plain_500_with_the_headers(offline_settings):
    app = create_app({"TOURAPP_SETTINGS": offline_settings})
    assert app.debug is False and app.testing is False

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals at /srv/app.py line 3")

    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["message"] == "The server could not complete that request. Please try again."
    assert "secret" not in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers and "Server" not in response.headers


def test_flask_debug_in_the_environment_does_not_switch_debug_on(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from gunicorn.app.base import BaseApplication

    from routes.cli import main

    served: list[Any] = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: served.append(self.load()))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("TOURAPP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TOURAPP_NETWORK_DOWNLOAD", "false")
    result = CliRunner().invoke(main, ["serve", "--port", "8999"])
    assert result.exit_code == 0, result.output
    (app,) = served
    assert app.debug is False
    assert _app(tmp_path).debug is False


def test_the_app_needs_no_secret_key(client):
    """No sessions, no signed cookies: nothing to keep secret, so no SECRET_KEY is read."""
    assert client.application.secret_key is None
    for path in EVERY_KIND:
        assert "Set-Cookie" not in client.get(path).headers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_tourapp_serve_sends_no_version_banner_and_ignores_forged_forwarding(tmp_path):
    port = _free_port()
    env = {**os.environ, "TOURAPP_CACHE_DIR": str(tmp_path), "TOURAPP_NETWORK_DOWNLOAD": "false",
           "FLASK_DEBUG": "1"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "tourapp"), "serve", "--port", str(port), "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/tours", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        request = urllib.request.Request(base + "/tours/montage.gpx", headers={
            "Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            headers, body = answer.headers, answer.read()
        assert not re.search(r"\d", headers.get("Server", "")), headers.get("Server")
        assert "werkzeug" not in str(headers).lower() and "python" not in str(headers).lower()
        assert "Strict-Transport-Security" not in headers  # gunicorn did not believe the forged scheme
        assert b"evil.example" not in body and b"http://127.0.0.1:8000/" in body
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no/such/page", timeout=10)
        page = missing.value.read().decode()
        assert missing.value.code == 404 and "Traceback" not in page and "Werkzeug" not in page
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
