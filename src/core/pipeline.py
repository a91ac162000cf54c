"""The ingestion pipeline: URL → fetch → raw store → extract → article store.

``fetch`` and ``ingest_fetched`` are separate steps, so a caller can look at a fetch outcome
(the intake schedules retries) before the bytes are kept and extracted; ``ingest`` does both.
Every failed article is built by ``failed_article`` and written by ``record_failure``, which
never replaces a good stored article, not even after losing a version race.

A refetch of a stored page is conditional (its ETag / Last-Modified) and becomes a new content
version only when the extracted text or title changed (``core.versions``); a 304, the same
bytes or the same text only move ``checked_at``. ``refresh`` says which (``Change``) and
returns a copy checked within ``max_age`` seconds without fetching.

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
from enum import StrEnum
from urllib.parse import urlsplit

from core.errors import ExtractionFailed, VersionConflict
from core.extraction_options import ExtractionOptions, options_key
from core.fetch import FetchOutcome, FetchResult, Validators, looks_like_challenge
from core.ids import article_id
from core.models import Article, ArticleError, ArticleStatus
from core.ports import (
    ArticleStore,
    Fetcher,
    PageExtractor,
    PageInput,
    RawHtmlStore,
    RawPage,
    VersionLog,
)
from core.versions import ArticleVersion, is_fresh, text_sha256

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


class Change(StrEnum):
    """What a fetch did to the stored copy of a page (``core.versions``)."""

    NEW = "new"  #: the first content version was stored
    CHANGED = "changed"  #: a new content version was stored (the text or title changed)
    UNCHANGED = "unchanged"  #: fetched again with the same text: only ``checked_at`` moved
    NOT_MODIFIED = "not_modified"  #: the site answered 304: only ``checked_at`` moved
    CACHED = "cached"  #: checked within ``max_age``: the stored copy, not fetched


@dataclass(frozen=True)
class Ingested:
    """The article after one pipeline run, and what the run changed (None: it failed)."""

    article: Article
    change: Change | None = None


def content_number(article: Article | None) -> int:
    """The content version of a stored article (1 for a good one stored before versions)."""
    if not is_good(article):
        return 0
    assert article is not None
    return max(article.content_version, 1)


def validators_of(article: Article | None) -> Validators | None:
    """What a conditional refetch of a good stored ``article`` sends, or None."""
    if not is_good(article) or article is None:
        return None
    if not (article.etag or article.last_modified):
        return None
    return Validators(etag=article.etag, last_modified=article.last_modified)


def _declared_only_challenge(article: Article, result: FetchResult) -> bool:
    """Whether ``article`` is only the page's declared description (what extraction gives a
    page with no text of its own) on a bot challenge: that page is the challenge, not the
    article, and it fails ``blocked_by_site`` as a challenge with no description does."""
    return (
        bool(article.text) and article.text == article.description and looks_like_challenge(result)
    )


@dataclass
class IngestPipeline:
    """Fetches, keeps, extracts and stores one URL at a time (thread-safe)."""

    fetcher: Fetcher
    raw_store: RawHtmlStore
    articles: ArticleStore
    extractor: PageExtractor
    versions: VersionLog | None = None

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
        return self.refresh(url, deadline=deadline, options=options).article

    def refresh(
        self,
        url: str,
        *,
        deadline: float | None = None,
        max_age: int | None = None,
        force: bool = False,
        options: ExtractionOptions | None = None,
    ) -> Ingested:
        """Ingest ``url`` (extracted with ``options``) unless a good copy was checked within
        ``max_age`` seconds; a good stored copy makes the fetch conditional (ETag /
        Last-Modified) unless ``force``."""
        existing = self.articles.get(article_id(url, options_key(options)))
        if not force and existing is not None and is_good(existing) and is_fresh(existing, max_age):
            return Ingested(existing, Change.CACHED)
        validators = None if force else validators_of(existing)
        result = self.fetch(url, deadline=deadline, validators=validators)
        return self.ingest_fetched_change(url, result, options)

    def fetch(
        self, url: str, *, deadline: float | None = None, validators: Validators | None = None
    ) -> FetchResult:
        """Fetch ``url`` within ``deadline`` (a ``time.monotonic()`` instant), conditionally
        when ``validators`` are given; raises ``OutOfTime`` when the deadline, not the page,
        ended the fetch."""
        if deadline is not None and time.monotonic() >= deadline:
            raise OutOfTime(url)
        if validators is None:  # fetchers that know nothing of validators keep working
            result = self.fetcher.fetch(url, deadline=deadline)
        else:
            result = self.fetcher.fetch(url, deadline=deadline, validators=validators)
        if cut_by_deadline(result, deadline):
            raise OutOfTime(url)
        return result

    def ingest_fetched(
        self, url: str, result: FetchResult, options: ExtractionOptions | None = None
    ) -> Article:
        """``ingest_fetched_change`` without saying what changed."""
        return self.ingest_fetched_change(url, result, options).article

    def ingest_fetched_change(
        self, url: str, result: FetchResult, options: ExtractionOptions | None = None
    ) -> Ingested:
        """Keep, extract and store the outcome of fetching ``url``. A failed fetch, a page
        without article text or an extraction that fails or raises ends as a stored
        ``failed`` Article (never retried: the same bytes fail the same way; never over a
        good stored copy). A 304, the same bytes or the same text only move ``checked_at``;
        a different text is a new content version. Store errors propagate. ``options``: the
        extraction options (None: the defaults), part of the id."""
        the_id = article_id(url, options_key(options))
        if result.not_modified:
            existing = self.articles.get(the_id)
            if is_good(existing):
                assert existing is not None
                return Ingested(self._check(existing, result), Change.NOT_MODIFIED)
            error = ArticleError(
                code=FetchOutcome.HTTP_ERROR.value,
                message="HTTP 304 Not Modified, but no copy of the page is stored",
                retryable=True,
                http_status=304,
            )
            return Ingested(self.record_failure(url, error, result, options=options))
        if not result.ok:
            return Ingested(self.record_failure(url, result.to_error(), result, options=options))
        existing = self.articles.get(the_id)
        content_sha256 = hashlib.sha256(result.body).hexdigest()
        if is_good(existing) and existing and existing.content_sha256 == content_sha256:
            logger.info("unchanged content for %s", url)
            return Ingested(self._check(existing, result), Change.UNCHANGED)
        raw = RawPage(the_id, content_sha256, result.body, result.content_type, result.charset)
        # A first fetch keeps its bytes before extracting them (whatever extraction does, the
        # page is kept); a refetch of a good copy keeps them only if they prove a new version
        # or a failure, so a page whose bytes change on every load leaves nothing behind.
        raw_uri = None if is_good(existing) else self.raw_store.put(raw)
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
            return Ingested(self._fail_kept(url, error, result, raw, raw_uri, options))
        except Exception as crash:  # a bug on one page must not loop through redeliveries
            logger.exception("extracting %s raised", url)
            error = ArticleError(
                code="extraction_error",
                message=f"extraction stopped with {type(crash).__name__}",
                retryable=False,
                http_status=result.http_status,
            )
            return Ingested(self._fail_kept(url, error, result, raw, raw_uri, options))
        if article is None or _declared_only_challenge(article, result):
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
            return Ingested(self._fail_kept(url, error, result, raw, raw_uri, options))
        article = article.model_copy(
            update={
                "fetched_at": result.fetched_at,
                "checked_at": result.fetched_at,
                "changed_at": result.fetched_at,
                "etag": result.etag,
                "last_modified": result.last_modified,
            }
        )
        return self._store_content(article, existing, raw, result, raw_uri)

    def _fail_kept(
        self,
        url: str,
        error: ArticleError,
        result: FetchResult,
        raw: RawPage,
        raw_uri: str | None,
        options: ExtractionOptions | None = None,
    ) -> Article:
        """Keep the bytes that failed (for diagnosis), then record the failure."""
        raw_uri = raw_uri or self.raw_store.put(raw)
        return self.record_failure(url, error, result, raw_uri=raw_uri, options=options)

    def _store_content(
        self,
        article: Article,
        current: Article | None,
        raw: RawPage,
        result: FetchResult,
        raw_uri: str | None = None,
    ) -> Ingested:
        """Store ``article`` as the next content version over ``current`` (the version last
        read) — or only record a check when its text is the stored one — re-reading on a
        race. The previous version goes to the version log first; ``raw_uri``: the bytes,
        when already kept."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            if is_good(current) and current and text_sha256(current) == text_sha256(article):
                logger.info("same text for %s (new bytes): no new version", article.id)
                return Ingested(self._check(current, result), Change.UNCHANGED)
            if raw_uri is None:
                raw_uri = self.raw_store.put(raw)
            previous = content_number(current)
            if previous and current and self.versions is not None:
                self.versions.record(
                    ArticleVersion.of(current.model_copy(update={"content_version": previous}))
                )
            candidate = article.model_copy(
                update={
                    "raw_html_uri": raw_uri,
                    "content_version": previous + 1,
                    "version": current.version if current else 0,
                }
            )
            try:
                stored = self.articles.put(candidate)
            except VersionConflict:
                logger.info("lost a write race on %s, retrying", article.id)
                current = self.articles.get(article.id)
                continue
            return Ingested(stored, Change.CHANGED if previous else Change.NEW)
        raise VersionConflict(f"article {article.id} kept changing under us")

    def _check(self, current: Article, result: FetchResult) -> Article:
        """Record that the page was checked and found unchanged: ``checked_at`` (and, after a
        200, the validators it sent) move; nothing else does. Re-reads on a race; when the
        content moved meanwhile, the newer article stands as it is."""
        seen = current.content_version
        for _ in range(MAX_WRITE_ATTEMPTS):
            update: dict[str, object] = {
                "checked_at": result.fetched_at or datetime.now(UTC),
                "version": current.version,
            }
            if not result.not_modified:
                update.update(etag=result.etag, last_modified=result.last_modified)
            try:
                return self.articles.put(current.model_copy(update=update))
            except VersionConflict:
                latest = self.articles.get(current.id)
                if latest is None or latest.content_version != seen or not is_good(latest):
                    return latest or current
                current = latest
        raise VersionConflict(f"article {current.id} kept changing while recording a check")

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
