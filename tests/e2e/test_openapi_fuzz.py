"""The schemathesis run of ``make api-fuzz`` (``tests/e2e/api_fuzz.py``), kept honest.

The run itself (every check, every phase, against ``serve``) is a CI step of its own
(``.ci/run``); these tests guard what it relies on: the document lists every operation, the
fuzzed server never drains its queue (so it never fetches), and the hooks drop only the two
state-dependent refusals of schema-valid input, never anything else.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import RejectedPositiveData

from article_ingest import runtime, serve
from core.adapters.local.article_store import encode_cursor
from core.settings import Settings
from core.versions import encode_versions_cursor
from handlers import _deps
from handlers.api import openapi_json
from tests.e2e import api_fuzz
from tests.e2e.schemathesis_hooks import filter_failure

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No application metrics to publish"),
]

OPERATIONS = {
    ("POST", "/articles"),
    ("GET", "/articles"),
    ("GET", "/articles/{article_id}"),
    ("GET", "/articles/{article_id}/text"),
    ("GET", "/articles/{article_id}/raw"),
    ("GET", "/articles/{article_id}/versions"),
    ("GET", "/search"),
    ("POST", "/discover"),
    ("GET", "/batches/{batch_id}"),
}


def test_document_lists_every_operation() -> None:
    schema = schemathesis.openapi.from_dict(json.loads(openapi_json()))
    found = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert found == OPERATIONS


def test_the_run_uses_every_check_and_the_hooks() -> None:
    config = api_fuzz.CONFIG.read_text()
    assert 'hooks = "tests.e2e.schemathesis_hooks"' in config
    assert api_fuzz.command("http://127.0.0.1:1", [])[-2:] == ["--checks", "all"]


@pytest.mark.parametrize("drain", [False, True])
def test_the_fuzzed_server_never_drains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drain: bool
) -> None:
    drains: list[int] = []
    monkeypatch.setattr(runtime.LocalRuntime, "drain", lambda self: drains.append(1))
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    settings = Settings(data_dir=tmp_path / "data", sync_batch_limit=0)
    server = serve.make_server("127.0.0.1", 0, settings, drain=drain)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        request = urllib.request.Request(
            f"{server.url}/articles",
            data=json.dumps({"urls": ["https://a.example/queued"]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 202
        assert server.drainer.wait_idle(timeout=60)
    finally:
        server.shutdown()
        server.server_close()
        _deps.use(None)
    assert len(drains) == (1 if drain else 0)


@dataclass
class FakeResponse:
    content: bytes
    status_code: int = 400


@dataclass
class FakeCase:
    query: dict[str, Any] | None = None


def rejected(operation: str = "GET /articles", status: int = 400) -> Failure:
    return RejectedPositiveData(
        operation=operation, message="", status_code=status, allowed_statuses=["2xx"]
    )


def problem(code: str, status: int = 400) -> FakeResponse:
    return FakeResponse(json.dumps({"code": code, "status": status}).encode(), status)


def test_a_cursor_not_issued_is_dropped() -> None:
    case = FakeCase({"cursor": "0" * 2044 + "AA=="})
    assert filter_failure(None, rejected(), case, problem("invalid_cursor")) is False


def test_a_versions_cursor_is_judged_as_one() -> None:
    issued = FakeCase({"cursor": encode_versions_cursor(3)})
    listing = FakeCase({"cursor": encode_cursor("2024-05-14", "f" * 32)})
    versions = rejected("GET /articles/{article_id}/versions")
    assert filter_failure(None, versions, issued, problem("invalid_cursor")) is True
    assert filter_failure(None, versions, listing, problem("invalid_cursor")) is False


def test_an_issued_cursor_refused_is_kept() -> None:
    case = FakeCase({"cursor": encode_cursor("2024-05-14", "f" * 32)})
    assert filter_failure(None, rejected(), case, problem("invalid_cursor")) is True


def test_a_reused_idempotency_key_is_dropped() -> None:
    assert filter_failure(None, rejected(), FakeCase(), problem("idempotency_key_reused")) is False


@pytest.mark.parametrize("code", ["validation_error", "malformed_json", "not_found"])
def test_other_refusals_of_valid_input_are_kept(code: str) -> None:
    case = FakeCase({"cursor": "0" * 8})
    assert filter_failure(None, rejected(), case, problem(code)) is True


def test_other_failures_are_kept() -> None:
    failure = Failure(operation="GET /articles", title="Server error", message="500")
    assert filter_failure(None, failure, FakeCase(), problem("invalid_cursor")) is True
    assert filter_failure(None, rejected(), FakeCase(), FakeResponse(b"<html>")) is True


def test_links_lead_to_the_article_routes() -> None:
    document = json.loads(openapi_json())
    operations = {
        op["operationId"]: path for path, ops in document["paths"].items() for op in ops.values()
    }
    targets = {
        (path, method, status, link["operationId"], link["parameters"]["article_id"])
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        for status, response in op["responses"].items()
        for link in (response.get("links") or {}).values()
    }
    assert {operations[target[3]] for target in targets} == {
        "/articles/{article_id}",
        "/articles/{article_id}/text",
        "/articles/{article_id}/raw",
    }
    assert {(t[0], t[1], t[2], t[4]) for t in targets} == {
        ("/articles", "get", "200", "$response.body#/items/0/id"),
        ("/search", "get", "200", "$response.body#/items/0/id"),
        ("/articles", "post", "200", "$response.body#/results/0/id"),
        ("/articles", "post", "202", "$response.body#/results/0/id"),
    }


@pytest.mark.parametrize("code", ["invalid_url", "dns_error", "not_a_feed"])
def test_a_discovery_start_that_cannot_be_read_is_dropped(code: str) -> None:
    failure = rejected("POST /discover", 422)
    assert filter_failure(None, failure, FakeCase(), problem(code, 422)) is False


def test_a_discovery_request_refused_as_invalid_is_kept() -> None:
    failure = rejected("POST /discover", 422)
    assert filter_failure(None, failure, FakeCase(), problem("validation_error", 422)) is True
