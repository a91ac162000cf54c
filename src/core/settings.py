"""One settings model for every entry point, read from ``ARTICLE_INGEST_*`` variables.

The CLI, the local server and every Lambda build their dependencies from this model, so a
setting means the same thing everywhere. Every field is documented in the README.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_USER_AGENT = "article-ingest/0.1 (+https://github.com/article-ingest/article-ingest)"


class Settings(BaseSettings):
    """Configuration shared by the CLI, ``serve`` and the Lambda handlers."""

    model_config = SettingsConfigDict(env_prefix="ARTICLE_INGEST_", extra="ignore")

    backend: Literal["local", "aws"] = Field(
        default="local", description="`local`: filesystem + SQLite; `aws`: S3/DynamoDB/SQS."
    )
    data_dir: Path = Field(default=Path(".data"), description="Root of the embedded default.")

    # Fetching (see core.fetch).
    allow_private_networks: bool = Field(
        default=False,
        description="Development and tests only: admit loopback and RFC 1918 addresses.",
    )
    user_agent: str = DEFAULT_USER_AGENT
    allowed_ports: list[int] = Field(default_factory=lambda: [80, 443])
    fetch_deadline_s: float = Field(default=20.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=10.0, gt=0)
    max_body_bytes: int = Field(default=10_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    respect_robots: bool = True
    per_host_concurrency: int = Field(default=2, ge=1)
    per_host_delay_s: float = Field(default=1.0, ge=0)
    max_crawl_delay_s: float = Field(
        default=10.0,
        ge=0,
        description="Cap on a robots.txt Crawl-delay (the larger of it and per_host_delay_s"
        " applies), so a hostile robots.txt cannot stall a worker.",
    )
    fetch_workers: int = Field(default=16, ge=1, description="Parallel fetches in one process.")

    # API limits.
    max_urls_per_request: int = Field(default=100, ge=1)
    sync_batch_limit: int = Field(default=10, ge=0)
    sync_time_margin_s: float = Field(
        default=2.5,
        ge=0,
        description="A synchronous POST stops this long before the invocation's remaining"
        " time (and API Gateway's 29 s) runs out; unfinished URLs are queued.",
    )

    # Discovery of article URLs in feeds and sitemaps (see core.discovery).
    discovery_max_urls: int = Field(
        default=1000, ge=1, description="Article URLs one discovery returns at most."
    )
    discovery_max_documents: int = Field(
        default=20,
        ge=1,
        description="Documents (feeds, sitemaps, robots.txt) one discovery fetches at most.",
    )
    discovery_max_depth: int = Field(
        default=2, ge=0, description="Sitemap index nesting followed (index → sitemap is 1)."
    )
    discovery_max_document_bytes: int = Field(
        default=50_000_000, gt=0, description="Largest feed or sitemap after gzip is undone."
    )
    discovery_allow_other_sites: bool = Field(
        default=False,
        description="Keep URLs (and follow sitemaps) on other sites than the feed's or"
        " sitemap's own registrable domain.",
    )

    # Asynchronous intake (see core.intake).
    max_fetch_attempts: int = Field(
        default=4, ge=1, description="Fetches of one URL before a retryable failure is final."
    )
    retry_base_delay_s: float = Field(
        default=30.0, ge=0, description="First retry delay; doubles per attempt (max 900 s)."
    )
    queue_max_receives: int = Field(
        default=5, ge=1, description="The intake queue's maxReceiveCount (then the DLQ)."
    )
    worker_time_margin_s: float = Field(
        default=15.0,
        ge=0,
        description="Seconds the worker keeps free after a fetch (extraction, writes): it"
        " starts a message only with fetch_deadline_s plus this much time left.",
    )

    # AWS resources (backend=aws).
    raw_bucket: str | None = None
    articles_table: str | None = None
    index_table: str | None = None
    idempotency_table: str | None = None
    queue_url: str | None = None
    event_bus_name: str | None = None
    aws_endpoint_url: str | None = Field(
        default=None, description="Override for every AWS client (moto server in tests)."
    )

    # Events (backend=local).
    webhook_url: str | None = None
    webhook_secret: str | None = Field(
        default=None,
        description="HMAC-SHA256 key signing webhooks (the events webhook and batch webhooks).",
    )

    # Batch jobs and their webhooks (see core.batches and docs/api.md).
    batches_table: str | None = None
    webhook_queue_url: str | None = None
    webhook_secret_arn: str | None = Field(
        default=None,
        description="(aws) Secrets Manager secret holding the webhook signing key.",
    )
    webhook_max_attempts: int = Field(
        default=6, ge=1, description="Deliveries of one batch webhook before giving up."
    )
    webhook_retry_base_delay_s: float = Field(
        default=10.0, ge=0, description="First webhook retry delay; doubles (max 900 s)."
    )
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="Total time one webhook delivery may take."
    )

    # Extraction worker processes (see core.extraction_pool and docs/extraction.md).
    extraction_workers: int | None = Field(
        default=None, ge=1, description="Worker processes; default: the cores (1 on Lambda)."
    )
    extraction_spare_workers: int | None = Field(
        default=None,
        ge=0,
        description="Extra workers, one per worker on a slow page; default 2 (1 on Lambda).",
    )
    extraction_timeout_s: float = Field(
        default=10.0, gt=0, description="Wall-clock budget of one page's extraction."
    )
    extraction_cpu_s: float = Field(
        default=10.0, gt=0, description="CPU budget of one page's extraction."
    )
    extraction_memory_mb: int = Field(
        default=1024, ge=0, description="Address-space ceiling of a worker (0: none)."
    )

    @model_validator(mode="after")
    def _signed_webhooks_only(self) -> Self:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "ARTICLE_INGEST_WEBHOOK_URL needs ARTICLE_INGEST_WEBHOOK_SECRET:"
                " webhooks are always signed"
            )
        return self

    @property
    def db_path(self) -> Path:
        """The local SQLite database (articles, index, queue, outbox)."""
        return self.data_dir / "article-ingest.sqlite3"

    @property
    def events_path(self) -> Path:
        """The JSON Lines file the local event bus appends to."""
        return self.data_dir / "events.jsonl"
