"""The planner page (/plan): a shared link opens on its plan, a damaged one on an empty planner
that says what was wrong, and the QR code holds the plan's tour-mode link."""

from __future__ import annotations

import json
import re

import pytest
from helpers import MONTAGE_IDS, OTHER_IDS
from lxml import etree, html
from qr_reader import read_svg_qr

from tourapp.plan_request import PlanRequest

SHARED = PlanRequest(
    stops=("moshulu", "italian-market", "rocky-statue", "art-museum-steps"),
    order="shortest",
    start=(39.9526, -75.1652),
    pace_s_per_km=330.0,
    units="mi",
)


def _page(response):
    return html.fromstring(response.get_data(as_text=True))


def _initial(page) -> dict:
    return json.loads(page.get_element_by_id("plan-initial").text)


def _checked(page) -> list[str]:
    return page.xpath("//input[contains(@class, 'plan-stop__check') and @checked]/@value")


def _problem(page) -> str:
    box = page.get_element_by_id("plan-problem")
    return "" if box.get("hidden") is not None else " ".join(box.text_content().split())


def test_the_planner_lists_all_eleven_stops_with_number_and_scene(client):
    response = client.get("/plan")
    assert response.status_code == 200
    page = _page(response)
    rows = page.xpath("//label[contains(@class, 'plan-stop')]")
    assert [row.get("data-stop-id") for row in rows] == MONTAGE_IDS + OTHER_IDS
    first = " ".join(rows[0].text_content().split())
    assert "Montage stop 1" in first and "rail yard" in first.lower()
    assert all(row.xpath(".//span[@class='plan-stop__scene']")[0].text.strip() for row in rows)
    # an empty plan: nothing ticked, nothing to share yet, no problem to report
    assert _checked(page) == [] and _initial(page)["stops"] == []
    assert page.get_element_by_id("plan-share").get("hidden") is not None
    assert _problem(page) == ""


def test_tours_are_offered_as_presets(client):
    page = _page(client.get("/plan"))
    presets = page.xpath("//button[@data-preset]")
    assert [b.get("data-preset") for b in presets] == ["montage", "steps-finale", "walking-tour"]
    assert presets[0].get("data-stops") == ",".join(MONTAGE_IDS)


def test_a_shared_link_opens_the_planner_on_that_plan(client):
    response = client.get("/plan?" + SHARED.query_string())
    assert response.status_code == 200
    page = _page(response)
    initial = _initial(page)
    assert initial["stops"] == list(SHARED.stops)
    assert initial["mode"] == "shortest"
    assert initial["start"] == [39.9526, -75.1652] and initial["pace"] == 330.0
    assert sorted(_checked(page)) == sorted(SHARED.stops)
    assert page.xpath("//input[@name='mode' and @checked]/@value") == ["shortest"]
    assert page.xpath("//input[@name='units' and @checked]/@value") == ["mi"]
    assert page.xpath("//input[@name='start-at' and @checked]/@value") == ["point"]
    assert page.xpath("//ol[@id='plan-order']/li/@data-stop-id") == list(SHARED.stops)
    # everything that leaves the page carries the same plan
    query = SHARED.query_string()
    assert page.get_element_by_id("share-link").get("value") == f"http://localhost/plan?{query}"
    assert page.get_element_by_id("plan-qr").get("src") == f"/plan/qr.svg?{query}"
    assert page.get_element_by_id("follow-link").get("href") == f"/tour/plan?{query}"
    assert page.get_element_by_id("cues-link").get("href") == f"/plan/cues?{query}"
    assert page.get_element_by_id("planner").get("data-route-url") == f"/api/plan?{query}"


def test_a_link_written_differently_is_shared_in_its_one_canonical_form(client):
    page = _page(client.get("/plan?units=mi&pace=330.0&start=39.95260,-75.16520&order=shortest"
                            "&stops=moshulu,italian-market,rocky-statue,art-museum-steps&utm_source=x"))
    assert page.get_element_by_id("share-link").get("value") == "http://localhost/plan?" + SHARED.query_string()


def test_a_tour_link_ticks_the_tour_and_its_stops(client):
    page = _page(client.get("/plan?tour=walking-tour"))
    initial = _initial(page)
    assert initial["tour"] == "walking-tour" and len(initial["stops"]) == 11
    assert initial["mode"] == "own"  # a walking order, not the film's
    assert page.xpath("//button[@data-preset='walking-tour']/@aria-pressed") == ["true"]
    # the tour's own activity, shown though the link leaves it to the tour
    assert initial["activity"] is None
    assert page.xpath("//input[@name='activity' and @checked]/@value") == ["walk"]


def test_film_order_is_recognised_in_a_link(client):
    page = _page(client.get("/plan?stops=rail-yard,moshulu,art-museum-steps,rocky-statue"))
    assert _initial(page)["mode"] == "film"
    page = _page(client.get("/plan?stops=moshulu,rail-yard"))
    assert _initial(page)["mode"] == "own"


