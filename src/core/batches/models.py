"""The batch contract: a batch, its items, its counts and its webhook delivery attempts."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from core.cursor import decode_cursor, encode_cursor
from core.errors import InvalidCursor
from core.models import ArticleError

ItemStatus = Literal["queued", "fetched", "extracted", "indexed", "failed", "rejected"]

#: An item in one of these states never moves again; a batch whose items all are is finished.
TERMINAL: frozenset[str] = frozenset({"indexed", "failed", "rejected"})
_RANK = {"queued": 0, "fetched": 1, "extracted": 2, "indexed": 3, "failed": 3, "rejected": 3}
STATUSES: tuple[ItemStatus, ...] = (
    "queued",
    "fetched",
    "extracted",
    "indexed",
    "failed",
    "rejected",
)
BATCH_ID_PATTERN = r"^b_[0-9a-f]{24}$"
#: A batch and its items are kept this long after it was created, then forgotten (DynamoDB TTL
#: on AWS, a purge on the next new batch locally); reads treat an older batch as gone already.
BATCH_RETENTION = timedelta(days=30)


def expires_at(created_at: datetime) -> datetime:
    """When a batch created at ``created_at`` is forgotten."""
    return created_at + BATCH_RETENTION


def rank(status: str) -> int:
    """Progress order of item states: an item only ever moves to a higher rank."""
    return _RANK[status]


def new_batch_id() -> str:
    """A fresh, unguessable batch id (``b_`` + 24 hex digits)."""
    return "b_" + secrets.token_hex(12)


class BatchItem(BaseModel):
    """One submitted URL of a batch, in submission order."""

    index: int = Field(ge=0, description="Position in the batch (submission order).")
    url: str = Field(description="The URL as submitted.")
    id: str | None = Field(default=None, description="The article id; absent when rejected.")
    status: ItemStatus = Field(
        description="Where this URL is; `indexed`, `failed`, `rejected` are final."
    )
    error: ArticleError | None = None
    updated_at: datetime | None = None


class BatchCounts(BaseModel):
    """How many items of the batch are in each state."""

    queued: int = 0
    fetched: int = 0
    extracted: int = 0
    indexed: int = 0
    failed: int = 0
    rejected: int = 0

    @classmethod
    def of(cls, items: list[BatchItem]) -> BatchCounts:
        counts = cls()
        for item in items:
            setattr(counts, item.status, getattr(counts, item.status) + 1)
        return counts

    @property
    def done(self) -> int:
        """Items in a final state."""
        return self.indexed + self.failed + self.rejected


class DeliveryAttempt(BaseModel):
    """One attempt to deliver the batch's webhook."""

    attempt: int = Field(ge=1, description="1 for the first attempt.")
    at: datetime
    outcome: Literal["delivered", "failed", "refused"] = Field(
        description="`delivered` (2xx), `failed` (retried unless it was the last attempt) or"
        " `refused` (the URL is unsafe or no signing secret is set: never retried)."
    )
    http_status: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = Field(
        default=None, description="When the next attempt is due (none after the last)."
    )


class Batch(BaseModel):
    """A submission's progress: counts per state and whether every item is final."""

    id: str = Field(description="Batch id (`b_` + 24 hex digits).")
    created_at: datetime
    total: int = Field(ge=0, description="Items in the batch (distinct URLs).")
    counts: BatchCounts
    finished: bool = Field(description="Whether every item is `indexed`, `failed` or `rejected`.")
    finished_at: datetime | None = None
    webhook: str | None = Field(default=None, description="Told when the batch finishes.")
    deliveries: list[DeliveryAttempt] = Field(default_factory=list)


class BatchStatus(Batch):
    """``GET /batches/{id}``: the batch and one page of its items."""

    items: list[BatchItem]
    next_cursor: str | None = None


class BatchMembership(BaseModel):
    """An article's place in a batch (how the indexer finds the items to advance)."""

    batch_id: str
    index: int
    created_at: datetime


class WebhookDelivery(BaseModel):
    """A message of the webhook delivery queue (documented schema)."""

    batch_id: str
    attempt: int = Field(default=0, ge=0, description="Attempts made before this one.")


def items_cursor(batch_id: str, last_index: int) -> str:
    """The cursor of the items page after ``last_index``."""
    return encode_cursor({"b": batch_id, "i": last_index})


def cursor_index(batch_id: str, cursor: str | None) -> int:
    """The last index a cursor of ``batch_id`` points past (-1 for none); ``InvalidCursor``."""
    if not cursor:
        return -1
    state = decode_cursor(cursor)
    if (
        not isinstance(state, dict)
        or state.get("b") != batch_id
        or not isinstance(state.get("i"), int)
        or isinstance(state.get("i"), bool)
        or state["i"] < 0
    ):
        raise InvalidCursor("invalid cursor: pass the next_cursor of the previous page")
    return int(state["i"])


class BatchFinished(BaseModel):
    """The JSON body POSTed to a batch's webhook when it finishes (documented schema)."""

    id: str = Field(description="`<batch id>.finished`: the same on every attempt (dedupe on it).")
    type: Literal["batch.finished"] = "batch.finished"
    batch_id: str
    location: str = Field(description="`/batches/<batch id>`: the batch and its items.")
    created_at: datetime
    finished_at: datetime
    total: int = Field(ge=0)
    counts: BatchCounts
