"""Property-based fuzzing of our own ``/openapi.json`` through ``serve`` over HTTP.

Every operation is called with generated valid and invalid input; no answer may be a 5xx,
and every answer must match the document (status code, content type, headers, body schema).
Submissions are all queued (``sync_batch_limit=0``) and nothing drains the queue, so the
fuzzer never makes the server fetch anything; discovery's fetcher resolves no name and dials
no address.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from article_ingest.serve import ApiServer, Drainer
from core.services import Services
from core.settings import Settings
from handlers import _deps
from tests.offline import offline_fetcher

pytestmark = [
    pytest.mark.e2e,
    # GET routes publish no metric; Powertools warns about every empty flush.
    pytest.mark.filterwarnings("ignore:No application metrics to publish"),
]

#: Examples per operation and mode: enough to cover every parameter, bounded for CI time.
MAX_EXAMPLES = 30

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "data"
    services = Services(Settings(data_dir=data_dir, sync_batch_limit=0))
    services.__dict__["fetcher"] = offline_fetcher()  # POST /discover fetches: never for real
    _deps.use(services)
    api = ApiServer("127.0.0.1", 0, services, Drainer(lambda: None))
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    yield api
    api.shutdown()
    api.server_close()
    _deps.use(None)


@pytest.fixture(autouse=True)
def _server_services(server: ApiServer) -> Iterator[None]:
    # Other modules' tests may run in between on the same worker and swap the services.
    _deps.use(server.services)
    yield
    _deps.use(None)


OPERATIONS = [
    ("POST", "/articles"),
    ("GET", "/articles"),
    ("GET", "/articles/{article_id}"),
    ("GET", "/articles/{article_id}/text"),
    ("GET", "/articles/{article_id}/raw"),
    ("GET", "/search"),
    ("POST", "/discover"),
]


@pytest.fixture(scope="module")
def api_schema(server: ApiServer) -> Any:
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


def test_document_lists_every_operation(api_schema: Any) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_errors_and_schema_conformance(
    api_schema: Any, server: ApiServer, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(base_url=server.url, checks=list(CHECKS), timeout=10)

    check()
