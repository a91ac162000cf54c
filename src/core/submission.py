"""Submitting URLs: validate each one, collapse duplicates, ingest now or queue for later.

The one use case behind every front door: the HTTP API (and so ``serve``) and the CLI's
``ingest`` (the worker runs the same pipeline steps through ``core.intake``). A URL refused
before any fetch is ``rejected``; one whose ingestion went wrong is ``failed``. Small batches
run through the pipeline within the request (a bounded thread pool); larger ones, or callers
who ask for it, are queued. A synchronous batch has a deadline: URLs not finished by then are
queued and answered ``queued``. Every URL gets its own result: one bad URL never fails the
others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from core.batches.tracking import Outcome
from core.errors import DomainError, InvalidInput, StorageError, VersionConflict
from core.extraction_options import ExtractionOptions, options_key
from core.ids import article_id
from core.models import Article, ArticleError, ArticleStatus
from core.ports import IngestRequest

if TYPE_CHECKING:
    from core.services import Services

#: API Gateway cuts a request at 30 s; a synchronous answer never takes longer than this.
API_GATEWAY_LIMIT_S = 29.0

logger = logging.getLogger(__name__)
#: Up to this many queued placeholders are written one after the other.
_SERIAL_PLACEHOLDERS = 10

ResultStatus = Literal["queued", "fetched", "extracted", "indexed", "failed", "rejected"]
ChangeKind = Literal["new", "changed", "unchanged", "not_modified", "cached"]


class TooManyUrls(InvalidInput):
    """More URLs in one request than ``Settings.max_urls_per_request`` allows."""

    code = "too_many_urls"


class SubmissionResult(BaseModel):
    """What happened to one submitted URL."""

    url: str = Field(description="The URL as submitted.")
    id: str | None = Field(
        default=None, description="The article id; absent when the URL was rejected."
    )
    status: ResultStatus = Field(
        description="The article's status, or `rejected` when the URL was refused before any"
        " fetch (then `error` says why)."
    )
    article: Article | None = Field(
        default=None, description="The stored article (synchronous submissions only)."
    )
    error: ArticleError | None = Field(
        default=None, description="Why the URL was rejected or its ingestion failed."
    )
    change: ChangeKind | None = Field(
        default=None,
        description="Synchronous results only: `new` (first version stored), `changed` (a new"
        " content version), `unchanged` (fetched again, same text: only `checked_at` moved),"
        " `not_modified` (the site answered 304: only `checked_at` moved) or `cached` (checked"
        " within `max_age`: the stored copy, not fetched). Absent for a failure or a queued URL.",
    )


class Submission(BaseModel):
    """The answer to one submission: one result per distinct URL, in submission order."""

    mode: Literal["sync", "async"] = Field(
        description="`sync`: processed within the request (a URL not finished within the"
        " request's time budget is queued and answered `queued`); `async`: queued for the"
        " worker."
    )
    results: list[SubmissionResult]
    batch_id: str | None = Field(
        default=None,
        description="The batch these URLs form: follow it at `GET /batches/{batch_id}`"
        " (absent only when the batch store could not be written; the URLs are still"
        " processed).",
    )


class InvalidWebhook(InvalidInput):
    """A batch webhook URL the fetcher's rules refuse."""

    code = "invalid_webhook"


class WebhookNotConfigured(InvalidInput):
    """A batch webhook was asked for but no signing key is configured."""

    code = "webhook_not_configured"


def sync_deadline(remaining_ms: int | None, margin_s: float) -> float:
    """The ``time.monotonic()`` instant a synchronous submission must be done by: the
    invocation's remaining time (if known), at most ``API_GATEWAY_LIMIT_S``, minus
    ``margin_s`` for queueing the rest and answering."""
    budget = API_GATEWAY_LIMIT_S
    if remaining_ms is not None:
        budget = min(budget, remaining_ms / 1000)
    return time.monotonic() + max(0.0, budget - margin_s)


def _rejected(url: str, code: str, message: str) -> SubmissionResult:
    return SubmissionResult(
        url=url, status="rejected", error=ArticleError(code=code, message=message)
    )


OnResult = Callable[["SubmissionResult"], None]


