"""A tiny Overpass-like HTTP server on 127.0.0.1, for tests of the download path.

It answers osmnx the way the real Overpass API does -- ``GET <url>/status`` and
``POST <url>/interpreter`` with a ``data=`` query -- with fixed OSM JSON elements, and records
every query it receives. The machines running the tests have no internet; this is the
Overpass they get. Reusable by any test::

    with OverpassStub(town().overpass_elements()) as stub:
        settings = Settings(overpass_url=stub.url, cache_dir=tmp_path)
        ...
        assert stub.queries

Set ``status`` (an HTTP error code), ``headers`` (e.g. ``Retry-After``), ``body`` (raw bytes
instead of the answer), ``delay_s`` (a slow answer) or ``status_text`` (what ``/status`` says,
e.g. that every slot is busy) to play a failing Overpass; they may be changed while it runs.
Only ``/interpreter`` queries fail or dawdle: ``/status`` always answers at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from helpers import serve_http, stop_http

STATUS_TEXT = (
    "Connected as: 1234567\n"
    "Current time: 2025-01-01T00:00:00Z\n"
    "Announced endpoint: none\n"
    "Rate limit: 2\n"
    "2 slots available now.\n"
    "Currently running queries (pid, space limit, time limit, start time):\n"
)


def busy_status(*waits_s: int) -> str:
    """A ``/status`` text saying every slot is taken, each free again after ``waits_s``."""
    lines = STATUS_TEXT.splitlines(keepends=True)
    slots = [f"Slot available after: 2025-01-01T00:00:{w % 60:02d}Z, in {w} seconds.\n" for w in waits_s]
    return "".join(lines[:4] + slots + lines[5:])


class OverpassStub:
    """Serve ``elements`` to every Overpass query, or fail the ways the attributes say."""

    def __init__(
        self,
        elements: Sequence[dict[str, Any]],
        *,
        status: int = 200,
        body: bytes | None = None,
        delay_s: float = 0.0,
        headers: Mapping[str, str] | None = None,
        status_text: str = STATUS_TEXT,
    ) -> None:
        self.elements = list(elements)
        self.status = status
        self.body = body
        self.delay_s = delay_s
        self.headers = dict(headers or {})
        self.status_text = status_text
        self.queries: list[str] = []
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL to put in ``Settings.overpass_url`` (osmnx appends ``/interpreter``)."""
        assert self._server is not None, "use OverpassStub as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api"

    def __enter__(self) -> OverpassStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _send(self, code: int, body: bytes, content_type: str, **headers: str) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout tests)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/status"):
                    self._send(200, stub.status_text.encode(), "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode("utf-8"))
                stub.queries.append(form.get("data", [""])[0])
                if not self.path.rstrip("/").endswith("/interpreter"):
                    self._send(404, b"not found", "text/plain")
                    return
                if stub.delay_s and stub._closing.wait(stub.delay_s):
                    return  # the test is over; nobody is listening
                if stub.status != 200:
                    page = b"<html><body><p>The server is probably too busy to handle your request.</p></body></html>"
                    self._send(stub.status, page, "text/html", **stub.headers)
                    return
                if stub.body is not None:
                    kind = "application/json" if stub.body.startswith(b"{") else "text/html"
                    self._send(200, stub.body, kind, **stub.headers)
                    return
                body = json.dumps({
                    "version": 0.6,
                    "generator": "Overpass API stub (montage-run tests)",
                    "osm3s": {"timestamp_osm_base": "2025-01-01T00:00:00Z",
                              "copyright": "The data included in this document is from "
                                           "www.openstreetmap.org. The data is made available under ODbL."},
                    "elements": stub.elements,
                }).encode()
                self._send(200, body, "application/json", **stub.headers)

        self._server, self._thread = serve_http(Handler)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._closing.set()
        stop_http(self._server, self._thread)
