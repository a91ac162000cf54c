"""``serve`` answers over HTTP exactly what the Lambda handler answers for the same request:
any method (unlisted ones get the handler's 405 problem, never ``http.server``'s HTML 501),
HEAD, OPTIONS, unknown paths, bodies on GET, chunked bodies.

The expected answer comes from ``handlers.api.handler`` called with an API Gateway v2 event
built from ``events/api-get-article.json`` (a real event's shape), not from ``serve``'s own
event builder.
"""

from __future__ import annotations

import copy
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from article_ingest.serve import ApiServer, LocalContext, make_server
from core.settings import Settings
from handlers import _deps

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No application metrics to publish"),
]

EVENT_TEMPLATE = Path(__file__).parents[2] / "events" / "api-get-article.json"
ARTICLE = "/articles/0123456789abcdef0123456789abcdef"
#: Headers whose values the handler decides (the transport adds Date, Server, Content-Length).
COMPARED_HEADERS = ("content-type", "allow", "x-content-type-options", "retry-after")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data_dir = tmp_path_factory.mktemp("methods") / "data"
    api = make_server("127.0.0.1", 0, Settings(data_dir=data_dir, sync_batch_limit=0), drain=False)
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    yield api
    api.shutdown()
    api.server_close()
    _deps.use(None)


