"""Events about articles: a versioned envelope, one detail model per type, deterministic ids.

Every event is a pydantic model. Its class carries the EventBridge ``detail_type`` and
``source``; the model itself is the ``detail``. The same JSON goes to EventBridge (AWS) and to
the JSON Lines file / webhook (local), so a consumer parses one shape everywhere.

The ``event_id`` is derived from the article id, the article version and the detail type, and
``occurred_at`` is the time that version was stored: re-publishing after a failure yields a
byte-identical event, so consumers drop duplicates by ``event_id``.

``python -m core.events [DIR]`` writes the JSON Schemas to ``events/schemas/`` (a test fails
when they drift from the models).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.extraction_options import ExtractionOptions
from core.models import Article, ArticleError, ArticleStatus, PageType
from core.page_request import PageDirectives

EVENT_SOURCE = "article-ingest"
SCHEMA_VERSION: Literal["1.0"] = "1.0"


def event_id(detail_type: str, the_article_id: str, version: int) -> str:
    """The deterministic id of the ``detail_type`` event for one stored article version."""
    return f"{the_article_id}-v{version}-{detail_type}"


class ArticleSummary(BaseModel):
    """What events carry about an article: everything but the text, the links and the images
    (events stay small: read them with ``GET /articles/{id}``); the options it was extracted
    with, so a consumer tells the same URL's variants apart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    url: str
    version: int = Field(ge=0)
    status: ArticleStatus
    final_url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    language: str | None = None
    page_type: PageType | None = None
    word_count: int = Field(default=0, ge=0)
    reading_time_minutes: int = Field(default=0, ge=0)
    content_sha256: str | None = None
    fingerprint: str | None = None
    duplicate_of: str | None = None
    raw_html_uri: str | None = None
    fetched_at: datetime | None = None
    updated_at: datetime | None = None
    options: ExtractionOptions = Field(default_factory=ExtractionOptions)
    content_version: int = Field(
        default=0, ge=0, description="Content version (1, 2, …; see `ArticleUpdated`)."
    )
    changed_at: datetime | None = Field(
        default=None, description="When the current content version was first fetched."
    )

    @classmethod
    def of(cls, article: Article) -> ArticleSummary:
        """The summary of ``article``."""
        fields = article.model_dump(include=set(cls.model_fields))
        return cls.model_validate(fields)


class EventEnvelope(BaseModel):
    """Fields every event has; subclasses add the payload of one detail type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detail_type: ClassVar[str] = ""
    source: ClassVar[str] = EVENT_SOURCE

    schema_version: Literal["1.0"] = Field(
        default=SCHEMA_VERSION, description="Envelope version; a breaking change bumps the major."
    )
    event_id: str = Field(description="Deterministic: article id + version + detail type.")
    occurred_at: datetime = Field(description="When the article version was stored.")


class ArticleEvent(EventEnvelope):
    """An event about one stored version of an article."""

    article_id: str
    article_version: int = Field(ge=1)
    article: ArticleSummary

    @classmethod
    def _fields(cls, article: Article) -> dict[str, object]:
        return {
            "event_id": event_id(cls.detail_type, article.id, article.version),
            "occurred_at": article.updated_at or article.fetched_at or datetime.now(UTC),
            "article_id": article.id,
            "article_version": article.version,
            "article": ArticleSummary.of(article),
        }


class ArticleIngested(ArticleEvent):
    """The page was fetched, kept and extracted; indexing follows."""

    detail_type: ClassVar[str] = "ArticleIngested"

    @classmethod
    def of(cls, article: Article) -> ArticleIngested:
        """The event for a stored ``extracted`` article."""
        return cls.model_validate(cls._fields(article))


class ArticleIndexed(ArticleEvent):
    """The article is searchable; its metadata is final for this version."""

    detail_type: ClassVar[str] = "ArticleIndexed"

    @classmethod
    def of(cls, article: Article) -> ArticleIndexed:
        """The event for a stored ``indexed`` article."""
        return cls.model_validate(cls._fields(article))


class ArticleFailed(ArticleEvent):
    """Ingestion ended in failure; ``error.code`` says why."""

    detail_type: ClassVar[str] = "ArticleFailed"

    error: ArticleError

    @classmethod
    def of(cls, article: Article) -> ArticleFailed:
        """The event for a stored ``failed`` article."""
        error = article.error or ArticleError(code="unknown", message="no error recorded")
        return cls.model_validate({**cls._fields(article), "error": error})


class ArticleDuplicateDetected(ArticleEvent):
    """The article's text is a near-duplicate of an earlier article at a different URL."""

    detail_type: ClassVar[str] = "ArticleDuplicateDetected"

    duplicate_of: str = Field(description="Id of the earlier article.")
    distance: int = Field(ge=0, le=64, description="Hamming distance of the two SimHashes.")

    @classmethod
    def of(cls, article: Article, *, distance: int) -> ArticleDuplicateDetected:
        """The event for a stored ``indexed`` article whose ``duplicate_of`` is set."""
        if not article.duplicate_of:
            raise ValueError(f"article {article.id} is not a duplicate")
        return cls.model_validate(
            {**cls._fields(article), "duplicate_of": article.duplicate_of, "distance": distance}
        )


