"""The planner page (/plan): a shared link opens on its plan, a damaged one on an empty planner
that says what was wrong, and the QR code holds the plan's tour-mode link."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest
from helpers import MONTAGE_IDS, OTHER_IDS
from lxml import etree, html
from qr_reader import read_svg_qr

from routes import create_app
from routes.state import get_state
from tourapp.plan_request import PlanRequest
from tourapp.settings import Settings

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
    assert page.get_element_by_id("share-link").get("value") == f"/plan?{query}"
    assert page.get_element_by_id("plan-qr").get("src") == f"/plan/qr.svg?{query}"
    assert page.get_element_by_id("follow-link").get("href") == f"/tour/plan?{query}"
    assert page.get_element_by_id("cues-link").get("href") == f"/plan/cues?{query}"
    assert page.get_element_by_id("planner").get("data-route-url") == f"/api/plan?{query}"


def test_a_link_written_differently_is_shared_in_its_one_canonical_form(client):
    page = _page(client.get("/plan?units=mi&pace=330.0&start=39.95260,-75.16520&order=shortest"
                            "&stops=moshulu,italian-market,rocky-statue,art-museum-steps&utm_source=x"))
    assert page.get_element_by_id("share-link").get("value") == "/plan?" + SHARED.query_string()


@pytest.mark.parametrize(("written", "canonical"), [
    ("stops=rail-yard,moshulu&activity=run", "stops=rail-yard,moshulu"),
    ("stops=rail-yard,moshulu&loop=false", "stops=rail-yard,moshulu"),
    ("tour=walking-tour&activity=walk", "tour=walking-tour"),
    ("tour=montage&loop=false", "tour=montage"),
    ("tour=montage&activity=walk", "tour=montage&activity=walk"),  # not the tour's own: kept
    ("stops=rail-yard,moshulu&loop=true", "stops=rail-yard,moshulu&loop=true"),
])
def test_options_that_say_what_the_plan_does_anyway_are_left_out_of_every_link(fresh_app, written, canonical):
    """One route, one share link, one QR code, one progress key and one cache entry."""
    client = fresh_app.test_client()
    page = _page(client.get(f"/plan?{written}"))
    assert page.get_element_by_id("share-link").get("value") == f"/plan?{canonical}"
    assert page.get_element_by_id("plan-qr").get("src") == f"/plan/qr.svg?{canonical}"
    assert page.get_element_by_id("cues-link").get("href") == f"/plan/cues?{canonical}"
    with fresh_app.app_context():
        pages = get_state().pages
        before = len(pages)
        assert client.get(f"/plan?{canonical}").status_code == 200
        assert client.get(f"/api/plan?{written}").data == client.get(f"/api/plan?{canonical}").data
        assert len(pages) == before + 1  # the route, once; the page was kept already
    if canonical.startswith("stops="):
        tour_mode = _page(client.get(f"/tour/plan?{written}"))
        assert tour_mode.get_element_by_id("tour").get("data-progress-key") == f"plan:{canonical}"


def test_a_link_with_units_but_no_plan_opens_an_empty_planner_in_those_units(client):
    response = client.get("/plan?units=mi")
    assert response.status_code == 200
    page = _page(response)
    assert _problem(page) == "" and _checked(page) == []
    assert _initial(page)["units"] == "mi"
    assert page.xpath("//input[@name='units' and @checked]/@value") == ["mi"]
    refused = client.get("/plan?units=furlongs")
    assert refused.status_code == 400 and "units must be one of km, mi, got 'furlongs'" in _problem(_page(refused))
    # the API has no page to open: a plan without stops is still refused there
    api = client.get("/api/plan?units=mi")
    assert api.status_code == 400 and "the plan is empty" in api.get_json()["error"]["message"]


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


@pytest.mark.parametrize(("query", "named"), [
    ("tour=no-such-tour", "no-such-tour"),
    ("tour=1e309", "1e309"),
    ("stops=nope-1,nope-2", "nope-1"),
    ("stops=rail-yard,nope-2&pace=300", "nope-2"),
])
def test_the_qr_code_of_a_plan_with_an_unknown_id_is_a_404_naming_it_and_nothing_is_kept(fresh_app, query, named):
    client = fresh_app.test_client()
    with fresh_app.app_context():
        pages = get_state().pages
        before = len(pages)
        response = client.get(f"/plan/qr.svg?{query}", headers={"Accept": "application/json"})
        assert response.status_code == 404
        assert named in response.get_json()["error"]["message"]
        assert len(pages) == before


def test_the_qr_code_of_a_start_outside_the_area_is_a_400_saying_so(client):
    response = client.get("/plan/qr.svg?stops=rail-yard,moshulu&start=40.7,-74.0")
    assert response.status_code == 400
    assert "outside the tour area" in response.get_data(as_text=True)


def _share_link(response) -> str:
    return str(_page(response).get_element_by_id("share-link").get("value"))


def test_the_planner_page_is_kept_once_whatever_the_host_and_qr_codes_per_unchecked_host_never(fresh_app):
    """With the default settings (no TOURAPP_PUBLIC_URL, no TOURAPP_TRUSTED_HOSTS) the page
    names no host (its script makes the share link absolute), so one copy serves every Host;
    a QR code holds an absolute link to the unchecked Host, so it is made for the request and
    not kept: made-up hosts push nothing else out of the cache."""
    client = fresh_app.test_client()
    with fresh_app.app_context():
        before = len(get_state().pages)
    first = client.get("/plan?tour=montage", headers={"Host": "a.example"})
    with fresh_app.app_context():
        assert len(get_state().pages) == before + 1
    for n in range(5):
        host = f"made-up-{n}.example"
        page = client.get("/plan?tour=montage", headers={"Host": host})
        assert page.headers["ETag"] == first.headers["ETag"] and page.data == first.data
        assert host not in page.get_data(as_text=True)
        assert urljoin(f"http://{host}/plan?tour=montage", _share_link(page)) == f"http://{host}/plan?tour=montage"
        text, _ = read_svg_qr(client.get("/plan/qr.svg?tour=montage", headers={"Host": host}).get_data())
        assert text == f"http://{host}/tour/montage"
    with fresh_app.app_context():
        assert len(get_state().pages) == before + 1


def _planner_app(tmp_path, **settings: str):
    config = Settings(cache_dir=tmp_path / "cache", network_download=False).with_overrides(settings)
    return create_app({"TESTING": True, "TOURAPP_SETTINGS": config})


def test_with_a_public_url_a_planner_page_is_kept_once_whatever_the_host(tmp_path):
    app = _planner_app(tmp_path, public_url="https://montagerun.example/")
    client = app.test_client()
    with app.app_context():
        before = len(get_state().pages)
    for host in ("localhost", "a.example", "b.example"):
        response = client.get("/plan?tour=montage", headers={"Host": host})
        assert _share_link(response) == "/plan?tour=montage"
        text, _ = read_svg_qr(client.get("/plan/qr.svg?tour=montage", headers={"Host": host}).get_data())
        assert text == "https://montagerun.example/tour/montage"
    with app.app_context():
        assert len(get_state().pages) == before + 2  # the page and its QR code


def test_with_trusted_hosts_a_planner_page_is_kept_once_and_its_qr_code_per_host(tmp_path):
    app = _planner_app(tmp_path, trusted_hosts="montagerun.example,.example.org")
    client = app.test_client()
    with app.app_context():
        before = len(get_state().pages)
    for host in ("montagerun.example", "www.example.org", "montagerun.example"):
        response = client.get("/plan?tour=montage", headers={"Host": host})
        assert _share_link(response) == "/plan?tour=montage"
        text, _ = read_svg_qr(client.get("/plan/qr.svg?tour=montage", headers={"Host": host}).get_data())
        assert text == f"http://{host}/tour/montage"
    with app.app_context():
        assert len(get_state().pages) == before + 3  # the page, and a QR code for each host


def test_a_shared_plan_opened_again_is_the_same_page(tmp_path):
    app = _planner_app(tmp_path, public_url="https://montagerun.example/")
    client = app.test_client()
    first = client.get("/plan?stops=moshulu,italian-market&pace=330")
    again = client.get("/plan?stops=moshulu,italian-market&pace=330")
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert _initial(_page(again))["stops"] == ["moshulu", "italian-market"]


def test_a_tours_cue_sheet_and_the_same_plans_sheet_each_link_to_their_own_follow_page(fresh_client):
    tour = _page(fresh_client.get("/tours/montage/cues?pace=300"))
    plan = _page(fresh_client.get("/plan/cues?tour=montage&pace=300"))
    # the pace changes no route: both follow the tour's own page
    assert tour.xpath("//nav//a[text()='Follow']/@href") == ["/tour/montage"]
    assert plan.xpath("//nav//a[text()='Follow']/@href") == ["/tour/montage"]
    assert tour.xpath("//a[text()='Show miles']/@href") == ["?pace=300&units=mi"]
    assert plan.xpath("//a[text()='Show miles']/@href") == ["?tour=montage&pace=300&units=mi"]
    plain_tour = _page(fresh_client.get("/tours/montage/cues"))
    plain_plan = _page(fresh_client.get("/plan/cues?tour=montage"))
    assert plain_tour.xpath("//nav//a[text()='Follow']/@href") == ["/tour/montage"]
    assert plain_plan.xpath("//nav//a[text()='Follow']/@href") == ["/tour/montage"]
    shortest = _page(fresh_client.get("/tours/montage/cues?order=shortest"))
    assert shortest.xpath("//nav//a[text()='Follow']/@href") == ["/tour/plan?tour=montage&order=shortest"]


@pytest.mark.parametrize(("query", "follow"), [
    ("tour=montage", "/tour/montage"),
    ("tour=montage&loop=false&pace=300", "/tour/montage"),
    ("tour=walking-tour&activity=walk&units=mi", "/tour/walking-tour?units=mi"),
    ("tour=montage&order=shortest", "/tour/plan?tour=montage&order=shortest"),
    ("tour=montage&activity=walk", "/tour/plan?tour=montage&activity=walk"),
    ("stops=rail-yard,moshulu", "/tour/plan?stops=rail-yard,moshulu"),
])
def test_a_tour_as_it_is_is_followed_on_its_own_page_from_the_planner_the_qr_code_and_tour_mode(
        client, query, follow):
    """Its own page keeps the tour's progress and is saved for offline use."""
    page = _page(client.get(f"/plan?{query}"))
    assert page.get_element_by_id("follow-link").get("href") == follow
    text, _ = read_svg_qr(client.get(f"/plan/qr.svg?{query}").get_data())
    assert text == f"http://localhost{follow}"
    tour_mode = client.get(f"/tour/plan?{query}")
    if follow.startswith("/tour/plan?"):
        assert tour_mode.status_code == 200
    else:
        assert tour_mode.status_code == 302 and tour_mode.headers["Location"] == follow
        assert client.get(follow).status_code == 200


def test_tour_mode_of_an_unknown_tour_is_a_404_naming_it_not_a_redirect(client):
    response = client.get("/tour/plan?tour=no-such-tour", headers={"Accept": "application/json"})
    assert response.status_code == 404 and "no-such-tour" in response.get_json()["error"]["message"]


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
