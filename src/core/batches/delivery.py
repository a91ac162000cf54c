"""Delivering a finished batch's webhook: signed, SSRF-checked, retried with backoff.

One queue message (``WebhookDelivery``) per attempt. The body is signed
(``core.signing``) and POSTed by ``core.fetch.post.SafePoster`` (the fetcher's
address rules; no redirect followed). A 2xx ends it; any other answer or a network failure
is retried after ``backoff_delay`` (base ``webhook_retry_base_delay_s``, doubling, at most
900 s) until ``webhook_max_attempts``; a URL that is not admitted (a name resolving to a
private address, say) or a missing signing secret is ``refused`` and never retried. Every
attempt is recorded on the batch. A batch already delivered is not delivered again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from core.backoff import backoff_delay
from core.batches.models import Batch, BatchFinished, DeliveryAttempt, WebhookDelivery
from core.signing import signed_headers

if TYPE_CHECKING:
    from core.fetch.post import SafePoster
    from core.ports import BatchStore, WebhookQueue

logger = logging.getLogger(__name__)

MAX_DELAY_S = 900


def payload(batch: Batch) -> BatchFinished:
    """The body told to a batch's webhook (its ``id`` is stable: receivers dedupe on it)."""
    return BatchFinished(
        id=f"{batch.id}.finished",
        batch_id=batch.id,
        location=f"/batches/{batch.id}",
        created_at=batch.created_at,
        finished_at=batch.finished_at or datetime.now(UTC),
        total=batch.total,
        counts=batch.counts,
    )


@dataclass
class WebhookDeliverer:
    """Runs one delivery message (one attempt)."""

    store: BatchStore
    queue: WebhookQueue
    poster: SafePoster
    secret: Callable[[], str | None]
    max_attempts: int = 6
    base_delay_s: float = 10.0
    timeout_s: float = 10.0
    rng: random.Random = field(default_factory=random.Random)

    def deliver(self, delivery: WebhookDelivery) -> DeliveryAttempt | None:
        """Make the attempt ``delivery`` asks for; None when there is nothing to deliver."""
        batch = self.store.get(delivery.batch_id)
        if batch is None or not batch.webhook or not batch.finished:
            return None
        if any(d.outcome in ("delivered", "refused") for d in batch.deliveries):
            return None  # a duplicate message: the batch was told (or never will be)
        number = delivery.attempt + 1
        now = datetime.now(UTC)
        secret = self.secret()
        if not secret:
            attempt = DeliveryAttempt(
                attempt=number, at=now, outcome="refused", error="no webhook signing secret set"
            )
            self.store.record_delivery(batch.id, attempt)
            return attempt
        body = payload(batch).model_dump_json().encode("utf-8")
        headers = {**signed_headers(secret, body), "User-Agent": "article-ingest-webhooks"}
        outcome = self.poster.post(batch.webhook, body, headers, timeout_s=self.timeout_s)
        if outcome.ok:
            attempt = DeliveryAttempt(
                attempt=number, at=now, outcome="delivered", http_status=outcome.status
            )
        elif outcome.refused:
            logger.warning("webhook of batch %s refused: %s", batch.id, outcome.error)
            attempt = DeliveryAttempt(
                attempt=number, at=now, outcome="refused", error=outcome.error
            )
        else:
            retry = number < self.max_attempts
            delay = (
                round(
                    backoff_delay(
                        delivery.attempt,
                        base_s=self.base_delay_s,
                        cap_s=MAX_DELAY_S,
                        jitter=0.5,
                        rng=self.rng,
                    )
                )
                if retry
                else 0
            )
            attempt = DeliveryAttempt(
                attempt=number,
                at=now,
                outcome="failed",
                http_status=outcome.status,
                error=outcome.error,
                next_attempt_at=now + timedelta(seconds=delay) if retry else None,
            )
            self.store.record_delivery(batch.id, attempt)
            if retry:
                self.queue.send_delivery(
                    WebhookDelivery(batch_id=batch.id, attempt=number), delay_s=delay
                )
            return attempt
        self.store.record_delivery(batch.id, attempt)
        return attempt
