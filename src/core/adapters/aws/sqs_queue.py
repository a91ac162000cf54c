"""The intake queue on SQS: ``IngestRequest`` JSON bodies, sent in batches of ten."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.adapters.aws.batching import batches
from core.adapters.aws.clients import AwsClients, required, translated
from core.adapters.aws.retry import send_with_retries
from core.errors import InvalidInput, StorageError
from core.ports import IngestRequest
from core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

logger = logging.getLogger(__name__)

MAX_BATCH = 10
MAX_BATCH_BYTES = 256 * 1024
MAX_DELAY_S = 900


class SqsIngestQueue:
    """``IngestQueue`` on one SQS queue."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.queue_url = required(settings.queue_url, "queue_url")
        self.clients = clients or AwsClients(settings)

    def send(self, requests: Sequence[IngestRequest], *, delay_s: int = 0) -> None:
        """Enqueue every request or raise ``StorageError`` (rejected entries are resent)."""
        if not 0 <= delay_s <= MAX_DELAY_S:
            raise InvalidInput(f"delay_s must be within 0..{MAX_DELAY_S}, not {delay_s}")
        bodies = [request.model_dump_json() for request in requests]
        for batch in batches(
            bodies, max_count=MAX_BATCH, max_bytes=MAX_BATCH_BYTES, size=lambda b: len(b.encode())
        ):
            send_with_retries(
                batch, lambda pending: self._send_batch(pending, delay_s), what="SQS send"
            )
        logger.debug("enqueued %d requests", len(bodies))

    def _send_batch(self, bodies: Sequence[str], delay_s: int) -> dict[int, str]:
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(i), "MessageBody": body, "DelaySeconds": delay_s}
            for i, body in enumerate(bodies)
        ]
        with translated("SQS SendMessageBatch"):
            response = self.clients.sqs().send_message_batch(
                QueueUrl=self.queue_url, Entries=entries
            )
        failures: dict[int, str] = {}
        for failed in response.get("Failed", []):
            if failed.get("SenderFault"):
                raise StorageError(f"SQS rejected a message: {failed.get('Code')}")
            failures[int(failed["Id"])] = str(failed.get("Code", "unknown"))
        return failures
