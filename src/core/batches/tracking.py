"""Batch progress: open a batch for a submission, move its items as their articles move.

* ``open`` stores the batch before any URL is dispatched (every item ``queued``, rejected URLs
  ``rejected``), so no change of its articles can come before it.
* ``settle`` moves the items a synchronous submission already has results for.
* ``observe`` is called by the indexer for every change it sees (``extracted``, ``indexed``,
  ``failed``: every article's final state passes there): it moves the article's item in each
  batch created before the version was fetched. Moves are forward-only and idempotent, so a
  redelivered change counts once.
* When every item is final the batch is marked finished and, if it has a webhook, one
  delivery is queued (``core.batches.delivery``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from core.batches.models import (
    TERMINAL,
    Batch,
    BatchCounts,
    BatchItem,
    ItemStatus,
    WebhookDelivery,
    new_batch_id,
)
from core.models import Article, ArticleError, ArticleStatus

if TYPE_CHECKING:
    from core.ports import BatchStore, WebhookQueue

logger = logging.getLogger(__name__)

_TRACKED: dict[ArticleStatus, ItemStatus] = {
    ArticleStatus.FETCHED: "fetched",
    ArticleStatus.EXTRACTED: "extracted",
    ArticleStatus.INDEXED: "indexed",
    ArticleStatus.FAILED: "failed",
}


@dataclass(frozen=True)
class Outcome:
    """What a submission knows about one distinct URL (``SubmissionResult``'s fields)."""

    url: str
    id: str | None
    status: ItemStatus
    error: ArticleError | None = None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class BatchTracker:
    """Opens batches and keeps their items and counts up to date."""

    store: BatchStore
    webhooks: WebhookQueue

    def open(self, outcomes: Sequence[Outcome], *, webhook: str | None = None) -> str:
        """Store a new batch of ``outcomes`` (in order) and return its id."""
        now = datetime.now(UTC)
        items = [
            BatchItem(
                index=i,
                url=o.url,
                id=o.id,
                status="rejected" if o.status == "rejected" else "queued",
                error=o.error if o.status == "rejected" else None,
                updated_at=now,
            )
            for i, o in enumerate(outcomes)
        ]
        batch = Batch(
            id=new_batch_id(),
            created_at=now,
            total=len(items),
            counts=BatchCounts.of(items),
            finished=False,
            webhook=webhook,
        )
        self.store.create(batch, items)
        return batch.id

    def settle(self, batch_id: str, outcomes: Sequence[Outcome]) -> None:
        """Move the items of ``batch_id`` to what the submission learnt, then finish it if
        every item is final (all rejected, say)."""
        for index, outcome in enumerate(outcomes):
            if outcome.status not in ("queued", "rejected"):
                self.store.advance(batch_id, index, outcome.status, outcome.error)
        self.finish_if_done(batch_id)

    def observe(self, article: Article, *, served_at: datetime | None = None) -> int:
        """Move ``article``'s items to its status; returns how many items moved. An item
        moves when the article was fetched or checked (a 304, the same text) after its batch
        was created — or, with ``served_at``, when the stored copy was served then without a
        write (a worker within a request's ``max_age``)."""
        status = _TRACKED.get(article.status)
        if status is None:
            return 0
        seen = [m for m in (article.fetched_at, article.checked_at, served_at) if m is not None]
        moment = max(map(_aware, seen)) if seen else article.updated_at
        moved = 0
        for membership in self.store.memberships(article.id):
            if moment is None or _aware(moment) < _aware(membership.created_at):
                continue  # a version older than the batch (a re-pointed duplicate, say)
            error = article.error if status == "failed" else None
            if self.store.advance(membership.batch_id, membership.index, status, error):
                moved += 1
            if status in TERMINAL:
                self.finish_if_done(membership.batch_id)
        return moved

    def finish_if_done(self, batch_id: str) -> Batch | None:
        """Queue the webhook and mark the batch finished once every item is final.

        The delivery is queued before the mark: a crash in between re-queues it on the next
        change (a second delivery of the same batch is dropped by the delivery handler)."""
        batch = self.store.get(batch_id)
        if batch is None or batch.finished or batch.counts.done < batch.total:
            return None
        if batch.webhook:
            self.webhooks.send_delivery(WebhookDelivery(batch_id=batch_id))
        if self.store.mark_finished(batch_id):
            logger.info("batch %s finished: %s", batch_id, batch.counts.model_dump())
        return batch
