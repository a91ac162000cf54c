"""The HTTP API: one Powertools resolver for API Gateway (HTTP API, payload v2) and ``serve``.

Routes are thin: they validate input (Powertools + pydantic), call ``core`` and shape the
answer. Errors are mapped in ``handlers.problems``. X-Ray tracing: ``handlers.tracing``.
"""

from __future__ import annotations

import base64
import threading
import warnings
import weakref
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from core.batches.models import BATCH_ID_PATTERN, BatchStatus
from core.discovery import Discovery, DiscoveryRequest, as_instant
from core.errors import NotFound
from core.extraction_options import ExtractionOptions
from core.formats import OutputFormat
from core.media_type import parse_content_type
from core.models import Article, ArticleStatus, PageType
from core.ports import ArticlePage, ArticleQuery, SearchHit
from core.submission import Submission, Submitter, sync_deadline
from core.versions import MAX_CONTENT_VERSION, VersionPage, list_versions, version_raw_uri
from handlers import _deps, limits, problems, tracing
from handlers.idempotency import MAX_KEY_LENGTH, IdempotentCall
from handlers.reading import load_article, raw_uri, render_content
from handlers.resolver import ThreadSafeHttpResolver

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import (
        OpenAPIResponseContentModel,
        OpenAPIResponseContentSchema,
        OpenAPIResponseHeader,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from core.services import Services

SERVICE = "article-ingest"
API_VERSION = "0.1.0"
#: Request bodies above this size are refused with 413 before any parsing.
MAX_BODY_BYTES = 1_000_000
#: Presigned raw-object URLs stay valid this long (AWS backend).
PRESIGNED_URL_TTL_S = 300
#: Largest ``max_age`` accepted (one year).
MAX_AGE_S = 366 * 24 * 3600
#: With ``enqueue``, discovery stops fetching this much earlier, to queue what it found.
DISCOVERY_ENQUEUE_RESERVE_S = 5.0
ID_PATTERN = r"^[0-9a-f]{32}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
#: A listing cursor's shape: URL-safe base64 with padding (``core.cursor``); empty = first page.
CURSOR_PATTERN = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$"
_CURSOR_SHAPE = StringConstraints(max_length=2048, pattern=CURSOR_PATTERN)
#: The cursor's OpenAPI ``format``: a token only this service issues (fuzzers register it).
CURSOR_FORMAT = "listing-cursor"
#: The format of a cursor over an article's versions (another token, same shape).
VERSIONS_CURSOR_FORMAT = "versions-cursor"
#: A batch's items cursor: the same shape, another issuer (``core.batches.models.items_cursor``).
BATCH_CURSOR_FORMAT = "batch-items-cursor"


def _format(cursor_format: str) -> Any:
    """The OpenAPI ``format`` of one kind of cursor."""
    return Field(json_schema_extra={"format": cursor_format})


def _cursor_query(issued_for: str) -> Any:
    """The ``cursor`` query parameter of a paged route, whose cursors are ``issued_for``."""
    return Query(
        description="`next_cursor` of the previous page: opaque, URL-safe base64 (padded)."
        f" A cursor this service did not issue {issued_for} is `invalid_cursor` (400).",
    )


ListingCursor = Annotated[
    Annotated[str, _CURSOR_SHAPE, _format(CURSOR_FORMAT)] | None,
    _cursor_query("for these filters"),
]
BatchCursor = Annotated[
    Annotated[str, _CURSOR_SHAPE, _format(BATCH_CURSOR_FORMAT)] | None,
    _cursor_query("for this batch"),
]
VersionsCursor = Annotated[
    Annotated[str, _CURSOR_SHAPE, _format(VERSIONS_CURSOR_FORMAT)] | None,
    _cursor_query("for this article"),
]
Since = Annotated[
    str | None, Query(pattern=DATE_PATTERN, description="Earliest publication date, YYYY-MM-DD.")
]
Until = Annotated[
    str | None, Query(pattern=DATE_PATTERN, description="Latest publication date, YYYY-MM-DD.")
]
PageTypeFilter = Annotated[
    PageType | None,
    Query(description="Only pages of this type (`page_type` of the article)."),
]

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="ArticleIngest", service=SERVICE)

# GET routes publish no metric of their own; an empty flush is expected, not a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")

