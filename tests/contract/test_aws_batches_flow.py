"""The batch status flow on the AWS adapters (moto server over HTTP): an async submission's
batch in DynamoDB, moved by the indexer as the stream reports each article, finished with the
right counts, then its webhook delivered through the SQS delivery queue by the delivery
handler (signed, retried after a 500)."""

from __future__ import annotations

from typing import Any

import pytest

from core.services import Services
from core.signing import verify
from core.submission import Submitter
from handlers import indexer, webhooks, worker
from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, session
from tests.contract.test_aws_async_flow import Stream, matches, sqs_records
from tests.integration.async_site import NewsSite
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.aws, pytest.mark.filterwarnings("ignore:No application metrics")]

SECRET = "moto-signing-key"


def drain(sqs: Any, queue_url: str, handle: Any, services: Services) -> int:
    """Run ``handle`` over every message of ``queue_url`` until it is empty; how many."""
    seen = 0
    for _ in range(20):
        records = sqs_records(sqs, queue_url)
        if not records:
            return seen
        seen += len(records)
        response = handle({"Records": records}, None, services)
        assert response["batchItemFailures"] == []
        for record in records:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"])
    return seen


def test_batch_status_and_webhook_on_aws(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws = session()
    sqs = aws.client("sqs", endpoint_url=moto_endpoint)
    ddb = aws.client("dynamodb", endpoint_url=moto_endpoint)
    with NewsSite() as site, WebhookReceiver(statuses=[500]) as hook:
        settings = create_resources(moto_endpoint, prefix="batch").model_copy(
            update={
                "allow_private_networks": True,
                "allowed_ports": [site.port, hook.port],
                "per_host_delay_s": 0.0,
                "respect_robots": False,
                "retry_base_delay_s": 0.0,
                "webhook_secret": SECRET,
                "webhook_retry_base_delay_s": 0.0,
            }
        )
        assert settings.queue_url
        assert settings.webhook_queue_url
        assert settings.articles_table
        services = Services(settings)
        stream = Stream(
            aws.client("dynamodbstreams", endpoint_url=moto_endpoint), ddb, settings.articles_table
        )
        urls = [site.url("/article/1"), site.url("/article/2"), site.url("/missing/3"), "ftp://x/"]
        submission = Submitter(services).submit(urls, run_async=True, webhook=hook.url("/in"))
        batch_id = submission.batch_id
        assert batch_id is not None
        batch = services.batches.get(batch_id)
        assert batch is not None
        assert (batch.counts.queued, batch.counts.rejected, batch.finished) == (3, 1, False)

        for _ in range(10):
            worked = drain(sqs, settings.queue_url, worker.handle, services)
            changes = [r for r in stream.read() if matches(indexer.STREAM_FILTER_PATTERN, r)]
            if changes:
                response = indexer.handle({"Records": changes}, None, services)
                assert response["batchItemFailures"] == []
                # A redelivered stream batch must not count twice.
                indexer.handle({"Records": changes}, None, services)
            if not worked and not changes:
                break

        batch = services.batches.get(batch_id)
        assert batch is not None
        assert batch.finished
        assert batch.counts.model_dump() == {
            "queued": 0,
            "fetched": 0,
            "extracted": 0,
            "indexed": 2,
            "failed": 1,
            "rejected": 1,
        }
        items, _ = services.batches.items(batch_id, limit=10)
        assert [i.status for i in items] == ["indexed", "indexed", "failed", "rejected"]

        for _ in range(5):
            if not drain(sqs, settings.webhook_queue_url, webhooks.handle, services):
                break
        assert [r.answered for r in hook.received] == [500, 204]
        assert all(verify(SECRET, r.headers, r.body) for r in hook.received)
        batch = services.batches.get(batch_id)
        assert batch is not None
        assert [(d.attempt, d.outcome) for d in batch.deliveries] == [
            (1, "failed"),
            (2, "delivered"),
        ]
