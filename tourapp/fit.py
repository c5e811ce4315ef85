"""FIT course files of a route, written with ``fit-tool``, for Garmin and other FIT watches.

The messages a FIT course needs (the FIT SDK's course cookbook): ``file_id`` of type course,
``course``, one ``lap`` with the totals, a timer start ``event``, a ``record`` per point with
its position, distance and time, a ``course_point`` for every stop and every turn, and a
timer stop ``event``. Each course point carries its real distance along the course: Garmin's
"Up Ahead" and the turn prompts read that field, which Garmin Connect's own GPX import
leaves at 0 (gpx.studio has no FIT export at all, its issue 247).

A FIT course has no free text for the OpenStreetMap credit the GPX and TCX files carry: its
only text a watch shows is the course name (and the points' names), which a credit would push
off a watch's screen, and a developer field is read by no watch. The page a FIT file is
downloaded from says it instead.
"""

from __future__ import annotations

import datetime as dt

from fit_tool.data_message import DataMessage
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.common_fields import TimestampField
from fit_tool.profile.messages.course_message import CourseMessage
from fit_tool.profile.messages.course_point_message import CoursePointMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import (
    RecordDistanceField,
    RecordMessage,
    RecordPositionLatField,
    RecordPositionLongField,
)
from fit_tool.profile.profile_type import (
    CoursePoint as FitCoursePoint,
)
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    Manufacturer,
    Sport,
)

from .course import Course, ExportOptions, short_label
from .model import Route

#: Longest course point name: Garmin watches show about 16 characters.
POINT_NAME_CHARS = 16
#: Longest course name (Garmin lists courses by it).
COURSE_NAME_CHARS = 32
#: FIT course point types for the course point kinds.
POINT_TYPES = {
    "start": FitCoursePoint.SEGMENT_START,
    "stop": FitCoursePoint.GENERIC,
    "finish": FitCoursePoint.SEGMENT_END,
    "slight left": FitCoursePoint.SLIGHT_LEFT,
    "left": FitCoursePoint.LEFT,
    "sharp left": FitCoursePoint.SHARP_LEFT,
    "slight right": FitCoursePoint.SLIGHT_RIGHT,
    "right": FitCoursePoint.RIGHT,
    "sharp right": FitCoursePoint.SHARP_RIGHT,
    "u-turn": FitCoursePoint.U_TURN,
}
SPORTS = {"run": Sport.RUNNING, "walk": Sport.WALKING}
#: A fixed serial number, so the same course gives the same bytes (there is no device).
SERIAL_NUMBER = 0x4D525231  # "MRR1"


def write_fit(route: Route, options: ExportOptions) -> bytes:
    """The registry's FIT writer (:mod:`tourapp.formats`)."""
    return route_to_fit(route, options.course(route))


def route_to_fit(route: Route, course: Course) -> bytes:
    """The course as a FIT course file (bytes, CRC included)."""
    builder = FitFileBuilder(auto_define=True, min_string_size=POINT_NAME_CHARS)
    start_ms, end_ms = _ms(course.start_time), _ms(course.end_time)

    file_id = FileIdMessage()
    file_id.type = FileType.COURSE
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = start_ms
    file_id.serial_number = SERIAL_NUMBER
    builder.add(file_id)

    header = CourseMessage()
    header.course_name = short_label(route.name, COURSE_NAME_CHARS) or "Course"
    header.sport = SPORTS.get(route.activity, Sport.GENERIC)
    builder.add(header)

    lap = LapMessage()
    lap.timestamp = start_ms
    lap.start_time = start_ms
    lap.total_elapsed_time = course.duration_s
    lap.total_timer_time = course.duration_s
    lap.total_distance = course.length_m
    if course.points:
        lap.start_position_lat, lap.start_position_long = course.points[0]
        lap.end_position_lat, lap.end_position_long = course.points[-1]
    builder.add(lap)

    builder.add(_timer_event(start_ms, EventType.START))
    records = []
    for (lat, lon), distance, time in zip(course.points, course.distances_m, course.times):
        record = _record()
        record.timestamp = _ms(time)
        record.position_lat = lat
        record.position_long = lon
        record.distance = distance
        records.append(record)
    builder.add_all(records)

    for index, point in enumerate(course.course_points):
        message = CoursePointMessage()
        message.message_index = index
        message.timestamp = _ms(point.time)
        message.position_lat = point.lat
        message.position_long = point.lon
        message.distance = point.distance_m
        message.type = POINT_TYPES.get(point.kind, FitCoursePoint.GENERIC)
        message.course_point_name = point.label(POINT_NAME_CHARS)
        builder.add(message)

    builder.add(_timer_event(end_ms, EventType.STOP_DISABLE_ALL))
    body: bytes = builder.build().to_bytes()
    return body


def _record() -> RecordMessage:
    """A record message with only the four fields a course point needs.

    ``RecordMessage()`` builds all of its ~80 fields, which made a 1,000-point course take
    over a second to write; this is the same message made through the base class's
    constructor with just the fields it carries (five times faster).
    """
    record: RecordMessage = RecordMessage.__new__(RecordMessage)
    DataMessage.__init__(record, name=RecordMessage.NAME, global_id=RecordMessage.ID, fields=[
        TimestampField(size=0, growable=True),
        RecordPositionLatField(size=0, growable=True),
        RecordPositionLongField(size=0, growable=True),
        RecordDistanceField(size=0, growable=True),
    ])
    return record


def _timer_event(timestamp_ms: int, event_type: EventType) -> EventMessage:
    event = EventMessage()
    event.timestamp = timestamp_ms
    event.event = Event.TIMER
    event.event_type = event_type
    event.event_group = 0
    return event


def _ms(time: dt.datetime) -> int:
    """Milliseconds since 1970 (fit-tool's unit; FIT itself keeps whole seconds)."""
    return round(time.timestamp() * 1000)
