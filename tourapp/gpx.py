"""GPX 1.1 files of a route, built with gpxpy, that watches and apps import as they are.

One ``<trk>`` with one ``<trkseg>`` following the whole route (Garmin, Coros, Suunto, Strava
and Komoot all turn a single-segment track into a course), or a ``<rte>`` for devices that
prefer routes; a ``<wpt>`` for every place in visiting order. Every point carries a
``<time>`` at the chosen pace, because some importers refuse a track without times. The
metadata says honestly what the geometry is: routed on OpenStreetMap (credited as the ODbL
requires) or, for legs without a network, straight lines.
"""

from __future__ import annotations

import datetime as dt

import gpxpy.gpx

from . import __version__
from .course import Course, ExportOptions
from .errors import BadPlan
from .formatting import format_distance, format_pace
from .model import START_ID, Place, Route

KINDS = ("trk", "rte")
OSM_COPYRIGHT_AUTHOR = "OpenStreetMap contributors"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/"
OSM_NOTE = "© OpenStreetMap contributors, ODbL"
#: Longest waypoint description: watch screens show a line or two.
WAYPOINT_DESC_CHARS = 140


def write_gpx(route: Route, options: ExportOptions) -> bytes:
    """The registry's GPX writer (:mod:`tourapp.formats`): ``options.kind`` is trk or rte."""
    course = options.course(route)
    return _gpx(route, course, kind=options.kind or "trk", app_url=options.app_url,
                app_name=options.app_name, units=options.units, times=True).encode("utf-8")


def route_to_gpx(route: Route, *, app_url: str, kind: str = "trk", time: dt.datetime | None = None,
                 app_name: str = "Montage Run", pace_s_per_km: float | None = None,
                 max_points: int | None = None) -> str:
    """The route as a GPX 1.1 document.

    Parameters
    ----------
    route
        A planned route.
    app_url
        Absolute URL of the app, written as the author's link and into ``creator``.
    kind
        ``"trk"`` (a track, the default) or ``"rte"`` (a route with the same points).
    time
        Metadata time and the time of the first point; now (UTC) by default. Pass a fixed
        time for reproducible files (ETags).
    app_name
        Written as the author and in ``creator``.
    pace_s_per_km
        When given, every point gets a ``<time>`` at this pace from ``time``.
    max_points
        At most this many track points (see :func:`tourapp.course.build_course`).

    Raises
    ------
    BadPlan
        For an unknown ``kind``, or ``max_points`` below what the route needs.
    """
    time = time or dt.datetime.now(dt.UTC)
    # without a pace the point times are left out, so the pace used to place them is moot
    options = ExportOptions(pace_s_per_km=pace_s_per_km or 360.0, start_time=time, kind=kind,
                            max_points=max_points, app_url=app_url, app_name=app_name)
    return _gpx(route, options.course(route), kind=kind, app_url=app_url, app_name=app_name,
                units="km", times=pace_s_per_km is not None)


def _gpx(route: Route, course: Course, *, kind: str, app_url: str, app_name: str, units: str,
         times: bool) -> str:
    if kind not in KINDS:
        raise BadPlan(f"GPX kind must be one of {', '.join(KINDS)}, got {kind!r}")
    time = course.start_time

    gpx = gpxpy.gpx.GPX()
    gpx.creator = f"{app_name} {__version__} - {app_url}"
    gpx.name = route.name
    gpx.description = gpx_description(route, units, pace_s_per_km=course.pace_s_per_km if times else None)
    if course.simplification_note:
        gpx.description += " " + course.simplification_note
    gpx.author_name = app_name
    gpx.author_link = app_url
    gpx.author_link_text = app_name
    gpx.link = app_url
    gpx.link_text = f"{app_name}: {route.name}"
    gpx.time = time
    gpx.keywords = "Rocky, Philadelphia, " + ("running" if route.activity == "run" else "walking")
    if any(leg.street_following for leg in route.legs):
        gpx.copyright_author = OSM_COPYRIGHT_AUTHOR
        gpx.copyright_year = str(time.year)
        gpx.copyright_license = ODBL_URL
    (south, west), (north, east) = route.bounds
    gpx.bounds = gpxpy.gpx.GPXBounds(min_latitude=south, max_latitude=north,
                                     min_longitude=west, max_longitude=east)

    for place in route.places:
        gpx.waypoints.append(_waypoint(route, place))

    point_times: tuple[dt.datetime | None, ...] = course.times if times else (None,) * len(course.points)
    track_type = "running" if route.activity == "run" else "walking"
    if kind == "trk":
        track = gpxpy.gpx.GPXTrack(name=route.name, description=gpx.description)
        track.type = track_type  # type: ignore[assignment]  # gpxpy types GPXTrack.type as None
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points.extend(gpxpy.gpx.GPXTrackPoint(lat, lon, time=when)
                              for (lat, lon), when in zip(course.points, point_times))
        track.segments.append(segment)
        gpx.tracks.append(track)
    else:
        rte = gpxpy.gpx.GPXRoute(name=route.name, description=gpx.description)
        rte.type = track_type
        rte.points.extend(gpxpy.gpx.GPXRoutePoint(lat, lon, time=when)
                          for (lat, lon), when in zip(course.points, point_times))
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
    straight = route.straight_legs
    if straight:
        which = "; ".join(f"{leg.from_place.name} to {leg.to_place.name}" for leg in straight)
        scope = "All legs are" if len(straight) == len(route.legs) else "Some legs are"
        parts.append(f"{scope} straight lines, not routes along streets ({which}): "
                     "no street network was available. Do not follow them blindly.")
    if any(leg.street_following for leg in route.legs):
        parts.append(f"Routed on OpenStreetMap data: {OSM_NOTE}.")
    return " ".join(parts)


def _waypoint(route: Route, place: Place) -> gpxpy.gpx.GPXWaypoint:
    if place.id == START_ID or place.kind == "start":
        return gpxpy.gpx.GPXWaypoint(place.lat, place.lon, name="Start", description="Your start point",
                                     symbol="Flag, Green", type="Start")
    if place.kind == "end":
        return gpxpy.gpx.GPXWaypoint(place.lat, place.lon, name="Finish", description="Your finish point",
                                     symbol="Flag, Red", type="Finish")
    stop = next(s for s in route.stops if s.id == place.id)
    desc = f"{stop.real_place}. {stop.scene}"
    if len(desc) > WAYPOINT_DESC_CHARS:
        desc = desc[: WAYPOINT_DESC_CHARS - 1].rstrip() + "…"
    if stop.montage_order is not None:
        symbol, kind = "Flag, Blue", f"Montage stop {stop.montage_order}"
    else:
        symbol, kind = "Pin, Blue", "Rocky place"
    return gpxpy.gpx.GPXWaypoint(stop.lat, stop.lon, name=stop.name, description=desc,
                                 symbol=symbol, type=kind)


def data_time(updated: str) -> dt.datetime:
    """The GPX metadata time: when the stops data was last updated (``stops.json``'s
    ``updated``), so a tour's file is byte-for-byte the same in every worker, across restarts
    and from the command line (stable ETags), rather than stamped with the hour of download."""
    try:
        return dt.datetime.fromisoformat(updated).replace(tzinfo=dt.UTC)
    except ValueError:
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
