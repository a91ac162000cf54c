"""Fetch outcomes: every URL ends with exactly one, and each says whether retrying may help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.models import ArticleError


class FetchOutcome(StrEnum):
    """How a fetch ended. ``ok`` is the only success."""

    OK = "ok"
    INVALID_URL = "invalid_url"
    BLOCKED_ADDRESS = "blocked_address"
    PORT_NOT_ALLOWED = "port_not_allowed"
    DNS_ERROR = "dns_error"
    CONNECT_ERROR = "connect_error"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    NOT_HTML = "not_html"
    HTTP_ERROR = "http_error"
    BLOCKED_BY_SITE = "blocked_by_site"
    ROBOTS_DISALLOWED = "robots_disallowed"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    EMPTY_EXTRACTION = "empty_extraction"
    #: A conditional refetch answered 304: the stored copy is still current (not a failure).
    NOT_MODIFIED = "not_modified"


#: Default retry advice per outcome; a result may override it (e.g. HTTP 429 vs 403).
DEFAULT_RETRYABLE: dict[FetchOutcome, bool] = {
    FetchOutcome.OK: False,
    FetchOutcome.INVALID_URL: False,
    FetchOutcome.BLOCKED_ADDRESS: False,
    FetchOutcome.PORT_NOT_ALLOWED: False,
    FetchOutcome.DNS_ERROR: True,
    FetchOutcome.CONNECT_ERROR: True,
    FetchOutcome.TIMEOUT: True,
    FetchOutcome.TOO_LARGE: False,
    FetchOutcome.NOT_HTML: False,
    FetchOutcome.HTTP_ERROR: False,
    FetchOutcome.BLOCKED_BY_SITE: False,
    FetchOutcome.ROBOTS_DISALLOWED: False,
    FetchOutcome.TOO_MANY_REDIRECTS: False,
    FetchOutcome.EMPTY_EXTRACTION: False,
    FetchOutcome.NOT_MODIFIED: False,
}

#: HTTP statuses worth retrying later (server trouble, rate limits, request timeouts).
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Validators:
    """What a conditional refetch sends back: the stored ``ETag`` (as ``If-None-Match``) and
    ``Last-Modified`` (as ``If-Modified-Since``)."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The conditional request headers (a value unsafe in a header is left out)."""
        headers = {}
        if _header_safe(self.etag):
            headers["If-None-Match"] = str(self.etag)
        if _header_safe(self.last_modified):
            headers["If-Modified-Since"] = str(self.last_modified)
        return headers


#: Longest validator sent back to a site.
MAX_VALIDATOR_CHARS = 512


def _header_safe(value: str | None) -> bool:
    """Whether ``value`` can be sent as a header value: short, printable ASCII."""
    return (
        value is not None
        and 0 < len(value) <= MAX_VALIDATOR_CHARS
        and all(" " <= ch <= "~" for ch in value)
    )


@dataclass(frozen=True)
class FetchResult:
    """The single outcome of fetching one URL."""

    url: str
    outcome: FetchOutcome
    message: str
    retryable: bool
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    body: bytes = b""
    retry_after_s: float | None = None
    redirects: tuple[str, ...] = ()
    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the page was fetched and is an HTML document worth extracting."""
        return self.outcome is FetchOutcome.OK

    @property
    def not_modified(self) -> bool:
        """Whether a conditional refetch answered 304 Not Modified."""
        return self.outcome is FetchOutcome.NOT_MODIFIED

    def to_error(self) -> ArticleError:
        """The failure as the ``error`` of an Article (also valid, if odd, for ``ok``)."""
        return ArticleError(
            code=self.outcome.value,
            message=self.message,
            retryable=self.retryable,
            http_status=self.http_status,
            retry_after_s=self.retry_after_s,
        )


class FetchFailure(Exception):
    """Raised inside the fetcher to end a fetch with a failure outcome."""

    def __init__(
        self,
        outcome: FetchOutcome,
        message: str,
        *,
        retryable: bool | None = None,
        http_status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retryable = DEFAULT_RETRYABLE[outcome] if retryable is None else retryable
        self.http_status = http_status
        self.retry_after_s = retry_after_s


class UrlRejected(FetchFailure):
    """A URL refused before any network traffic: ``code`` is ``invalid_url``,
    ``blocked_address`` or ``port_not_allowed``."""

    def __init__(self, code: FetchOutcome, message: str) -> None:
        super().__init__(code, message)
        self.code = code
