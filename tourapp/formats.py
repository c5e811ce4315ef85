"""The files a route can be downloaded as: a small registry of export formats.

Each :class:`ExportFormat` names itself (the URL suffix and the CLI's choice), its media type
and file suffix, its writer ``(route, options) -> bytes`` and the variants it takes (GPX:
``trk`` or ``rte``). The downloads blueprint and the command line take their choices from
:data:`FORMATS`, and check what a user typed with :meth:`ExportFormat.options` -- one place
for ``max_points`` and ``format`` -- so a new format is one entry here, not an edit in four.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .course import MAX_POINTS_CEILING, ExportOptions
from .errors import BadPlan
from .fit import write_fit
from .formatting import METRES_PER_MILE
from .gpx import KINDS as GPX_KINDS
from .gpx import write_gpx
from .model import Route
from .planner import CUSTOM_TOUR_ID
from .tcx import write_tcx

__all__ = ["FORMATS", "MIN_POINTS", "QUERY_KEYS", "ExportFormat", "ExportOptions", "get_format"]

#: Fewest points ``max_points`` may ask for (a line has two ends); a route with more places
#: needs more (:func:`tourapp.course.points_needed`).
MIN_POINTS = 2
#: The download's own query parameters (the plan's are :data:`tourapp.plan_request.QUERY_KEYS`).
QUERY_KEYS = ("format", "max_points")

Writer = Callable[[Route, ExportOptions], bytes]


@dataclass(frozen=True, kw_only=True)
class ExportFormat:
    """One kind of file a route can be exported as.

    ``kinds`` are the variants its ``format`` option takes, the default first; empty when it
    has only one form.
    """

    name: str
    label: str
    media_type: str
    suffix: str
    writer: Writer
    kinds: tuple[str, ...] = ()

    def options(self, *, pace_s_per_km: float, start_time: dt.datetime, kind: str | None = None,
                max_points: int | str | None = None, app_url: str = "", app_name: str = "Montage Run",
                units: str = "km") -> ExportOptions:
        """Checked options for this format.

        ``kind`` and ``max_points`` are taken as a user typed them (text from a query or a
        command line, or ``None``/``""`` for the default). ``max_points`` above
        :data:`~tourapp.course.MAX_POINTS_CEILING` is clamped to it; whether a route can be
        drawn in that many points is checked when it is written.

        Raises
        ------
        BadPlan
            Naming the option and the value it got.
        """
        return ExportOptions(
            pace_s_per_km=pace_s_per_km, start_time=start_time, kind=self._kind(kind),
            max_points=_max_points(max_points), app_url=app_url, app_name=app_name, units=units,
        )

    def options_from_query(self, query: Mapping[str, str], *, pace_s_per_km: float,
                           start_time: dt.datetime, app_url: str = "", app_name: str = "Montage Run",
                           units: str = "km") -> ExportOptions:
        """:meth:`options` from a query's ``format`` and ``max_points``, each given at most once
        (a Flask ``request.args`` or any mapping)."""
        getlist = getattr(query, "getlist", None)
        raw: dict[str, str | None] = {}
        for key in QUERY_KEYS:
            values = getlist(key) if getlist is not None else [query[key]] if key in query else []
            if len(values) > 1:
                raise BadPlan(f"{key} is given {len(values)} times; give it once")
            raw[key] = values[0] if values else None
        return self.options(kind=raw["format"], max_points=raw["max_points"], pace_s_per_km=pace_s_per_km,
                            start_time=start_time, app_url=app_url, app_name=app_name, units=units)

    def write(self, route: Route, options: ExportOptions) -> bytes:
        """The route as this format's file."""
        return self.writer(route, options)

    def file_name(self, route: Route, options: ExportOptions) -> str:
        """A name that says what the file is: ``montage-run-montage-36.8km.gpx``,
        ``montage-run-5-stops-12.3km-rte-500pts.gpx`` for a plan of one's own."""
        # a plan of one's own is no catalogue tour: its file is named by its stop count
        stem = f"{len(route.stops)}-stops" if route.tour_id == CUSTOM_TOUR_ID else route.tour_id
        if options.units == "mi":
            length = f"{route.length_m / METRES_PER_MILE:.1f}mi"
        else:
            length = f"{route.length_m / 1000:.1f}km"
        parts = ["montage-run", stem, length]
        if self.kinds and options.kind and options.kind != self.kinds[0]:
            parts.append(options.kind)
        if options.max_points is not None:
            parts.append(f"{options.max_points}pts")
        return "-".join(parts) + self.suffix

    def _kind(self, kind: str | None) -> str:
        if kind is None or kind == "":
            return self.kinds[0] if self.kinds else ""
        if not self.kinds:
            raise BadPlan(f"format chooses between GPX variants; a {self.label} file has one form, got {kind!r}")
        if kind not in self.kinds:
            raise BadPlan(f"format must be one of {', '.join(self.kinds)}, got {kind!r}")
        return kind


def _max_points(raw: int | str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise BadPlan(f"max_points must be a whole number of points, got {raw!r}")
    text = str(raw).strip()
    # ASCII digits only: str.isdigit() also accepts "²" and "٥", which int() refuses or reads
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 12:
        raise BadPlan(f"max_points must be a whole number of points, got {raw!r}")
    value = int(text)
    if value < MIN_POINTS:
        raise BadPlan(f"max_points must be at least {MIN_POINTS}, got {value}")
    return min(value, MAX_POINTS_CEILING)


FORMATS: Mapping[str, ExportFormat] = MappingProxyType({
    fmt.name: fmt
    for fmt in (
        ExportFormat(name="gpx", label="GPX", media_type="application/gpx+xml", suffix=".gpx",
                     writer=write_gpx, kinds=GPX_KINDS),
        ExportFormat(name="tcx", label="TCX", media_type="application/vnd.garmin.tcx+xml",
                     suffix=".tcx", writer=write_tcx),
        ExportFormat(name="fit", label="FIT", media_type="application/vnd.ant.fit", suffix=".fit",
                     writer=write_fit),
    )
})


def get_format(name: str) -> ExportFormat:
    """The format called ``name``.

    Raises
    ------
    BadPlan
        For a name not in :data:`FORMATS`, listing the known ones.
    """
    try:
        return FORMATS[name]
    except (KeyError, TypeError):
        raise BadPlan(f"export format must be one of {', '.join(FORMATS)}, got {name!r}") from None
