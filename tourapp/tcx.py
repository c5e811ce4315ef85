"""TCX courses (Garmin Training Center Database v2) of a route, for Garmin devices and the
planners that import courses rather than tracks.

One ``<Course>`` with one lap, a ``<Track>`` whose every ``<Trackpoint>`` has its time at
the chosen pace and its distance along the route, and a ``<CoursePoint>`` for every stop and
every turn. The schema limits names (a course to 15 characters, a course point to 10), so
names are shortened at a word, never inside one ("6 Moshulu", "2 Italian", "Spruce St"), and
the full text (the stop's full name, the turn's cue) goes into ``<Notes>``. The course's own
``<Notes>`` carry the OpenStreetMap credit when the line follows its streets (the schema's
``<Author>`` and ``<Creator>`` name the software that wrote the file, with a Garmin part number,
not the data's source). Written with the standard
library's ElementTree: the format is small and fixed.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from .course import Course, CoursePoint, ExportOptions, data_credit, short_label, straight_lines_note
from .model import Route

NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www8.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
#: Longest ``<Course><Name>`` (the schema's RestrictedToken_t).
COURSE_NAME_CHARS = 15
#: Longest ``<CoursePoint><Name>`` (the schema's CoursePointName_t).
POINT_NAME_CHARS = 10
#: TCX point types for the course point kinds: TCX knows only left, right and straight.
POINT_TYPES = {
    "slight left": "Left", "left": "Left", "sharp left": "Left",
    "slight right": "Right", "right": "Right", "sharp right": "Right",
}


def write_tcx(route: Route, options: ExportOptions) -> bytes:
    """The registry's TCX writer (:mod:`tourapp.formats`)."""
    return route_to_tcx(route, options.course(route))


def route_to_tcx(route: Route, course: Course) -> bytes:
    """The course as a TCX document (UTF-8 bytes with an XML declaration).

    The points, distances and times are the course's (see :func:`tourapp.course.build_course`):
    the same as in the GPX and FIT files of the same options.
    """
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(_q("TrainingCenterDatabase"), {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    course_el = _sub(_sub(root, "Courses"), "Course")
    _sub(course_el, "Name", short_label(route.name, COURSE_NAME_CHARS) or "Course")

    lap = _sub(course_el, "Lap")
    _sub(lap, "TotalTimeSeconds", f"{course.duration_s:.0f}")
    _sub(lap, "DistanceMeters", f"{course.length_m:.1f}")
    if course.points:
        _position(_sub(lap, "BeginPosition"), course.points[0])
        _position(_sub(lap, "EndPosition"), course.points[-1])
    _sub(lap, "Intensity", "Active")

    track = _sub(course_el, "Track")
    for position, distance, time in zip(course.points, course.distances_m, course.times):
        trackpoint = _sub(track, "Trackpoint")
        _sub(trackpoint, "Time", _time(time))
        _position(_sub(trackpoint, "Position"), position)
        _sub(trackpoint, "DistanceMeters", f"{distance:.1f}")

    notes = [route.name + (f". {route.description.strip()}" if route.description.strip() else "")]
    notes += [straight_lines_note(route), course.simplification_note]
    if data_credit(route):  # the ODbL's credit, in the one free text a course has
        notes.append(data_credit(route) + ".")
    _sub(course_el, "Notes", " ".join(note for note in notes if note))
    for course_point in course.course_points:
        _course_point(course_el, course_point)

    ET.indent(root, space=" ")
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def _course_point(parent: ET.Element, point: CoursePoint) -> None:
    element = _sub(parent, "CoursePoint")
    _sub(element, "Name", point.label(POINT_NAME_CHARS))
    _sub(element, "Time", _time(point.time))
    _position(_sub(element, "Position"), (point.lat, point.lon))
    _sub(element, "PointType", POINT_TYPES.get(point.kind, "Generic"))
    _sub(element, "Notes", point.note)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    if text is not None:
        element.text = text
    return element


def _position(element: ET.Element, point: tuple[float, float]) -> None:
    _sub(element, "LatitudeDegrees", f"{point[0]:.7f}")
    _sub(element, "LongitudeDegrees", f"{point[1]:.7f}")


def _time(time: dt.datetime) -> str:
    return time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
