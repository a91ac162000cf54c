"""An intake message naming a feed, sitemap or site: discover, then queue what is new."""

from __future__ import annotations

import logging
import time
from datetime import UTC
from typing import TYPE_CHECKING

from core.discovery.errors import DiscoveryFailed
from core.discovery.usecase import discover
from core.pipeline import OutOfTime

if TYPE_CHECKING:
    from core.events import IntakeMessage
    from core.services import Services

logger = logging.getLogger(__name__)


def run_discovery_message(
    services: Services,
    message: IntakeMessage,
    *,
    receive_count: int = 1,
    deadline: float | None = None,
) -> str:
    """Discover the message's feed, sitemap or site and queue its new and changed URLs;
    returns ``discovered`` or ``failed``. Raises (so the message is redelivered) when time is
    short or a retryable failure still has deliveries left; a permanent failure is logged and
    the message acknowledged (there is no article to record it on)."""
    start = message.discovery_start()
    if start is None:
        raise ValueError("not a discovery message")
    kind, url = start
    settings = services.settings
    if deadline is not None and deadline - time.monotonic() < settings.fetch_deadline_s:
        raise OutOfTime(url)
    since = message.since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    try:
        found = discover(
            services,
            kind,
            url,
            enqueue=True,
            limit=message.limit,
            since=since,
            deadline=deadline,
            options=message.options,
        )
    except DiscoveryFailed as error:
        if error.retryable and receive_count < settings.queue_max_receives:
            raise
        logger.warning("discovery of %s %s failed: %s: %s", kind, url, error.code, error.message)
        return "failed"
    queued = len(found.submission.results) if found.submission else 0
    logger.info("discovered %d URLs in %s %s; queued %d", len(found.urls), kind, url, queued)
    return "discovered"
