"""``article-ingest ingest --json`` names its batch and ``article-ingest batch ID`` shows it
finished, with the counts and items ``GET /batches/{id}`` answers."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli import cli, env  # noqa: F401 - the fixture is used by name
from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e


def test_ingest_names_its_batch_and_batch_shows_it(
    env: dict[str, str],  # noqa: F811
    page_server: PageServer,
) -> None:
    urls = [
        page_server.url("harbour-solar-ferry-en.html"),
        page_server.url("missing.html"),
        "ftp://x/",
    ]
    result = cli("ingest", "--json", *urls, env=env)
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    (batch_id,) = {line["batch_id"] for line in lines}
    assert batch_id in result.stderr

    shown = cli("batch", batch_id, "--limit", "2", env=env)
    assert shown.returncode == 0, shown.stderr
    batch = json.loads(shown.stdout)
    assert batch["finished"] is True
    assert batch["total"] == 3
    assert batch["counts"]["indexed"] == 1
    assert batch["counts"]["failed"] == 1
    assert batch["counts"]["rejected"] == 1
    assert [i["url"] for i in batch["items"]] == urls[:2]
    rest = json.loads(cli("batch", batch_id, "--cursor", batch["next_cursor"], env=env).stdout)
    assert [i["status"] for i in rest["items"]] == ["rejected"]

    missing = cli("batch", "b_" + "0" * 24, env=env)
    assert missing.returncode == 1
    assert "not_found" in missing.stderr
