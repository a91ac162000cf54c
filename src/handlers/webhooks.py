"""The webhook delivery Lambda: SQS messages (``WebhookDelivery``) → one signed POST each.

``core.batches.delivery`` makes the attempt, records it on the batch and queues the next one
with backoff; a record whose processing raises (a store or the queue failing) is reported in
``batchItemFailures`` and redelivered, and after the queue's ``maxReceiveCount`` it goes to
the webhook dead-letter queue (alarmed). The local runtime calls ``handle`` with its own
``Services`` and the same event shape.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from core.batches.models import WebhookDelivery
from handlers.lambda_entry import Counter, ignore, lambda_entry

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from core.services import Services

logger = logging.getLogger(__name__)


def handle(
    event: dict[str, Any],
    context: LambdaContext | None,
    services: Services,
    *,
    count: Counter = ignore,
) -> dict[str, Any]:
    """Process an SQS event of delivery messages; returns ``{"batchItemFailures": [...]}``."""
    deliverer = services.webhook_deliverer

    def record_handler(record: SQSRecord) -> None:
        delivery = WebhookDelivery.model_validate_json(record.body)
        attempt = deliverer.deliver(delivery)
        if attempt is None:
            count("DeliveriesSkipped")
        else:
            count(f"Deliveries_{attempt.outcome}")

    processor = BatchProcessor(event_type=EventType.SQS)
    return dict(process_partial_response(event, record_handler, processor, context))


handler = lambda_entry("webhooks", handle)
