"""Submitting URLs: validate each one, collapse duplicates, ingest now or queue for later.

The HTTP API and any other front door share this logic. Small batches run through the
pipeline within the request (a bounded thread pool); larger ones, or callers who ask for it,
are queued. Every URL gets its own result: one bad URL never fails the others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from core.errors import DomainError, InvalidInput, StorageError, VersionConflict
from core.ids import article_id
from core.models import Article, ArticleError, ArticleStatus
from core.ports import IngestRequest

if TYPE_CHECKING:
    from core.services import Services

logger = logging.getLogger(__name__)

ResultStatus = Literal["queued", "fetched", "extracted", "indexed", "failed", "rejected"]


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


class Submission(BaseModel):
    """The answer to one submission: one result per distinct URL, in submission order."""

    mode: Literal["sync", "async"] = Field(
        description="`sync`: processed within the request; `async`: queued for the worker."
    )
    results: list[SubmissionResult]


def _rejected(url: str, code: str, message: str) -> SubmissionResult:
    return SubmissionResult(
        url=url, status="rejected", error=ArticleError(code=code, message=message)
    )


class Submitter:
    """Validates, deduplicates and dispatches submitted URLs (thread-safe)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings

    def submit(self, urls: Sequence[str], *, run_async: bool = False) -> Submission:
        """Process ``urls``; raises ``InvalidInput``/``TooManyUrls`` for a malformed batch and
        ``StorageError`` when an asynchronous batch cannot be queued."""
        cap = self.settings.max_urls_per_request
        if not urls:
            raise InvalidInput("`urls` is empty: submit at least one URL")
        if len(urls) > cap:
            raise TooManyUrls(
                f"{len(urls)} URLs submitted; at most {cap} are accepted per request."
                " Split the batch into several requests."
            )
        results, accepted = self._screen(urls)
        is_async = run_async or len(accepted) > self.settings.sync_batch_limit
        if accepted:
            done = self._enqueue(accepted) if is_async else self._ingest_all(accepted)
            for the_id, result in done.items():
                results[the_id] = result
        return Submission(mode="async" if is_async else "sync", results=list(results.values()))

    def _screen(self, urls: Sequence[str]) -> tuple[dict[str, SubmissionResult], dict[str, str]]:
        """Validate every URL; results keyed (in order) by id, plus the accepted id → URL."""
        from core.fetch import FetchPolicy, UrlRejected, validate_url

        policy = FetchPolicy.from_settings(self.settings)
        results: dict[str, SubmissionResult] = {}
        accepted: dict[str, str] = {}
        for url in urls:
            try:
                validate_url(url, policy)
                the_id = article_id(url)
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

    def _ingest_one(self, url: str) -> SubmissionResult:
        the_id = article_id(url)
        try:
            article = self.services.pipeline.ingest(url)
        except DomainError as error:
            retryable = isinstance(error, StorageError | VersionConflict)
            logger.warning("ingesting %s failed: %s", url, error.message)
            error_obj = ArticleError(code=error.code, message=error.message, retryable=retryable)
            return SubmissionResult(url=url, id=the_id, status="failed", error=error_obj)
        except Exception:
            logger.exception("unexpected failure ingesting %s", url)
            error_obj = ArticleError(
                code="internal_error",
                message="an unexpected error stopped this URL; it may succeed if retried",
                retryable=True,
            )
            return SubmissionResult(url=url, id=the_id, status="failed", error=error_obj)
        return SubmissionResult(
            url=url,
            id=article.id,
            status=article.status.value,
            article=article,
            error=article.error,
        )

    def _ingest_all(self, accepted: dict[str, str]) -> dict[str, SubmissionResult]:
        workers = max(1, min(len(accepted), self.settings.fetch_workers))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="submit") as pool:
            done = pool.map(self._ingest_one, accepted.values())
            return dict(zip(accepted, done, strict=True))

    def _enqueue(self, accepted: dict[str, str]) -> dict[str, SubmissionResult]:
        """Queue first, then record placeholders: a failed send leaves nothing half-done."""
        now = datetime.now(UTC)
        requests = [
            IngestRequest(url=url, id=the_id, requested_at=now) for the_id, url in accepted.items()
        ]
        self.services.queue.send(requests)
        for request in requests:
            self._placeholder(request)
        return {
            request.id: SubmissionResult(url=request.url, id=request.id, status="queued")
            for request in requests
        }

    def _placeholder(self, request: IngestRequest) -> None:
        """Store a ``queued`` article unless one is stored already (never overwrite)."""
        articles = self.services.articles
        try:
            if articles.get(request.id) is None:
                articles.put(
                    Article(id=request.id, url=request.url, status=ArticleStatus.QUEUED, version=0)
                )
        except VersionConflict:
            pass  # the worker (or another request) stored it first
        except StorageError as error:
            # The request is queued and will be processed; only the placeholder is missing.
            logger.warning("no queued placeholder for %s: %s", request.id, error.message)
