"""Discovery: article URLs from RSS, Atom and JSON feeds, sitemaps and robots.txt.

``core.discovery.usecase.discover`` is the one use case behind ``article-ingest ingest
--feed/--sitemap/--site``, ``POST /discover`` and intake messages with ``feed``/``sitemap``/
``site``. Every document is fetched by the safe fetcher (``core.discovery.discoverer``) and
parsed by ``core.discovery.parse`` (no entity expansion, bounded gzip). This package imports
only its models, so the API's cold start does not load the fetcher. See docs/discovery.md.
"""

from core.discovery.errors import DiscoveryFailed, DocumentRejected
from core.discovery.models import (
    DiscoveredUrl,
    Discovery,
    DiscoveryRequest,
    StartKind,
    UrlState,
    as_instant,
)

__all__ = [
    "DiscoveredUrl",
    "Discovery",
    "DiscoveryFailed",
    "DiscoveryRequest",
    "DocumentRejected",
    "StartKind",
    "UrlState",
    "as_instant",
]