def test_a_loop_link_checks_back_at_the_start(client):
    page = _page(client.get("/plan?stops=moshulu,italian-market&loop=true"))
    assert page.xpath("//input[@name='end-at' and @checked]/@value") == ["loop"]
    page = _page(client.get("/plan?stops=moshulu,italian-market&end=39.95,-75.16"))
    assert page.xpath("//input[@name='end-at' and @checked]/@value") == ["point"]
    assert "39.95000, -75.16000" in page.get_element_by_id("end-where").text


@pytest.mark.parametrize(("query", "words"), [
    ("stops=rail-yard,rail-yard", "'rail-yard' is listed twice"),
    ("stops=rail-yard,no-such-stop", "no-such-stop"),
    ("tour=no-such-tour", "no-such-tour"),
    ("stops=rail-yard", "at least two places"),
    ("stops=rail-yard,moshulu&start=abc", "start must be 'latitude,longitude'"),
    ("stops=rail-yard,moshulu&start=40.7,-74.0", "outside the tour area"),
    ("stops=rail-yard,moshulu&pace=0", "pace must be between"),
    ("stops=rail-yard,moshulu&pace=nan", "pace must be"),
    ("stops=rail-yard,moshulu&order=fastest", "order must be one of given, shortest"),
    ("stops=rail-yard,moshulu&loop=true&end=39.95,-75.16", "a loop returns to its start"),
    ("stops=rail-yard,moshulu&stops=moshulu", "stops is given 2 times"),
    ("order=shortest", "the plan is empty"),
])
def test_a_damaged_link_opens_an_empty_planner_that_says_what_was_wrong(client, query, words):
    response = client.get(f"/plan?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = _page(response)
    assert words in _problem(page)
    assert "Traceback" not in response.get_data(as_text=True)
    # the planner itself is all there, and empty
    assert len(page.xpath("//input[contains(@class, 'plan-stop__check')]")) == 11
    assert _checked(page) == [] and _initial(page)["stops"] == []
    assert page.xpath("//script[contains(@src, 'plan-page.js')]")


def test_the_qr_code_holds_the_plans_tour_mode_link(client):
    response = client.get("/plan/qr.svg?" + SHARED.query_string())
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    text, title = read_svg_qr(response.get_data())
    assert "phone" in title
    assert text == "http://localhost/tour/plan?" + SHARED.query_string()


def test_the_qr_code_of_a_bad_plan_is_a_400_naming_it(client):
    response = client.get("/plan/qr.svg?stops=rail-yard,rail-yard")
    assert response.status_code == 400
    assert "listed twice" in response.get_data(as_text=True)


def test_the_home_page_links_to_the_planner(client):
    page = _page(client.get("/"))
    assert page.xpath("//a[@href='/plan' and contains(., 'Plan your own run')]")


def test_every_planner_control_has_a_label(client):
    page = _page(client.get("/plan?" + SHARED.query_string()))
    labelled_by_for = set(page.xpath("//label/@for"))
    for control in page.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        inside_label = control.xpath("ancestor::label")
        assert inside_label or control.get("id") in labelled_by_for or control.get("aria-label"), \
            etree.tostring(control)
    for button in page.xpath("//button"):
        assert " ".join(button.text_content().split()) or button.get("aria-label"), etree.tostring(button)


def test_the_planner_draws_its_map_with_the_apps_own_leaflet(client):
    text = client.get("/plan").get_data(as_text=True)
    assert re.search(r'<script defer src="/vendor/leaflet-[\d.]+/leaflet.js"', text)
    assert "user-scalable=no" not in text
    assert text.count('name="viewport"') == 1


def test_tour_mode_follows_the_plan_in_visiting_order(client):
    response = client.get("/tour/plan?" + SHARED.query_string())
    assert response.status_code == 200
    page = _page(response)
    panel = page.get_element_by_id("tour")
    query = SHARED.query_string()
    assert panel.get("data-route-url") == f"/api/plan?{query}"
    # progress is kept per plan (pace and units only change the figures, not the run)
    assert panel.get("data-progress-key") == "plan:" + SHARED.query_string(without=("pace", "units"))
    route = client.get(f"/api/plan?{query}").get_json()
    visiting = [f["properties"]["id"] for f in route["features"] if f["properties"].get("kind") == "stop"]
    assert page.xpath("//li[contains(@class, 'tour-stop')]/@data-stop-id") == visiting
    assert sorted(visiting) == sorted(SHARED.stops)


def test_tour_mode_of_a_damaged_link_is_a_400_naming_the_problem(client):
    response = client.get("/tour/plan?stops=moshulu,moshulu")
    assert response.status_code == 400
    assert "listed twice" in response.get_data(as_text=True)
