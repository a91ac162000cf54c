"""SafeFetcher: the one way this service fetches a URL a stranger sent.

Per hop: parse and normalise the URL, resolve the host once, refuse if any address is not
public, consult robots.txt, wait for a per-host slot (spaced by our delay or the site's capped
``Crawl-delay``, whichever is longer), connect to exactly a checked address, and read a bounded
body within the total deadline. Every path ends in one ``FetchResult``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from core.fetch.addresses import IPAddress, vetted_addresses
from core.fetch.challenge import looks_like_challenge
from core.fetch.content_type import HTML_TYPES, parse_content_type, sniff_html
from core.fetch.outcomes import (
    RETRYABLE_STATUSES,
    FetchFailure,
    FetchOutcome,
    FetchResult,
    UrlRejected,
    Validators,
)
from core.fetch.policy import FetchPolicy
from core.fetch.politeness import HostLimiter
from core.fetch.resolver import Resolver, SystemResolver
from core.fetch.robots import RobotsCache, RobotsRules
from core.fetch.transport import Deadline, Exchange, Limits, make_ssl_context, open_exchange
from core.fetch.urls import ParsedUrl, parse_url, resolve_redirect

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER_S = 86_400.0
_ERROR_BODY_BYTES = 65_536

T = TypeVar("T")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER_S)


@dataclass
class _State:
    """What one ``fetch`` call has learnt so far."""

    deadline: Deadline
    resolved: dict[str, list[IPAddress]] = field(default_factory=dict)
    current: str | None = None
    redirects: list[str] = field(default_factory=list)
    http_status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    #: Media types a document fetch accepts (None: an HTML page, sniffed when untyped).
    media_types: frozenset[str] | None = None
    headers: dict[str, str] | None = None
    #: ``If-None-Match``/``If-Modified-Since`` of a conditional page fetch (never robots.txt).
    conditional: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None


#: ``Accept`` of a document fetch (feeds, sitemaps, robots.txt).
DOCUMENT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
)


class SafeFetcher:
    """Fetches URLs under a ``FetchPolicy``; ``fetch`` never raises and is thread-safe."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver: Resolver = resolver if resolver is not None else SystemResolver()
        self._limiter = HostLimiter(policy.per_host_concurrency, policy.per_host_delay_s)
        self._robots = RobotsCache(policy.robots_cache_ttl_s)
        self._ssl = make_ssl_context(policy.extra_ca_certs)
        self._limits = Limits(
            connect_timeout_s=policy.connect_timeout_s,
            read_timeout_s=policy.read_timeout_s,
            max_body_bytes=policy.max_body_bytes,
            max_content_encodings=policy.max_content_encodings,
        )
        self._headers = {
            "User-Agent": policy.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
        }

    @property
    def policy(self) -> FetchPolicy:
        return self._policy

    def fetch(
        self, url: str, *, deadline: float | None = None, validators: Validators | None = None
    ) -> FetchResult:
        """Fetch one URL; every failure is returned as an outcome, never raised.

        ``deadline`` (a ``time.monotonic()`` instant) caps the policy's own deadline, waits
        for a per-host slot included: past it the fetch ends as ``timeout``. With
        ``validators`` the request is conditional and a 304 ends as ``not_modified``."""
        state = _State(deadline=Deadline(self._policy.deadline_s, hard_at=deadline))
        if validators is not None:
            state.conditional = validators.headers()
        try:
            return self._fetch(url, state)
        except FetchFailure as failure:
            return self._failed(url, state, failure)
        except Exception as exc:  # a bug must not crash a batch; it is logged and reported
            logger.exception("unexpected error fetching %r", url)
            return self._failed(url, state, _unexpected(exc))

    def fetch_document(
        self,
        url: str,
        media_types: frozenset[str],
        *,
        deadline: float | None = None,
        check_robots: bool = True,
    ) -> FetchResult:
        """Fetch a non-HTML document (a feed, a sitemap, robots.txt) under the same rules as a
        page: a 2xx answer whose media type is in ``media_types`` (or has none) is ``ok``;
        another type is ``not_html`` (read: not an accepted type). ``check_robots=False``
        only for robots.txt itself (RFC 9309: it is always allowed)."""
        state = _State(
            deadline=Deadline(self._policy.deadline_s, hard_at=deadline),
            media_types=media_types,
            headers={**self._headers, "Accept": DOCUMENT_ACCEPT},
        )
        try:
            start = parse_url(url, self._policy)
            state.current = start.url
            final, body = self._follow(
                start, state, self._read_page, page=True, robots=check_robots
            )
        except FetchFailure as failure:
            return self._failed(url, state, failure)
        except Exception as exc:  # a bug must not crash a discovery; it is logged and reported
            logger.exception("unexpected error fetching document %r", url)
            return self._failed(url, state, _unexpected(exc))
        return FetchResult(
            url=url,
            outcome=FetchOutcome.OK,
            message="",
            retryable=False,
            final_url=final.url,
            http_status=state.http_status,
            content_type=state.content_type,
            charset=state.charset,
            body=body,
            redirects=tuple(state.redirects),
            fetched_at=datetime.now(UTC),
        )

    def _failed(self, url: str, state: _State, failure: FetchFailure) -> FetchResult:
        status = failure.http_status if failure.http_status is not None else state.http_status
        logger.info("fetch %s -> %s: %s", url, failure.outcome.value, failure.message)
        return FetchResult(
            url=url if isinstance(url, str) else repr(url),
            outcome=failure.outcome,
            message=failure.message,
            retryable=failure.retryable,
            final_url=state.current,
            http_status=status,
            content_type=state.content_type,
            charset=state.charset,
            retry_after_s=failure.retry_after_s,
            redirects=tuple(state.redirects),
            fetched_at=datetime.now(UTC) if status is not None else None,
        )

    def _fetch(self, url: str, state: _State) -> FetchResult:
        start = parse_url(url, self._policy)
        state.current = start.url
        final, body = self._follow(start, state, self._read_page, page=True)
        return FetchResult(
            url=url,
            outcome=FetchOutcome.NOT_MODIFIED if state.not_modified else FetchOutcome.OK,
            message="304 Not Modified" if state.not_modified else "",
            retryable=False,
            final_url=final.url,
            http_status=state.http_status,
            content_type=state.content_type,
            charset=state.charset,
            body=body,
            redirects=tuple(state.redirects),
            fetched_at=datetime.now(UTC),
            etag=state.etag,
            last_modified=state.last_modified,
        )

    # -- hops -------------------------------------------------------------------------------

    def _follow(
        self,
        start: ParsedUrl,
        state: _State,
        handle: Callable[[ParsedUrl, Exchange, _State], T],
        *,
        page: bool,
        robots: bool = True,
    ) -> tuple[ParsedUrl, T]:
        """Request ``start``, following checked redirects, and hand the last response to
        ``handle`` while its connection is open."""
        current = start
        visited = {start.url}
        hops = 0
        while True:
            delay = None
            if page and robots and self._policy.respect_robots:
                delay = self._check_robots(current, state)
            addresses = self._addresses(current, state)
            headers = state.headers or self._headers
            if page and state.conditional:
                headers = {**headers, **state.conditional}
            with self._limiter.slot(
                current.host, until=state.deadline.hard_at, delay_s=delay
            ) as waited:
                state.deadline.extend(waited)
                with open_exchange(
                    current,
                    addresses,
                    self._resolver.connect_target,
                    headers,
                    state.deadline,
                    self._limits,
                    self._ssl,
                ) as exchange:
                    location = exchange.header("Location")
                    if exchange.status not in REDIRECT_STATUSES or location is None:
                        return current, handle(current, exchange, state)
            current = self._next_hop(current, location)
            hops += 1
            if current.url in visited:
                raise FetchFailure(
                    FetchOutcome.TOO_MANY_REDIRECTS, f"redirect loop back to {current.url}"
                )
            if hops > self._policy.max_redirects:
                raise FetchFailure(
                    FetchOutcome.TOO_MANY_REDIRECTS,
                    f"more than {self._policy.max_redirects} redirects",
                )
            visited.add(current.url)
            if page:
                state.redirects.append(current.url)
                state.current = current.url

    def _next_hop(self, current: ParsedUrl, location: str) -> ParsedUrl:
        try:
            target = resolve_redirect(current, location, self._policy)
        except UrlRejected as rejected:
            raise FetchFailure(
                rejected.outcome, f"redirect to {location[:200]!r} refused: {rejected.message}"
            ) from None
        if current.scheme == "https" and target.scheme == "http":
            raise FetchFailure(
                FetchOutcome.INVALID_URL, f"redirect from https to http refused: {target.url}"
            )
        return target

    def _addresses(self, url: ParsedUrl, state: _State) -> list[IPAddress]:
        """The checked addresses of the host: resolved once per fetch, all of them public."""
        if url.ip is not None:
            return [url.ip]  # a literal, already checked by parse_url
        cached = state.resolved.get(url.host)
        if cached is not None:
            return cached
        timeout = state.deadline.cap(self._policy.connect_timeout_s)
        addresses = vetted_addresses(url, self._resolver, self._policy, timeout)
        state.resolved[url.host] = addresses
        return addresses

    # -- responses --------------------------------------------------------------------------

    def _read_page(self, url: ParsedUrl, exchange: Exchange, state: _State) -> bytes:
        status = exchange.status
        state.http_status = status
        if status == 304 and state.conditional:
            state.not_modified = True
            return b""
        mime, charset = parse_content_type(exchange.header("Content-Type"))
        state.content_type, state.charset = mime, charset
        if 200 <= status < 300:
            state.etag = exchange.header("ETag")
            state.last_modified = exchange.header("Last-Modified")
            accepted = HTML_TYPES if state.media_types is None else state.media_types
            if mime is not None and mime not in accepted:
                what = "HTML" if state.media_types is None else "an accepted type"
                raise FetchFailure(FetchOutcome.NOT_HTML, f"content type {mime} is not {what}")
            body = exchange.read_body()
            if mime is None and state.media_types is None:
                if not sniff_html(body):
                    raise FetchFailure(
                        FetchOutcome.NOT_HTML, "no Content-Type and the body is not HTML"
                    )
                state.content_type = "text/html"
            if not body.strip():
                raise FetchFailure(FetchOutcome.EMPTY_EXTRACTION, f"HTTP {status} with no content")
            return body
        retry_after = parse_retry_after(exchange.header("Retry-After"))
        if status in (401, 403):
            raise FetchFailure(FetchOutcome.BLOCKED_BY_SITE, f"the site refused access ({status})")
        if status == 429:
            raise FetchFailure(
                FetchOutcome.BLOCKED_BY_SITE,
                "the site is rate limiting us (429)",
                retryable=True,
                retry_after_s=retry_after,
            )
        if status == 503 and self._is_challenge(url, exchange, status):
            raise FetchFailure(
                FetchOutcome.BLOCKED_BY_SITE, "the site answered with a bot challenge (503)"
            )
        if 300 <= status < 400:
            raise FetchFailure(FetchOutcome.HTTP_ERROR, f"HTTP {status} without a usable Location")
        raise FetchFailure(
            FetchOutcome.HTTP_ERROR,
            f"HTTP {status}",
            retryable=status in RETRYABLE_STATUSES,
            retry_after_s=retry_after if status == 503 else None,
        )

    def _is_challenge(self, url: ParsedUrl, exchange: Exchange, status: int) -> bool:
        try:
            body = exchange.read_body(_ERROR_BODY_BYTES, truncate=True)
        except FetchFailure:
            return False
        probe = FetchResult(url.url, FetchOutcome.HTTP_ERROR, "", False, body=body)
        return looks_like_challenge(probe)

    # -- robots.txt -------------------------------------------------------------------------

    def _check_robots(self, url: ParsedUrl, state: _State) -> float:
        """Refuse ``url`` if robots.txt disallows it; else the gap to leave after it on its
        host (our per-host delay, or the site's capped ``Crawl-delay`` if longer)."""
        rules = self._robots.rules(url.origin, lambda: self._load_robots(url, state))
        user_agent = self._policy.user_agent
        if not rules.can_fetch(user_agent, url.url):
            unavailable = rules.parser is None and not rules.allow_all
            raise FetchFailure(
                FetchOutcome.ROBOTS_DISALLOWED,
                rules.reason or f"robots.txt of {url.origin} disallows {url.target}",
                retryable=unavailable,
            )
        return self._policy.host_delay(rules.crawl_delay(user_agent))

    def _load_robots(self, url: ParsedUrl, state: _State) -> RobotsRules:
        robots_url = parse_url(f"{url.origin}/robots.txt", self._policy)
        started = time.monotonic()
        try:
            _, rules = self._follow(robots_url, state, self._read_robots, page=False)
        except FetchFailure as failure:
            if failure.outcome in (
                FetchOutcome.INVALID_URL,
                FetchOutcome.BLOCKED_ADDRESS,
                FetchOutcome.PORT_NOT_ALLOWED,
                FetchOutcome.TOO_MANY_REDIRECTS,
            ):
                # A robots.txt we refuse to follow is "unavailable": RFC 9309 allows crawling.
                logger.info("robots.txt of %s unavailable: %s", url.origin, failure.message)
                return RobotsRules(allow_all=True)
            raise
        logger.debug("robots.txt of %s loaded in %.3fs", url.origin, time.monotonic() - started)
        return rules

    def _read_robots(self, url: ParsedUrl, exchange: Exchange, state: _State) -> RobotsRules:
        status = exchange.status
        if 200 <= status < 300:
            body = exchange.read_body(self._policy.max_robots_bytes, truncate=True)
            return RobotsRules.from_text(body.decode("utf-8", "replace"))
        if status == 429 or status >= 500:
            return RobotsRules(
                allow_all=False,
                reason=f"robots.txt of {url.origin} unavailable (HTTP {status}); retry later",
            )
        return RobotsRules(allow_all=True)


def _unexpected(exc: Exception) -> FetchFailure:
    """A bug met while fetching, reported as a final failure of that one URL."""
    return FetchFailure(
        FetchOutcome.CONNECT_ERROR,
        f"unexpected error: {type(exc).__name__}: {exc}",
        retryable=False,
    )
