"""The one discovery use case behind the CLI, ``POST /discover`` and the intake worker."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.discovery.discoverer import Discoverer, DiscoveryLimits
from core.discovery.models import Discovery, StartKind
from core.extraction_options import ExtractionOptions, options_key
from core.submission import Submitter

if TYPE_CHECKING:
    from core.services import Services


def discoverer(services: Services) -> Discoverer:
    """A discoverer on the services' safe fetcher and article store."""
    return Discoverer(
        services.fetcher, services.articles, DiscoveryLimits.from_settings(services.settings)
    )


def discover(
    services: Services,
    kind: StartKind,
    url: str,
    *,
    enqueue: bool = False,
    limit: int | None = None,
    since: datetime | None = None,
    allow_other_sites: bool | None = None,
    deadline: float | None = None,
    webhook: str | None = None,
    options: ExtractionOptions | None = None,
) -> Discovery:
    """Discover the article URLs of ``url``; with ``enqueue``, queue the new and changed ones
    as one asynchronous batch (the ``Submitter`` of ``POST /articles``). Raises
    ``DiscoveryFailed`` when nothing could be read, ``StorageError`` when the queue fails
    (``webhook``: told when that batch finishes). With ``options``, the URLs are those articles
    extracted with them: their ids, their states and what is queued."""
    found = discoverer(services).discover(
        kind,
        url,
        limit=limit,
        since=since,
        allow_other_sites=allow_other_sites,
        deadline=deadline,
        options_key=options_key(None if options is None or options.is_default else options),
    )
    if not enqueue:
        return found
    # Even an empty batch is a batch: it finishes at once (and tells its webhook).
    submitter = Submitter(services, options)
    submission = submitter.enqueue(found.to_ingest(), webhook=webhook)
    return found.model_copy(update={"submission": submission})
