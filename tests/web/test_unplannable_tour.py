"""A tour with a stop far from any walkable way: its own URLs say why; nothing else breaks."""

from __future__ import annotations

import json
import re

import pytest
from town_app import make_town_app, stop_record


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = make_town_app(
        tmp_path_factory.mktemp("far-app"),
        extra_stops=[stop_record("farm", (3000, 3000), None)],
        extra_tours=[{"id": "far-walk", "name": "Far walk", "description": "To the farm.",
                      "stop_ids": ["corner", "farm"], "loop": False, "activity": "walk"}],
    )
    return app.test_client()


def test_the_home_page_still_loads_and_says_which_tour_cannot_be_planned(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    card = re.search(r'data-tour-id="far-walk">(.*?)</li>', page, re.S).group(1)
    assert "cannot be planned" in card and "farm" in card
    assert 'href="/tour/town-run"' in page


def test_the_tours_own_urls_answer_with_the_reason_not_a_500(client):
    for path in ["/api/tours/far-walk", "/tours/far-walk.gpx", "/tours/far-walk/cues"]:
        response = client.get(path)
        assert response.status_code == 422, path
        assert "farm" in response.get_data(as_text=True)


def test_the_service_worker_precaches_every_other_tour(client):
    source = client.get("/sw.js").get_data(as_text=True)
    precache = json.loads(re.search(r"^const PRECACHE = (.*);$", source, re.M).group(1))
    assert "/tour/town-run" in precache and "/tours/town-run.gpx" in precache
    assert not [url for url in precache if "far-walk" in url]
    for url in precache:  # the install is all or nothing: every URL must load
        assert client.get(url).status_code == 200, url
