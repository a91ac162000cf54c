"""``article-ingest serve``: the Lambda API handler behind a local HTTP server.

Each request becomes an API Gateway HTTP API (payload 2.0) event, goes through
``handlers.api.handler`` exactly as on AWS, and the handler's answer becomes the HTTP response.
After every POST that stored or queued something (200 or 202), the local runtime drains the
queue and the change stream in a background thread, so a synchronously ingested article is
indexed, searchable and announced without another request.
"""

from __future__ import annotations

import base64
import importlib
import logging
import os
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from article_ingest.drainer import Drainer
from article_ingest.lambda_context import LocalContext
from core.services import Services
from core.settings import Settings

logger = logging.getLogger(__name__)

#: Bodies larger than this are refused without reading them (the handler's own limit is lower).
READ_LIMIT_BYTES = 1_000_000
#: An oversized body up to this size is read and dropped before answering 413.
DISCARD_LIMIT_BYTES = 32_000_000


def _is_text(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def build_event(
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    *,
    source_ip: str = "127.0.0.1",
    host: str = "localhost",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event for one request, as API Gateway builds it:
    header names lower-cased and repeated values comma-joined, likewise query parameters."""
    parts = urlsplit(target)
    raw_path = parts.path or "/"
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = datetime.now(UTC)
    is_text = _is_text(body)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": parts.query,
        "headers": joined,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method.upper(),
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": not is_text,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        event["body"] = body.decode("utf-8") if is_text else base64.b64encode(body).decode()
    return event


def response_parts(answer: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body bytes of a Lambda proxy (v2) response."""
    status = int(answer.get("statusCode", 200))
    headers: list[tuple[str, str]] = []
    for name, value in (answer.get("headers") or {}).items():
        values = value if isinstance(value, list) else [value]
        headers += [(name, str(v)) for v in values]
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers += [(name, str(v)) for v in values]
    headers += [("Set-Cookie", str(c)) for c in answer.get("cookies") or []]
    body = answer.get("body") or ""
    data = base64.b64decode(body) if answer.get("isBase64Encoded") else str(body).encode("utf-8")
    return status, headers, data


def _local_drain(services: Services) -> Callable[[], object]:
    def drain() -> object:
        from article_ingest.runtime import LocalRuntime

        return LocalRuntime(services).drain()

    return drain


class ApiServer(ThreadingHTTPServer):
    """A threading HTTP server that answers through the Lambda API handler."""

    daemon_threads = True

    def __init__(self, host: str, port: int, services: Services, drainer: Drainer) -> None:
        self.services = services
        self.drainer = drainer
        super().__init__((host, port), _RequestHandler)

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _BodyRefused(Exception):
    """A request body ``serve`` cannot pass on; carries the problem to answer."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class _RequestHandler(BaseHTTPRequestHandler):
    """Every request, whatever its method, goes to the Lambda handler: ``http.server`` would
    otherwise answer a method without a ``do_*`` method (TRACE, PROPFIND, …) with its own
    HTML 501, where the API answers a 405 problem."""

    server: ApiServer
    protocol_version = "HTTP/1.1"

    def parse_request(self) -> bool:
        """Parse the request line and headers, then route its method to ``_handle``."""
        if not super().parse_request():
            return False
        # ``handle_one_request`` dispatches to ``do_<METHOD>``: make that exist for any method.
        setattr(self, "do_" + self.command, self._handle)
        return True

    def _handle(self) -> None:
        from handlers.api import handler

        try:
            body = self._read_body()
        except _BodyRefused as refused:
            self._send_problem(refused.status, refused.code, refused.detail)
            return
        host = self.headers.get("Host", "localhost")
        event = build_event(
            self.command,
            self.path,
            list(self.headers.items()),
            body,
            source_ip=self.client_address[0],
            host=host.split(":")[0],
        )
        answer = handler(event, LocalContext())
        status, headers, data = response_parts(answer)
        if self.command == "POST" and status in (200, 202) and self.server.services.is_local:
            # A sync POST stored articles (and may have queued late URLs): index, announce and
            # process them now, not on some later request.
            self.server.drainer.kick()
        self._send(status, headers, data)

    def _read_body(self) -> bytes:
        """The request body, from ``Content-Length`` or chunked transfer coding."""
        coding = self.headers.get("Transfer-Encoding")
        if coding is not None:
            if coding.split(",")[-1].strip().lower() != "chunked":
                raise _BodyRefused(
                    400,
                    "invalid_transfer_encoding",
                    "Transfer-Encoding must end with chunked; send the body as is.",
                )
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        try:
            size = int(length) if length else 0
        except ValueError:
            raise _BodyRefused(
                400, "invalid_content_length", "Content-Length is not a number."
            ) from None
        if size > READ_LIMIT_BYTES or size < 0:
            self._discard(size)
            raise _too_large()
        return self.rfile.read(size) if size else b""

    def _read_chunked(self) -> bytes:
        """A chunked body (RFC 9112, section 7.1). Past the read limit the rest is read and
        dropped (up to ``DISCARD_LIMIT_BYTES``) before the 413, so the client sees the answer."""
        body = bytearray()
        received = 0
        while size := _chunk_size(self.rfile.readline(1024)):
            received += size
            if received > DISCARD_LIMIT_BYTES:
                raise _too_large()
            if received > READ_LIMIT_BYTES:
                self._discard(size)
            else:
                data = self.rfile.read(size)
                if len(data) != size:
                    raise _malformed_chunks("it ended early")
                body += data
            if self.rfile.readline(1024).strip():
                raise _malformed_chunks("a chunk is longer than its size says")
        while self.rfile.readline(8192).strip():
            pass  # trailer fields: nothing the API reads
        if received > READ_LIMIT_BYTES:
            raise _too_large()
        return bytes(body)

    def _discard(self, size: int) -> None:
        """Read and drop an oversized body, so the client sees our answer rather than a reset
        (bodies beyond ``DISCARD_LIMIT_BYTES`` are cut off by closing the connection)."""
        remaining = min(size, DISCARD_LIMIT_BYTES)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 64 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """``http.server``'s own refusals (a malformed request line or header section, a
        target over 64 KiB) as problems, like every other error, never its HTML page."""
        status = HTTPStatus(code)
        self.log_error("code %d, message %s", code, message)
        # Refused before its version was read, a request counts as HTTP/0.9 (no status line).
        self.request_version = self.protocol_version
        self._send_problem(
            status.value,
            "malformed_request",
            f"The HTTP request is malformed: {message or status.phrase}.",
        )

    def _send_problem(self, status: int, code: str, detail: str) -> None:
        from handlers.problems import problem_event_response

        self.close_connection = True
        status, headers, data = response_parts(problem_event_response(status, code, detail))
        self._send(status, headers, data)

    def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s - %s", self.address_string(), format % args)


_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


def _chunk_size(line: bytes) -> int:
    """The size on a chunk's first line (extensions after ``;`` ignored)."""
    digits = line.split(b";")[0].strip()
    if not _CHUNK_SIZE.fullmatch(digits):
        raise _malformed_chunks("a chunk size is not a hexadecimal number")
    return int(digits, 16)


def _malformed_chunks(reason: str) -> _BodyRefused:
    return _BodyRefused(
        400, "invalid_chunked_body", f"The chunked request body is malformed: {reason}."
    )


def _too_large() -> _BodyRefused:
    return _BodyRefused(
        413, "payload_too_large", f"The request body is larger than {READ_LIMIT_BYTES} bytes."
    )


#: Imported up front, on one thread: a request thread and the drain thread importing them at
#: the same time can see a half-initialised Powertools package (ImportError).
_PRELOAD = ("handlers.api", "handlers.worker", "handlers.indexer", "article_ingest.runtime")


def make_server(host: str, port: int, settings: Settings, *, drain: bool = True) -> ApiServer:
    """A server on ``host:port`` (port 0: a free one) wired to ``settings``; not yet serving.
    With ``drain=False`` queued work stays queued (fuzzing: the server never fetches)."""
    from handlers import _deps

    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "article-ingest")
    for module in _PRELOAD:
        importlib.import_module(module)
    services = Services(settings)
    _deps.use(services)
    drainer = Drainer(_local_drain(services) if drain else lambda: None)
    return ApiServer(host, port, services, drainer)


def run(host: str, port: int, settings: Settings) -> None:
    """Serve the API on ``host:port`` until interrupted."""
    server = make_server(host, port, settings)
    print(f"article-ingest API listening on {server.url}  (docs: {server.url}/docs)", flush=True)
    if server.services.is_local:
        server.drainer.kick()  # finish work queued by an earlier run
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.drainer.wait_idle(timeout=30)