# per-thread request state: ``serve`` answers requests from many threads at once
app = ThreadSafeHttpResolver(enable_validation=True)
problems.register(app)

_OPENAPI: dict[str, Any] = {
    "title": "article-ingest",
    "version": API_VERSION,
    "summary": "Ingest web articles: safe fetch, clean text and metadata, search.",
    "description": "See docs/api.md. Errors are RFC 9457 problem details"
    " (`application/problem+json`) with a stable `code`.",
}
app.enable_swagger(path="/docs", **_OPENAPI)

UrlString = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
ArticleId = Annotated[
    str, Path(pattern=ID_PATTERN, description="Article id: 32 lowercase hex digits.")
]


def _article_links(pointer: str) -> dict[str, Any]:
    """OpenAPI links from an answer holding an article id (JSON pointer ``pointer``) to the
    routes reading that article."""
    return {
        link: {"operationId": operation, "parameters": {"article_id": f"$response.body#{pointer}"}}
        for link, operation in (
            ("GetArticle", "getArticle"),
            ("GetArticleText", "getArticleText"),
            ("GetArticleRaw", "getArticleRaw"),
        )
    }


class SubmitRequest(BaseModel):
    """URLs to ingest."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    urls: list[UrlString] = Field(
        min_length=1,
        description="1 to `max_urls_per_request` (default 100) http(s) URLs; duplicates"
        " (same normalised URL) collapse into one result.",
    )
    run_async: bool = Field(
        default=False,
        alias="async",
        strict=True,  # JSON true/false only: 0, "yes" or "false" are refused, not coerced
        description="Queue every URL instead of processing small batches within the request.",
    )
    webhook: UrlString | None = Field(
        default=None,
        description="An http(s) URL told when the batch finishes: a signed JSON POST"
        " (docs/api.md, 'Batch webhooks'), checked by the fetcher's address rules.",
    )
    options: ExtractionOptions = Field(
        default_factory=ExtractionOptions,
        description="How every URL of the request is extracted. The defaults keep each"
        " article's id (that of its URL); other options make the same URL another article,"
        " with an id of its own (docs/api.md#extraction-options).",
    )

    max_age: int | None = Field(
        default=None,
        ge=0,
        le=MAX_AGE_S,
        strict=True,
        description="Seconds: a URL whose stored copy was fetched or checked this recently is"
        " answered from the store without a fetch (`change: cached`). Otherwise a stored copy"
        " makes the fetch conditional (ETag / Last-Modified).",
    )
    force: bool = Field(
        default=False,
        strict=True,
        description="Refetch unconditionally: no `max_age`, no conditional request.",
    )

    @field_validator("max_age", mode="before")
    @classmethod
    def _whole_seconds(cls, value: object) -> object:
        """A JSON integer (``60`` or ``60.0``); never a string, a boolean or a fraction."""
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def identity(self) -> dict[str, Any]:
        """The body an ``Idempotency-Key`` is bound to: default options, no webhook and the
        defaults of the freshness fields are left out, so a body that spells the defaults out
        is the same request as one that does not (and keys stored before these fields existed
        still match)."""
        body = self.model_dump(mode="json", by_alias=True)
        if self.options.is_default:
            body.pop("options")
        if self.webhook is None:
            body.pop("webhook")
        if body.get("max_age") is None:
            body.pop("max_age", None)
        if not body.get("force"):
            body.pop("force", None)
        return body


class SearchResults(BaseModel):
    """Ranked search hits, best first."""

    query: str
    items: list[SearchHit]


_MEDIA_TYPES: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "json": "application/json",
}
# Content derived from third-party pages: never run, framed or sniffed on our origin.
_UNTRUSTED_CONTENT_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}


class _Submissions:
    """The submitter for one ``Services``, and its idempotent wrapper (built on first use)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.submitter = Submitter(services)
        self._idempotent: IdempotentCall | None = None
        self._idempotent_discovery: IdempotentCall | None = None
        self._lock = threading.Lock()

    def submit(self, request: SubmitRequest, deadline: float | None = None) -> Submission:
        submitter = self.submitter.with_options(request.options)
        return submitter.submit(
            request.urls,
            run_async=request.run_async,
            deadline=deadline,
            webhook=request.webhook,
            max_age=request.max_age,
            force=request.force,
        )

    def _work(self, body: dict[str, Any]) -> dict[str, Any]:
        deadline = _submit_deadline.get()
        return self.submit(SubmitRequest.model_validate(body), deadline).model_dump(mode="json")

    def idempotent(self) -> IdempotentCall:
        with self._lock:
            if self._idempotent is None:
                store = self.services.idempotency_store
                self._idempotent = IdempotentCall(store, self._work, name="submit")
            return self._idempotent

    def _discover_work(self, body: dict[str, Any]) -> dict[str, Any]:
        request = DiscoveryRequest.model_validate(body)
        found = _run_discovery(self.services, request, _submit_deadline.get())
        return found.model_dump(mode="json")

    def idempotent_discovery(self) -> IdempotentCall:
        """The idempotent wrapper of an enqueuing ``POST /discover`` (its own key space)."""
        with self._lock:
            if self._idempotent_discovery is None:
                store = self.services.idempotency_store
                self._idempotent_discovery = IdempotentCall(
                    store, self._discover_work, name="discover"
                )
            return self._idempotent_discovery


