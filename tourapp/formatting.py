"""Numbers as a runner reads them: distances, paces, durations and compass words.

``static/js/format.js`` applies the same rules in the browser, and both are pinned by one
fixture, ``tests/data/formatting_cases.json``, so the tour page, the cue sheet and the GPX
description never disagree. Two choices keep the two languages identical to the last digit:

* rounding is *half up*, written as ``floor(x + 0.5)`` in both (Python's ``round`` rounds
  half to even, JavaScript's ``toFixed`` half up: 1250 m would read "1.2 km" on the cue
  sheet and "1.3 km" on the phone);
* every figure is computed with the same float operations in the same order, so IEEE
  doubles give the same result in both.

Inputs are SI (metres, seconds, seconds per km, degrees); this module is the edge where they
become km or miles.
"""

from __future__ import annotations

import math

METRES_PER_MILE = 1609.344
METRES_PER_FOOT = 0.3048
UNITS = ("km", "mi")
#: What a distance that is not known (no position yet) reads as.
UNKNOWN = "–"
#: The eight compass points: the short form shown on screen and the word a screen reader says.
COMPASS_POINTS = (
    ("N", "north"), ("NE", "northeast"), ("E", "east"), ("SE", "southeast"),
    ("S", "south"), ("SW", "southwest"), ("W", "west"), ("NW", "northwest"),
)


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _tenths(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}"


def format_distance(length_m: float | None, units: str = "km") -> str:
    """Human text for a distance: ``"1.2 km"``, ``"350 m"``, ``"0.8 mi"``, ``"250 ft"``.

    Under 1 km (after rounding to 10 m) a distance is given in metres; under 0.1 mi, in feet
    rounded to 10 ft, as US cue sheets do, rather than as an unhelpful ``"0.0 mi"``. A
    negative length reads as zero; ``None`` or a non-finite one as :data:`UNKNOWN`.
    """
    if length_m is None or not math.isfinite(length_m):
        return UNKNOWN
    length_m = max(0.0, length_m)
    if units == "mi":
        if length_m / METRES_PER_MILE < 0.1:
            return f"{_round_half_up(length_m / METRES_PER_FOOT / 10) * 10} ft"
        return f"{_tenths(_round_half_up(length_m / METRES_PER_MILE * 10))} mi"
    metres = _round_half_up(length_m / 10) * 10
    if metres < 1000:
        return f"{metres} m"
    return f"{_tenths(_round_half_up(length_m / 100))} km"


def format_pace(pace_s_per_km: float, units: str = "km") -> str:
    """``"6:00 min/km"``, or the same pace per mile: ``"9:39 min/mi"``."""
    factor = METRES_PER_MILE / 1000 if units == "mi" else 1.0
    seconds = _round_half_up(pace_s_per_km * factor)
    return f"{seconds // 60}:{seconds % 60:02d} min/{units}"


def format_duration(duration_s: float) -> str:
    """``"1 h 05 min"`` or ``"42 min"`` for a duration in seconds (to the nearest minute)."""
    minutes = _round_half_up(max(0.0, duration_s) / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _compass_index(bearing_deg: float) -> int:
    return math.floor((bearing_deg % 360.0 + 22.5) / 45) % 8


def compass_point(bearing_deg: float) -> str:
    """The eight-point compass abbreviation for a bearing: ``"NE"`` for 45° (22.5° is NE)."""
    return COMPASS_POINTS[_compass_index(bearing_deg)][0]


def compass_name(bearing_deg: float) -> str:
    """The same point as a word, for sentences and screen readers: ``"northeast"``."""
    return COMPASS_POINTS[_compass_index(bearing_deg)][1]
