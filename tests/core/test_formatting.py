"""Numbers as a runner reads them, by the cases the phone's format.js must also pass.

Every case lives in ``tests/data/formatting_cases.json``; ``tests/browser/test_formatting_js.py``
runs the same file through ``static/js/format.js`` in Chromium, so the cue sheet, the GPX
description and the tour page cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tourapp import formatting

CASES = json.loads((Path(__file__).resolve().parents[1] / "data" / "formatting_cases.json").read_text("utf-8"))


def _id(case: dict) -> str:
    return "-".join(str(value) for key, value in case.items() if key not in {"text", "name"})


@pytest.mark.parametrize("case", CASES["distance"], ids=_id)
def test_distances_read_in_the_chosen_units(case):
    assert formatting.format_distance(case["m"], case["units"]) == case["text"]


@pytest.mark.parametrize("case", CASES["pace"], ids=_id)
def test_a_pace_reads_per_kilometre_or_per_mile(case):
    assert formatting.format_pace(case["s_per_km"], case["units"]) == case["text"]


@pytest.mark.parametrize("case", CASES["duration"], ids=_id)
def test_durations_read_in_hours_and_minutes(case):
    assert formatting.format_duration(case["s"]) == case["text"]


@pytest.mark.parametrize("case", CASES["compass"], ids=_id)
def test_bearings_read_as_the_nearest_of_eight_compass_points(case):
    assert formatting.compass_point(case["deg"]) == case["point"]
    assert formatting.compass_name(case["deg"]) == case["name"]


def test_the_fixture_covers_both_units_and_every_compass_point():
    assert {c["units"] for c in CASES["distance"]} == set(formatting.UNITS)
    assert {c["units"] for c in CASES["pace"]} == set(formatting.UNITS)
    assert {(c["point"], c["name"]) for c in CASES["compass"]} == set(formatting.COMPASS_POINTS)