#: The current submit call's deadline, for the idempotent path (which calls ``_work(body)``).
_submit_deadline: ContextVar[float | None] = ContextVar("submit_deadline", default=None)

_submissions_by_services: weakref.WeakKeyDictionary[Services, _Submissions] = (
    weakref.WeakKeyDictionary()
)
_submissions_lock = threading.Lock()


def _submissions(services: Services) -> _Submissions:
    with _submissions_lock:
        found = _submissions_by_services.get(services)
        if found is None:
            found = _submissions_by_services[services] = _Submissions(services)
        return found


def _caller() -> str:
    """Who is calling, for scoping idempotency keys (IAM principal or JWT subject)."""
    authorizer = app.current_event.request_context.authorizer
    iam = authorizer.iam if authorizer else None
    if iam is not None and iam.user_arn:
        return str(iam.user_arn)
    jwt_claims = authorizer.jwt_claim if authorizer else None
    if jwt_claims and jwt_claims.get("sub"):
        return f"jwt:{jwt_claims['sub']}"
    return "anonymous"


#: The ``Location`` header of an answer that formed a batch (``GET /batches/{id}``).
_BATCH_LOCATION: dict[str, OpenAPIResponseHeader] = {
    "Location": {
        "description": "`/batches/{batch_id}`: how far the batch got (absent only when no"
        " batch could be stored).",
        "schema": {"type": "string"},
    }
}

_SUBMISSION_RESPONSE: dict[str, OpenAPIResponseContentSchema | OpenAPIResponseContentModel] = {
    "application/json": {"model": Submission}
}


@app.post(
    "/articles",
    operation_id="submitArticles",
    summary="Submit URLs for ingestion",
    description="Up to `sync_batch_limit` (default 10) distinct URLs are processed within the"
    " request (200, one result per URL; a URL not finished within the request's time budget"
    " is queued and answered `queued`); larger batches, or `async: true`, are queued (202)."
    " One bad URL never fails the others. Send an `Idempotency-Key` header to make retries"
    " safe: a retry answers with the first response (and `Idempotent-Replayed: true`).",
    tags=["articles"],
    responses={
        200: {
            "description": "Processed within the request.",
            "headers": _BATCH_LOCATION,
            "content": _SUBMISSION_RESPONSE,
            "links": _article_links("/results/0/id"),
        },
        202: {
            "description": "Queued.",
            "headers": _BATCH_LOCATION,
            "content": _SUBMISSION_RESPONSE,
            "links": _article_links("/results/0/id"),
        },
        **problems.problem_responses(400, 409, 413, 415, 422, 503),
    },
)
def submit_articles(
    request: Annotated[SubmitRequest, Body(embed=False)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_KEY_LENGTH,
            description="Any unique string (e.g. a UUID) to make a retried POST safe.",
        ),
    ] = None,
) -> Response[Submission]:
    services = _deps.services()
    submissions = _submissions(services)
    context = app.lambda_context
    deadline = sync_deadline(
        context.get_remaining_time_in_millis() if context is not None else None,
        services.settings.sync_time_margin_s,
    )
    replayed = False
    if idempotency_key is None:
        answer = submissions.submit(request, deadline)
    else:
        token = _submit_deadline.set(deadline)
        try:
            stored, replayed = submissions.idempotent()(
                idempotency_key,
                _caller(),
                request.identity(),
                context,
            )
        finally:
            _submit_deadline.reset(token)
        answer = Submission.model_validate(stored)
    queued = answer.mode == "async"
    if not replayed:
        metrics.add_metric(name="UrlsSubmitted", unit=MetricUnit.Count, value=len(request.urls))
        rejected = sum(1 for result in answer.results if result.status == "rejected")
        metrics.add_metric(name="UrlsRejected", unit=MetricUnit.Count, value=rejected)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    headers.update(_batch_location(answer.batch_id))
    return Response(
        status_code=202 if queued else 200,
        content_type="application/json",
        body=answer,
        headers={**problems.SECURITY_HEADERS, **headers},
    )


