"""How the app tells streets apart and when a runner is going straight on: rules shared by the
cue sheet (:mod:`tourapp.cuesheet`, which says nothing where nothing changes) and the router's
turn costs (:mod:`tourapp.network.turn_costs`, which charges nothing there either), so the two
can never disagree about what is one street or a turn.

Plain Python on purpose: the cue sheet is presentation and must not load the routing package
(and with it SciPy) to read a street name.
"""

from __future__ import annotations

#: A change of heading up to this (degrees, either side) at a junction is going straight on.
STRAIGHT_ON_DEG = 30.0

#: Words that only say which half of a street a name is for ("South 15th Street").
DIRECTION_WORDS = frozenset({
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "n", "s", "e", "w", "ne", "nw", "se", "sw",
})


def street_key(name: str) -> str:
    """The street a name belongs to: lower case, without a leading or trailing direction word.

    ``"South 15th Street"`` and ``"North 15th Street"`` are one street (``"15th street"``), and
    so are ``"East Passyunk Avenue"`` and ``"Passyunk Avenue"``; a direction word that *is* the
    name stays (``"South Street"`` is not ``"North Street"``). ``""`` for an unnamed way.
    """
    words = name.lower().replace(".", "").split()
    if len(words) > 2 and words[0] in DIRECTION_WORDS:
        words = words[1:]
    if len(words) > 2 and words[-1] in DIRECTION_WORDS:
        words = words[:-1]
    return " ".join(words)