class ArticleUpdated(ArticleEvent):
    """An indexed article's page changed: its new content version is indexed (earlier
    versions are listed by ``GET /articles/{id}/versions``). Follows ``ArticleIndexed``."""

    detail_type: ClassVar[str] = "ArticleUpdated"

    content_version: int = Field(ge=2, description="The new content version.")
    previous_content_version: int = Field(ge=1, description="The version it replaces.")
    changed_at: datetime | None = Field(
        default=None, description="When the new content version was fetched."
    )

    @classmethod
    def of(cls, article: Article) -> ArticleUpdated:
        """The event for a stored ``indexed`` article whose content version is 2 or more."""
        if article.content_version < 2:
            raise ValueError(f"article {article.id} has no earlier content version")
        return cls.model_validate(
            {
                **cls._fields(article),
                "content_version": article.content_version,
                "previous_content_version": article.content_version - 1,
                "changed_at": article.changed_at,
            }
        )


#: The keys naming what to discover instead of one page (see ``core.discovery``).
DISCOVERY_KEYS = ("feed", "sitemap", "site")


class IngestTarget(PageDirectives):
    """What to ingest — one page (``url``, with its ``PageDirectives``) or the new and changed
    articles of a ``feed``, ``sitemap`` or ``site`` — exactly one of them."""

    url: str | None = Field(
        default=None, description="A page to ingest.", min_length=1, max_length=2048
    )
    feed: str | None = Field(
        default=None, description="An RSS, Atom or JSON feed.", min_length=1, max_length=2048
    )
    sitemap: str | None = Field(
        default=None, description="A sitemap or index.", min_length=1, max_length=2048
    )
    site: str | None = Field(
        default=None, description="A site (robots.txt sitemaps).", min_length=1, max_length=2048
    )

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        given = [key for key in ("url", *DISCOVERY_KEYS) if getattr(self, key)]
        if len(given) != 1:
            raise ValueError("give exactly one of `url`, `feed`, `sitemap` or `site`")
        return self

    def discovery_start(self) -> tuple[Literal["feed", "sitemap", "site"], str] | None:
        """What to discover, or None for a one-page message."""
        if self.feed:
            return "feed", self.feed
        if self.sitemap:
            return "sitemap", self.sitemap
        if self.site:
            return "site", self.site
        return None