_DISCOVERY_RESPONSE: dict[str, OpenAPIResponseContentSchema | OpenAPIResponseContentModel] = {
    "application/json": {"model": Discovery}
}


@app.post(
    "/discover",
    summary="Find article URLs in a feed, a sitemap or a site's sitemaps",
    description="Give exactly one of `feed` (RSS, Atom, JSON Feed), `sitemap` (a sitemap or"
    " sitemap index, gzip or not) or `site` (its robots.txt `Sitemap:` lines). Every document is"
    " fetched by the safe fetcher; sitemap indexes are followed to `discovery_max_depth`. Each"
    " URL found says whether it is `new`, `changed` (lastmod newer than the stored fetch) or"
    " `stored`. With `enqueue: true` the new and changed URLs are queued as one asynchronous"
    " batch (202, `submission`). A feed or sitemap that cannot be fetched or read is a 422"
    " problem whose `code` says why (`not_a_feed`, `unsafe_xml`, `document_too_large`,"
    " `blocked_address`, `timeout`, …). With `enqueue: true`, an `Idempotency-Key` header makes"
    " a retry safe as on `POST /articles` (the first answer comes back with"
    " `Idempotent-Replayed: true`, nothing is queued twice); without `enqueue` nothing is"
    " queued and the key is not used.",
    tags=["discovery"],
    responses={
        200: {"description": "The URLs found.", "content": _DISCOVERY_RESPONSE},
        202: {
            "description": "The URLs found; new and changed ones queued.",
            "headers": _BATCH_LOCATION,
            "content": _DISCOVERY_RESPONSE,
        },
        **problems.problem_responses(400, 409, 413, 415, 422, 503),
    },
)
def discover_urls(
    request: Annotated[DiscoveryRequest, Body(embed=False)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_KEY_LENGTH,
            description="With `enqueue: true`: any unique string (e.g. a UUID) to make a"
            " retried POST safe.",
        ),
    ] = None,
) -> Response[Discovery]:
    services = _deps.services()
    context = app.lambda_context
    deadline = sync_deadline(
        context.get_remaining_time_in_millis() if context is not None else None,
        services.settings.sync_time_margin_s,
    )
    replayed = False
    if request.enqueue and idempotency_key is not None:
        token = _submit_deadline.set(deadline)
        try:
            stored, replayed = _submissions(services).idempotent_discovery()(
                idempotency_key,
                _caller(),
                request.model_dump(mode="json", exclude_none=True),
                context,
            )
        finally:
            _submit_deadline.reset(token)
        found = Discovery.model_validate(stored)
    else:
        found = _run_discovery(services, request, deadline)
    if not replayed:
        metrics.add_metric(name="UrlsDiscovered", unit=MetricUnit.Count, value=len(found.urls))
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    batch_id = found.submission.batch_id if found.submission else None
    return Response(
        status_code=202 if request.enqueue else 200,
        content_type="application/json",
        body=found,
        headers={**problems.SECURITY_HEADERS, **headers, **_batch_location(batch_id)},
    )


def _run_discovery(
    services: Services, request: DiscoveryRequest, deadline: float | None
) -> Discovery:
    """Run one discovery within ``deadline`` (queueing what it found when asked to)."""
    from core.discovery.usecase import discover  # the fetcher: loaded by the routes that fetch

    if request.enqueue and deadline is not None:  # leave time to queue what it found
        deadline -= DISCOVERY_ENQUEUE_RESERVE_S
    kind, url = request.start()
    return discover(
        services,
        kind,
        url,
        enqueue=request.enqueue,
        limit=request.limit,
        since=as_instant(request.since),
        allow_other_sites=request.allow_other_sites,
        deadline=deadline,
        webhook=request.webhook,
        options=request.options,
    )


