"""``serve`` drains after a synchronous POST: the article is indexed, searchable and
announced without another request."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_serve import CLI, DRAIN_WAIT_S, FERRY, Http
from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, page_server: PageServer
) -> Iterator[tuple[Http, Path]]:
    data_dir = tmp_path_factory.mktemp("serve-drain") / "data"
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
        yield Http(banner.split("listening on ")[1].split()[0]), data_dir
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_sync_post_is_indexed_searchable_and_announced(
    served: tuple[Http, Path], page_server: PageServer
) -> None:
    http, data_dir = served
    status, _, body = http.post_json("/articles", {"urls": [page_server.url(FERRY)]})
    assert (status, body["mode"]) == (200, "sync")
    (result,) = body["results"]
    assert result["status"] == "extracted"
    article_id = result["id"]

    deadline = time.monotonic() + DRAIN_WAIT_S
    article: dict[str, Any] = {}
    while time.monotonic() < deadline:  # no other POST: only the drain can index it
        article = http.get_json(f"/articles/{article_id}")[1]
        if article["status"] == "indexed":
            break
        time.sleep(0.2)
    assert article["status"] == "indexed"

    status, hits = http.get_json("/search?q=harbour+ferry")
    assert status == 200
    assert article_id in [hit["id"] for hit in hits["items"]]
    events = [json.loads(line) for line in (data_dir / "events.jsonl").read_text().splitlines()]
    announced = {(e["detail-type"], e["detail"]["article_id"]) for e in events}
    assert ("ArticleIndexed", article_id) in announced
