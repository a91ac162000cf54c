"""The ingestion pipeline: URL → fetch → raw store → extract → article store.

``fetch`` and ``ingest_fetched`` are separate steps, so a caller can look at a fetch outcome
(the intake schedules retries) before the bytes are kept and extracted; ``ingest`` does both.
Every failed article is built by ``failed_article`` and written by ``record_failure``, which
never replaces a good stored article, not even after losing a version race.

Indexing happens downstream: the stored article's change feeds the indexer (the DynamoDB
stream on AWS, the SQLite outbox locally). The raw object is always written before the
metadata that points at it, so a crash in between leaves at most an orphan object.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from core.errors import ExtractionFailed, VersionConflict
from core.extraction_options import ExtractionOptions, options_key
from core.fetch import FetchOutcome, FetchResult, looks_like_challenge
from core.ids import article_id
from core.models import Article, ArticleError, ArticleStatus
from core.ports import ArticleStore, Fetcher, PageExtractor, PageInput, RawHtmlStore, RawPage

logger = logging.getLogger(__name__)

# A conditional write that loses a race is re-read and retried this many times.
MAX_WRITE_ATTEMPTS = 3
#: A fetch that timed out this close to the caller's deadline was cut by that deadline.
_DEADLINE_SLACK_S = 0.1


class OutOfTime(Exception):
    """The caller's time budget ran out before this URL was fetched; nothing was stored."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the time budget ran out before {url} was fetched")
        self.url = url


def hostname_of(url: str | None) -> str | None:
    """The host of ``url`` (what ``?site=`` lists by), or None."""
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def failed_article(
    url: str,
    error: ArticleError,
    result: FetchResult | None = None,
    *,
    raw_uri: str | None = None,
    options: ExtractionOptions | None = None,
) -> Article:
    """The ``failed`` Article for ``url`` (extracted with ``options``: the one place one is
    built); not stored."""
    final_url = result.final_url if result else None
    return Article(
        id=article_id(url, options_key(options)),
        url=url,
        final_url=final_url,
        hostname=hostname_of(final_url) or hostname_of(url),
        status=ArticleStatus.FAILED,
        http_status=result.http_status if result else None,
        content_type=result.content_type if result else None,
        raw_html_uri=raw_uri,
        fetched_at=(result.fetched_at if result else None) or datetime.now(UTC),
        error=error,
        **({"options": options} if options is not None else {}),
    )


def is_good(article: Article | None) -> bool:
    """Whether ``article`` holds an extraction that a failure must never replace."""
    if article is None or article.status is ArticleStatus.FAILED:
        return False
    return article.status in (ArticleStatus.EXTRACTED, ArticleStatus.INDEXED) or bool(article.text)


def cut_by_deadline(result: FetchResult, deadline: float | None) -> bool:
    """Whether ``result`` timed out because the caller's ``deadline`` passed."""
    return (
        deadline is not None
        and result.outcome is FetchOutcome.TIMEOUT
        and time.monotonic() >= deadline - _DEADLINE_SLACK_S
    )