def _batch_location(batch_id: str | None) -> dict[str, str]:
    """The ``Location`` header of an answer that opened batch ``batch_id`` (if any)."""
    return {"Location": f"/batches/{batch_id}"} if batch_id else {}


BatchId = Annotated[
    str, Path(pattern=BATCH_ID_PATTERN, description="Batch id: `b_` and 24 lowercase hex digits.")
]


@app.get(
    "/batches/<batch_id>",
    operation_id="getBatch",
    summary="How far a batch got",
    description="Counts per state, whether every item is final (`finished`), the webhook's"
    " delivery attempts and one page of items in submission order (`next_cursor` pages on).",
    tags=["batches"],
    responses={
        200: {"description": "The batch and a page of its items."},
        **problems.problem_responses(400, 404, 422),
    },
)
def get_batch(
    batch_id: BatchId,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: BatchCursor = None,
) -> BatchStatus:
    services = _deps.services()
    if not services.tracks_batches:
        raise NotFound(f"no batch {batch_id}: this deployment keeps no batches")
    batch = services.batches.get(batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    items, next_cursor = services.batches.items(batch_id, limit=limit, cursor=cursor)
    return BatchStatus(**batch.model_dump(), items=items, next_cursor=next_cursor)


@app.get(
    "/articles/<article_id>",
    operation_id="getArticle",
    summary="Get one article",
    tags=["articles"],
    responses={200: {"description": "The article."}, **problems.problem_responses(404, 422)},
)
def get_article(article_id: ArticleId) -> Article:
    return load_article(_deps.services().articles, article_id)


@app.get(
    "/articles/<article_id>/versions",
    operation_id="listArticleVersions",
    summary="The content versions of one article, newest (the current one) first",
    description="A refetch whose extracted title or text differ from the stored ones is a new"
    " content version; the raw bytes of each are kept (`raw_html_uri`). A 304 or an unchanged"
    " text makes none.",
    tags=["articles"],
    responses={
        200: {"description": "One page of versions."},
        **problems.problem_responses(400, 404, 422),
    },
)
def list_article_versions(
    article_id: ArticleId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: VersionsCursor = None,
) -> VersionPage:
    services = _deps.services()
    return list_versions(
        services.articles, services.versions, article_id, limit=limit, cursor=cursor
    )


@app.get(
    "/articles/<article_id>/text",
    operation_id="getArticleText",
    summary="The article's content in one of trafilatura's output formats",
    tags=["articles"],
    responses={
        200: {
            "description": "Re-extracted from the stored page: txt, markdown and html hold"
            " the article's own text (its page type's) under its title, formatted as"
            " trafilatura formats the main content; xml and json are trafilatura's documents.",
            "content": {
                media: {"schema": {"type": "string"}} if fmt != "json" else {"schema": {}}
                for fmt, media in _MEDIA_TYPES.items()
            },
        },
        **problems.problem_responses(404, 409, 422),
    },
)
def get_article_text(
    article_id: ArticleId,
    format: Annotated[OutputFormat, Query(description="txt, markdown, html, xml or json.")] = "txt",
) -> Response[str]:
    services = _deps.services()
    article = load_article(services.articles, article_id)
    body = render_content(services.raw_store, services.extractor, article, format)
    return Response(
        status_code=200,
        content_type=_MEDIA_TYPES[format],
        body=body,
        headers=_UNTRUSTED_CONTENT_HEADERS,
    )


@app.get(
    "/articles/<article_id>/raw",
    operation_id="getArticleRaw",
    summary="The stored page, byte for byte",
    description="Locally: the bytes as an attachment (never rendered as HTML). On AWS: a"
    f" 307 redirect to a presigned URL valid for {PRESIGNED_URL_TTL_S} s. `content_version`"
    " picks an earlier version's bytes (see `GET /articles/{article_id}/versions`).",
    tags=["articles"],
    responses={
        200: {
            "description": "The raw bytes, as served by the site.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        },
        307: {"description": "Redirect to a short-lived presigned download URL."},
        **problems.problem_responses(404, 409, 422),
    },
)
def get_article_raw(
    article_id: ArticleId,
    content_version: Annotated[
        int | None,
        Query(ge=1, le=MAX_CONTENT_VERSION, description="A content version (default: current)."),
    ] = None,
) -> Response[str]:
    services = _deps.services()
    article = load_article(services.articles, article_id)
    if content_version is None:
        uri = raw_uri(article)
    else:
        uri = version_raw_uri(article, services.versions, content_version)
    links = services.raw_links
    if links is not None:
        location = links.presigned_url(uri, PRESIGNED_URL_TTL_S)
        # An empty body, not None: the route's declared ``str`` body is validated on every answer.
        return Response(
            status_code=307,
            body="",
            headers={
                "Location": location,
                "Cache-Control": "no-store",
                **problems.SECURITY_HEADERS,
            },
        )
    body = services.raw_store.get(uri)
    # Base64 here so the bytes pass response validation untouched (they are not JSON).
    response: Response[str] = Response(
        status_code=200,
        content_type="application/octet-stream",
        body=base64.b64encode(body).decode("ascii"),
        headers={
            "Content-Disposition": f'attachment; filename="{article.id}.html"',
            **_UNTRUSTED_CONTENT_HEADERS,
        },
    )
    response.base64_encoded = True
    return response


@app.get(
    "/articles",
    operation_id="listArticles",
    summary="List articles, newest publication date first",
    tags=["articles"],
    responses={
        200: {"description": "One page of articles.", "links": _article_links("/items/0/id")},
        **problems.problem_responses(400, 422),
    },
)
def list_articles(
    site: Annotated[str | None, Query(max_length=253, description="Hostname or site name.")] = None,
    language: Annotated[
        str | None, Query(pattern=r"^[a-z]{2}$", description="ISO 639-1 code.")
    ] = None,
    status: Annotated[ArticleStatus | None, Query()] = None,
    page_type: PageTypeFilter = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: ListingCursor = None,
) -> ArticlePage:
    query = ArticleQuery(
        site=site,
        language=language,
        status=status,
        page_type=page_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return _deps.services().articles.list(query)


@app.get(
    "/search",
    operation_id="search",
    summary="Keyword search over titles and text",
    tags=["search"],
    responses={
        200: {"description": "Ranked hits.", "links": _article_links("/items/0/id")},
        **problems.problem_responses(422),
    },
)
def search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=256,
            description='Words (any may match), "a phrase", a prefix* (docs/search.md).',
        ),
    ],
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
    site: Annotated[str | None, Query(max_length=253)] = None,
    page_type: PageTypeFilter = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResults:
    hits = _deps.services().search_index.search(
        q,
        language=language,
        site=site,
        since=since,
        until=until,
        limit=limit,
        page_type=page_type,
    )
    return SearchResults(query=q, items=hits)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=openapi_json(),
        headers=problems.SECURITY_HEADERS,
    )


