"""Bad input gets a clear 4xx; an unexpected failure is a 500 without a traceback."""

from __future__ import annotations

import pytest

from routes import create_app
from tourapp.errors import DataFileError


def test_unknown_pages_are_404_pages_that_say_what_was_missing(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at /no/such/page." in response.get_data(as_text=True)


def test_api_clients_get_json_errors(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_a_wrong_method_is_405_not_500(client):
    assert client.post("/api/stops").status_code == 405


def test_an_unexpected_error_is_a_500_page_without_a_traceback(offline_settings):
    app = create_app({"TESTING": False, "TOURAPP_SETTINGS": offline_settings})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Something went wrong" in body


def test_a_broken_data_file_stops_the_app_from_starting(tmp_path, offline_settings):
    bad = tmp_path / "stops.json"
    bad.write_text('{"sources": {}, "stops": [{"id": "x"}]}', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"stop 'x': location: missing"):
        create_app({"TOURAPP_SETTINGS": offline_settings, "TOURAPP_STOPS_FILE": str(bad)})
