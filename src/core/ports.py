"""Ports: the small interfaces the domain needs from the outside world.

Two adapter families implement them: ``core.adapters.local`` (filesystem + SQLite, the embedded
default) and ``core.adapters.aws`` (S3, DynamoDB, SQS, EventBridge). One contract test suite
(``tests/contract``) runs against both. ``core.services.Services`` chooses the adapters; nothing
else does. ``Fetcher`` has one implementation for both families (``core.fetch.SafeFetcher``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from core.extraction_options import ExtractionOptions
from core.formats import OutputFormat
from core.models import Article, ArticleError, ArticleStatus, PageType
from core.page_request import PageDirectives

if TYPE_CHECKING:
    from core.batches.models import (
        Batch,
        BatchItem,
        BatchMembership,
        DeliveryAttempt,
        ItemStatus,
        WebhookDelivery,
    )
    from core.fetch.outcomes import FetchResult, Validators
    from core.fetch.policy import FetchPolicy
    from core.versions import ArticleVersion


class Fetcher(Protocol):
    """Fetches one URL safely and politely (``core.fetch.SafeFetcher``)."""

    def fetch(
        self, url: str, *, deadline: float | None = None, validators: Validators | None = None
    ) -> FetchResult:
        """The outcome of fetching ``url`` (never raises for what the site did), cut at
        ``deadline`` (a ``time.monotonic()`` instant) when one is given; with ``validators``
        a conditional GET whose 304 answer is the outcome ``not_modified``."""
        ...


class DocumentFetcher(Fetcher, Protocol):
    """A ``Fetcher`` that also reads feeds, sitemaps and robots.txt (``core.discovery``)."""

    @property
    def policy(self) -> FetchPolicy:
        """The fetch policy (ports, private networks, robots) discovery applies to URLs."""
        ...

    def fetch_document(
        self,
        url: str,
        media_types: frozenset[str],
        *,
        deadline: float | None = None,
        check_robots: bool = True,
    ) -> FetchResult:
        """Like ``fetch`` for a non-HTML document of one of ``media_types``."""
        ...


@dataclass(frozen=True)
class PageInput:
    """The bytes of one page and what we know about where they came from."""

    body: bytes
    url: str
    article_id: str
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    http_charset: str | None = None
    content_sha256: str | None = None  # the raw store's hash of ``body``, when already taken
    options: ExtractionOptions | None = None  # None: the defaults (``Article.options``)


class PageExtractor(Protocol):
    """Turns page bytes into an Article (``core.extract.assemble``), within a budget."""

    def assemble(self, page: PageInput) -> Article | None:
        """The extracted Article, or None when the page holds no article; raises
        ``ExtractionFailed`` when the page is over budget or its extraction crashed."""
        ...

    def render(
        self,
        html: str,
        url: str | None,
        output_format: OutputFormat,
        options: ExtractionOptions | None = None,
        guide: str | None = None,
    ) -> str | None:
        """The main content of decoded ``html`` in ``output_format`` extracted with
        ``options`` (``core.extract.rendering.render``; ``guide``: the Article's text, which
        txt, markdown and HTML then hold), or None when there is none; raises
        ``ExtractionFailed`` like ``assemble``."""
        ...


@dataclass(frozen=True)
class RawPage:
    """The bytes of a page exactly as they arrived, with what is needed to read them back."""

    article_id: str
    content_sha256: str
    body: bytes
    content_type: str | None = None
    charset: str | None = None


class ArticleQuery(BaseModel):
    """Filters and paging for listing articles."""

    site: str | None = Field(default=None, description="Hostname or site name.")
    language: str | None = None
    status: ArticleStatus | None = None
    page_type: PageType | None = Field(default=None, description="Kind of page (``page_type``).")
    since: str | None = Field(default=None, description="Earliest publication date, YYYY-MM-DD.")
    until: str | None = Field(default=None, description="Latest publication date, YYYY-MM-DD.")
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, description="Opaque cursor from a previous page.")


class ArticlePage(BaseModel):
    """One page of a listing; ``next_cursor`` is None on the last page."""

    items: list[Article]
    next_cursor: str | None = None


class RawHtmlStore(Protocol):
    """Keeps raw page bytes, gzip at rest, under an immutable key (article id + content hash)."""

    def put(self, page: RawPage) -> str:
        """Store the page (idempotent) and return its URI."""
        ...

    def get(self, uri: str) -> bytes:
        """The original bytes; raises ``NotFound`` when the object is missing."""
        ...

    def exists(self, uri: str) -> bool:
        """Whether the object behind ``uri`` is stored."""
        ...


class RawLinks(Protocol):
    """Short-lived links a client can download a raw object from directly (S3 presigned URLs).

    Optional: ``Services.raw_links`` is None where the API serves the bytes itself (local).
    """

    def presigned_url(self, uri: str, expires_s: int) -> str:
        """A URL that downloads the object behind ``uri`` for ``expires_s`` seconds."""
        ...


class ArticleStore(Protocol):
    """Article metadata with conditional, versioned writes."""

    def get(self, article_id: str) -> Article | None:
        """The stored article, or None."""
        ...

    def put(self, article: Article) -> Article:
        """Write ``article`` if the stored version still equals ``article.version``.

        Returns the stored article with ``version`` incremented and ``updated_at`` set; raises
        ``VersionConflict`` when another writer got there first (or, for version 0, when the
        article already exists).
        """
        ...

    def list(self, query: ArticleQuery) -> ArticlePage:
        """Articles matching the filters, newest publication date first."""
        ...

    def article_from_image(self, image: Mapping[str, Any]) -> Article:
        """The Article in an image of this store's change stream (``NewImage``/``OldImage``
        of a DynamoDB-stream-shaped record): each store reads its own record layout."""
        ...


class VersionLog(Protocol):
    """The content versions an article had before its current one (``core.versions``)."""

    def record(self, version: ArticleVersion) -> None:
        """Keep ``version`` (idempotent: a version, once kept, is never replaced)."""
        ...

    def list(self, article_id: str, *, before: int | None, limit: int) -> list[ArticleVersion]:
        """Up to ``limit`` kept versions of ``article_id`` numbered below ``before`` (all
        when None), newest first."""
        ...


class SearchIndex(Protocol):
    """Keyword search over title and text (see ``core.search``)."""

    def index(self, article: Article) -> None:
        """Add or replace the entries of one article."""
        ...

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 10,
        page_type: PageType | None = None,
    ) -> list[SearchHit]:
        """Ranked hits, best first."""
        ...


class SearchHit(BaseModel):
    """One search result."""

    id: str
    score: float
    title: str | None = None
    url: str
    sitename: str | None = None
    hostname: str | None = None
    language: str | None = None
    date: str | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class FingerprintEntry:
    """One registered fingerprint."""

    article_id: str
    fingerprint: str
    registered_at: datetime


class FingerprintIndex(Protocol):
    """Band buckets of registered SimHashes, for near-duplicate lookup (``core.indexing``)."""

    def register(self, article_id: str, fingerprint: str) -> datetime:
        """Register (idempotently) and return when the article was first registered."""
        ...

    def candidates(self, fingerprint: str, *, per_band: int) -> list[FingerprintEntry]:
        """Entries sharing at least one band with ``fingerprint``, oldest first per band."""
        ...


class IngestRequest(PageDirectives):
    """A request to ingest one URL, as carried by the intake queue (documented schema)."""

    url: str
    id: str
    requested_at: datetime
    attempt: int = Field(default=0, ge=0)


class IngestQueue(Protocol):
    """The intake queue for asynchronous ingestion."""

    def send(self, requests: Sequence[IngestRequest], *, delay_s: int = 0) -> None:
        """Enqueue requests; raises ``StorageError`` if any could not be enqueued."""
        ...


class EventBus(Protocol):
    """Announces what happened to articles; see ``core.events``."""

    def publish(self, events: Sequence[BaseModel]) -> None:
        """Publish every event or raise; never drop one silently."""
        ...


class BatchStore(Protocol):
    """Batches of submitted URLs and their progress (``core.batches``).

    Item changes only move forward (``core.batches.rank``) and are idempotent: a change seen
    twice (a stream redelivery) counts once.
    """

    def create(self, batch: Batch, items: Sequence[BatchItem]) -> None:
        """Store a new batch, its items and each article's membership; counts from the items."""
        ...

    def get(self, batch_id: str) -> Batch | None:
        """The batch with its counts, or None."""
        ...

    def items(
        self, batch_id: str, *, limit: int, cursor: str | None = None
    ) -> tuple[list[BatchItem], str | None]:
        """One page of items in submission order and the next page's cursor (None at the end);
        ``InvalidCursor`` for a cursor not issued for this batch."""
        ...

    def memberships(self, article_id: str) -> list[BatchMembership]:
        """The batches holding ``article_id``."""
        ...

    def advance(
        self, batch_id: str, index: int, status: ItemStatus, error: ArticleError | None = None
    ) -> bool:
        """Move an item to ``status`` if that is progress (counts follow atomically); False when
        the item is already there or further (nothing changes)."""
        ...

    def mark_finished(self, batch_id: str) -> bool:
        """Record that every item is final; False when already recorded or not yet true."""
        ...

    def record_delivery(self, batch_id: str, attempt: DeliveryAttempt) -> None:
        """Append one webhook delivery attempt to the batch."""
        ...


class WebhookQueue(Protocol):
    """The queue of webhook deliveries (SQS on AWS, the SQLite queue locally)."""

    def send_delivery(self, delivery: WebhookDelivery, *, delay_s: int = 0) -> None:
        """Enqueue one delivery; raises ``StorageError`` when it cannot."""
        ...
