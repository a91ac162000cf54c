"""The indexer Lambda: the articles table's stream → ``core.indexing.Indexer``.

The event source mapping filters the stream to images whose ``status`` is ``extracted``,
``indexed`` or ``failed`` and reports partial batch failures. After a failed record the rest
of the batch is reported failed without being attempted: the stream resumes at the first
failure anyway, and an article's changes stay in order. Records that exhaust
``MaximumRetryAttempts`` or ``MaximumRecordAgeInSeconds`` go to the on-failure destination.

Every change also moves the article's items in the batches that hold it
(``core.batches.tracking``): this is the one place every final state passes.

Records are DynamoDB-stream-shaped on both backends (the local runtime builds them from its
SQLite outbox, ``core.adapters.local.stream``); their images are the record layout of the store
that wrote them, so the article store reads them back (``ArticleStore.article_from_image``).
Logging, metrics and tracing: ``handlers.lambda_entry``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from core.indexing import Indexer
from handlers.lambda_entry import Counter, ignore, lambda_entry

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from core.services import Services

logger = logging.getLogger(__name__)


#: The event source mapping's filter (``template.yaml`` carries the same pattern; a test checks).
STREAM_FILTER_PATTERN: dict[str, Any] = {
    "eventName": ["INSERT", "MODIFY"],
    "dynamodb": {"NewImage": {"status": {"S": ["extracted", "indexed", "failed"]}}},
}


class RetriedAfterEarlierFailure(Exception):
    """A record not attempted because an earlier one in the batch failed (keeps order)."""


def handle(
    event: dict[str, Any],
    context: LambdaContext | None,
    services: Services,
    *,
    count: Counter = ignore,
) -> dict[str, Any]:
    """Process a DynamoDB stream event; returns ``{"batchItemFailures": [...]}``."""
    indexer = Indexer(
        services.articles, services.search_index, services.fingerprints, services.event_bus
    )

    failed: list[str] = []

    def record_handler(record: DynamoDBRecord) -> None:
        if failed:  # the stream resumes at the first failure: later records would be redone
            raise RetriedAfterEarlierFailure(f"record {record.event_id} follows a failed one")
        try:
            process(record)
        except Exception:
            failed.append(str(record.event_id))
            raise

    def process(record: DynamoDBRecord) -> None:
        image = (record.raw_event.get("dynamodb") or {}).get("NewImage")
        if not image:  # REMOVE: nothing to index or announce
            return
        article = services.articles.article_from_image(image)
        old_image = (record.raw_event.get("dynamodb") or {}).get("OldImage")
        previous = services.articles.article_from_image(old_image) if old_image else None
        try:
            indexed = indexer.handle(article, previous)
        except Exception:
            count("RecordErrors")
            logger.exception(
                "change %s of %s v%d failed", record.event_id, article.id, article.version
            )
            raise
        if services.tracks_batches and services.batch_tracker.observe(article):
            count("BatchItemsMoved")
        count(f"Change_{article.status.value}")
        if indexed is not None:
            count("Indexed")
            if indexed.duplicate_of:
                count("Duplicates")

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return dict(process_partial_response(event, record_handler, processor, context))


handler = lambda_entry("indexer", handle)
