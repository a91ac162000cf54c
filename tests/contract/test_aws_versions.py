"""Freshness and versions on the AWS adapters (moto server over HTTP): after a discovery
through ``POST /discover`` and a drain of SQS and the DynamoDB stream through the handlers, two
pages change and one only gets a newer ``lastmod``. Re-discovering yields exactly two new
content versions (their raw bytes and the earlier ones kept in S3, listed by
``GET /articles/{id}/versions`` from the S3 version log) and two ``ArticleUpdated`` events on
EventBridge; the page answered 304 gets a newer ``checked_at`` and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from article_ingest.serve import LocalContext, build_event, response_parts
from core.ids import article_id
from core.models import Article
from handlers import _deps
from tests.contract.moto_env import CREDENTIALS, REGION, session
from tests.contract.test_aws_discovery import Aws, discover_all
from tests.integration.discovery_site import FIXTURES, GENERATED, PAGE_PATHS, DiscoverySite

pytestmark = [pytest.mark.aws, pytest.mark.filterwarnings("ignore:No application metrics")]

CHANGED = [GENERATED[1], GENERATED[3]]
BUMPED = f"pages/{FIXTURES[0]}"


def get(path: str) -> tuple[int, Any]:
    from handlers.api import handler

    status, _, raw = response_parts(handler(build_event("GET", path, [], b""), LocalContext()))
    return status, json.loads(raw)


class Observer:
    """An SQS queue subscribed to every article-ingest event on the bus."""

    def __init__(self, endpoint: str, bus: str) -> None:
        aws = session()
        self.sqs = aws.client("sqs", endpoint_url=endpoint)
        events = aws.client("events", endpoint_url=endpoint)
        self.url = self.sqs.create_queue(QueueName=f"{bus}-observer")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(
            Name=f"{bus}-observer",
            EventBusName=bus,
            EventPattern=json.dumps({"source": ["article-ingest"]}),
        )
        events.put_targets(
            Rule=f"{bus}-observer", EventBusName=bus, Targets=[{"Id": "observer", "Arn": arn}]
        )

    def take(self) -> list[dict[str, Any]]:
        """Every event delivered so far (removed from the queue)."""
        seen: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return seen
            for message in messages:
                seen.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def aws(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Aws, DiscoverySite, Observer]]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    with DiscoverySite() as site:
        env = Aws(moto_endpoint, site)
        bus = env.services.settings.event_bus_name
        assert bus
        observer = Observer(moto_endpoint, bus)
        _deps.use(env.services)
        yield env, site, observer
        _deps.use(None)


def stored(env: Aws, site: DiscoverySite, path: str) -> Article:
    article = env.services.articles.get(article_id(site.page_url(path)))
    assert article is not None, path
    return article


def test_versions_and_not_modified_on_aws(aws: tuple[Aws, DiscoverySite, Observer]) -> None:
    env, site, observer = aws
    discover_all(site)
    env.drain()
    first = {path: stored(env, site, path) for path in PAGE_PATHS}
    assert {a.content_version for a in first.values()} == {1}
    observer.take()

    for path in CHANGED:
        site.touch(path)
    site.bump(BUMPED)
    assert sorted(discover_all(site)) == sorted(site.page_url(p) for p in [*CHANGED, BUMPED])
    env.drain()

    after = {path: stored(env, site, path) for path in PAGE_PATHS}
    assert {p for p, a in after.items() if a.content_version == 2} == set(CHANGED)
    assert {p for p, a in after.items() if a.content_version == 1} == set(PAGE_PATHS) - set(CHANGED)
    events = observer.take()
    updated = [e for e in events if e["detail-type"] == "ArticleUpdated"]
    assert sorted(e["detail"]["article_id"] for e in updated) == sorted(
        article_id(site.page_url(p)) for p in CHANGED
    )

    # The 304: checked_at moved, nothing else; no event about it.
    assert site.not_modified[BUMPED] == 1
    bumped_id = article_id(site.page_url(BUMPED))
    assert not [e for e in events if e["detail"].get("article_id") == bumped_id]
    before, now = first[BUMPED], after[BUMPED]
    assert now.checked_at is not None
    assert before.checked_at is not None
    assert now.checked_at > before.checked_at
    quiet = {"version", "updated_at", "checked_at"}
    assert now.model_dump(exclude=quiet) == before.model_dump(exclude=quiet)
    assert discover_all(site) == []

    # Both versions listed from S3, each with its raw bytes still there.
    changed_id = article_id(site.page_url(CHANGED[0]))
    status, page = get(f"/articles/{changed_id}/versions")
    assert status == 200, page
    assert [v["content_version"] for v in page["items"]] == [2, 1]
    uris = {v["raw_html_uri"] for v in page["items"]}
    assert len(uris) == 2
    assert all(env.services.raw_store.exists(uri) for uri in uris)
    for n in (1, 2):
        answer = handler_answer(f"/articles/{changed_id}/raw?content_version={n}")
        assert answer["statusCode"] == 307, answer
        key = page["items"][2 - n]["raw_html_uri"].split("/", 3)[3]
        assert key in answer["headers"]["Location"]
    assert handler_answer(f"/articles/{changed_id}/raw?content_version=3")["statusCode"] == 404


def handler_answer(path: str) -> dict[str, Any]:
    from handlers.api import handler

    answer: dict[str, Any] = handler(build_event("GET", path, [], b""), LocalContext())
    return answer
