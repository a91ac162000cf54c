"""Discovery end to end on the embedded default, over real HTTP on 127.0.0.1: a site with a
sitemap index (two sitemaps, one gzipped), an Atom and an RSS feed pointing at twelve pages.

Through the API (``handlers.api.handler``, then the local runtime's worker and indexer) and
through the installed CLI: each page is ingested once; a second discovery queues nothing; a
page whose ``lastmod`` moves forward is fetched again, and only it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from article_ingest.runtime import LocalRuntime
from article_ingest.serve import LocalContext, build_event, response_parts
from core.ids import article_id
from core.models import ArticleStatus
from core.services import Services
from core.settings import Settings
from handlers import _deps
from tests.integration.discovery_site import FIXTURES, GENERATED, PAGE_PATHS, DiscoverySite

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
CLI = str(Path(sys.executable).with_name("article-ingest"))
CHANGED = [GENERATED[2], GENERATED[4]]  # one in the gzipped sitemap, one in the Atom feed


def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
    from handlers.api import handler

    data = json.dumps(body).encode() if body is not None else b""
    headers = [("Content-Type", "application/json")] if body is not None else []
    status, _, raw = response_parts(
        handler(build_event(method, path, headers, data), LocalContext())
    )
    return status, json.loads(raw)


@pytest.fixture
def site() -> Iterator[DiscoverySite]:
    with DiscoverySite() as server:
        yield server


def site_settings(data_dir: Path, site: DiscoverySite) -> Settings:
    return Settings(
        data_dir=data_dir,
        allow_private_networks=True,
        allowed_ports=[site.port],
        per_host_delay_s=0,
        per_host_concurrency=8,
        respect_robots=True,
    )


@pytest.fixture
def services(
    tmp_path: Path, site: DiscoverySite, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    services = Services(site_settings(tmp_path / "data", site))
    _deps.use(services)
    yield services
    _deps.use(None)


def discover_everything(site: DiscoverySite) -> dict[str, dict[str, Any]]:
    """POST /discover for the site (robots.txt → index → sitemaps) and both feeds, queueing."""
    answers = {}
    for key, url in (
        ("site", site.base),
        ("feed", site.page_url("feed.atom")),
        ("feed", site.page_url("feed.rss")),
    ):
        status, body = call("POST", "/discover", {key: url, "enqueue": True})
        assert status == 202, body
        answers[url] = body
    return answers


def states(answers: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {u["url"]: u["state"] for body in answers.values() for u in body["urls"]}


def queued(answers: dict[str, dict[str, Any]]) -> list[str]:
    return [r["url"] for body in answers.values() for r in body["submission"]["results"]]


def test_api_discovery_ingests_each_page_once_then_only_changed_pages(
    services: Services, site: DiscoverySite
) -> None:
    # Without enqueue: the site's URLs, nothing queued, nothing fetched but the documents.
    status, preview = call("POST", "/discover", {"site": site.base})
    assert status == 200, preview
    assert [d["kind"] for d in preview["documents"]] == [
        "robots",
        "sitemap_index",
        "sitemap",
        "sitemap",
    ]
    assert len(preview["urls"]) == 8
    assert preview["counts"] == {"new": 8, "changed": 0, "stored": 0}
    assert preview["submission"] is None
    assert sum(site.page_hits().values()) == 0

    first = discover_everything(site)
    rss = first[site.page_url("feed.rss")]
    assert rss["skipped"]["off_site"] == 1  # https://elsewhere.example/story
    assert set(states(first)) == set(site.page_urls)
    # The Atom feed repeats a sitemap page: queued twice across requests, fetched once.
    LocalRuntime(services).drain()
    for path in PAGE_PATHS:
        stored = services.articles.get(article_id(site.page_url(path)))
        assert stored is not None, path
        assert stored.status is ArticleStatus.INDEXED, (path, stored.status, stored.error)
    assert set(site.page_hits().values()) == {1}, site.page_hits()

    again = discover_everything(site)
    assert set(states(again).values()) == {"stored"}
    assert queued(again) == []
    LocalRuntime(services).drain()
    assert set(site.page_hits().values()) == {1}

    for path in CHANGED:
        site.touch(path)
    third = discover_everything(site)
    changed = {url for url, state in states(third).items() if state == "changed"}
    assert changed == {site.page_url(p) for p in CHANGED}
    assert set(queued(third)) == changed
    LocalRuntime(services).drain()
    hits = site.page_hits()
    assert {p for p, n in hits.items() if n == 2} == set(CHANGED), hits
    assert {p for p, n in hits.items() if n == 1} == set(PAGE_PATHS) - set(CHANGED)

    # Fetched after its lastmod: stored again, nothing to queue.
    assert queued(discover_everything(site)) == []


def test_api_discovery_errors_are_problems_not_5xx(services: Services, site: DiscoverySite) -> None:
    cases = {
        "not_a_feed": {"feed": site.page_url(GENERATED[0])},  # an HTML page
        "http_error": {"sitemap": site.page_url("missing.xml")},
        "blocked_address": {"feed": f"http://169.254.169.254:{site.port}/latest/meta-data/"},
        "invalid_url": {"feed": "file:///etc/passwd"},
    }
    for code, body in cases.items():
        status, problem = call("POST", "/discover", body)
        assert (status, problem["code"]) == (422, code), problem
    status, problem = call("POST", "/discover", {"feed": site.base, "sitemap": site.base})
    assert (status, problem["code"]) == (422, "validation_error")
    status, problem = call("POST", "/discover", {"enqueue": True})
    assert (status, problem["code"]) == (422, "validation_error")
    status, problem = call("POST", "/discover", {"feed": None, "site": site.base})
    assert (status, problem["code"]) == (422, "validation_error")
    assert "`feed` may not be null" in problem["detail"]


def test_openapi_documents_the_discover_route() -> None:
    from handlers.api import openapi_json

    document = json.loads(openapi_json())
    operation = document["paths"]["/discover"]["post"]
    assert {"200", "202", "422"} <= set(operation["responses"])
    schemas = document["components"]["schemas"]
    assert {"feed", "sitemap", "site", "enqueue", "limit", "since"} <= set(
        schemas["DiscoveryRequest"]["properties"]
    )
    assert "state" in schemas["DiscoveredUrl"]["properties"]
    # "exactly one start" is in the document, so a client (or a fuzzer) can know it
    request = schemas["DiscoveryRequest"]
    assert request["oneOf"] == [{"required": [name]} for name in ("feed", "sitemap", "site")]
    assert request["properties"]["feed"]["type"] == "string"


def cli_env(tmp_path: Path, site: DiscoverySite) -> dict[str, str]:
    """The environment of an ``article-ingest`` process reading the test site."""
    return {
        **os.environ,
        "ARTICLE_INGEST_DATA_DIR": str(tmp_path / "data"),
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([site.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
        "ARTICLE_INGEST_PER_HOST_CONCURRENCY": "8",
    }


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "ingest", "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_cli_discovery_ingests_each_page_once_then_only_changed_pages(
    tmp_path: Path, site: DiscoverySite
) -> None:
    env = cli_env(tmp_path, site)
    starts = [
        "--sitemap",
        site.page_url("sitemap-index.xml"),
        "--feed",
        site.page_url("feed.atom"),
        "--feed",
        site.page_url("feed.rss"),
    ]
    first = cli(env, *starts)
    assert first.returncode == 0, first.stderr
    articles = [json.loads(line) for line in first.stdout.splitlines()]
    assert sorted(a["url"] for a in articles) == sorted(site.page_urls)
    assert {a["status"] for a in articles} == {"indexed"}
    assert set(site.page_hits().values()) == {1}
    assert "DISCOVERED  sitemap" in first.stderr

    again = cli(env, *starts)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert "nothing new to ingest" in again.stderr
    assert set(site.page_hits().values()) == {1}

    for path in CHANGED:
        site.touch(path)
    third = cli(env, *starts)
    assert third.returncode == 0, third.stderr
    assert sorted(json.loads(line)["url"] for line in third.stdout.splitlines()) == sorted(
        site.page_url(p) for p in CHANGED
    )
    hits = site.page_hits()
    assert {p for p, n in hits.items() if n == 2} == set(CHANGED), hits
    assert "nothing new to ingest" in cli(env, *starts).stderr

    broken = cli(env, "--feed", site.page_url(GENERATED[0]))
    assert broken.returncode == 1
    assert "not_a_feed" in broken.stderr


def test_an_intake_message_naming_a_feed_is_discovered_by_the_worker(
    services: Services, site: DiscoverySite
) -> None:
    queue = LocalRuntime(services).queue
    queue.send_bodies(
        [
            json.dumps({"feed": site.page_url("feed.atom")}),
            json.dumps({"sitemap": site.page_url(GENERATED[0])}),  # not a sitemap: dropped
        ]
    )
    LocalRuntime(services).drain()
    for path in (f"pages/{FIXTURES[4]}", GENERATED[4]):
        stored = services.articles.get(article_id(site.page_url(path)))
        assert stored is not None, path
        assert stored.status is ArticleStatus.INDEXED
    assert site.page_hits()[GENERATED[0]] == 2  # the atom entry, and the bad "sitemap" once
    assert queue.dead_letters() == []


def test_discovery_with_extraction_options_queues_the_articles_of_those_options(
    services: Services, site: DiscoverySite
) -> None:
    """Options on POST /discover: every URL is the article extracted with them (its own id and
    state), and `enqueue` queues them with those options; the default articles stay apart."""
    from core.extraction_options import ExtractionOptions, options_key

    options = {"include_comments": True, "include_links": True}
    key = options_key(ExtractionOptions.model_validate(options))
    feed = site.page_url("feed.atom")
    status, plain = call("POST", "/discover", {"feed": feed, "enqueue": True})
    assert status == 202, plain
    LocalRuntime(services).drain()
    status, body = call("POST", "/discover", {"feed": feed, "options": options})
    assert status == 200, body
    assert body["counts"]["new"] == len(body["urls"]) > 0  # the default articles do not count
    assert {u["id"] for u in body["urls"]} == {article_id(u["url"], key) for u in body["urls"]}
    status, body = call("POST", "/discover", {"feed": feed, "options": options, "enqueue": True})
    assert status == 202, body
    LocalRuntime(services).drain()
    for found in body["urls"]:
        stored = services.articles.get(article_id(found["url"], key))
        assert stored is not None
        assert stored.status is ArticleStatus.INDEXED
        assert stored.options.include_comments
        assert stored.options.include_links
        assert services.articles.get(article_id(found["url"])) is not None  # kept apart
    status, body = call("POST", "/discover", {"feed": feed, "options": {"favor": "fast"}})
    assert status == 422, body  # an unknown option value is refused, as on POST /articles


def test_an_intake_message_naming_a_feed_with_options_queues_them(
    services: Services, site: DiscoverySite
) -> None:
    from core.extraction_options import ExtractionOptions, options_key

    options = {"include_tables": False}
    key = options_key(ExtractionOptions.model_validate(options))
    LocalRuntime(services).queue.send_bodies(
        [json.dumps({"feed": site.page_url("feed.atom"), "options": options})]
    )
    LocalRuntime(services).drain()
    stored = services.articles.get(article_id(site.page_url(GENERATED[4]), key))
    assert stored is not None
    assert stored.status is ArticleStatus.INDEXED
    assert stored.options.include_tables is False
    assert services.articles.get(article_id(site.page_url(GENERATED[4]))) is None


def test_cli_discovery_with_extraction_flags_ingests_the_articles_of_those_options(
    tmp_path: Path, site: DiscoverySite
) -> None:
    from core.extraction_options import ExtractionOptions, options_key

    env = cli_env(tmp_path, site)
    key = options_key(ExtractionOptions(include_links=True))
    done = cli(env, "--feed", site.page_url("feed.atom"), "--include-links")
    assert done.returncode == 0, done.stderr
    articles = [json.loads(line) for line in done.stdout.splitlines()]
    assert articles
    for found in articles:
        assert found["id"] == article_id(found["url"], key)
        assert found["options"]["include_links"] is True
    again = cli(env, "--feed", site.page_url("feed.atom"), "--include-links")
    assert "nothing new to ingest" in again.stderr  # the same options: stored
    plain = cli(env, "--feed", site.page_url("feed.atom"))
    assert sorted(json.loads(line)["id"] for line in plain.stdout.splitlines()) == sorted(
        article_id(a["url"]) for a in articles
    )  # the default articles are others
