"""Every route of the HTTP API, through ``handlers.api.handler``, with a stored article, on the
local backend and on the AWS backend (moto server over HTTP).

Each answer must be one the route declares in the OpenAPI document: a route whose declared
response does not match what it returns is rejected by Powertools' response validation and
reported as a 422 (that is how ``GET /articles/{id}/raw`` was broken on AWS).
"""

from __future__ import annotations

import gzip
import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from article_ingest.lambda_context import LocalContext
from article_ingest.serve import build_event, response_parts
from core.services import Services
from core.settings import Settings
from handlers import _deps
from tests.contract.moto_env import CREDENTIALS, REGION, create_resources
from tests.support.page_server import PageServer

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

FERRY = "harbour-solar-ferry-en.html"
TITLE = "Harbour town launches its first solar-powered ferry"
UNKNOWN_ID = "0" * 32


class Answer:
    """One answer of the handler: status, lower-cased headers, body bytes."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.status, pairs, self.body = response_parts(raw)
        self.headers = {name.lower(): value for name, value in pairs}

    def json(self) -> Any:
        return json.loads(self.body)


def call(method: str, target: str, body: Any = None) -> Answer:
    from handlers.api import handler

    data = json.dumps(body).encode() if body is not None else b""
    headers = [("Content-Type", "application/json")] if body is not None else []
    return Answer(handler(build_event(method, target, headers, data), LocalContext()))


def declared_statuses(template: str) -> set[int]:
    """The statuses the OpenAPI document declares for ``GET template``."""
    from handlers.api import openapi_json

    operation = json.loads(openapi_json())["paths"][template]["get"]
    return {int(code) for code in operation["responses"]}


def route_settings(settings: Settings, page_server: PageServer) -> Settings:
    return settings.model_copy(
        update={
            "allow_private_networks": True,
            "allowed_ports": [page_server.port],
            "respect_robots": False,
            "per_host_delay_s": 0.0,
        }
    )


@pytest.fixture(params=["local", pytest.param("aws", marks=pytest.mark.aws)])
def backend(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    page_server: PageServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Services]:
    """``Services`` of one backend, installed for the handler."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    if request.param == "local":
        settings = Settings(data_dir=tmp_path / "data")
    else:
        for name, value in CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        settings = create_resources(request.getfixturevalue("moto_endpoint"), prefix="routes")
    services = Services(route_settings(settings, page_server))
    _deps.use(services)
    yield services
    _deps.use(None)


@pytest.fixture
def stored_id(backend: Services, page_server: PageServer) -> str:
    answer = call("POST", "/articles", {"urls": [page_server.url(FERRY)]})
    assert answer.status == 200, answer.body
    (result,) = answer.json()["results"]
    assert result["status"] == "extracted", result
    return str(result["id"])


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` (the moto server on 127.0.0.1) as an HTTP client would."""
    assert urlsplit(url).hostname == "127.0.0.1", url
    with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
        headers = {name.lower(): value for name, value in response.headers.items()}
        return response.status, headers, response.read()


def test_every_get_route_answers_as_declared(
    backend: Services, stored_id: str, pages_dir: Path
) -> None:
    routes = {
        "/articles/{article_id}": f"/articles/{stored_id}",
        "/articles/{article_id}/text": f"/articles/{stored_id}/text?format=markdown",
        "/articles/{article_id}/raw": f"/articles/{stored_id}/raw",
        "/articles": "/articles?limit=5",
        "/search": "/search?q=ferry",
    }
    answers = {template: call("GET", target) for template, target in routes.items()}
    for template, answer in answers.items():
        assert answer.status in declared_statuses(template), (template, answer.status, answer.body)
        assert answer.status < 400, (template, answer.body)

    assert answers["/articles/{article_id}"].json()["title"] == TITLE
    assert answers["/articles/{article_id}/text"].body.decode().startswith(f"# {TITLE}")
    assert stored_id in [item["id"] for item in answers["/articles"].json()["items"]]
    assert answers["/search"].json()["query"] == "ferry"

    page = (pages_dir / FERRY).read_bytes()
    raw = answers["/articles/{article_id}/raw"]
    if backend.is_local:
        assert raw.status == 200
        assert raw.body == page
        return
    assert raw.status == 307
    assert raw.headers["cache-control"] == "no-store"
    location = raw.headers["location"]
    status, headers, data = fetch(location)
    assert status == 200
    if headers.get("content-encoding") == "gzip":
        data = gzip.decompress(data)
    assert data == page
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"] == f'attachment; filename="{stored_id}.html"'


@pytest.mark.aws
@pytest.mark.parametrize("backend", ["aws"], indirect=True)
def test_raw_redirect_is_a_sigv4_presigned_url(backend: Services, stored_id: str) -> None:
    location = call("GET", f"/articles/{stored_id}/raw").headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert re.fullmatch(rf"[^/]+/\d{{8}}/{REGION}/s3/aws4_request", query["X-Amz-Credential"][0])
    assert query["X-Amz-Expires"] == ["300"]
    assert "Signature" not in query
    assert "AWSAccessKeyId" not in query


def test_unknown_article_is_a_declared_404_on_every_article_route(backend: Services) -> None:
    for suffix in ("", "/text", "/raw"):
        answer = call("GET", f"/articles/{UNKNOWN_ID}{suffix}")
        assert answer.status == 404, (suffix, answer.body)
        assert 404 in declared_statuses(f"/articles/{{article_id}}{suffix}")
        assert answer.json()["code"] == "not_found"


def test_openapi_document_and_docs_routes(backend: Services) -> None:
    answer = call("GET", "/openapi.json")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert "/articles/{article_id}/raw" in answer.json()["paths"]
    docs = call("GET", "/docs")
    assert docs.status == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert b"swagger" in docs.body.lower()


class _Answer403:
    """What botocore needs of an HTTP answer to raise the ``ClientError`` S3 would cause."""

    status_code = 403


def answer_access_denied(**_: Any) -> tuple[_Answer403, dict[str, Any]]:
    """A ``before-call`` hook: S3's answer for a missing key without ``s3:ListBucket``."""
    error = {"Code": "AccessDenied", "Message": "Access Denied"}
    return _Answer403(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}


@pytest.mark.aws
@pytest.mark.parametrize("backend", ["aws"], indirect=True)
def test_a_403_from_s3_is_not_found_never_a_503(
    backend: Services, stored_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    from core.adapters.aws.s3_raw_store import S3RawStore

    raw_store = backend.raw_store
    assert isinstance(raw_store, S3RawStore)
    events = raw_store.clients.s3().meta.events
    events.register("before-call.s3.GetObject", answer_access_denied)
    events.register("before-call.s3.HeadObject", answer_access_denied)
    article = backend.articles.get(stored_id)
    assert article is not None
    assert article.raw_html_uri is not None

    answer = call("GET", f"/articles/{stored_id}/text")
    assert answer.status == 404, answer.body
    assert answer.json()["code"] == "not_found"
    assert raw_store.exists(article.raw_html_uri) is False
    assert "S3 answered 403" in caplog.text