class IngestRequested(EventEnvelope, IngestTarget):
    """Published by another service to ask for a URL — or for the new and changed articles of
    a feed, a sitemap or a site; a bus rule routes its detail to the intake queue, where the
    worker reads it like any intake message."""

    detail_type: ClassVar[str] = "IngestRequested"

    requested_at: datetime
    requested_by: str | None = Field(default=None, description="The asking service, for logs.")

    @classmethod
    def of(
        cls,
        url: str,
        *,
        requested_by: str | None = None,
        options: ExtractionOptions | None = None,
        max_age: int | None = None,
        force: bool = False,
    ) -> IngestRequested:
        """A request for ``url`` now (extracted with ``options``; ``max_age`` and ``force`` as
        in an intake message); the id is stable for this URL and instant."""
        from core.ids import article_id  # courlan: only for producers of this event

        now = datetime.now(UTC)
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        return cls(
            event_id=f"{article_id(url)}-{stamp}-{cls.detail_type}",
            occurred_at=now,
            url=url,
            requested_at=now,
            requested_by=requested_by,
            options=options,
            max_age=max_age,
            force=force,
        )

    @classmethod
    def discover(
        cls,
        kind: Literal["feed", "sitemap", "site"],
        url: str,
        *,
        requested_by: str | None = None,
    ) -> IngestRequested:
        """A request to ingest the new and changed articles of a feed, sitemap or site."""
        from core.ids import article_id

        now = datetime.now(UTC)
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        return cls.model_validate(
            {
                "event_id": f"{article_id(url)}-{stamp}-{cls.detail_type}",
                "occurred_at": now,
                kind: url,
                "requested_at": now,
                "requested_by": requested_by,
            }
        )


class IntakeMessage(IngestTarget):
    """The body of an intake-queue message (documented schema; extra fields are ignored).

    ``core.ports.IngestRequest`` is a valid message; so is the detail of an
    ``IngestRequested`` event. ``id`` and ``requested_at`` may be left out. Instead of
    ``url``, a message may name a ``feed``, ``sitemap`` or ``site``: the worker discovers its
    article URLs and queues the new and changed ones (``since`` and ``limit`` apply).
    """

    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(default=None, description="Article id; must match the URL's if set.")
    requested_at: datetime | None = None
    attempt: int = Field(default=0, ge=0, description="Fetch attempts already made.")
    since: datetime | None = Field(
        default=None, description="Discovery only: leave out entries modified before this."
    )
    limit: int | None = Field(default=None, ge=1, description="Discovery only: most URLs.")


#: Every event type, by detail type.
EVENT_TYPES: dict[str, type[EventEnvelope]] = {
    cls.detail_type: cls
    for cls in (
        ArticleIngested,
        ArticleIndexed,
        ArticleFailed,
        ArticleDuplicateDetected,
        ArticleUpdated,
        IngestRequested,
    )
}


def parse_event(detail_type: str, detail: str | bytes | dict[str, object]) -> EventEnvelope:
    """The event model of ``detail_type`` parsed from its detail (JSON text or dict)."""
    model = EVENT_TYPES[detail_type]
    if isinstance(detail, dict):
        return model.model_validate(detail)
    return model.model_validate_json(detail)


def schemas() -> dict[str, dict[str, object]]:
    """File name → JSON Schema, for every event detail, the intake message and the batch
    webhook's queue message and body."""
    out: dict[str, dict[str, object]] = {
        f"{name}.json": model.model_json_schema(mode="serialization")
        for name, model in EVENT_TYPES.items()
    }
    out["IntakeMessage.json"] = IntakeMessage.model_json_schema(mode="validation")
    # Batch webhooks: the delivery queue's message and the body POSTed to a webhook.
    from core.batches.models import BatchFinished, WebhookDelivery

    out["WebhookDelivery.json"] = WebhookDelivery.model_json_schema(mode="validation")
    out["BatchFinished.json"] = BatchFinished.model_json_schema(mode="serialization")
    return out


def render_schema(schema: dict[str, object]) -> str:
    """The canonical text of a schema file (stable key order, trailing newline)."""
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(render_schema(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("events/schemas")
    for written_path in write_schemas(target):
        print(written_path)
