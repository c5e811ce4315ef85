"""GPX 1.1 files of a route, built with gpxpy, that watches and apps import as they are.

One ``<trk>`` with one ``<trkseg>`` following the whole route (Garmin, Coros, Suunto, Strava
and Komoot all turn a single-segment track into a course), or a ``<rte>`` for devices that
prefer routes; a ``<wpt>`` for every place in visiting order, named as a watch shows it
("6 Moshulu": the stop's short name and its number in the route, whole words only), with
the full name and the scene in ``<desc>`` and the real place in ``<cmt>``. Every point carries a
``<time>`` at the chosen pace, because some importers refuse a track without times. The
metadata says honestly what the geometry is: routed on OpenStreetMap (credited as the ODbL
requires) or, for legs without a network, straight lines.
"""

from __future__ import annotations

import datetime as dt

import gpxpy.gpx

from . import __version__
from .course import Course, ExportOptions, data_credit, numbered_label, straight_lines_note
from .errors import BadPlan, DataFileError
from .formatting import format_distance, format_pace
from .model import START_ID, Place, Route
from .stops import updated_time

KINDS = ("trk", "rte")
OSM_COPYRIGHT_AUTHOR = "OpenStreetMap contributors"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/"
#: Longest waypoint description: watch screens show a line or two.
WAYPOINT_DESC_CHARS = 140
#: Longest waypoint name: watches show about 15 characters of a GPX waypoint's name.
WAYPOINT_NAME_CHARS = 15


def write_gpx(route: Route, options: ExportOptions) -> bytes:
    """The route as a GPX 1.1 document (UTF-8 bytes): the registry's GPX writer
    (:mod:`tourapp.formats`, whose ``options`` check what a user typed); ``options.kind`` is
    trk (the default) or rte.

    Raises
    ------
    BadPlan
        For a ``kind`` other than trk or rte, or ``max_points`` below what the route needs.
    """
    kind = options.kind or KINDS[0]
    if kind not in KINDS:
        raise BadPlan(f"GPX kind must be one of {', '.join(KINDS)}, got {kind!r}")
    course = options.course(route)
    return _gpx(route, course, kind=kind, app_url=options.app_url, app_name=options.app_name,
                units=options.units).encode("utf-8")


def _gpx(route: Route, course: Course, *, kind: str, app_url: str, app_name: str, units: str) -> str:
    time = course.start_time

    gpx = gpxpy.gpx.GPX()
    gpx.creator = f"{app_name} {__version__} - {app_url}"
    gpx.name = route.name
    gpx.description = gpx_description(route, units, pace_s_per_km=course.pace_s_per_km)
    if course.simplification_note:
        gpx.description += " " + course.simplification_note
    gpx.author_name = app_name
    gpx.author_link = app_url
    gpx.author_link_text = app_name
    gpx.link = app_url
    gpx.link_text = f"{app_name}: {route.name}"
    gpx.time = time
    gpx.keywords = "Rocky, Philadelphia, " + ("running" if route.activity == "run" else "walking")
    if data_credit(route):
        gpx.copyright_author = OSM_COPYRIGHT_AUTHOR
        gpx.copyright_year = str(time.year)
        gpx.copyright_license = ODBL_URL
    (south, west), (north, east) = route.bounds
    gpx.bounds = gpxpy.gpx.GPXBounds(min_latitude=south, max_latitude=north,
                                     min_longitude=west, max_longitude=east)

    # numbered in visiting order, as the tour page, the route's map and the cues number them
    numbers = {stop.id: n for n, stop in enumerate(route.stops, start=1)}
    for place in route.places:
        gpx.waypoints.append(_waypoint(route, place, numbers.get(place.id)))

    track_type = "running" if route.activity == "run" else "walking"
    if kind == "trk":
        track = gpxpy.gpx.GPXTrack(name=route.name, description=gpx.description)
        track.type = track_type  # type: ignore[assignment]  # gpxpy types GPXTrack.type as None
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points.extend(gpxpy.gpx.GPXTrackPoint(lat, lon, time=when)
                              for (lat, lon), when in zip(course.points, course.times))
        track.segments.append(segment)
        gpx.tracks.append(track)
    else:
        rte = gpxpy.gpx.GPXRoute(name=route.name, description=gpx.description)
        rte.type = track_type
        rte.points.extend(gpxpy.gpx.GPXRoutePoint(lat, lon, time=when)
                          for (lat, lon), when in zip(course.points, course.times))
        gpx.routes.append(rte)
    return gpx.to_xml(version="1.1")


def gpx_description(route: Route, units: str = "km", *, pace_s_per_km: float | None = None) -> str:
    """The ``<desc>``: what the tour is, how long, where the geometry comes from, and (with a
    pace) that the point times are a plan, not a recording."""
    parts = [route.description.strip()] if route.description.strip() else []
    loop = "loop" if route.loop else "one way"
    parts.append(f"{format_distance(route.length_m, units)}, {len(route.stops)} stops, {loop}.")
    if pace_s_per_km is not None:
        parts.append(f"Point times are planned at {format_pace(pace_s_per_km, units)}.")
    if route.straight_legs:
        parts.append(straight_lines_note(route))
    if data_credit(route):
        parts.append(data_credit(route) + ".")
    return " ".join(parts)


def _waypoint(route: Route, place: Place, number: int | None) -> gpxpy.gpx.GPXWaypoint:
    if place.id == START_ID or place.kind == "start":
        return gpxpy.gpx.GPXWaypoint(place.lat, place.lon, name="Start", description="Your start point",
                                     symbol="Flag, Green", type="Start")
    if place.kind == "end":
        return gpxpy.gpx.GPXWaypoint(place.lat, place.lon, name="Finish", description="Your finish point",
                                     symbol="Flag, Red", type="Finish")
    stop = next(s for s in route.stops if s.id == place.id)
    desc = f"{stop.name}. {stop.scene}"
    if len(desc) > WAYPOINT_DESC_CHARS:  # at a word, with an ellipsis
        desc = desc[: WAYPOINT_DESC_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:-") + "…"
    if stop.montage_order is not None:
        symbol, kind = "Flag, Blue", f"Montage stop {stop.montage_order}"
    else:
        symbol, kind = "Pin, Blue", "Rocky place"
    name = numbered_label(stop.short_name, number, WAYPOINT_NAME_CHARS) or stop.short_name
    return gpxpy.gpx.GPXWaypoint(stop.lat, stop.lon, name=name, description=desc,
                                 comment=stop.real_place, symbol=symbol, type=kind)


def data_time(updated: str) -> dt.datetime:
    """The files' own time: when the stops data was last updated (``stops.json``'s ``updated``,
    in UTC), so a tour's file is byte-for-byte the same in every worker, across restarts and
    from the command line (stable ETags), rather than stamped with the hour of download.

    Raises
    ------
    DataFileError
        When ``updated`` is not an ISO 8601 date or time (:func:`tourapp.stops.parse_stops`
        refuses such a file at start-up; this guards a catalogue built by hand).
    """
    try:
        return updated_time(updated)
    except ValueError:
        raise DataFileError(f"stops data: updated: must be an ISO 8601 date or time, got {updated!r}") from None
