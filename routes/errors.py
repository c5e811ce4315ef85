"""One error handler for the app: JSON for API clients, an HTML page for people.

Bad input is answered with 400/404/422 and a message that names what was wrong; anything
unexpected is logged and answered with a plain 500 page, never a traceback.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from tourapp.errors import BadPlan, StopNotReachable, TourError, UnknownStop, UnknownTour
from tourapp.geocoding import GeocodingUnavailable, PlaceNotFound

STATUS_FOR_ERROR: tuple[tuple[type[TourError], int], ...] = (
    (UnknownStop, 404),
    (UnknownTour, 404),
    (PlaceNotFound, 404),
    (BadPlan, 400),  # BadAddress too
    (StopNotReachable, 422),
    (GeocodingUnavailable, 503),
)

TITLES = {
    400: "That request could not be understood",
    404: "Not found",
    405: "Method not allowed",
    422: "That route cannot be planned",
    500: "Something went wrong on our side",
    503: "Temporarily unavailable",
}


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON; browsers get a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, message: str) -> tuple[Response | str, int]:
    """The error in the form the client asked for."""
    title = TITLES.get(status, "Error")
    if wants_json():
        return jsonify(error={"status": status, "title": title, "message": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_tour_error(exc: TourError) -> tuple[Response | str, int]:
    for kind, status in STATUS_FOR_ERROR:
        if isinstance(exc, kind):
            return error_response(status, str(exc))
    current_app.logger.exception("unhandled tour error")
    return error_response(500, "The server could not complete that request.")


def handle_http_error(exc: HTTPException) -> tuple[Response | str, int]:
    status = exc.code or 500
    message = exc.description or TITLES.get(status, "Error")
    if status == 404 and exc.description == type(exc).description:
        message = f"There is no page at {request.path}."
    return error_response(status, message)


def handle_unexpected(exc: Exception) -> tuple[Response | str, int]:
    current_app.logger.exception("unexpected error serving %s", request.path)
    return error_response(500, "The server could not complete that request. Please try again.")


def init_app(app: Flask) -> None:
    app.register_error_handler(TourError, handle_tour_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
