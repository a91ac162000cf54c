"""Hostile input through ``article-ingest serve`` over HTTP on 127.0.0.1: charset labels
browsers do not know, JSON bodies and listing cursors built to crash a parser. Each ends in a
clear answer, never ``internal_error`` or a 5xx."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.test_serve import CLI, DRAIN_WAIT_S, Http
from tests.support.page_server import BackgroundServer

pytestmark = pytest.mark.e2e
PAGE = (
    Path(__file__).parents[1] / "fixtures" / "pages" / "harbour-solar-ferry-en.html"
).read_bytes()


#: Requests each path+query received.
HITS: Counter[str] = Counter()


class _CharsetPages(BaseHTTPRequestHandler):
    """``/header?charset=X`` serves the sample page with ``Content-Type: text/html; charset=X``;
    ``/meta?charset=X`` declares X in a ``<meta>`` instead (no charset in the header)."""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        HITS[self.path] += 1
        parts = urlsplit(self.path)
        label = parse_qs(parts.query).get("charset", ["utf-8"])[0]
        body, content_type = PAGE, f"text/html; charset={label}"
        if parts.path == "/meta":
            body = PAGE.replace(b"<head>", f'<head><meta charset="{label}">'.encode(), 1)
            content_type = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def charset_site() -> Iterator[BackgroundServer]:
    with BackgroundServer(partial(_CharsetPages)) as server:
        yield server


@pytest.fixture(scope="module")
def http(
    tmp_path_factory: pytest.TempPathFactory, charset_site: BackgroundServer
) -> Iterator[Http]:
    data_dir = tmp_path_factory.mktemp("serve-hostile") / "data"
    env = {
        **os.environ,
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([charset_site.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
        "ARTICLE_INGEST_RESPECT_ROBOTS": "0",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [CLI, "serve", "--port", "0", "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in banner, banner
        yield Http(banner.split("listening on ")[1].split()[0])
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("label", ["idna", "punycode", "undefined", "utf-7", "rot13"])
def test_a_page_with_a_label_browsers_ignore_is_extracted(
    http: Http, charset_site: BackgroundServer, where: str, label: str
) -> None:
    url = charset_site.url(f"/{where}?charset={label}")
    status, _, body = http.post_json("/articles", {"urls": [url]})
    assert status == 200, body
    (result,) = body["results"]
    assert result["status"] == "extracted", result
    assert result["article"]["charset"] == "utf-8"
    assert result["article"]["title"].startswith("Harbour town")


def test_a_page_in_a_refused_encoding_fails_with_a_clear_code(
    http: Http, charset_site: BackgroundServer
) -> None:
    status, _, body = http.post_json(
        "/articles", {"urls": [charset_site.url("/header?charset=iso-2022-kr")]}
    )
    assert status == 200, body
    (result,) = body["results"]
    assert result["status"] == "failed"
    # A browser shows such a page as one U+FFFD: there is no text to extract.
    assert result["error"]["code"] == "empty_extraction"


def test_a_queued_page_with_a_label_browsers_ignore_is_fetched_once(
    http: Http, charset_site: BackgroundServer
) -> None:
    """The worker no longer crashes on it, so it is not redelivered and fetched again."""
    path = "/header?charset=undefined&queued=1"
    status, _, body = http.post_json("/articles", {"urls": [charset_site.url(path)], "async": True})
    assert status == 202, body
    article_id = body["results"][0]["id"]
    deadline = time.monotonic() + DRAIN_WAIT_S
    article: dict[str, Any] = {}
    while time.monotonic() < deadline:
        article = http.get_json(f"/articles/{article_id}")[1]
        if article["status"] not in ("queued", "fetched"):
            break
        time.sleep(0.2)
    assert article["status"] in ("extracted", "indexed"), article
    assert HITS[path] == 1


def _problem(
    http: Http, method: str, path: str, body: bytes | None = None
) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    status, answer_headers, data = http.request(method, path, body, headers)
    assert answer_headers["content-type"] == "application/problem+json"
    return status, json.loads(data)


@pytest.mark.parametrize(
    "body",
    [
        b'{"urls": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"urls": ["https://a.example/"], "x": ' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
        b'{"urls": ["https://a.example/"], "async": ' + b"9" * 5000 + b"}",
        b"9" * 5000,
    ],
    ids=["deep-array", "deep-object", "huge-integer", "bare-huge-integer"],
)
def test_hostile_json_bodies_are_400_problems(http: Http, body: bytes) -> None:
    status, problem = _problem(http, "POST", "/articles", body)
    assert (status, problem["code"]) == (400, "json_too_complex")


def test_a_deep_cursor_is_a_400_problem(http: Http) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 1500).decode()
    status, problem = _problem(http, "GET", f"/articles?cursor={cursor}")
    assert (status, problem["code"]) == (400, "invalid_cursor")
