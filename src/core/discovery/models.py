"""What a discovery is asked for and what it answers (the API's and the CLI's shapes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from core.extraction_options import ExtractionOptions
from core.models import ArticleError
from core.submission import Submission

StartKind = Literal["feed", "sitemap", "site"]
#: What the URL parser (``core.fetch.urls.parse_url``) requires at least, said in the JSON Schema
#: only: an http(s) scheme and a host with no control character, credential or backslash. The
#: parser stays the validator (its ``invalid_url`` message names what is wrong).
START_URL_PATTERN = (
    r"^[\t\n\f\r ]*[Hh][Tt][Tt][Pp][Ss]?://[^\u0000-\u0020\u007f@/?#\\]+([/?#]|[\t\n\f\r ]*$)"
)
StartUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2048),
    Field(json_schema_extra={"pattern": START_URL_PATTERN}),
]
START_FIELDS: tuple[StartKind, ...] = ("feed", "sitemap", "site")


def _one_start_schema(schema: dict[str, Any]) -> None:
    """Say in the JSON Schema what the validator checks: exactly one start, never null."""
    properties = schema["properties"]
    for name in START_FIELDS:
        field = properties[name]
        (url,) = [option for option in field.pop("anyOf") if option.get("type") == "string"]
        field.pop("default", None)
        field.update(url)
    schema["oneOf"] = [{"required": [name]} for name in START_FIELDS]
    # A webhook is told when the queued batch ends: it needs `enqueue: true`.
    schema["dependentSchemas"] = {
        "webhook": {"required": ["enqueue"], "properties": {"enqueue": {"const": True}}}
    }


class DiscoveryRequest(BaseModel):
    """Where to discover article URLs: exactly one of ``feed``, ``sitemap`` or ``site``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_start_schema)

    feed: StartUrl | None = Field(default=None, description="An RSS, Atom or JSON feed URL.")
    sitemap: StartUrl | None = Field(
        default=None, description="A sitemap or sitemap index URL (gzip or not)."
    )
    site: StartUrl | None = Field(
        default=None,
        description="A site URL: its robots.txt `Sitemap:` lines are read (else /sitemap.xml).",
    )
    enqueue: bool = Field(
        default=False, description="Queue the new and changed URLs as one asynchronous batch."
    )
    webhook: StartUrl | None = Field(
        default=None,
        description="With `enqueue`: a URL told (signed POST) when the batch finishes.",
    )
    limit: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Most URLs to return (capped by `discovery_max_urls`, default 1000).",
    )
    since: datetime | date | None = Field(
        default=None,
        description="Leave out entries (and child sitemaps) whose lastmod is before this"
        " date or datetime (UTC when no zone is given).",
    )
    allow_other_sites: bool | None = Field(
        default=None,
        description="Keep URLs on other sites than the start URL's registrable domain"
        " (default: `discovery_allow_other_sites`, off).",
    )
    options: ExtractionOptions | None = Field(
        default=None,
        description="Extraction options of every discovered URL (absent: the defaults)."
        " Other than the defaults, the URLs are the articles extracted with them: their ids"
        " and states are those articles', and `enqueue` queues them with these options.",
    )

    @model_validator(mode="after")
    def _one_start(self) -> Self:
        nulls = [
            f"`{n}`" for n in START_FIELDS if n in self.model_fields_set and not getattr(self, n)
        ]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may not be null: leave it out")
        given = [name for name in START_FIELDS if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of `feed`, `sitemap` or `site`")
        return self

    @model_validator(mode="after")
    def _webhook_needs_enqueue(self) -> Self:
        if "webhook" in self.model_fields_set and not self.enqueue:  # as the schema says
            raise ValueError("`webhook` needs `enqueue: true` (it is told when the batch ends)")
        return self

    def start(self) -> tuple[StartKind, str]:
        """The kind of start and its URL."""
        if self.feed:
            return "feed", self.feed
        if self.sitemap:
            return "sitemap", self.sitemap
        assert self.site is not None
        return "site", self.site


class UrlState(StrEnum):
    """A discovered URL compared with the store."""

    NEW = "new"
    CHANGED = "changed"
    STORED = "stored"


class DiscoveredUrl(BaseModel):
    """One article URL a feed or sitemap lists."""

    url: str = Field(description="The URL as the document lists it (made absolute).")
    id: str = Field(description="The article id it would be stored under.")
    lastmod: datetime | None = Field(
        default=None, description="Last modification the document gives (lastmod, updated…)."
    )
    state: UrlState = Field(
        description="`new`: not stored; `changed`: stored, but `lastmod` is newer than its"
        " last fetch or check (`checked_at`); `stored`: stored (or queued) and not changed"
        " since."
    )
    source: str = Field(description="The feed or sitemap that listed it.")


class DocumentReport(BaseModel):
    """One document the discovery fetched (or tried to)."""

    url: str
    kind: str | None = Field(
        default=None,
        description="rss, atom, json_feed, sitemap, sitemap_index, text_sitemap or robots.",
    )
    entries: int = Field(default=0, ge=0, description="Entries it listed.")
    error: ArticleError | None = Field(default=None, description="Why it could not be used.")


class Skipped(BaseModel):
    """Entries left out, by reason."""

    off_site: int = Field(default=0, ge=0, description="On another site (see allow_other_sites).")
    invalid_url: int = Field(default=0, ge=0, description="Not an acceptable http(s) URL.")
    older: int = Field(default=0, ge=0, description="`lastmod` before `since`.")
    over_limit: int = Field(default=0, ge=0, description="Past the URL limit.")


class Discovery(BaseModel):
    """The answer to one discovery."""

    source: str = Field(description="The feed, sitemap or site asked for.")
    kind: StartKind
    urls: list[DiscoveredUrl] = Field(description="Distinct article URLs, in document order.")
    counts: dict[UrlState, int] = Field(description="URLs per state.")
    documents: list[DocumentReport]
    skipped: Skipped
    truncated: bool = Field(
        description="A limit (URLs, documents, depth, time) stopped the discovery early."
    )
    submission: Submission | None = Field(
        default=None, description="With `enqueue`: the new and changed URLs, queued."
    )

    def to_ingest(self) -> list[str]:
        """The URLs worth ingesting: new ones and changed ones."""
        return [u.url for u in self.urls if u.state is not UrlState.STORED]


def as_instant(value: date | datetime | None) -> datetime | None:
    """``since`` as an aware datetime (a date means its midnight, UTC)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0), tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
