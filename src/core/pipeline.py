"""The ingestion pipeline: URL → fetch → raw store → extract → article store.

Indexing happens downstream: the stored article's change feeds the indexer (the DynamoDB
stream on AWS, the SQLite outbox locally). The raw object is always written before the
metadata that points at it, so a crash in between leaves at most an orphan object.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from core.assemble import sha256_hex
from core.errors import ExtractionFailed, VersionConflict
from core.fetch import FetchOutcome, FetchResult, looks_like_challenge
from core.ids import article_id
from core.models import Article, ArticleError, ArticleStatus
from core.ports import ArticleStore, PageExtractor, PageInput, RawHtmlStore, RawPage

logger = logging.getLogger(__name__)

# A conditional write that loses a race is re-read and retried this many times.
MAX_WRITE_ATTEMPTS = 3


class Fetcher(Protocol):
    """What the pipeline needs from ``core.fetch.SafeFetcher``."""

    def fetch(self, url: str) -> FetchResult: ...


@dataclass
class IngestPipeline:
    """Fetches, keeps, extracts and stores one URL at a time (thread-safe)."""

    fetcher: Fetcher
    raw_store: RawHtmlStore
    articles: ArticleStore
    extractor: PageExtractor

    def ingest(self, url: str) -> Article:
        """Run the pipeline for ``url``; failures come back as a ``failed`` Article."""
        the_id = article_id(url)
        result = self.fetcher.fetch(url)
        existing = self.articles.get(the_id)
        if not result.ok:
            return self._fail(existing, the_id, url, result.to_error(), result)
        content_sha256 = sha256_hex(result.body)
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
            return self._fail(existing, the_id, url, error, result, raw_uri=raw_uri)
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
            return self._fail(existing, the_id, url, error, result, raw_uri=raw_uri)
        article = article.model_copy(
            update={"raw_html_uri": raw_uri, "fetched_at": result.fetched_at}
        )
        return self._store(article, existing)

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

    def _fail(
        self,
        existing: Article | None,
        the_id: str,
        url: str,
        error: ArticleError,
        result: FetchResult,
        raw_uri: str | None = None,
    ) -> Article:
        """Record a failure without ever replacing a good stored article."""
        failed = Article(
            id=the_id,
            url=url,
            final_url=result.final_url,
            status=ArticleStatus.FAILED,
            http_status=result.http_status,
            content_type=result.content_type,
            raw_html_uri=raw_uri,
            fetched_at=result.fetched_at or datetime.now(UTC),
            error=error,
        )
        if existing and existing.status is not ArticleStatus.FAILED and existing.text:
            logger.warning("keeping stored %s after failure %s", the_id, error.code)
            return failed.model_copy(update={"version": existing.version})
        return self._store(failed, existing)
