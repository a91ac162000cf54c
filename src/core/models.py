"""The public contract: the Article and the values it carries.

The same model is returned by the CLI, the HTTP API and carried by events; its JSON Schema is
exported to ``docs/schemas/article.schema.json`` and a test fails when the two drift apart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from core.extraction_options import ExtractionOptions


class ArticleStatus(StrEnum):
    """Where an article is in the pipeline; ``indexed`` and ``failed`` are final."""

    QUEUED = "queued"
    FETCHED = "fetched"
    EXTRACTED = "extracted"
    INDEXED = "indexed"
    FAILED = "failed"


class PageType(StrEnum):
    """What kind of page the text came from (``core.extract.pagetype``); each has its own
    extraction profile (``core.extract.profiles``)."""

    ARTICLE = "article"
    FORUM = "forum"
    PRODUCT = "product"
    COLLECTION = "collection"
    LISTING = "listing"
    DOCUMENTATION = "documentation"
    SERVICE = "service"
    OTHER = "other"


class ArticleError(BaseModel):
    """Why an article failed: a stable machine code, a message for people, and retry advice."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="Stable failure code, e.g. `blocked_address` or `timeout`.")
    message: str = Field(description="What went wrong, for a person.")
    retryable: bool = Field(default=False, description="Whether trying again later may succeed.")
    http_status: int | None = Field(default=None, description="Upstream HTTP status, if any.")
    retry_after_s: float | None = Field(
        default=None, description="Seconds the site asked us to wait (Retry-After), if any."
    )


class ArticleLink(BaseModel):
    """A link of the main content (``include_links``): its absolute http(s) URL and text."""

    model_config = ConfigDict(frozen=True)

    url: str = Field(description="Absolute http(s) URL, resolved against the page's URL.")
    text: str = Field(default="", description="The link's text (at most 200 characters).")


class ArticleImage(BaseModel):
    """An image of the main content (``include_images``): its absolute http(s) URL and alt."""

    model_config = ConfigDict(frozen=True)

    url: str = Field(description="Absolute http(s) URL, resolved against the page's URL.")
    alt: str = Field(default="", description="The image's alt text (at most 200 characters).")


class Article(BaseModel):
    """One ingested web page: where it came from, its clean text and metadata, and its state."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id: hex digest of the normalised URL.")
    url: str = Field(description="The URL as submitted.")
    final_url: str | None = Field(default=None, description="The URL after redirects.")
    canonical_url: str | None = Field(default=None, description="The page's declared canonical.")
    is_canonical: bool = Field(
        default=False,
        description="Whether the page declares the URL it was fetched from (after redirects)"
        " as its canonical: the publisher's own copy, preferred as the original of a group of"
        " near-duplicates.",
    )
    status: ArticleStatus = ArticleStatus.QUEUED
    version: int = Field(default=0, ge=0, description="Incremented on every stored write.")
    title: str | None = None
    author: str | None = None
    date: str | None = Field(default=None, description="Publication date, ISO 8601 (YYYY-MM-DD).")
    sitename: str | None = None
    hostname: str | None = Field(default=None, description="Host of the final URL.")
    language: str | None = Field(default=None, description="ISO 639-1 code of the text.")
    description: str | None = None
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    image: str | None = None
    text: str | None = Field(default=None, description="The clean main text, paragraphs by line.")
    page_type: PageType | None = Field(
        default=None,
        description="Kind of page (article, forum, product, collection, listing, documentation,"
        " service, other), from the page's declarations, URL and markup; its text was extracted"
        " with that type's profile. None until extracted.",
    )
    word_count: int = Field(default=0, ge=0)
    reading_time_minutes: int = Field(default=0, ge=0)
    content_sha256: str | None = Field(default=None, description="SHA-256 of the raw bytes.")
    fingerprint: str | None = Field(
        default=None, description="64-bit SimHash of the text, 16 hex digits."
    )
    duplicate_of: str | None = Field(
        default=None, description="Id of an earlier article with near-identical text."
    )
    raw_html_uri: str | None = Field(default=None, description="Where the raw bytes are kept.")
    http_status: int | None = None
    content_type: str | None = None
    charset: str | None = Field(default=None, description="Encoding the page was decoded with.")
    fetched_at: datetime | None = None
    updated_at: datetime | None = None
    error: ArticleError | None = None
    options: ExtractionOptions = Field(
        default_factory=ExtractionOptions,
        description="The extraction options this article was extracted with; other than the"
        " defaults, they are part of its id.",
    )
    links: list[ArticleLink] = Field(
        default_factory=list,
        description="The main content's links, in order, distinct URLs, at most 100"
        " (only with `include_links`).",
    )
    images: list[ArticleImage] = Field(
        default_factory=list,
        description="The main content's images, in order, distinct URLs, at most 50"
        " (only with `include_images`).",
    )
    content_version: int = Field(
        default=0,
        ge=0,
        description="Content version: 1 for the first extracted text, +1 each time a refetch"
        " finds a different text or title (`version` counts every stored write instead).",
    )
    checked_at: datetime | None = Field(
        default=None,
        description="When the page was last fetched or confirmed unchanged (HTTP 304, or the"
        " same text).",
    )
    changed_at: datetime | None = Field(
        default=None, description="When the current content version was first fetched."
    )
    etag: str | None = Field(
        default=None, description="The page's ETag, sent back as If-None-Match on a refetch."
    )
    last_modified: str | None = Field(
        default=None,
        description="The page's Last-Modified, sent back as If-Modified-Since on a refetch.",
    )


class ExtractResult(Article):
    """A line of ``article-ingest extract``: an Article plus the input file it came from."""

    source: str = Field(description="The input file this result was extracted from.")


def article_json_schema() -> dict[str, object]:
    """The exported JSON Schema of the Article contract."""
    return Article.model_json_schema(mode="serialization")
