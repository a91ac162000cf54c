"""Discovery: article URLs from RSS, Atom and JSON feeds, sitemaps and robots.txt.

``discover`` (``core.discovery.usecase``) is the one use case behind ``article-ingest ingest
--feed/--sitemap/--site``, ``POST /discover`` and intake messages with ``feed``/``sitemap``/
``site``. Every document is fetched by the safe fetcher and parsed by ``core.discovery.parse``
(no entity expansion, bounded gzip). See docs/discovery.md.
"""

from core.discovery.discoverer import Discoverer, DiscoveryLimits, site_of
from core.discovery.errors import DiscoveryFailed, DocumentRejected
from core.discovery.models import DiscoveredUrl, Discovery, StartKind, UrlState, as_instant
from core.discovery.usecase import discover

__all__ = [
    "DiscoveredUrl",
    "Discoverer",
    "Discovery",
    "DiscoveryFailed",
    "DiscoveryLimits",
    "DocumentRejected",
    "StartKind",
    "UrlState",
    "as_instant",
    "discover",
    "site_of",
]