def openapi_json() -> str:
    """The OpenAPI 3.1 document of this API."""
    return str(app.get_openapi_json_schema(**_OPENAPI))


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body)
        except ValueError:
            return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _refuse_early(event: dict[str, Any]) -> dict[str, Any] | None:
    """A problem for a body no route could read (too large, not JSON, not UTF-8), or None.

    Checked before routing because Powertools would otherwise fail on it in its own parsers.
    """
    body = _body_bytes(event)
    if len(body) > MAX_BODY_BYTES:
        return problems.problem_event_response(
            413,
            "payload_too_large",
            f"The request body is larger than {MAX_BODY_BYTES} bytes; send fewer URLs per request.",
        )
    http = (event.get("requestContext") or {}).get("http") or {}
    method, path = str(http.get("method", "")).upper(), str(event.get("rawPath", ""))
    if not body or method not in problems.allowed_methods(app, path):
        return None
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = parse_content_type(headers.get("content-type", "application/json"))[0] or ""
    if media_type != "application/json" and not media_type.endswith("+json"):
        return problems.problem_event_response(
            415,
            "unsupported_media_type",
            "Send the request body as JSON (Content-Type: application/json).",
        )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return problems.problem_event_response(
            400, "malformed_json", "The request body is not UTF-8 encoded JSON."
        )
    return limits.json_body_problem(body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracing.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point (API Gateway HTTP API, payload format 2.0)."""
    refusal = _refuse_early(event)
    if refusal is not None:
        return refusal
    response = app.resolve(event, context)
    headers = response.setdefault("headers", {})
    for name, value in problems.SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    return response
