"""Route tests: requests go through ``handlers.api.handler`` (the real resolver) as API
Gateway HTTP API (v2) events, on a ``Services`` over a temp data dir, fetching from the local
page server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.support.page_server import PageServer

from article_ingest.lambda_context import LocalContext
from article_ingest.serve import build_event, response_parts
from core.services import Services
from core.settings import Settings
from handlers import _deps


@dataclass
class Answer:
    """One HTTP answer of the handler."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


Call = Callable[..., Answer]


#: GET routes publish no metric; Powertools warns about every empty flush.
QUIET_METRICS = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(QUIET_METRICS)


@pytest.fixture(autouse=True)
def _no_metrics_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def make_settings(data_dir: Path, page_server: PageServer, **overrides: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        allow_private_networks=True,
        allowed_ports=[page_server.port],
        respect_robots=False,
        per_host_delay_s=0,
        **overrides,
    )


def serving(data_dir: Path, page_server: PageServer) -> Iterator[Services]:
    """``Services`` on ``data_dir`` that may fetch from ``page_server``, installed as the
    handlers' while the fixture that yields from this lasts."""
    built = Services(make_settings(data_dir, page_server))
    _deps.use(built)
    yield built
    _deps.use(None)


@pytest.fixture
def services(tmp_path: Path, page_server: PageServer) -> Iterator[Services]:
    yield from serving(tmp_path / "data", page_server)


def call_handler(
    method: str,
    target: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    principal: str | None = None,
) -> Answer:
    """Send one request through the Lambda handler and decode its answer; ``principal`` is
    the IAM caller API Gateway would put in the request context."""
    from handlers.api import handler

    sent = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        sent.setdefault("Content-Type", "application/json")
    event = build_event(method, target, list(sent.items()), body or b"")
    if principal is not None:
        event["requestContext"]["authorizer"] = {"iam": {"userArn": principal}}
    status, pairs, data = response_parts(handler(event, LocalContext()))
    return Answer(status, {name.lower(): value for name, value in pairs}, data)


@pytest.fixture
def api(services: Services) -> Call:
    return call_handler


def assert_problem(answer: Answer, status: int, code: str) -> dict[str, Any]:
    """``answer`` is an RFC 9457 problem with this status and code."""
    assert answer.status == status, answer.body
    assert answer.content_type == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"].endswith("#" + code)
    assert problem["detail"]
    return dict(problem)