@pytest.fixture(autouse=True)
def _server_services(server: ApiServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Other modules' tests may run in between on the same worker and swap the services.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    _deps.use(server.services)
    yield
    _deps.use(None)


def over_http(
    server: ApiServer,
    method: str,
    target: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    chunked: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    """One request to ``serve`` on a fresh connection."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    try:
        payload: Any = (
            [body[i : i + 7] for i in range(0, len(body), 7)] if chunked and body else body
        )
        connection.request(
            method, target, body=payload, headers=headers or {}, encode_chunked=chunked
        )
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def from_handler(
    method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """What the Lambda handler answers API Gateway for the same request."""
    from handlers.api import handler

    parts = urlsplit(target)
    event = copy.deepcopy(json.loads(EVENT_TEMPLATE.read_text()))
    event.update(routeKey="$default", rawPath=parts.path, rawQueryString=parts.query)
    event.pop("pathParameters", None)
    event["headers"] = {
        "host": event["headers"]["host"],
        **{name.lower(): value for name, value in (headers or {}).items()},
    }
    if parts.query:
        event["queryStringParameters"] = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    if body:
        event["body"] = body.decode()
    event["requestContext"].update(routeKey="$default")
    event["requestContext"]["http"].update(method=method, path=parts.path)
    answer = handler(event, LocalContext())
    headers_out = {str(k).lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
    return int(answer["statusCode"]), headers_out, str(answer.get("body") or "").encode()


def assert_same_answer(
    served: tuple[int, dict[str, str], bytes],
    expected: tuple[int, dict[str, str], bytes],
    *,
    head: bool = False,
) -> None:
    assert served[0] == expected[0], served[2]
    for name in COMPARED_HEADERS:
        assert served[1].get(name) == expected[1].get(name), name
    if head:
        assert served[2] == b""
        assert served[1]["content-length"] == str(len(expected[2]))
    else:
        # Two submissions form two batches: the same answer but for the batch's id.
        served_body, expected_body = json.loads(served[2]), json.loads(expected[2])
        if isinstance(served_body, dict) and "batch_id" in expected_body:
            assert served[1]["location"] == f"/batches/{served_body.pop('batch_id')}"
            expected_body.pop("batch_id")
        assert served_body == expected_body


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("TRACE", "/articles"),
        ("PROPFIND", ARTICLE),
        ("PATCH", ARTICLE),
        ("PUT", ARTICLE + "/text"),
        ("DELETE", "/search?q=solar"),
        ("CONNECT", ARTICLE + "/raw"),
        ("BREW", "/articles"),
        ("TRACE", "/openapi.json"),
        ("OPTIONS", "/articles"),
        ("OPTIONS", "/nowhere"),
        ("GET", "/nowhere"),
        ("TRACE", "/nowhere"),
        ("GET", "/articles?limit=2"),
        ("GET", ARTICLE),
        ("GET", "/articles/not-an-id"),
    ],
)
def test_serve_answers_what_the_handler_answers(
    server: ApiServer, method: str, target: str
) -> None:
    assert_same_answer(over_http(server, method, target), from_handler(method, target))


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PATCH", "BREW"])
def test_an_unlisted_method_is_a_405_problem_with_allow(server: ApiServer, method: str) -> None:
    status, headers, body = over_http(server, method, "/articles")
    assert status == 405
    assert headers["content-type"] == "application/problem+json"
    assert headers["allow"] == "GET, POST"
    assert json.loads(body)["code"] == "method_not_allowed"


@pytest.mark.parametrize("target", ["/articles", ARTICLE, "/search?q=solar"])
def test_head_answers_like_the_handler_without_a_body(server: ApiServer, target: str) -> None:
    assert_same_answer(over_http(server, "HEAD", target), from_handler("HEAD", target), head=True)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"ignored": true}'),
        ("text/plain", b"plain words"),
        ("application/json", b"{not json"),
    ],
)
def test_a_body_on_get_is_treated_as_the_handler_treats_it(
    server: ApiServer, content_type: str, body: bytes
) -> None:
    headers = {"Content-Type": content_type}
    assert_same_answer(
        over_http(server, "GET", "/articles", body, headers),
        from_handler("GET", "/articles", body, headers),
    )


def test_a_chunked_body_is_read_like_a_sized_one(server: ApiServer) -> None:
    body = json.dumps({"urls": ["ftp://a.example/x", "mailto:someone@example.org"]}).encode()
    headers = {"Content-Type": "application/json"}
    served = over_http(server, "POST", "/articles", body, headers, chunked=True)
    assert_same_answer(served, from_handler("POST", "/articles", body, headers))
    assert [r["status"] for r in json.loads(served[2])["results"]] == ["rejected", "rejected"]


def test_a_chunked_body_over_the_limit_is_a_413_problem(server: ApiServer) -> None:
    body = b'{"urls": ["' + b"a" * 1_100_000 + b'"]}'
    status, headers, data = over_http(
        server, "POST", "/articles", body, {"Content-Type": "application/json"}, chunked=True
    )
    assert (status, headers["content-type"]) == (413, "application/problem+json")
    assert json.loads(data)["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "raw_body",
    [b"zz\r\n{}\r\n0\r\n\r\n", b"0x2\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n"],
    ids=["not-hex", "hex-prefix", "short-chunk"],
)
def test_a_malformed_chunked_body_is_a_400_problem(server: ApiServer, raw_body: bytes) -> None:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    try:
        connection.putrequest("POST", "/articles")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders(raw_body)
        response = connection.getresponse()
        status, data = response.status, response.read()
    finally:
        connection.close()
    assert status == 400
    assert json.loads(data)["code"] == "invalid_chunked_body"


def raw_exchange(server: ApiServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes as a request; the parsed answer."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname or "", address.port or 0), timeout=60) as sock:
        sock.sendall(request)
        reader = sock.makefile("rb")
        status = int(reader.readline().split()[1])
        headers: dict[str, str] = {}
        while (line := reader.readline().strip()) != b"":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, reader.read(int(headers.get("content-length", "0")))


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /articles HTTP/9.x\r\n\r\n", 400),
        (b"GET /articles HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET /articles HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    ],
    ids=["bad-version", "bad-request-line", "target-too-long", "header-too-long"],
)
def test_a_malformed_request_is_a_problem_not_html(
    server: ApiServer, request_bytes: bytes, status: int
) -> None:
    answered, headers, body = raw_exchange(server, request_bytes)
    assert answered == status
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["code"] == "malformed_request"