@dataclass
class IngestPipeline:
    """Fetches, keeps, extracts and stores one URL at a time (thread-safe)."""

    fetcher: Fetcher
    raw_store: RawHtmlStore
    articles: ArticleStore
    extractor: PageExtractor

    def ingest(
        self,
        url: str,
        *,
        deadline: float | None = None,
        options: ExtractionOptions | None = None,
    ) -> Article:
        """Fetch and ingest ``url`` (extracted with ``options``, None: the defaults); failures
        come back as a ``failed`` Article. Raises ``OutOfTime`` (storing nothing) when
        ``deadline`` cut the fetch short."""
        result = self.fetch(url, deadline=deadline)
        return self.ingest_fetched(url, result, options)

    def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
        """Fetch ``url`` within ``deadline`` (a ``time.monotonic()`` instant); raises
        ``OutOfTime`` when the deadline, not the page, ended the fetch."""
        if deadline is not None and time.monotonic() >= deadline:
            raise OutOfTime(url)
        result = self.fetcher.fetch(url, deadline=deadline)
        if cut_by_deadline(result, deadline):
            raise OutOfTime(url)
        return result

    def ingest_fetched(
        self, url: str, result: FetchResult, options: ExtractionOptions | None = None
    ) -> Article:
        """Keep, extract and store the outcome of fetching ``url``. A failed fetch, a page
        without article text or an extraction that fails or raises ends as a stored
        ``failed`` Article (never retried: the same bytes fail the same way). Store errors
        propagate. ``options``: the extraction options (None: the defaults), part of the id."""
        the_id = article_id(url, options_key(options))
        if not result.ok:
            return self.record_failure(url, result.to_error(), result, options=options)
        existing = self.articles.get(the_id)
        content_sha256 = hashlib.sha256(result.body).hexdigest()
        if existing and existing.content_sha256 == content_sha256 and existing.text:
            logger.info("unchanged content for %s", url)
            return existing
        raw_uri = self.raw_store.put(
            RawPage(the_id, content_sha256, result.body, result.content_type, result.charset)
        )
        page = PageInput(
            body=result.body,
            url=url,
            article_id=the_id,
            final_url=result.final_url,
            http_status=result.http_status,
            content_type=result.content_type,
            http_charset=result.charset,
            content_sha256=content_sha256,
            options=options,
        )
        try:
            article = self.extractor.assemble(page)
        except ExtractionFailed as failure:
            error = ArticleError(
                code=failure.code,
                message=failure.message,
                retryable=False,
                http_status=result.http_status,
            )
            return self.record_failure(url, error, result, raw_uri=raw_uri, options=options)
        except Exception as crash:  # a bug on one page must not loop through redeliveries
            logger.exception("extracting %s raised", url)
            error = ArticleError(
                code="extraction_error",
                message=f"extraction stopped with {type(crash).__name__}",
                retryable=False,
                http_status=result.http_status,
            )
            return self.record_failure(url, error, result, raw_uri=raw_uri, options=options)
        if article is None:
            challenge = looks_like_challenge(result)
            error = ArticleError(
                code=(
                    FetchOutcome.BLOCKED_BY_SITE if challenge else FetchOutcome.EMPTY_EXTRACTION
                ).value,
                message="the site answered with a bot challenge instead of the page"
                if challenge
                else "the page answered but holds no article text",
                retryable=False,
                http_status=result.http_status,
            )
            return self.record_failure(url, error, result, raw_uri=raw_uri, options=options)
        article = article.model_copy(
            update={"raw_html_uri": raw_uri, "fetched_at": result.fetched_at}
        )
        return self._store(article, existing)

    def record_failure(
        self,
        url: str,
        error: ArticleError,
        result: FetchResult | None = None,
        *,
        raw_uri: str | None = None,
        options: ExtractionOptions | None = None,
    ) -> Article:
        """Store ``url`` (extracted with ``options``) as ``failed`` unless a good article is
        stored, re-checking after a lost version race. Returns the failed Article (stored or
        not)."""
        failed = failed_article(url, error, result, raw_uri=raw_uri, options=options)
        current = self.articles.get(failed.id)
        for _ in range(MAX_WRITE_ATTEMPTS):
            if is_good(current):
                assert current is not None
                logger.warning("keeping stored %s after failure %s", failed.id, error.code)
                return failed.model_copy(update={"version": current.version})
            try:
                return self.articles.put(
                    failed.model_copy(update={"version": current.version if current else 0})
                )
            except VersionConflict:
                logger.info("lost a write race on %s while recording a failure", failed.id)
                current = self.articles.get(failed.id)
        raise VersionConflict(f"article {failed.id} kept changing while recording a failure")

    def _store(self, article: Article, current: Article | None) -> Article:
        """Write ``article`` over ``current`` (the version last read), re-reading on a race."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            version = current.version if current else 0
            try:
                return self.articles.put(article.model_copy(update={"version": version}))
            except VersionConflict:
                logger.info("lost a write race on %s, retrying", article.id)
                current = self.articles.get(article.id)
        raise VersionConflict(f"article {article.id} kept changing under us")
