"""The live app fuzzed against its own OpenAPI document (``/api/openapi.json``) with schemathesis.

Every operation of the document gets generated requests, valid ones (stop and tour ids from
the catalogue, paces in range) and invalid ones (ids off the pattern, text where a number
goes, values out of range), in-process through the WSGI app (no network). Each answer must be
no 5xx, a status the operation documents, a documented media type and, for JSON, a body valid
against the documented schema. The run is bounded and repeatable: hypothesis derandomised
(cases follow from the test alone) with at most :data:`MAX_EXAMPLES` per operation and phase.

The app runs offline (straight-line routes), its rate limits off (a fuzzer is one busy
client), and its geocoder asks a Nominatim stub with no one-a-second throttle (the stub is
ours; the real service's policy is tested in tests/core/test_geocoding.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nominatim_stub import NominatimStub
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from routes import create_app
from routes.openapi import OPENAPI_PATH, openapi_document
from tourapp.geocoding import Geocoder, Throttle
from tourapp.geodesy import BBox
from tourapp.settings import Settings

#: Cases per operation and mode (examples, positive, negative): ~1 minute in all on 2 cores.
MAX_EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PLACES = {"italian market": (39.9387, -75.1579), "art museum": (39.9656, -75.1810)}


@pytest.fixture(scope="module")
def contract_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with NominatimStub(PLACES) as stub:
        settings = Settings(cache_dir=Path(tmp_path_factory.mktemp("contract")) / "cache", network_download=False,
                            geocoder_url=stub.url, geocoder_timeout_s=2.0)
        app = create_app({"TESTING": True, "TOURAPP_SETTINGS": settings, "RATELIMIT_ENABLED": False})
        area = app.extensions["tourapp"].planner.area
        app.extensions["tourapp.geocoder"] = Geocoder(area=area, url=stub.url, timeout_s=2.0, throttle=Throttle(0.0))
        yield app


@pytest.fixture(scope="module")
def api_schema(contract_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", contract_app)


#: The document's operations, read from a document built for one made-up stop and tour (only
#: the paths matter here; the test fuzzes the app's own document).
#: The document itself takes no parameters (tests/web/test_openapi.py reads it).
OPERATIONS = sorted(
    set(openapi_document(stop_ids=["a-stop"], tour_ids=["a-tour"], area=BBox(south=0, west=0, north=1, east=1))
        ["paths"])
    - {OPENAPI_PATH}
)


def _strategy(operation: Any, mode: str) -> Any:
    """The document's own examples (each parameter's ``example``, combined by schemathesis),
    or generated cases that follow the document (positive) or break it (negative)."""
    if mode == "examples":
        examples = operation.get_strategies_from_examples()
        return st.one_of(*examples) if examples else None
    if mode == "negative" and not operation.definition.raw.get("parameters"):
        return None  # nothing to get wrong
    return operation.as_strategy(generation_mode=GenerationMode(mode))


@pytest.mark.parametrize("mode", ["examples", "positive", "negative"])
@pytest.mark.parametrize("path", OPERATIONS)
def test_every_answer_is_one_the_document_describes(api_schema: Any, path: str, mode: str) -> None:
    operation = api_schema[path]["GET"]
    strategy = _strategy(operation, mode)
    if strategy is None:
        # Nothing to send: the operation takes no parameters (so no input can break it) or the
        # document gives it no examples. Its plain request is still checked by the other modes.
        assert mode == "examples" or not operation.definition.raw.get("parameters"), path
        return
    statuses: list[int] = []

    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def every_case(case: Any) -> None:
        # identity: the WSGI test client would hand gzip bodies to the checks undecoded
        response = case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})
        statuses.append(response.status_code)

    every_case()
    if mode != "negative":  # the success answers were among those checked, not only refusals
        assert any(200 <= status < 300 for status in statuses), statuses
