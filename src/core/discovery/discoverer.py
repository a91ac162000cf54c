"""Discovery: a feed, a sitemap or a site's robots.txt → the article URLs worth ingesting.

Every document (robots.txt, feeds, sitemaps, sitemap indexes) is fetched by the safe fetcher
(SSRF rules, size caps, deadlines, robots.txt, per-host politeness) and parsed by
``core.discovery.parse``. Limits: URLs per discovery, documents fetched, sitemap-index depth,
the caller's deadline, and sites (the start URL's registrable domain unless other sites are
allowed). Each URL found is then compared with the store: ``new``, ``changed`` (its
``lastmod`` is newer than the stored article's last fetch or check, ``checked_at``) or
``stored``.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urlsplit

from core.discovery.errors import DiscoveryFailed, DocumentRejected
from core.discovery.models import (
    DiscoveredUrl,
    Discovery,
    DocumentReport,
    Skipped,
    StartKind,
    UrlState,
)
from core.discovery.parse import Entry, ParsedDocument, parse_document, robots_sitemaps
from core.fetch import FetchOutcome, UrlRejected, parse_url, validate_url
from core.ids import article_id
from core.models import Article, ArticleError
from core.versions import last_checked

if TYPE_CHECKING:
    from core.ports import ArticleStore, DocumentFetcher
    from core.settings import Settings

logger = logging.getLogger(__name__)

#: Media types a feed or sitemap may be served with (the parser decides what it really is).
DOCUMENT_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
        "text/plain",
        "text/html",
        "application/gzip",
        "application/x-gzip",
        "application/octet-stream",
    }
)
ROBOTS_TYPES = frozenset({"text/plain", "text/html", "application/octet-stream"})
#: Parallel store look-ups when classifying the URLs found.
_LOOKUP_WORKERS = 8


@dataclass(frozen=True)
class DiscoveryLimits:
    """The bounds of one discovery (``Settings.discovery_*``)."""

    max_urls: int = 1000
    max_documents: int = 20
    max_depth: int = 2
    max_document_bytes: int = 50_000_000
    allow_other_sites: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> DiscoveryLimits:
        return cls(
            max_urls=settings.discovery_max_urls,
            max_documents=settings.discovery_max_documents,
            max_depth=settings.discovery_max_depth,
            max_document_bytes=settings.discovery_max_document_bytes,
            allow_other_sites=settings.discovery_allow_other_sites,
        )


def site_of(url: str) -> str:
    """The registrable domain of ``url`` (``news.bbc.co.uk`` → ``bbc.co.uk``); the host itself
    for an address or a name outside the public suffix list."""
    from courlan import extract_domain

    host = (urlsplit(url).hostname or "").lower()
    found = extract_domain(url) if host else None
    return found.lower() if found else host


@dataclass
class _Run:
    """The state of one discovery."""

    kind: StartKind
    source: str
    limit: int
    since: datetime | None
    allow_other_sites: bool
    deadline: float | None
    options_key: str = ""
    sites: set[str] = field(default_factory=set)
    found: dict[str, tuple[Entry, str]] = field(default_factory=dict)
    documents: list[DocumentReport] = field(default_factory=list)
    skipped: Skipped = field(default_factory=Skipped)
    visited: set[str] = field(default_factory=set)
    truncated: bool = False

    def on_site(self, url: str) -> bool:
        return self.allow_other_sites or site_of(url) in self.sites

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def fail(self, url: str, code: str, message: str, *, retryable: bool = False) -> None:
        error = ArticleError(code=code, message=message, retryable=retryable)
        self.documents.append(DocumentReport(url=url, error=error))


class Discoverer:
    """Finds article URLs in feeds and sitemaps (thread-safe; one per ``Services``)."""

    def __init__(
        self, fetcher: DocumentFetcher, articles: ArticleStore, limits: DiscoveryLimits
    ) -> None:
        self.fetcher = fetcher
        self.articles = articles
        self.limits = limits

    def discover(
        self,
        kind: StartKind,
        url: str,
        *,
        limit: int | None = None,
        since: datetime | None = None,
        allow_other_sites: bool | None = None,
        deadline: float | None = None,
        options_key: str = "",
    ) -> Discovery:
        """Discover the article URLs of the feed, sitemap or site at ``url`` (their ids, and so
        their state, those of articles extracted with the options of ``options_key``). Raises
        ``DiscoveryFailed`` when no document could be fetched and read."""
        run = _Run(
            kind=kind,
            source=url,
            limit=min(limit or self.limits.max_urls, self.limits.max_urls),
            since=since,
            allow_other_sites=(
                self.limits.allow_other_sites if allow_other_sites is None else allow_other_sites
            ),
            deadline=deadline,
            options_key=options_key,
        )
        try:
            parse_url(url, self.fetcher.policy)
        except UrlRejected as rejected:
            raise DiscoveryFailed(rejected.code.value, rejected.message) from None
        run.sites.add(site_of(url))
        starts = self._site_sitemaps(url, run) if kind == "site" else [url]
        self._walk(starts, run)
        if not any(r.error is None and r.kind != "robots" for r in run.documents):
            first = next((r.error for r in run.documents if r.error is not None), None)
            if first is None:
                raise DiscoveryFailed("not_a_feed", f"nothing to read at {url}")
            raise DiscoveryFailed(first.code, f"{url}: {first.message}", retryable=first.retryable)
        return self._answer(run)

    # -- documents --------------------------------------------------------------------------

    def _site_sitemaps(self, url: str, run: _Run) -> list[str]:
        """The on-site ``Sitemap:`` lines of the site's robots.txt, else ``/sitemap.xml``."""
        origin = parse_url(url, self.fetcher.policy).origin
        robots_url = f"{origin}/robots.txt"
        run.visited.add(robots_url)
        result = self.fetcher.fetch_document(
            robots_url, ROBOTS_TYPES, deadline=run.deadline, check_robots=False
        )
        listed: list[str] = []
        if result.ok:
            listed = robots_sitemaps(result.body[:512_000].decode("utf-8", "replace"))
            run.documents.append(DocumentReport(url=robots_url, kind="robots", entries=len(listed)))
        else:
            logger.info("robots.txt of %s unusable: %s", origin, result.message)
        on_site = [u for u in listed if run.on_site(u)]
        run.skipped.off_site += len(listed) - len(on_site)
        return on_site or [f"{origin}/sitemap.xml"]

    def _walk(self, starts: Sequence[str], run: _Run) -> None:
        """Read documents breadth first: indexes add their sitemaps, others add URLs."""
        pending: deque[tuple[str, int]] = deque((u, 0) for u in starts)
        fetched = len(run.visited)  # robots.txt counts
        while pending and len(run.found) < run.limit:
            doc_url, depth = pending.popleft()
            key = urldefrag(doc_url)[0]
            if key in run.visited:
                continue  # a sitemap index listing itself, or a loop between indexes
            if fetched >= self.limits.max_documents or run.out_of_time():
                run.truncated = True
                why = (
                    ("document_limit", f"over {self.limits.max_documents} documents")
                    if fetched >= self.limits.max_documents
                    else ("timeout", "the time budget ran out before this document")
                )
                for skipped_url, _ in [(doc_url, depth), *pending]:
                    run.fail(skipped_url, *why, retryable=why[0] == "timeout")
                return
            run.visited.add(key)
            fetched += 1
            parsed = self._read(doc_url, run, depth)
            if parsed is None:
                continue
            if parsed.is_index:
                self._children(parsed, depth, pending, run)
            else:
                for entry in parsed.entries:
                    self._add(entry, doc_url, run)
            run.truncated = run.truncated or parsed.truncated
        if pending:
            run.truncated = True  # the URL limit was reached with documents left unread

    def _read(self, url: str, run: _Run, depth: int) -> ParsedDocument | None:
        """Fetch and parse one document; a failure is recorded on the run."""
        result = self.fetcher.fetch_document(url, DOCUMENT_TYPES, deadline=run.deadline)
        if not result.ok:
            code = "not_a_feed" if result.outcome is FetchOutcome.NOT_HTML else result.outcome.value
            run.fail(url, code, result.message, retryable=result.retryable)
            return None
        if depth == 0 and result.final_url:
            run.sites.add(site_of(result.final_url))  # a feed that moved keeps its new site
        try:
            parsed = parse_document(
                result.body, result.final_url or url, max_bytes=self.limits.max_document_bytes
            )
        except DocumentRejected as rejected:
            run.fail(url, rejected.code, rejected.message)
            return None
        run.documents.append(
            DocumentReport(url=url, kind=parsed.kind.value, entries=len(parsed.entries))
        )
        return parsed

    def _children(
        self, index: ParsedDocument, depth: int, pending: deque[tuple[str, int]], run: _Run
    ) -> None:
        """Queue the sitemaps of an index, within the depth limit and ``since``."""
        for entry in index.entries:
            if depth + 1 > self.limits.max_depth:
                run.truncated = True
                run.fail(
                    entry.url,
                    "too_deep",
                    f"sitemap indexes nested deeper than {self.limits.max_depth}",
                )
                continue
            if run.since and entry.lastmod and entry.lastmod < run.since:
                continue  # nothing in it changed since then
            if not run.on_site(entry.url):
                run.skipped.off_site += 1
                continue
            if urldefrag(entry.url)[0] not in run.visited:
                pending.append((entry.url, depth + 1))

    def _add(self, entry: Entry, source: str, run: _Run) -> None:
        """Keep one article URL (collapsed by article id; the newest ``lastmod`` wins)."""
        if run.since and entry.lastmod and entry.lastmod < run.since:
            run.skipped.older += 1
            return
        if not run.on_site(entry.url):
            run.skipped.off_site += 1
            return
        try:
            validate_url(entry.url, self.fetcher.policy)
            the_id = article_id(entry.url, run.options_key)
        except (UrlRejected, ValueError):
            run.skipped.invalid_url += 1
            return
        known = run.found.get(the_id)
        if known is not None:
            if entry.lastmod and (known[0].lastmod is None or entry.lastmod > known[0].lastmod):
                run.found[the_id] = (Entry(known[0].url, entry.lastmod), known[1])
            return
        if len(run.found) >= run.limit:
            run.skipped.over_limit += 1
            run.truncated = True
            return
        run.found[the_id] = (entry, source)

    # -- the answer -------------------------------------------------------------------------

    def _answer(self, run: _Run) -> Discovery:
        ids = list(run.found)
        stored = self._lookup(ids)
        urls = [
            DiscoveredUrl(
                url=entry.url,
                id=the_id,
                lastmod=entry.lastmod,
                state=state_of(stored.get(the_id), entry.lastmod),
                source=source,
            )
            for the_id, (entry, source) in run.found.items()
        ]
        counts = {state: sum(1 for u in urls if u.state is state) for state in UrlState}
        return Discovery(
            source=run.source,
            kind=run.kind,
            urls=urls,
            counts=counts,
            documents=run.documents,
            skipped=run.skipped,
            truncated=run.truncated,
        )

    def _lookup(self, ids: list[str]) -> dict[str, Article]:
        """The stored articles among ``ids`` (looked up in parallel)."""
        if not ids:
            return {}
        get: Callable[[str], Article | None] = self.articles.get
        with ThreadPoolExecutor(min(_LOOKUP_WORKERS, len(ids)), "discover-lookup") as pool:
            found = pool.map(get, ids)
            return {the_id: a for the_id, a in zip(ids, found, strict=True) if a is not None}


def state_of(stored: Article | None, lastmod: datetime | None) -> UrlState:
    """``new`` when not stored; ``changed`` when ``lastmod`` is after the page was last
    fetched or checked (``checked_at``: a refetch that found the same page counts, so a
    ``lastmod`` that moved without a change queues the page once, not on every run)."""
    if stored is None:
        return UrlState.NEW
    checked = last_checked(stored)
    if lastmod is not None and checked is not None and lastmod > checked:
        return UrlState.CHANGED
    return UrlState.STORED