@dataclass(frozen=True)
class Freshness:
    """How stale a stored copy may be: ``max_age`` seconds since its last check (None: always
    refetch, conditionally); ``force``: refetch unconditionally."""

    max_age: int | None = None
    force: bool = False


def _ignore(_: SubmissionResult) -> None:
    return None


class Submitter:
    """Validates, deduplicates and dispatches submitted URLs (thread-safe)."""

    def __init__(self, services: Services, options: ExtractionOptions | None = None) -> None:
        self.services = services
        self.settings = services.settings
        #: the extraction options of every URL this submitter takes (None: the defaults)
        self.options = None if options is None or options.is_default else options

    def with_options(self, options: ExtractionOptions | None) -> Submitter:
        """A submitter for the same services whose URLs are extracted with ``options``."""
        chosen = None if options is None or options.is_default else options
        return self if chosen == self.options else Submitter(self.services, chosen)

    def submit(
        self,
        urls: Sequence[str],
        *,
        run_async: bool = False,
        deadline: float | None = None,
        webhook: str | None = None,
        max_age: int | None = None,
        force: bool = False,
    ) -> Submission:
        """Process ``urls`` (a synchronous batch within ``deadline``, a ``time.monotonic()``
        instant; a stored copy checked within ``max_age`` seconds is answered without a
        fetch, ``force`` refetches unconditionally); raises ``InvalidInput``/``TooManyUrls``
        for a malformed batch and ``StorageError`` when an asynchronous batch cannot be
        queued."""
        cap = self.settings.max_urls_per_request
        if not urls:
            raise InvalidInput("`urls` is empty: submit at least one URL")
        if len(urls) > cap:
            raise TooManyUrls(
                f"{len(urls)} URLs submitted; at most {cap} are accepted per request."
                " Split the batch into several requests."
            )
        self._check_webhook(webhook)
        results, accepted = self._screen(urls)
        batch_id = self._open_batch(results, webhook)
        is_async = run_async or len(accepted) > self.settings.sync_batch_limit
        if accepted:
            fresh = Freshness(max_age, force)
            done = (
                self._enqueue(accepted, fresh)
                if is_async
                else self._ingest_all(accepted, deadline, fresh=fresh)
            )
            results.update(done)
        self._settle(batch_id, results)
        return Submission(
            mode="async" if is_async else "sync", results=list(results.values()), batch_id=batch_id
        )

    def enqueue(self, urls: Sequence[str], *, webhook: str | None = None) -> Submission:
        """Queue every URL, however many (discovered URLs): one result per distinct URL, in
        order; raises ``StorageError`` when the queue cannot take them."""
        self._check_webhook(webhook)
        results, accepted = self._screen(urls)
        batch_id = self._open_batch(results, webhook)
        if accepted:
            results.update(self._enqueue(accepted))
        self._settle(batch_id, results)
        return Submission(mode="async", results=list(results.values()), batch_id=batch_id)

    def ingest(
        self,
        urls: Sequence[str],
        *,
        on_result: OnResult = _ignore,
        max_age: int | None = None,
        force: bool = False,
    ) -> list[SubmissionResult]:
        """Ingest every URL now, however many (the CLI): one result per distinct URL, in
        order; ``on_result`` is called as each one is known (``max_age`` and ``force`` as
        for ``submit``)."""
        return self.ingest_batch(urls, on_result=on_result, max_age=max_age, force=force).results

    def ingest_batch(
        self,
        urls: Sequence[str],
        *,
        on_result: OnResult = _ignore,
        max_age: int | None = None,
        force: bool = False,
    ) -> Submission:
        """``ingest``, answered as a ``Submission`` carrying the batch id."""
        results, accepted = self._screen(urls)
        batch_id = self._open_batch(results, None)
        for result in results.values():
            if result.status == "rejected":
                on_result(result)
        fresh = Freshness(max_age, force)
        results.update(self._ingest_all(accepted, None, on_result, fresh))
        self._settle(batch_id, results)
        return Submission(mode="sync", results=list(results.values()), batch_id=batch_id)

    # -- batches ------------------------------------------------------------------------------

    def _check_webhook(self, webhook: str | None) -> None:
        """Refuse a webhook the fetcher's rules refuse, or one nobody could sign."""
        if webhook is None:
            return
        from core.fetch import FetchPolicy, UrlRejected, validate_url

        try:
            validate_url(webhook, FetchPolicy.from_settings(self.settings))
        except UrlRejected as error:
            raise InvalidWebhook(f"webhook refused ({error.code.value}): {error.message}") from None
        settings = self.settings
        if not (
            settings.webhook_secret or (settings.backend == "aws" and settings.webhook_secret_arn)
        ):
            raise WebhookNotConfigured(
                "this deployment has no webhook signing key (ARTICLE_INGEST_WEBHOOK_SECRET)"
            )

    def _open_batch(self, results: dict[str, SubmissionResult], webhook: str | None) -> str | None:
        """Store the batch of ``results`` before anything is dispatched; None (logged) when
        the batch store fails: the URLs are processed all the same."""
        if not self.services.tracks_batches:
            if webhook is not None:
                raise WebhookNotConfigured("this deployment keeps no batches (no batches table)")
            return None
        try:
            return self.services.batch_tracker.open(_outcomes(results), webhook=webhook)
        except StorageError as error:
            if webhook is not None:
                raise  # the caller asked to be told: never accept what cannot be followed
            logger.warning("no batch for this submission: %s", error.message)
            return None

    def _settle(self, batch_id: str | None, results: dict[str, SubmissionResult]) -> None:
        """Move the batch's items to the results known now (the indexer moves the rest)."""
        if batch_id is None:
            return
        try:
            self.services.batch_tracker.settle(batch_id, _outcomes(results))
        except StorageError as error:
            logger.warning("batch %s not updated: %s", batch_id, error.message)

    def _screen(self, urls: Sequence[str]) -> tuple[dict[str, SubmissionResult], dict[str, str]]:
        """Validate every URL; results keyed (in order) by id, plus the accepted id → URL."""
        from core.fetch import FetchPolicy, UrlRejected, validate_url

        policy = FetchPolicy.from_settings(self.settings)
        results: dict[str, SubmissionResult] = {}
        accepted: dict[str, str] = {}
        for url in urls:
            try:
                validate_url(url, policy)
                the_id = article_id(url, options_key(self.options))
            except UrlRejected as error:
                results.setdefault(
                    f"rejected:{url}", _rejected(url, error.code.value, error.message)
                )
                continue
            except ValueError as error:  # courlan may refuse what the validator let through
                results.setdefault(f"rejected:{url}", _rejected(url, "invalid_url", str(error)))
                continue
            if the_id in results:
                continue  # a duplicate (same normalised URL): the first occurrence answers
            results[the_id] = SubmissionResult(url=url, id=the_id, status="queued")
            accepted[the_id] = url
        return results, accepted

    def _ingest_one(
        self, url: str, deadline: float | None, fresh: Freshness | None = None
    ) -> SubmissionResult | None:
        """Run the pipeline for ``url``; None when the deadline came before its fetch ended."""
        from core.pipeline import OutOfTime

        fresh = fresh or Freshness()
        try:
            ingested = self.services.pipeline.refresh(
                url,
                deadline=deadline,
                max_age=fresh.max_age,
                force=fresh.force,
                options=self.options,
            )
        except OutOfTime:
            return None
        except DomainError as error:
            retryable = isinstance(error, StorageError | VersionConflict)
            logger.warning("ingesting %s failed: %s", url, error.message)
            error_obj = ArticleError(code=error.code, message=error.message, retryable=retryable)
            return _failed(url, error_obj, self.options)
        except Exception:
            logger.exception("unexpected failure ingesting %s", url)
            error_obj = ArticleError(
                code="internal_error",
                message="an unexpected error stopped this URL; it may succeed if retried",
                retryable=True,
            )
            return _failed(url, error_obj, self.options)
        article = ingested.article
        return SubmissionResult(
            url=url,
            id=article.id,
            status=article.status.value,
            article=article,
            error=article.error,
            change=ingested.change.value if ingested.change else None,
        )

    def _ingest_all(
        self,
        accepted: dict[str, str],
        deadline: float | None,
        on_result: OnResult = _ignore,
        fresh: Freshness | None = None,
    ) -> dict[str, SubmissionResult]:
        """Ingest the accepted URLs in a thread pool; those not done by ``deadline`` are
        queued (their threads finish in the background; the worker then finds them done)."""
        if not accepted:
            return {}
        workers = max(1, min(len(accepted), self.settings.fetch_workers))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="submit")
        futures: dict[Future[SubmissionResult | None], str] = {}
        for the_id, url in accepted.items():
            future = pool.submit(self._ingest_one, url, deadline, fresh)
            future.add_done_callback(_report(on_result))
            futures[future] = the_id
        try:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            wait(futures, timeout=timeout)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        results: dict[str, SubmissionResult] = {}
        late: dict[str, str] = {}
        for future, the_id in futures.items():
            result = future.result() if future.done() and not future.cancelled() else None
            if result is None:
                late[the_id] = accepted[the_id]
            else:
                results[the_id] = result
        if late:
            logger.info("time budget spent: queueing %d URL(s)", len(late))
            results.update(self._queue_late(late, fresh))
        return {the_id: results[the_id] for the_id in accepted}

    def _queue_late(
        self, late: dict[str, str], fresh: Freshness | None = None
    ) -> dict[str, SubmissionResult]:
        """Queue URLs a synchronous batch had no time for; a failed send fails only them."""
        try:
            return self._enqueue(late, fresh)
        except StorageError as error:
            failure = ArticleError(code=error.code, message=error.message, retryable=True)
            return {the_id: _failed(url, failure, self.options) for the_id, url in late.items()}

    def _enqueue(
        self, accepted: dict[str, str], fresh: Freshness | None = None
    ) -> dict[str, SubmissionResult]:
        """Queue first, then record placeholders: a failed send leaves nothing half-done."""
        now = datetime.now(UTC)
        fresh = fresh or Freshness()
        requests = [
            IngestRequest(
                url=url,
                id=the_id,
                requested_at=now,
                options=self.options,
                max_age=fresh.max_age,
                force=fresh.force,
            )
            for the_id, url in accepted.items()
        ]
        self.services.queue.send(requests)
        if len(requests) <= _SERIAL_PLACEHOLDERS:
            for request in requests:
                self._placeholder(request)
        else:  # a discovered batch: hundreds of get/put round trips, in parallel
            workers = min(self.settings.fetch_workers, len(requests))
            with ThreadPoolExecutor(workers, thread_name_prefix="placeholder") as pool:
                list(pool.map(self._placeholder, requests))
        return {
            request.id: SubmissionResult(url=request.url, id=request.id, status="queued")
            for request in requests
        }

    def _placeholder(self, request: IngestRequest) -> None:
        """Store a ``queued`` article unless one is stored already (never overwrite)."""
        from core.pipeline import hostname_of

        articles = self.services.articles
        try:
            if articles.get(request.id) is None:
                articles.put(
                    Article(
                        id=request.id,
                        url=request.url,
                        hostname=hostname_of(request.url),
                        status=ArticleStatus.QUEUED,
                        version=0,
                        **({"options": request.options} if request.options else {}),
                    )
                )
        except VersionConflict:
            pass  # the worker (or another request) stored it first
        except StorageError as error:
            # The request is queued and will be processed; only the placeholder is missing.
            logger.warning("no queued placeholder for %s: %s", request.id, error.message)


def _failed(
    url: str, error: ArticleError, options: ExtractionOptions | None = None
) -> SubmissionResult:
    """The result of a URL that failed outside the pipeline (its failed Article not stored)."""
    from core.pipeline import failed_article

    article = failed_article(url, error, options=options)
    return SubmissionResult(
        url=url, id=article.id, status="failed", article=article, error=article.error
    )


def _report(on_result: OnResult) -> Callable[[Future[SubmissionResult | None]], None]:
    """A done-callback passing a finished URL's result to ``on_result``."""

    def done(future: Future[SubmissionResult | None]) -> None:
        if future.cancelled():
            return
        result = future.result()
        if result is not None:
            on_result(result)

    return done


def _outcomes(results: dict[str, SubmissionResult]) -> list[Outcome]:
    """The batch tracker's view of ``results``, in order."""
    return [Outcome(r.url, r.id, r.status, r.error) for r in results.values()]
