"""The local runtime: the SQLite queue and change stream driving the same Lambda handlers.

On AWS, SQS invokes ``handlers.worker`` and the DynamoDB stream invokes ``handlers.indexer``.
Locally, ``LocalRuntime.drain`` does both jobs with the same event shapes:

* due queue messages become an SQS event (``ApproximateReceiveCount`` and all); records the
  worker reports in ``batchItemFailures`` (or a whole failed invocation) become visible again
  after a backoff of 1, 2, 4… s; deleted otherwise. ``max_receives`` deliveries → dead letters.
* due batch webhook deliveries become an SQS event for ``handlers.webhooks`` (a failed
  record reappears after the visibility timeout; retries with backoff are new messages);
* rows of the ``stream`` outbox become a DynamoDB stream event, read through
  ``core.adapters.local.stream`` (cursor, lease, retries and dead letters live there).

``drain`` returns when the queue is empty and the stream caught up, or at ``timeout_s``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from article_ingest.lambda_context import invocation
from core.adapters.local.queue import QueueMessage, SqliteIngestQueue
from core.adapters.local.stream import (
    STREAM_MAX_RETRIES,
    SqliteChangeStream,
    redelivery_delay,
    stream_record,
)
from core.adapters.local.webhook_queue import SqliteWebhookQueue, WebhookMessage
from core.services import Services

logger = logging.getLogger(__name__)

QUEUE_ARN = "arn:aws:sqs:local:000000000000:article-ingest-intake"
WEBHOOK_QUEUE_ARN = "arn:aws:sqs:local:000000000000:article-ingest-webhooks"
# As the AWS event source mappings (template.yaml).
WORKER_BATCH = 10
STREAM_BATCH = 25
VISIBILITY_TIMEOUT_S = 120.0
#: What each local invocation may take (the constant 900 s it always had).
INVOCATION_BUDGET_S = 900.0


@dataclass
class DrainReport:
    """What one ``drain`` did."""

    worker_invocations: int = 0
    indexer_invocations: int = 0
    messages: int = 0
    message_failures: int = 0
    records: int = 0
    record_failures: int = 0
    webhook_deliveries: int = 0
    finished: bool = False


def sqs_record(message: QueueMessage) -> dict[str, Any]:
    """An SQS Lambda event record for a received message."""
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt,
        "body": message.body,
        "attributes": {
            "ApproximateReceiveCount": str(message.receive_count),
            "SentTimestamp": str(int(message.sent_at * 1000)),
            "SenderId": "local",
            "ApproximateFirstReceiveTimestamp": str(int(message.first_received_at * 1000)),
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(message.body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "local",
    }


def webhook_record(message: WebhookMessage) -> dict[str, Any]:
    """An SQS Lambda event record for a webhook delivery message."""
    return {
        "messageId": message.message_id,
        "receiptHandle": message.message_id,
        "body": message.body,
        "attributes": {"ApproximateReceiveCount": str(message.receive_count)},
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(message.body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": WEBHOOK_QUEUE_ARN,
        "awsRegion": "local",
    }


def _failed_ids(response: dict[str, Any]) -> set[str]:
    return {str(item["itemIdentifier"]) for item in response.get("batchItemFailures", [])}


class LocalRuntime:
    """Drives ``handlers.worker`` and ``handlers.indexer`` from the local queue and outbox."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        worker_batch: int = WORKER_BATCH,
        stream_batch: int = STREAM_BATCH,
        stream_max_retries: int = STREAM_MAX_RETRIES,
        visibility_timeout_s: float = VISIBILITY_TIMEOUT_S,
    ) -> None:
        self.services = services
        self.clock = clock
        self.sleep = sleep
        self.worker_batch = worker_batch
        self.stream_batch = stream_batch
        self.stream_max_retries = stream_max_retries
        self.visibility_timeout_s = visibility_timeout_s
        self.db = services.db
        # The article store creates the outbox table; make sure it exists before reading it.
        _ = services.articles
        self.stream = SqliteChangeStream(self.db, clock=clock, max_retries=stream_max_retries)

    @property
    def webhook_queue(self) -> SqliteWebhookQueue:
        queue = self.services.webhook_queue
        assert isinstance(queue, SqliteWebhookQueue), "the local runtime needs the SQLite queue"
        return queue

    @property
    def queue(self) -> SqliteIngestQueue:
        queue = self.services.queue
        assert isinstance(queue, SqliteIngestQueue), "the local runtime needs the SQLite queue"
        return queue

    # -- the loop ------------------------------------------------------------------------------

    def drain(self, timeout_s: float | None = None) -> DrainReport:
        """Run both handlers until there is nothing left to do (or ``timeout_s`` passes)."""
        report = DrainReport()
        deadline = None if timeout_s is None else self.clock() + timeout_s
        while True:
            worked = self.run_worker_once(report)
            worked = self.run_indexer_once(report) or worked
            worked = self.run_webhooks_once(report) or worked
            if worked:
                continue
            waits = [
                t
                for t in (
                    self.queue.next_visible_at(),
                    self.stream.next_due_at(),
                    self.webhook_queue.next_visible_at(),
                )
                if t is not None
            ]
            if not waits:
                report.finished = True
                self._release_lease()
                return report
            wake = min(waits)
            if deadline is not None and wake > deadline:
                logger.info("drain timed out with work pending")
                self._release_lease()
                return report
            self.sleep(max(0.0, wake - self.clock()))

    def run_worker_once(self, report: DrainReport | None = None) -> bool:
        """Deliver one batch of due messages to the worker; False when none was due."""
        from handlers import worker

        messages = self.queue.receive(
            max_messages=self.worker_batch, visibility_timeout_s=self.visibility_timeout_s
        )
        if not messages:
            return False
        event = {"Records": [sqs_record(m) for m in messages]}
        try:
            response = worker.handle(
                event, invocation("worker", INVOCATION_BUDGET_S), self.services
            )
            failed = _failed_ids(response)
        except Exception:
            logger.exception("worker invocation failed")
            failed = {m.message_id for m in messages}
        for message in messages:
            if message.message_id in failed:
                self.queue.change_visibility(
                    message.receipt, redelivery_delay(message.receive_count)
                )
            else:
                self.queue.delete(message.receipt)
        if report is not None:
            report.worker_invocations += 1
            report.messages += len(messages)
            report.message_failures += len(failed)
        return True

    def run_indexer_once(self, report: DrainReport | None = None) -> bool:
        """Deliver one batch of stream records to the indexer; False when none was due."""
        from handlers import indexer

        rows = self.stream.claim(self.stream_batch)
        if not rows:
            return False
        event = {"Records": [stream_record(row) for row in rows]}
        try:
            response = indexer.handle(
                event, invocation("indexer", INVOCATION_BUDGET_S), self.services
            )
            failed = sorted(int(seq) for seq in _failed_ids(response))
        except Exception:
            logger.exception("indexer invocation failed")
            failed = [rows[0]["seq"]]
        self._advance(rows, failed[0] if failed else None)
        if report is not None:
            report.indexer_invocations += 1
            report.records += len(rows)
            report.record_failures += len(failed)
        return True

    def run_webhooks_once(self, report: DrainReport | None = None) -> bool:
        """Deliver one batch of due webhook messages; False when none was due."""
        from handlers import webhooks

        messages = self.webhook_queue.receive(self.worker_batch, self.visibility_timeout_s)
        if not messages:
            return False
        event = {"Records": [webhook_record(m) for m in messages]}
        try:
            response = webhooks.handle(
                event, invocation("webhooks", INVOCATION_BUDGET_S), self.services
            )
            failed = _failed_ids(response)
        except Exception:
            logger.exception("webhook invocation failed")
            failed = {m.message_id for m in messages}
        for message in messages:
            if message.message_id not in failed:
                self.webhook_queue.delete(message.message_id)
        if report is not None:
            report.webhook_deliveries += len(messages)
        return True

    # -- the stream ----------------------------------------------------------------------------

    def _advance(self, rows: list[sqlite3.Row], failed_seq: int | None) -> None:
        self.stream.advance(rows, failed_seq)

    def _release_lease(self) -> None:
        self.stream.release()

    def stream_dead_letters(self) -> list[dict[str, Any]]:
        """Records the indexer gave up on (the on-failure destination)."""
        return self.stream.dead_letters()

    def stream_lag(self) -> int:
        """Outbox records not yet processed."""
        return self.stream.lag()


def describe(report: DrainReport) -> str:
    """One line for logs and the CLI."""
    return json.dumps(report.__dict__, sort_keys=True)
