"""Discovery on the AWS adapters (moto server over HTTP): ``POST /discover`` queues on SQS, the
worker and the stream indexer ingest each page once, a second discovery queues nothing, a
newer ``lastmod`` queues that page again; an ``IngestRequested`` event naming a feed, routed
by the bus rule to the queue, is discovered by the worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from article_ingest.serve import LocalContext, build_event, response_parts
from core.events import IngestRequested
from core.ids import article_id
from core.models import ArticleStatus
from core.services import Services
from handlers import _deps, indexer, worker
from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, session
from tests.contract.test_aws_async_flow import Stream, matches, sqs_records
from tests.integration.discovery_site import GENERATED, PAGE_PATHS, DiscoverySite

pytestmark = [pytest.mark.aws, pytest.mark.filterwarnings("ignore:No application metrics")]


def discover(body: dict[str, Any]) -> tuple[int, Any]:
    from handlers.api import handler

    event = build_event(
        "POST", "/discover", [("Content-Type", "application/json")], json.dumps(body).encode()
    )
    status, _, raw = response_parts(handler(event, LocalContext()))
    return status, json.loads(raw)


class Aws:
    """The services on moto, and a drain of the queue and the stream through the handlers."""

    def __init__(self, endpoint: str, site: DiscoverySite) -> None:
        aws = session()
        self.sqs = aws.client("sqs", endpoint_url=endpoint)
        settings = create_resources(endpoint, prefix="disc").model_copy(
            update={
                "allow_private_networks": True,
                "allowed_ports": [site.port],
                "per_host_delay_s": 0.0,
                "per_host_concurrency": 8,
                "retry_base_delay_s": 0.0,
            }
        )
        self.services = Services(settings)
        assert settings.articles_table
        self.stream = Stream(
            aws.client("dynamodbstreams", endpoint_url=endpoint),
            aws.client("dynamodb", endpoint_url=endpoint),
            settings.articles_table,
        )

    def drain(self) -> None:
        queue_url = self.services.settings.queue_url
        assert queue_url
        for _ in range(50):
            records = sqs_records(self.sqs, queue_url)
            if records:
                response = worker.handle({"Records": records}, None, self.services)
                assert response["batchItemFailures"] == []
                for record in records:
                    self.sqs.delete_message(
                        QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"]
                    )
            changes = [r for r in self.stream.read() if matches(indexer.STREAM_FILTER_PATTERN, r)]
            if changes:
                response = indexer.handle({"Records": changes}, None, self.services)
                assert response["batchItemFailures"] == []
            if not records and not changes:
                return
        raise AssertionError("the queue and the stream did not drain")


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Aws, DiscoverySite]]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    with DiscoverySite() as site:
        env = Aws(moto_endpoint, site)
        _deps.use(env.services)
        yield env, site
        _deps.use(None)


def discover_all(site: DiscoverySite) -> list[str]:
    """Discover the site and both feeds with ``enqueue``; the URLs queued."""
    queued = []
    for body in (
        {"site": site.base},
        {"feed": site.page_url("feed.atom")},
        {"feed": site.page_url("feed.rss")},
    ):
        status, answer = discover({**body, "enqueue": True})
        assert status == 202, answer
        queued += [result["url"] for result in answer["submission"]["results"]]
    return queued


def test_discovery_through_the_api_on_aws(aws: tuple[Aws, DiscoverySite]) -> None:
    env, site = aws
    assert sorted(set(discover_all(site))) == sorted(site.page_urls)
    env.drain()
    for path in PAGE_PATHS:
        stored = env.services.articles.get(article_id(site.page_url(path)))
        assert stored is not None, path
        assert stored.status is ArticleStatus.INDEXED, (path, stored.status, stored.error)
    assert set(site.page_hits().values()) == {1}, site.page_hits()

    assert discover_all(site) == []
    env.drain()
    assert set(site.page_hits().values()) == {1}

    changed = [GENERATED[1], GENERATED[4]]
    for path in changed:
        site.touch(path)
    assert sorted(discover_all(site)) == sorted(site.page_url(p) for p in changed)
    env.drain()
    hits = site.page_hits()
    assert {p for p, n in hits.items() if n == 2} == set(changed), hits
    assert discover_all(site) == []

    # Another service asks for the RSS feed through the bus; the worker discovers it.
    site.touch(GENERATED[5])
    env.services.event_bus.publish(
        [IngestRequested.discover("feed", site.page_url("feed.rss"), requested_by="scheduler")]
    )
    env.drain()
    assert site.page_hits()[GENERATED[5]] == 2
    assert site.hits["/feed.rss"] == 5  # four discoveries by the API, one by the worker
