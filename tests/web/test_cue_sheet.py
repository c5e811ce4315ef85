"""The printable cue sheet (/tours/<id>/cues) and the tours on the home page."""

from __future__ import annotations

import re

import pytest
from lxml import html


def _page(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return html.fromstring(response.get_data(as_text=True))


def _text(node) -> str:
    return " ".join(node.text_content().split())


def test_the_town_cue_sheet_names_the_streets_leg_by_leg(town_client):
    page = _page(town_client, "/tours/town-run/cues")
    assert _text(page.find(".//h1")) == "Town run"
    legs = page.xpath("//section[contains(@class, 'cues__leg')]")
    assert [leg.find(".//h2").text.strip() for leg in legs] == [
        "1. The corner → The market", "2. The market → The museum",
    ]
    rows = [[_text(td) for td in tr.findall("td")] for tr in page.xpath("//tr[contains(@class, 'cue')]")]
    instructions = [row[1] for row in rows]
    assert instructions[0].startswith("Head ")
    assert any(re.match(r"(Turn|Bear) (left|right) onto \w", text) for text in instructions)
    assert instructions[-1] == "Arrive at stop 3, Museum"
    # street routing: named streets, and the copyright of the data it was routed on
    assert any("Street" in text or "Kelly Drive" in text for text in instructions)
    assert "OpenStreetMap contributors" in _text(page)
    assert not page.xpath("//*[contains(@class, 'notice')]")


def test_the_at_column_adds_up_the_legs(town_client):
    page = _page(town_client, "/tours/town-run/cues?units=km")
    rows = page.xpath("//tr[contains(@class, 'cue')]")
    first_at = _text(rows[0].find("td"))
    assert first_at == "start"
    last_at = _text(rows[-1].find("td"))
    total = _text(page.xpath("//dt[text()='Distance']/following-sibling::dd[1]")[0])
    assert last_at.split()[:2] == total.split()[:2]


def test_miles_on_request_and_the_pace_follows(client):
    page = _page(client, "/tours/montage/cues?units=mi")
    summary = _text(page.xpath("//dl[contains(@class, 'cues__summary')]")[0])
    assert re.search(r"Distance\s*[\d.]+ mi \(one way\)", summary)
    assert "min/mi" in summary
    assert " km" not in _text(page.xpath("//table")[0])
    assert page.xpath("//a[@href='?units=km']")


def test_without_street_data_the_sheet_says_its_legs_are_straight(client):
    page = _page(client, "/tours/montage/cues")
    notice = _text(page.xpath("//*[contains(@class, 'notice')]")[0])
    assert "Straight lines, not streets" in notice
    assert all("direct line" in _text(tr) for tr in page.xpath("//tr[contains(@class, 'cue--start')]"))


def test_the_sheet_prints_clean(client):
    page = _page(client, "/tours/steps-finale/cues")
    assert page.xpath("//button[@id='print-cues']")
    css = client.get(page.xpath("//link[@rel='stylesheet']/@href")[-1]).get_data(as_text=True)
    assert "@media print" in css and ".no-print" in css


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/tours/montage/cues?units=furlongs", 400, "units must be one of km, mi"),
    ("/tours/no-such-tour/cues", 404, "no-such-tour"),
])
def test_bad_requests_say_what_was_wrong(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_home_page_offers_every_tour_to_follow_print_and_download(client):
    page = _page(client, "/")
    cards = page.xpath("//li[contains(@class, 'tour-card')]")
    assert [card.get("data-tour-id") for card in cards] == ["montage", "steps-finale", "walking-tour"]
    links = cards[0].xpath(".//a/@href")
    assert links == ["/tour/montage", "/tours/montage/cues", "/tours/montage.gpx"]
    assert "straight lines" in _text(cards[0])


# ---- a plan's cue sheet (/plan/cues): the same sheet for the query of a share link ----


def test_a_plans_cue_sheet_has_its_legs_in_visiting_order(client):
    page = _page(client, "/plan/cues?stops=moshulu,italian-market,art-museum-steps&start=39.9526,-75.1652")
    assert _text(page.find(".//h1")) == "Your Rocky run"
    legs = [leg.find(".//h2").text.strip() for leg in page.xpath("//section[contains(@class, 'cues__leg')]")]
    assert legs[0].startswith("1. Start → ") and len(legs) == 3
    assert "(one way)" in _text(page.xpath("//dl[contains(@class, 'cues__summary')]")[0])
    # a map of the route to print with it
    assert page.xpath("//section[contains(@class, 'cues__map')]/div[contains(@class, 'folium-map')]")


def test_a_plans_cue_sheet_keeps_the_plan_when_switching_units(client):
    page = _page(client, "/plan/cues?stops=moshulu,art-museum-steps&loop=true&pace=300&units=mi")
    summary = _text(page.xpath("//dl[contains(@class, 'cues__summary')]")[0])
    assert "(a loop)" in summary and "8:03 min/mi" in summary
    assert page.xpath("//a[@href='?stops=moshulu,art-museum-steps&loop=true&pace=300&units=km']")
    follow = page.xpath("//nav//a[text()='Follow']/@href")
    assert follow == ["/tour/plan?stops=moshulu,art-museum-steps&loop=true&pace=300&units=mi"]


def test_a_tour_sheet_with_plan_options_follows_that_plan(client):
    page = _page(client, "/tours/steps-finale/cues?order=shortest")
    assert page.xpath("//nav//a[text()='Follow']/@href") == ["/tour/plan?tour=steps-finale&order=shortest"]
    assert _page(client, "/tours/steps-finale/cues").xpath("//nav//a[text()='Follow']/@href") == ["/tour/steps-finale"]


@pytest.mark.parametrize(("path", "words"), [
    ("/plan/cues?stops=moshulu,moshulu", "listed twice"),
    ("/plan/cues?stops=moshulu,atlantis", "atlantis"),
    ("/plan/cues", "the plan is empty"),
    ("/tours/montage/cues?stops=moshulu,rail-yard", "leave tour and stops out"),
])
def test_a_bad_plan_sheet_says_what_was_wrong(client, path, words):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert words in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/tours/montage/cues", "/plan/cues?stops=rail-yard,moshulu"])
def test_the_printed_sheet_credits_the_map_tiles_even_for_straight_lines(client, path):
    """On paper the map's own credit (a Leaflet control) is hidden, so the footer carries it."""
    page = _page(client, path)
    footer = page.xpath("//p[contains(@class, 'site-footer')]")[0]
    assert "Map tiles © OpenStreetMap contributors" in _text(footer)
    assert footer.xpath(".//a[@href='https://www.openstreetmap.org/copyright']")
    assert "Routed on street data" not in _text(footer)  # these are straight lines
    css = client.get(page.xpath("//link[@rel='stylesheet']/@href")[-1]).get_data(as_text=True)
    printed = css[css.index("@media print"):]
    assert not re.search(r"(site-footer|cues__credit)[^{}]*\{[^}]*display:\s*none", printed)


def test_a_street_routed_sheet_credits_the_tiles_and_the_street_data(town_client):
    footer = _text(_page(town_client, "/tours/town-run/cues").xpath("//p[contains(@class, 'site-footer')]")[0])
    assert "Map tiles © OpenStreetMap contributors" in footer and "Routed on street data" in footer
