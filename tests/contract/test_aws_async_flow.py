"""The async flow on AWS (moto server over HTTP): SQS → worker → DynamoDB stream → indexer →
EventBridge, with the same handlers and event shapes the local runtime uses."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.events import IngestRequested
from core.ids import article_id
from core.models import Article, ArticleStatus
from core.ports import IngestRequest
from core.services import Services
from handlers import indexer, worker
from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, session
from tests.integration.async_site import NewsSite

pytestmark = pytest.mark.aws

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def matches(pattern: Any, value: Any) -> bool:
    """EventBridge-style matching of the subset the stream filter uses."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(matches(p, value.get(k)) for k, p in pattern.items())
    return value in pattern


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class Stream:
    """Reads every shard of the articles table's stream from the start."""

    def __init__(self, client: Any, ddb: Any, table: str) -> None:
        self.client = client
        arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.arn = arn
        self.iterators: dict[str, str | None] = {}
        for shard in client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            self.iterators[shard["ShardId"]] = client.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]

    def read(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for shard, iterator in self.iterators.items():
            if iterator is None:
                continue
            response = self.client.get_records(ShardIterator=iterator)
            self.iterators[shard] = response.get("NextShardIterator")
            records += [{**plain(r), "eventSourceARN": self.arn} for r in response["Records"]]
        return records


def sqs_records(client: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = client.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=0
    ).get("Messages", [])
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:intake",
            "awsRegion": REGION,
        }
        for m in messages
    ]


def test_the_template_filters_the_stream_like_the_code() -> None:
    found = re.search(r"- Pattern: '(.+)'", TEMPLATE.read_text())
    assert found, "the indexer's FilterCriteria pattern is missing from template.yaml"
    assert json.loads(found.group(1)) == indexer.STREAM_FILTER_PATTERN


def test_async_flow_through_sqs_the_stream_and_eventbridge(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws = session()
    sqs = aws.client("sqs", endpoint_url=moto_endpoint)
    ddb = aws.client("dynamodb", endpoint_url=moto_endpoint)
    events = aws.client("events", endpoint_url=moto_endpoint)
    with NewsSite() as site:
        settings = create_resources(moto_endpoint, prefix="flow").model_copy(
            update={
                "allow_private_networks": True,
                "allowed_ports": [site.port],
                "per_host_delay_s": 0.0,
                "respect_robots": False,
                "retry_base_delay_s": 0.0,
            }
        )
        assert settings.queue_url
        assert settings.event_bus_name
        assert settings.articles_table
        # A subscriber: every article-ingest event lands in an observer queue.
        observer = sqs.create_queue(QueueName="flow-observer")["QueueUrl"]
        observer_arn = sqs.get_queue_attributes(QueueUrl=observer, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(
            Name="flow-observer",
            EventBusName=settings.event_bus_name,
            EventPattern=json.dumps({"source": ["article-ingest"]}),
        )
        events.put_targets(
            Rule="flow-observer",
            EventBusName=settings.event_bus_name,
            Targets=[{"Id": "observer", "Arn": observer_arn}],
        )
        services = Services(settings)
        stream = Stream(
            aws.client("dynamodbstreams", endpoint_url=moto_endpoint), ddb, settings.articles_table
        )

        direct = [
            site.url("/story/0/a"),
            site.url("/story/0/b"),
            site.url("/missing/1"),
            site.url("/flaky/9"),
        ]
        for url in direct:  # what the API does for an async batch
            services.articles.put(Article(id=article_id(url), url=url, status=ArticleStatus.QUEUED))
        services.queue.send(
            [
                IngestRequest(url=u, id=article_id(u), requested_at=datetime.now().astimezone())
                for u in direct[:2]
            ]
        )
        services.queue.send(
            [
                IngestRequest(url=u, id=article_id(u), requested_at=datetime.now().astimezone())
                for u in direct[2:]
            ]
        )
        # Another service asks through the bus; the template's rule routes it to the queue.
        via_bus = site.url("/article/2")
        services.event_bus.publish([IngestRequested.of(via_bus, requested_by="newsletter")])

        filtered_out = 0
        for _ in range(30):
            records = sqs_records(sqs, settings.queue_url)
            if records:
                response = worker.handle({"Records": records}, None, services)
                assert response["batchItemFailures"] == []
                for record in records:
                    sqs.delete_message(
                        QueueUrl=settings.queue_url, ReceiptHandle=record["receiptHandle"]
                    )
            changes = stream.read()
            wanted = [r for r in changes if matches(indexer.STREAM_FILTER_PATTERN, r)]
            filtered_out += len(changes) - len(wanted)
            if wanted:
                response = indexer.handle({"Records": wanted}, None, services)
                assert response["batchItemFailures"] == []
            if not records and not changes:
                break

        stored = {u: services.articles.get(article_id(u)) for u in [*direct, via_bus]}
        status = {u: a.status if a else None for u, a in stored.items()}
        assert status == {
            direct[0]: ArticleStatus.INDEXED,
            direct[1]: ArticleStatus.INDEXED,
            direct[2]: ArticleStatus.FAILED,
            direct[3]: ArticleStatus.INDEXED,  # after two 503s, retried through SQS
            via_bus: ArticleStatus.INDEXED,
        }
        first, second = stored[direct[0]], stored[direct[1]]
        assert first is not None
        assert second is not None
        assert {first.duplicate_of, second.duplicate_of} - {None} <= {first.id, second.id}
        assert (first.duplicate_of is None) != (second.duplicate_of is None)
        assert filtered_out == len(direct)  # the queued writes never reached the indexer

        received: list[dict[str, Any]] = []
        for _ in range(10):
            batch = sqs.receive_message(QueueUrl=observer, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not batch:
                break
            received += [json.loads(m["Body"]) for m in batch]
        kinds = {(e["detail-type"], e["detail"].get("article_id")) for e in received}
        for url, article in stored.items():
            assert article is not None
            kind = "ArticleFailed" if article.status is ArticleStatus.FAILED else "ArticleIndexed"
            assert (kind, article.id) in kinds, url
        duplicate = first if first.duplicate_of else second
        assert ("ArticleDuplicateDetected", duplicate.id) in kinds
