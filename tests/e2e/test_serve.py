"""``article-ingest serve`` end to end: the installed command, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e
CLI = str(Path(sys.executable).with_name("article-ingest"))
FERRY = "harbour-solar-ferry-en.html"
HUERTO = "huerto-urbano-es.html"
#: Upper bound on how long the background drain may take to process a queued URL.
DRAIN_WAIT_S = 60


class Http:
    """A tiny HTTP client for the served API."""

    def __init__(self, base: str) -> None:
        self.base = base

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return (
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def post_json(
        self, path: str, payload: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        status, answer_headers, body = self.request(
            "POST",
            path,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )
        return status, answer_headers, json.loads(body)

    def get_json(self, path: str) -> tuple[int, Any]:
        status, _, body = self.request("GET", path)
        return status, json.loads(body)


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory, page_server: PageServer) -> Iterator[Http]:
    data_dir = tmp_path_factory.mktemp("serve") / "data"
    env = {
        **os.environ,
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([page_server.port]),
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


def test_submit_read_and_download_over_http(http: Http, page_server: PageServer) -> None:
    status, _, body = http.post_json("/articles", {"urls": [page_server.url(FERRY), "nope"]})
    assert status == 200
    ferry, rejected = body["results"]
    assert ferry["status"] == "extracted"
    assert rejected["status"] == "rejected"

    status, article = http.get_json(f"/articles/{ferry['id']}")
    assert (status, article["title"]) == (200, ferry["article"]["title"])
    status, headers, text = http.request("GET", f"/articles/{ferry['id']}/text?format=markdown")
    assert status == 200
    assert headers["content-type"] == "text/markdown; charset=utf-8"
    assert text.decode().startswith("# Harbour town")
    status, headers, raw = http.request("GET", f"/articles/{ferry['id']}/raw")
    assert status == 200
    assert raw == (Path(__file__).parents[1] / "fixtures" / "pages" / FERRY).read_bytes()
    assert headers["content-disposition"].startswith("attachment")
    assert headers["content-type"] == "application/octet-stream"


def test_queued_urls_are_processed_in_the_background(http: Http, page_server: PageServer) -> None:
    status, _, body = http.post_json(
        "/articles", {"urls": [page_server.url(HUERTO)], "async": True}
    )
    assert status == 202
    article_id = body["results"][0]["id"]
    deadline = time.monotonic() + DRAIN_WAIT_S
    article: dict[str, Any] = {}
    while time.monotonic() < deadline:
        article = http.get_json(f"/articles/{article_id}")[1]
        if article["status"] not in ("queued", "fetched"):
            break
        time.sleep(0.2)
    assert article["status"] in ("extracted", "indexed")
    assert article["language"] == "es"


def test_errors_over_http_are_problems(http: Http) -> None:
    status, headers, body = http.request(
        "POST", "/articles", b"{oops", {"Content-Type": "application/json"}
    )
    assert status == 400
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["code"] == "malformed_json"

    big = json.dumps({"urls": ["https://example.org/" + "x" * 2_000_000]}).encode()
    status, _, body = http.request("POST", "/articles", big, {"Content-Type": "application/json"})
    assert (status, json.loads(body)["code"]) == (413, "payload_too_large")

    status, headers, body = http.request("PATCH", "/articles")
    assert (status, headers["allow"]) == (405, "GET, POST")
    status, _, body = http.request("GET", "/missing")
    assert (status, json.loads(body)["code"]) == (404, "route_not_found")


def test_idempotent_retry_over_http(http: Http, page_server: PageServer) -> None:
    payload = {"urls": [page_server.url(FERRY)], "async": True}
    key = {"Idempotency-Key": "e2e-key"}
    first = http.post_json("/articles", payload, key)
    again = http.post_json("/articles", payload, key)
    assert first[0] == again[0] == 202
    assert again[2] == first[2]
    assert again[1]["idempotent-replayed"] == "true"


def test_openapi_and_docs_are_served(http: Http) -> None:
    status, document = http.get_json("/openapi.json")
    assert status == 200
    assert "/articles/{article_id}/text" in document["paths"]
    status, headers, _ = http.request("GET", "/docs")
    assert (status, headers["content-type"]) == (200, "text/html")
