"""A tiny Nominatim-like HTTP server on 127.0.0.1, for tests of address search.

It answers geopy's ``Nominatim`` the way the real service does -- ``GET /search?q=…&format=json``
with a JSON list of places -- and records every request (path, query, headers, arrival time
on the monotonic clock). The machines running the tests have no internet; this is the
Nominatim they get (geopy's ``domain``/``scheme`` options point at it). Reusable by any test::

    with NominatimStub({"italian market": (39.9387, -75.1579)}) as stub:
        settings = Settings(geocoder_url=stub.url)
        ...
        assert stub.requests[0].params["bounded"] == "1"

Set ``status`` (an HTTP error code), ``body`` (raw bytes instead of the answer) or ``delay_s``
(a slow answer) to play a failing service; they may be changed while the stub runs.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from helpers import serve_http, stop_http


@dataclass(frozen=True)
class StubRequest:
    """One request the stub received."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at_s: float  # time.monotonic() on arrival


def place_json(name: str, lat: float, lon: float) -> dict[str, Any]:
    """A search result shaped like Nominatim's ``format=json`` (numbers as strings, as it sends)."""
    return {
        "place_id": zlib.crc32(name.encode()) % 10**8,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright",
        "osm_type": "node",
        "osm_id": zlib.crc32(name.encode()),
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "class": "place",
        "type": "square",
        "place_rank": 30,
        "importance": 0.3,
        "addresstype": "square",
        "name": name,
        "display_name": f"{name}, Philadelphia, Pennsylvania, United States",
        "boundingbox": [f"{lat - 0.001:.7f}", f"{lat + 0.001:.7f}", f"{lon - 0.001:.7f}", f"{lon + 0.001:.7f}"],
    }


class NominatimStub:
    """Answer ``/search`` from ``places`` (lower-cased query -> (lat, lon)); others find nothing."""

    def __init__(
        self,
        places: Mapping[str, tuple[float, float]] | None = None,
        *,
        status: int = 200,
        body: bytes | None = None,
        delay_s: float = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.places = dict(places or {})
        self.status = status
        self.body = body
        self.delay_s = delay_s
        self.headers = dict(headers or {})
        self.requests: list[StubRequest] = []
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """What to put in ``Settings.geocoder_url``."""
        assert self._server is not None, "use NominatimStub as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def searches(self) -> list[StubRequest]:
        return [r for r in self.requests if r.path == "/search"]

    def _answer(self, params: Mapping[str, str]) -> tuple[int, bytes]:
        if self.status != 200:
            return self.status, b"<html><body>Service overloaded</body></html>"
        if self.body is not None:
            return 200, self.body
        query = " ".join(params.get("q", "").split()).casefold()
        found = self.places.get(query)
        results = [place_json(params.get("q", ""), *found)] if found else []
        return 200, json.dumps(results).encode()

    def __enter__(self) -> NominatimStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                stub.requests.append(StubRequest(
                    path=parts.path,
                    params=dict(parse_qsl(parts.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    at_s=time.monotonic(),
                ))
                if stub.delay_s and stub._closing.wait(stub.delay_s):
                    return  # the test is over; nobody is listening
                code, body = (404, b"not found") if parts.path != "/search" else stub._answer(
                    dict(parse_qsl(parts.query)))
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in stub.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout tests)

        self._server, self._thread = serve_http(Handler)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._closing.set()
        stop_http(self._server, self._thread)
