"""The safe page fetcher: the only way article-ingest fetches a URL (CLI, API and worker).

See ``docs/fetcher.md`` for what is refused and why, the outcomes and the settings.
"""

from core.fetch.challenge import looks_like_challenge
from core.fetch.content_type import parse_content_type
from core.fetch.fetcher import SafeFetcher, parse_retry_after
from core.fetch.outcomes import (
    DEFAULT_RETRYABLE,
    FetchOutcome,
    FetchResult,
    UrlRejected,
    Validators,
)
from core.fetch.policy import FetchPolicy
from core.fetch.resolver import Resolver, SystemResolver
from core.fetch.urls import ParsedUrl, parse_url, validate_url

__all__ = [
    "DEFAULT_RETRYABLE",
    "FetchOutcome",
    "FetchPolicy",
    "FetchResult",
    "ParsedUrl",
    "Resolver",
    "SafeFetcher",
    "SystemResolver",
    "UrlRejected",
    "Validators",
    "looks_like_challenge",
    "parse_content_type",
    "parse_retry_after",
    "parse_url",
    "validate_url",
]
