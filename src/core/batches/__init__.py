"""Batch jobs: every submission is a batch whose items move to a terminal state; a batch whose
items are all terminal is finished, and its optional webhook is told (see docs/api.md)."""

from core.batches.models import (
    TERMINAL,
    Batch,
    BatchCounts,
    BatchItem,
    BatchMembership,
    BatchStatus,
    DeliveryAttempt,
    ItemStatus,
    WebhookDelivery,
    rank,
)

__all__ = [
    "TERMINAL",
    "Batch",
    "BatchCounts",
    "BatchItem",
    "BatchMembership",
    "BatchStatus",
    "DeliveryAttempt",
    "ItemStatus",
    "WebhookDelivery",
    "rank",
]
