"""The local event bus: events appended to a JSON Lines file, optionally POSTed to a webhook.

Each line is an EventBridge-shaped envelope (``id``, ``detail-type``, ``source``, ``time``,
``detail``), so a consumer written against the AWS bus reads the file unchanged. Appends hold
an exclusive ``flock`` so two processes on one data directory never interleave lines.

When ``webhook_url`` is set, each event is also POSTed there (operator-configured, not user
input), signed like batch webhooks (``core.signing``: ``Article-Ingest-Timestamp`` and
``Article-Ingest-Signature: v1=<hex HMAC-SHA256 of "timestamp.body">``; ``webhook_secret`` is
required with it). A failed POST raises, so the caller retries the whole publish; consumers
drop the duplicate lines by ``detail.event_id``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.errors import StorageError
from core.events import EVENT_SOURCE
from core.settings import Settings
from core.signing import signed_headers

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_S = 10.0


def envelope(event: BaseModel) -> dict[str, Any]:
    """The EventBridge-shaped record of ``event`` (as written to the JSON Lines file)."""
    detail = event.model_dump(mode="json")
    return {
        "version": "0",
        "id": detail.get("event_id"),
        "detail-type": getattr(event, "detail_type", type(event).__name__),
        "source": getattr(event, "source", EVENT_SOURCE),
        "time": detail.get("occurred_at"),
        "detail": detail,
    }


class JsonlEventBus:
    """``EventBus`` on ``settings.events_path`` (and ``settings.webhook_url`` if set)."""

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.events_path
        self.webhook_url = settings.webhook_url
        self.webhook_secret = settings.webhook_secret

    def publish(self, events: Sequence[BaseModel]) -> None:
        """Append every event (one locked write), then POST each to the webhook if set."""
        if not events:
            return
        records = [envelope(event) for event in events]
        lines = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                data = lines.encode("utf-8")
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
            finally:
                os.close(fd)  # closing releases the lock
        except OSError as error:
            raise StorageError(f"cannot append events to {self.path}: {error}") from error
        if self.webhook_url:
            for record in records:
                self._post(record)
        logger.debug("published %d events", len(records))

    def _post(self, record: dict[str, Any]) -> None:
        assert self.webhook_url is not None
        body = json.dumps(record, separators=(",", ":")).encode("utf-8")
        if not self.webhook_secret:
            raise StorageError("webhook_url is set without webhook_secret: never POST unsigned")
        headers = {
            **signed_headers(self.webhook_secret, body),
            "User-Agent": "article-ingest-events",
        }
        request = urllib.request.Request(  # noqa: S310 - operator-configured URL
            self.webhook_url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
                status = response.status
        except OSError as error:
            raise StorageError(f"webhook POST failed: {error}") from error
        if not 200 <= status < 300:
            raise StorageError(f"webhook answered HTTP {status}")
