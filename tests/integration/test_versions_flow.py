"""Freshness and versions end to end on the embedded default, over real HTTP on 127.0.0.1.

The discovery site (a sitemap index with a gzipped sitemap, an Atom and an RSS feed, twelve
pages with ETags) is discovered and ingested through the API and the local runtime. Then two
pages change their text, one only gets new bytes (same text), one only a newer ``lastmod``:
re-discovering yields exactly two new content versions and two ``ArticleUpdated`` events; the
page answered 304 and the one with the same text create no version, no raw object and no
event, and are not queued again by the next discovery. ``POST /articles`` then says what it
did for each refetch (``not_modified``, ``cached``, ``unchanged``, ``changed``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from article_ingest.runtime import LocalRuntime
from article_ingest.serve import LocalContext, build_event, response_parts
from core.ids import article_id
from core.models import Article, ArticleStatus
from core.services import Services
from handlers import _deps
from tests.integration.discovery_site import FIXTURES, GENERATED, PAGE_PATHS, DiscoverySite
from tests.integration.test_discovery_flow import call, discover_everything, queued, site_settings

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
CLI = str(Path(sys.executable).with_name("article-ingest"))

CHANGED = [GENERATED[2], GENERATED[4]]  # new text: one in the gzipped sitemap, one in Atom
SAME_TEXT = f"pages/{FIXTURES[1]}"  # new bytes (an HTML comment), the same article text
BUMPED = f"pages/{FIXTURES[3]}"  # only its lastmod moves: answered 304


@pytest.fixture
def site() -> Iterator[DiscoverySite]:
    with DiscoverySite() as server:
        yield server


@pytest.fixture
def services(
    tmp_path: Path, site: DiscoverySite, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    services = Services(site_settings(tmp_path / "data", site))
    _deps.use(services)
    yield services
    _deps.use(None)


def events(services: Services) -> list[dict[str, Any]]:
    path = services.settings.events_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def stored(services: Services, site: DiscoverySite, path: str) -> Article:
    article = services.articles.get(article_id(site.page_url(path)))
    assert article is not None, path
    return article


def raw(path: str) -> tuple[int, bytes]:
    from handlers.api import handler

    status, _, body = response_parts(handler(build_event("GET", path, [], b""), LocalContext()))
    return status, body


def raw_objects(services: Services) -> set[Path]:
    return set((services.settings.data_dir / "raw").rglob("*.html.gz"))


def test_changed_pages_become_versions_and_unchanged_ones_create_nothing(
    services: Services, site: DiscoverySite
) -> None:
    discover_everything(site)
    LocalRuntime(services).drain()
    first = {path: stored(services, site, path) for path in PAGE_PATHS}
    for path, article in first.items():
        assert article.status is ArticleStatus.INDEXED, (path, article.error)
        assert article.content_version == 1
        assert article.etag
        assert article.last_modified
        assert article.changed_at == article.fetched_at == article.checked_at
    events_before = events(services)
    assert not [e for e in events_before if e["detail-type"] == "ArticleUpdated"]
    objects_before = raw_objects(services)

    for path in [*CHANGED, SAME_TEXT]:
        site.touch(path)
    site.bump(BUMPED)
    again = discover_everything(site)
    assert {site.page_url(p) for p in [*CHANGED, SAME_TEXT, BUMPED]} == set(queued(again))
    LocalRuntime(services).drain()

    # Exactly two new versions, two ArticleUpdated events, two new raw objects.
    after = {path: stored(services, site, path) for path in PAGE_PATHS}
    versions = {path: a.content_version for path, a in after.items()}
    assert {p for p, v in versions.items() if v == 2} == set(CHANGED), versions
    assert {p for p, v in versions.items() if v != 2} == {p for p, v in versions.items() if v == 1}
    new_events = events(services)[len(events_before) :]
    updated = [e for e in new_events if e["detail-type"] == "ArticleUpdated"]
    assert sorted(e["detail"]["article_id"] for e in updated) == sorted(
        article_id(site.page_url(p)) for p in CHANGED
    )
    assert {e["detail"]["content_version"] for e in updated} == {2}
    assert len(raw_objects(services) - objects_before) == 2
    assert objects_before <= raw_objects(services)  # the first version's bytes are kept

    # The 304 and the same text: only checked_at moved; no event about them.
    assert site.not_modified[BUMPED] == 1
    assert site.not_modified[SAME_TEXT] == 0  # its bytes changed: a 200, then the same text
    quiet_ids = {article_id(site.page_url(p)) for p in (BUMPED, SAME_TEXT)}
    assert not [e for e in new_events if e["detail"].get("article_id") in quiet_ids]
    for path in (BUMPED, SAME_TEXT):
        before, now = first[path], after[path]
        assert now.checked_at is not None
        assert before.checked_at is not None
        assert now.checked_at > before.checked_at
        unchanged = {"version", "updated_at", "checked_at", "etag"}
        assert now.model_dump(exclude=unchanged) == before.model_dump(exclude=unchanged), path

    # A lastmod that moved without a change is not queued forever: checked_at is newer now.
    assert queued(discover_everything(site)) == []

    # Both versions listed, newest first, with the raw bytes of each still readable.
    changed_id = article_id(site.page_url(CHANGED[0]))
    status, page = call("GET", f"/articles/{changed_id}/versions")
    assert status == 200, page
    assert [v["content_version"] for v in page["items"]] == [2, 1]
    assert [v["current"] for v in page["items"]] == [True, False]
    assert page["next_cursor"] is None
    uris = [v["raw_html_uri"] for v in page["items"]]
    assert len(set(uris)) == 2
    assert all(services.raw_store.exists(uri) for uri in uris)
    assert page["items"][0]["text_sha256"] != page["items"][1]["text_sha256"]
    status, one = call("GET", f"/articles/{changed_id}/versions?limit=1")
    assert [v["content_version"] for v in one["items"]] == [2]
    next_page = f"/articles/{changed_id}/versions?limit=1&cursor={one['next_cursor']}"
    status, rest = call("GET", next_page)
    assert status == 200, rest
    assert [v["content_version"] for v in rest["items"]] == [1]
    assert rest["next_cursor"] is None
    status, single = call("GET", f"/articles/{article_id(site.page_url(BUMPED))}/versions")
    assert [v["content_version"] for v in single["items"]] == [1]

    # The bytes of each version through /raw.
    raws = {n: raw(f"/articles/{changed_id}/raw?content_version={n}") for n in (1, 2)}
    assert raws[1][0] == raws[2][0] == 200
    assert raws[1][1] != raws[2][1]
    assert raws[2] == raw(f"/articles/{changed_id}/raw")
    by_version = {v["content_version"]: v["content_sha256"] for v in page["items"]}
    assert {n: hashlib.sha256(body).hexdigest() for n, (_, body) in raws.items()} == by_version
    assert raw(f"/articles/{changed_id}/raw?content_version=3")[0] == 404


def test_a_resubmission_says_what_it_did(services: Services, site: DiscoverySite) -> None:
    url = site.page_url(GENERATED[1])
    status, body = call("POST", "/articles", {"urls": [url]})
    assert status == 200, body
    assert body["results"][0]["change"] == "new"
    LocalRuntime(services).drain()
    hits = Counter(site.page_hits())

    # Unchanged: a conditional GET answered 304.
    status, body = call("POST", "/articles", {"urls": [url]})
    assert (status, body["results"][0]["change"]) == (200, "not_modified"), body
    assert body["results"][0]["status"] == "indexed"
    assert site.not_modified[GENERATED[1]] == 1

    # Within max_age: the stored copy, no request at all.
    before = site.page_hits()[GENERATED[1]]
    status, body = call("POST", "/articles", {"urls": [url], "max_age": 3600})
    assert body["results"][0]["change"] == "cached", body
    assert site.page_hits()[GENERATED[1]] == before

    # force: refetched without validators, the same text.
    conditional = site.conditional[GENERATED[1]]
    status, body = call("POST", "/articles", {"urls": [url], "max_age": 3600, "force": True})
    assert body["results"][0]["change"] == "unchanged", body
    assert site.page_hits()[GENERATED[1]] == before + 1
    assert site.conditional[GENERATED[1]] == conditional

    # Changed: a new version, and the indexer announces it once.
    site.touch(GENERATED[1])
    status, body = call("POST", "/articles", {"urls": [url]})
    result = body["results"][0]
    assert result["change"] == "changed", body
    assert result["article"]["content_version"] == 2
    LocalRuntime(services).drain()
    LocalRuntime(services).drain()
    updated = [e for e in events(services) if e["detail-type"] == "ArticleUpdated"]
    assert [e["detail"]["article_id"] for e in updated] == [article_id(url)]
    # Requests after the first: the 304, the forced refetch, the changed page.
    assert sum(Counter(site.page_hits()).values()) - sum(hits.values()) == 3


def test_async_resubmission_of_an_indexed_url_refetches_it(
    services: Services, site: DiscoverySite
) -> None:
    url = site.page_url(GENERATED[5])
    call("POST", "/articles", {"urls": [url]})
    LocalRuntime(services).drain()
    first = stored(services, site, GENERATED[5])
    site.touch(GENERATED[5])

    status, body = call("POST", "/articles", {"urls": [url], "async": True})
    assert (status, body["results"][0]["status"]) == (202, "queued"), body
    LocalRuntime(services).drain()
    now = stored(services, site, GENERATED[5])
    assert now.content_version == 2
    assert now.status is ArticleStatus.INDEXED
    assert now.checked_at is not None
    assert first.checked_at is not None
    assert now.checked_at > first.checked_at

    # Queued again within max_age: the worker keeps the stored copy without a request, and
    # the batch still finishes (nothing is written, so the indexer never sees that URL again).
    hits = site.page_hits()[GENERATED[5]]
    _, body = call("POST", "/articles", {"urls": [url], "async": True, "max_age": 3600})
    LocalRuntime(services).drain()
    assert site.page_hits()[GENERATED[5]] == hits
    assert stored(services, site, GENERATED[5]).content_version == 2
    status, batch = call("GET", f"/batches/{body['batch_id']}")
    assert status == 200, batch
    assert (batch["finished"], batch["counts"]["indexed"]) == (True, 1), batch

    # Queued again with no max_age: a 304 only moves checked_at, and that finishes the batch.
    _, body = call("POST", "/articles", {"urls": [url], "async": True})
    LocalRuntime(services).drain()
    assert stored(services, site, GENERATED[5]).content_version == 2
    status, batch = call("GET", f"/batches/{body['batch_id']}")
    assert (batch["finished"], batch["counts"]["indexed"]) == (True, 1), batch


def test_cli_freshness_options_and_versions(tmp_path: Path, site: DiscoverySite) -> None:
    env = {
        **os.environ,
        "ARTICLE_INGEST_DATA_DIR": str(tmp_path / "data"),
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([site.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
    }
    path = GENERATED[0]
    url = site.page_url(path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CLI, *args], env=env, capture_output=True, text=True, timeout=600, check=False
        )

    assert run("ingest", url).returncode == 0
    assert run("ingest", "--max-age", "3600", url).returncode == 0
    assert site.page_hits()[path] == 1  # kept: checked within the hour
    assert run("ingest", url).returncode == 0
    assert (site.page_hits()[path], site.not_modified[path]) == (2, 1)  # a 304

    site.touch(path)
    refreshed = run("ingest", "--json", "--refresh", "--max-age", "3600", url)
    assert refreshed.returncode == 0, refreshed.stderr
    assert json.loads(refreshed.stdout)["content_version"] == 2
    assert site.conditional[path] == 1  # --refresh sent no validators

    listed = run("versions", article_id(url), "--limit", "1")
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert [v["content_version"] for v in page["items"]] == [2]
    rest = run("versions", article_id(url), "--cursor", page["next_cursor"])
    assert [v["content_version"] for v in json.loads(rest.stdout)["items"]] == [1]

    missing = run("versions", "0" * 32)
    assert missing.returncode == 1
    assert "not_found" in missing.stderr
    assert run("ingest", "--max-age", "-5", url).returncode == 2
