"""The dependency container: every adapter, built lazily from one ``Settings``.

Entry points (CLI, ``serve``, Lambda handlers) create one ``Services`` and ask it for what
they need; nothing is connected or imported until first use, which keeps cold starts short
and lets the local and AWS families swap behind the same ports. This is the one place that
chooses an adapter: the rest of the code asks ``Services`` and sees only ports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from core.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )

    from core.adapters.aws.s3_raw_store import S3RawStore
    from core.adapters.local.sqlite import SqliteDatabase
    from core.batches.delivery import WebhookDeliverer
    from core.batches.tracking import BatchTracker
    from core.fetch.post import SafePoster
    from core.pipeline import IngestPipeline
    from core.ports import (
        ArticleStore,
        BatchStore,
        DocumentFetcher,
        EventBus,
        FingerprintIndex,
        IngestQueue,
        PageExtractor,
        RawHtmlStore,
        RawLinks,
        SearchIndex,
        VersionLog,
        WebhookQueue,
    )


T = TypeVar("T")


class shared_property(Generic[T]):
    """``cached_property`` that builds its value once even when threads race for it.

    ``functools.cached_property`` has no lock (since Python 3.12): two threads asking for an
    adapter at once would both build it, and two SQLite schema set-ups would collide.
    """

    def __init__(self, build: Callable[[Any], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, instance: None, owner: type) -> shared_property[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object | None, owner: type) -> T | shared_property[T]:
        if instance is None:
            return self
        cache = instance.__dict__
        if self.name not in cache:
            with cache["_build_lock"]:
                if self.name not in cache:
                    cache[self.name] = self.build(instance)
        value: T = cache[self.name]
        return value


class Services:
    """Lazily built adapters for one configuration (safe to share between threads)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        # Re-entrant: building the pipeline builds the fetcher and the stores.
        self._build_lock = threading.RLock()

    @property
    def is_local(self) -> bool:
        """Whether this is the embedded default (filesystem + SQLite)."""
        return self.settings.backend == "local"

    @shared_property
    def db(self) -> SqliteDatabase:
        """The local SQLite database (embedded default only)."""
        from core.adapters.local.sqlite import SqliteDatabase

        return SqliteDatabase(self.settings.db_path)

    @shared_property
    def raw_store(self) -> RawHtmlStore:
        """Where raw page bytes are kept."""
        if self.is_local:
            from core.adapters.local.raw_store import FilesystemRawStore

            return FilesystemRawStore(self.settings.data_dir)
        return self._s3_raw_store

    @shared_property
    def raw_links(self) -> RawLinks | None:
        """Direct download links to raw objects: S3 presigned URLs on AWS; None locally, where
        the API serves the bytes itself."""
        if self.is_local:
            return None
        return self._s3_raw_store

    @shared_property
    def _s3_raw_store(self) -> S3RawStore:
        """The S3 raw store behind both ``raw_store`` and ``raw_links`` (aws backend)."""
        from core.adapters.aws.s3_raw_store import S3RawStore

        return S3RawStore(self.settings)

    @shared_property
    def articles(self) -> ArticleStore:
        """Article metadata."""
        if self.is_local:
            from core.adapters.local.article_store import SqliteArticleStore

            return SqliteArticleStore(self.db)
        from core.adapters.aws.dynamodb_article_store import DynamoArticleStore

        return DynamoArticleStore(self.settings, raw_store=self.raw_store)

    @shared_property
    def versions(self) -> VersionLog:
        """The earlier content versions of articles (``core.versions``)."""
        if self.is_local:
            from core.adapters.local.versions import SqliteVersionLog

            return SqliteVersionLog(self.db)
        from core.adapters.aws.s3_versions import S3VersionLog

        return S3VersionLog(self.settings, self._s3_raw_store.clients)

    @shared_property
    def search_index(self) -> SearchIndex:
        """The keyword index."""
        if self.is_local:
            from core.adapters.local.search_index import SqliteSearchIndex

            return SqliteSearchIndex(self.db)
        from core.adapters.aws.dynamodb_search_index import DynamoSearchIndex

        return DynamoSearchIndex(self.settings)

    @shared_property
    def fingerprints(self) -> FingerprintIndex:
        """SimHash band buckets for near-duplicate detection."""
        if self.is_local:
            from core.adapters.local.fingerprints import SqliteFingerprintIndex

            return SqliteFingerprintIndex(self.db)
        from core.adapters.aws.dynamodb_fingerprints import DynamoFingerprintIndex

        return DynamoFingerprintIndex.from_settings(self.settings)

    @shared_property
    def queue(self) -> IngestQueue:
        """The intake queue for asynchronous ingestion."""
        if self.is_local:
            from core.adapters.local.queue import SqliteIngestQueue

            return SqliteIngestQueue(self.db)
        from core.adapters.aws.sqs_queue import SqsIngestQueue

        return SqsIngestQueue(self.settings)

    @shared_property
    def event_bus(self) -> EventBus:
        """Where article events are published."""
        if self.is_local:
            from core.adapters.local.event_bus import JsonlEventBus

            return JsonlEventBus(self.settings)
        from core.adapters.aws.eventbridge_bus import EventBridgeBus

        return EventBridgeBus(self.settings)

    @shared_property
    def idempotency_store(self) -> BasePersistenceLayer:
        """Where ``Idempotency-Key`` records live (a Powertools persistence layer): the SQLite
        database locally, the idempotency table on AWS."""
        if self.is_local:
            from core.adapters.local.idempotency import SqliteIdempotencyStore

            return SqliteIdempotencyStore(self.db)
        from core.adapters.aws.clients import AwsClients, required

        table = required(self.settings.idempotency_table, "idempotency_table")
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(
            table_name=table, boto3_client=AwsClients(self.settings).dynamodb()
        )

    @shared_property
    def fetcher(self) -> DocumentFetcher:
        """The one safe fetcher every path uses."""
        from core.fetch import FetchPolicy, SafeFetcher

        return SafeFetcher(FetchPolicy.from_settings(self.settings))

    @shared_property
    def extractor(self) -> PageExtractor:
        """Where pages are extracted: the process's pool of extraction workers (one per core,
        one on Lambda; see ``core.extraction_pool``), shared by every ``Services`` with the
        same extraction settings."""
        from core.extraction_pool import PoolLimits, shared_pool

        return shared_pool(PoolLimits.from_settings(self.settings))

    @shared_property
    def pipeline(self) -> IngestPipeline:
        """Fetch → raw store → extract → article store."""
        from core.pipeline import IngestPipeline

        return IngestPipeline(
            self.fetcher, self.raw_store, self.articles, self.extractor, versions=self.versions
        )

    @property
    def tracks_batches(self) -> bool:
        """Whether batches are kept: always locally; on AWS when the batches table is set."""
        return self.is_local or bool(self.settings.batches_table)

    @shared_property
    def batches(self) -> BatchStore:
        """Batches of submitted URLs and their progress."""
        if self.is_local:
            from core.adapters.local.batches import SqliteBatchStore

            return SqliteBatchStore(self.db)
        from core.adapters.aws.dynamodb_batches import DynamoBatchStore

        return DynamoBatchStore(self.settings)

    @shared_property
    def webhook_queue(self) -> WebhookQueue:
        """The queue of batch webhook deliveries."""
        if self.is_local:
            from core.adapters.local.webhook_queue import SqliteWebhookQueue

            return SqliteWebhookQueue(self.db)
        from core.adapters.aws.sqs_webhook_queue import SqsWebhookQueue

        return SqsWebhookQueue(self.settings)

    @shared_property
    def batch_tracker(self) -> BatchTracker:
        """Opens batches and moves their items (submissions, the indexer)."""
        from core.batches.tracking import BatchTracker

        return BatchTracker(self.batches, self.webhook_queue)

    @shared_property
    def webhook_poster(self) -> SafePoster:
        """POSTs webhooks under the fetcher's address rules."""
        from core.fetch import FetchPolicy
        from core.fetch.post import SafePoster

        return SafePoster(FetchPolicy.from_settings(self.settings))

    def webhook_secret(self) -> str | None:
        """The webhook signing key: ``webhook_secret``, else (aws) the Secrets Manager secret
        ``webhook_secret_arn`` (read once per process)."""
        if self.settings.webhook_secret or self.is_local:
            return self.settings.webhook_secret
        return self._aws_webhook_secret

    @shared_property
    def _aws_webhook_secret(self) -> str | None:
        arn = self.settings.webhook_secret_arn
        if not arn:
            return None
        from core.adapters.aws.secrets import read_secret

        return read_secret(self.settings, arn)

    @shared_property
    def webhook_deliverer(self) -> WebhookDeliverer:
        """Delivers finished batches' webhooks (one attempt per queue message)."""
        from core.batches.delivery import WebhookDeliverer

        settings = self.settings
        return WebhookDeliverer(
            self.batches,
            self.webhook_queue,
            self.webhook_poster,
            self.webhook_secret,
            max_attempts=settings.webhook_max_attempts,
            base_delay_s=settings.webhook_retry_base_delay_s,
            timeout_s=settings.webhook_timeout_s,
        )
