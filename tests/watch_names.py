"""What the packaged stops are called on a watch, for the TCX, FIT, GPX and download tests.

The names are checked by what a runner would notice, not by calling the writers' own
shortening: a stop's name on the watch is its number and its short name ("6 Moshulu"), or
as many of the short name's first words as fit, and never a piece of a word.
"""

from __future__ import annotations

from tourapp.model import Route
from tourapp.planner import plan_route
from tourapp.stops import load_stops
from tourapp.tours import load_tours


def walking_tour() -> Route:
    """Every packaged stop in the walking tour's order (11 stops: two-digit numbers too), as
    straight legs: the names do not depend on the streets."""
    stops = load_stops()
    tour = load_tours(stops)["walking-tour"]
    return plan_route([stops[i] for i in tour.stop_ids], network=None, tour_id=tour.id, name=tour.name)


def is_whole_words(label: str, short_name: str, number: int, max_chars: int) -> bool:
    """``label`` fits ``max_chars`` and is ``number`` (optionally) and the first words of
    ``short_name``, each word whole."""
    words = label.split()
    if words and words[0] == str(number):
        words = words[1:]
    return 0 < len(label) <= max_chars and bool(words) and words == short_name.split()[:len(words)]
