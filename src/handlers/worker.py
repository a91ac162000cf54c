"""The intake worker Lambda: SQS messages → pipeline runs, with partial batch responses.

Each record's body is an ``IntakeMessage`` (``events/schemas/IntakeMessage.json``): a page,
or a feed/sitemap/site whose new and changed article URLs are discovered and queued. A record
whose processing raises is reported in ``batchItemFailures`` (the queue's event source mapping
has ``ReportBatchItemFailures``), so only it is redelivered; after the queue's
``maxReceiveCount`` it goes to the dead-letter queue. Retry decisions live in ``core.intake``.

Time budget: a record is started only while ``fetch_deadline_s + worker_time_margin_s`` of
the invocation remain, and its fetch is cut ``worker_time_margin_s`` before the end; records
left over are reported in ``batchItemFailures`` (redelivered later; one on its last delivery
is sent again as a fresh message instead), so a batch never runs into the function's timeout
(which would redeliver all of it).

Logging, metrics and tracing: ``handlers.lambda_entry``. The local runtime calls ``handle`` with
its own ``Services`` (no metrics flush).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from core.events import IntakeMessage
from core.intake import Intake, to_request
from core.pipeline import OutOfTime
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
    """Process an SQS event; returns ``{"batchItemFailures": [...]}``."""
    intake = Intake(services)
    settings = services.settings
    # The instant fetches must end by, keeping the margin for extraction and writes.
    deadline = (
        None
        if context is None
        else time.monotonic()
        + context.get_remaining_time_in_millis() / 1000
        - settings.worker_time_margin_s
    )

    def record_handler(record: SQSRecord) -> None:
        message = IntakeMessage.model_validate_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count or 1)
        if message.url is None:  # a feed, sitemap or site: discover, queue what is new
            from core.discovery.intake import run_discovery_message

            outcome = run_discovery_message(
                services, message, receive_count=receive_count, deadline=deadline
            )
            count(f"Discovery_{outcome}")
            return
        if deadline is not None and deadline - time.monotonic() < settings.fetch_deadline_s:
            count("RecordsDeferred")
            if receive_count >= settings.queue_max_receives:
                # Its last delivery: a fresh message, rather than the dead-letter queue.
                services.queue.send([to_request(message)])
                logger.info("too little time left for %s: sent again", message.url)
                return
            logger.info("too little time left for %s: left for redelivery", message.url)
            raise OutOfTime(message.url)
        try:
            result = intake.run(to_request(message), receive_count=receive_count, deadline=deadline)
        except Exception:
            count("RecordErrors")
            logger.exception("message %s failed (receive %d)", record.message_id, receive_count)
            raise
        count(f"Outcome_{result.outcome.value}")
        logger.info("%s → %s", message.url, result.outcome.value)

    # All records failing is still a partial response (every one redelivered), not an error.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event, record_handler, processor, context))


handler = lambda_entry("worker", handle)
