"""The asynchronous intake: one queue message → one pipeline run, with retry decisions.

* A retryable fetch outcome (timeout, connection error, HTTP 429/5xx…) is re-enqueued with
  ``attempt + 1`` and an exponential, jittered delay (at least the site's ``Retry-After``),
  until ``max_fetch_attempts``; the last one is stored as ``failed`` with its code.
* A permanent outcome is stored as ``failed`` with its code by the pipeline, as is a page whose
  extraction fails or raises: the URL is fetched once and ends ``failed``, never redelivered.
* A fetch cut short by the invocation's deadline (``OutOfTime``) propagates like any other
  error: the message is redelivered (the worker also leaves messages it has no time for).
* Any other error (a store or the queue failing) propagates: the message is redelivered.
  On the queue's last delivery the URL is stored ``failed`` with that error's code instead,
  so it never sits in the dead-letter queue unaccounted for — unless that write fails too.
* A message already served (the article was fetched or checked after it was sent) is
  acknowledged without a second fetch: duplicate deliveries cost one read. So is one whose
  ``max_age`` the stored copy satisfies; otherwise a stored copy makes the fetch conditional
  (ETag / Last-Modified, unless ``force``), and a 304 only moves ``checked_at``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from core.backoff import backoff_delay
from core.errors import DomainError, InvalidInput, StorageError
from core.events import IntakeMessage
from core.extraction_options import options_key
from core.ids import article_id
from core.models import Article, ArticleError, ArticleStatus
from core.pipeline import OutOfTime, is_good, validators_of
from core.ports import IngestRequest
from core.versions import is_fresh, last_checked

if TYPE_CHECKING:
    from core.services import Services

logger = logging.getLogger(__name__)

MAX_DELAY_S = 900  # SQS's maximum DelaySeconds


class IntakeOutcome(StrEnum):
    """What became of one message."""

    STORED = "stored"
    FAILED = "failed"
    RETRY_SCHEDULED = "retry_scheduled"
    ALREADY_DONE = "already_done"


@dataclass(frozen=True)
class IntakeResult:
    """The outcome of one message, with the article when one was stored."""

    outcome: IntakeOutcome
    article_id: str
    article: Article | None = None
    delay_s: int = 0


def retry_delay(
    attempt: int,
    base_s: float,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> int:
    """Seconds before fetch attempt ``attempt + 1``: ``base·2^attempt`` with full jitter in its
    upper half, never below the site's ``Retry-After``, capped at 900 s."""
    delay = backoff_delay(attempt, base_s=base_s, cap_s=MAX_DELAY_S, jitter=0.5, rng=rng)
    if retry_after_s:
        delay = max(delay, retry_after_s)
    return min(MAX_DELAY_S, round(delay))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_request(message: IntakeMessage) -> IngestRequest:
    """The validated request of a message; ``InvalidInput`` when its id and URL (with its
    extraction options) disagree."""
    if message.url is None:
        raise InvalidInput("the message names a feed, sitemap or site, not a page")
    options = message.options if message.options and not message.options.is_default else None
    the_id = article_id(message.url, options_key(options))
    if message.id is not None and message.id != the_id:
        raise InvalidInput(
            f"message id {message.id} is not the id of {message.url} with these options"
        )
    return IngestRequest(
        url=message.url,
        id=the_id,
        requested_at=_aware(message.requested_at or datetime.now(UTC)),
        attempt=message.attempt,
        options=options,
        max_age=message.max_age,
        force=message.force,
    )


class Intake:
    """Runs queue messages through the pipeline (one ``Services`` per process)."""

    def __init__(self, services: Services, *, rng: random.Random | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.rng = rng or random.Random()

    def run(
        self, request: IngestRequest, *, receive_count: int = 1, deadline: float | None = None
    ) -> IntakeResult:
        """Process one request; raises to have the message redelivered (``OutOfTime`` when
        ``deadline``, a ``time.monotonic()`` instant, cut its fetch short)."""
        try:
            return self._run(request, deadline)
        except Exception as error:
            if receive_count < self.settings.queue_max_receives:
                raise
            if request.attempt + 1 < self.settings.max_fetch_attempts:
                # The receive count also counts deliveries lost to batch-mates' crashes: while
                # attempts remain, start a fresh message instead of giving up on the URL.
                return self._retry(request, None, f"{type(error).__name__}: {error}")
            logger.exception("last delivery of %s failed; recording the failure", request.url)
            if isinstance(error, OutOfTime):
                code = "timeout"
            else:
                code = error.code if isinstance(error, DomainError) else "internal_error"
            failure = ArticleError(code=code, message=str(error)[:500], retryable=True)
            article = self.services.pipeline.record_failure(
                request.url, failure, options=request.options
            )
            return IntakeResult(IntakeOutcome.FAILED, request.id, article)

    def _run(self, request: IngestRequest, deadline: float | None) -> IntakeResult:
        articles = self.services.articles
        existing = articles.get(request.id)
        checked = last_checked(existing) if existing is not None else None
        if (
            existing is not None
            and existing.status is not ArticleStatus.QUEUED
            and checked is not None
            and checked >= request.requested_at
        ):
            logger.info("%s already served at %s", request.url, checked)
            return IntakeResult(IntakeOutcome.ALREADY_DONE, request.id, existing)
        if (
            existing is not None
            and not request.force
            and is_good(existing)
            and is_fresh(existing, request.max_age)
        ):
            logger.info("%s checked within %s s: kept", request.url, request.max_age)
            self._served_from_store(existing)
            return IntakeResult(IntakeOutcome.ALREADY_DONE, request.id, existing)
        pipeline = self.services.pipeline
        validators = None if request.force else validators_of(existing)
        result = pipeline.fetch(request.url, deadline=deadline, validators=validators)
        if (
            not result.ok
            and result.retryable
            and request.attempt + 1 < self.settings.max_fetch_attempts
        ):
            return self._retry(request, result.retry_after_s, result.outcome.value)
        article = pipeline.ingest_fetched(request.url, result, request.options)
        outcome = (
            IntakeOutcome.FAILED if article.status is ArticleStatus.FAILED else IntakeOutcome.STORED
        )
        return IntakeResult(outcome, request.id, article)

    def _served_from_store(self, article: Article) -> None:
        """Nothing is written for a copy served within ``max_age``, so the indexer never sees
        it: move its batch items here (a failure is logged; the article itself is fine)."""
        if not self.services.tracks_batches:
            return
        try:
            self.services.batch_tracker.observe(article, served_at=datetime.now(UTC))
        except StorageError as error:
            logger.warning("batch items of %s not moved: %s", article.id, error.message)

    def _retry(self, request: IngestRequest, retry_after_s: float | None, why: str) -> IntakeResult:
        """Enqueue the next attempt with backoff (never sooner than ``Retry-After``)."""
        delay = retry_delay(
            request.attempt, self.settings.retry_base_delay_s, retry_after_s, self.rng
        )
        retry = request.model_copy(update={"attempt": request.attempt + 1})
        self.services.queue.send([retry], delay_s=delay)
        logger.info(
            "%s: %s (attempt %d); retrying in %d s", request.url, why, request.attempt + 1, delay
        )
        return IntakeResult(IntakeOutcome.RETRY_SCHEDULED, request.id, delay_s=delay)
