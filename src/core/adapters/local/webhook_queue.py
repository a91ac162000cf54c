"""The local webhook delivery queue: a SQLite table drained by the local runtime.

Like the SQS queue on AWS: a message has a visibility time (its retry delay) and is deleted
once the delivery handler is done with it; a handler that crashes leaves it to reappear.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from core.adapters.local.sqlite import SqliteDatabase
from core.batches.models import WebhookDelivery
from core.errors import InvalidInput

MAX_DELAY_S = 900
#: As the AWS webhook queue's redrive policy (template.yaml).
MAX_RECEIVES = 5

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_queue (
    message_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS webhook_queue_by_visibility ON webhook_queue (visible_at)
"""


@dataclass(frozen=True)
class WebhookMessage:
    """One received delivery message."""

    message_id: str
    body: str
    receive_count: int


class SqliteWebhookQueue:
    """``WebhookQueue`` on the local SQLite database, plus what the local runtime needs."""

    def __init__(self, db: SqliteDatabase, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        db.ensure_schema("webhook_queue", SCHEMA)

    def send_delivery(self, delivery: WebhookDelivery, *, delay_s: int = 0) -> None:
        if not 0 <= delay_s <= MAX_DELAY_S:
            raise InvalidInput(f"delay must be within 0..{MAX_DELAY_S} s, not {delay_s}")
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO webhook_queue (message_id, body, visible_at) VALUES (?, ?, ?)",
                (str(uuid.uuid4()), delivery.model_dump_json(), self.clock() + delay_s),
            )

    def receive(self, max_messages: int, visibility_timeout_s: float) -> list[WebhookMessage]:
        """Due messages, hidden for ``visibility_timeout_s``; a message already received
        ``MAX_RECEIVES`` times is dropped (logged), as the AWS queue dead-letters it."""
        now = self.clock()
        with self.db.transaction() as conn:
            for row in conn.execute(
                "SELECT message_id, body FROM webhook_queue WHERE visible_at <= ?"
                " AND receive_count >= ?",
                (now, MAX_RECEIVES),
            ).fetchall():
                logger.error(
                    "webhook delivery %s failed %d times: dropped", row["body"], MAX_RECEIVES
                )
                conn.execute("DELETE FROM webhook_queue WHERE message_id = ?", (row["message_id"],))
            rows = conn.execute(
                "SELECT message_id, body, receive_count FROM webhook_queue"
                " WHERE visible_at <= ? ORDER BY visible_at LIMIT ?",
                (now, max_messages),
            ).fetchall()
            conn.executemany(
                "UPDATE webhook_queue SET visible_at = ?, receive_count = receive_count + 1"
                " WHERE message_id = ?",
                [(now + visibility_timeout_s, row["message_id"]) for row in rows],
            )
        return [
            WebhookMessage(row["message_id"], row["body"], row["receive_count"] + 1) for row in rows
        ]

    def delete(self, message_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM webhook_queue WHERE message_id = ?", (message_id,))

    def next_visible_at(self) -> float | None:
        """When the next message is due (None when the queue is empty)."""
        row = (
            self.db.connection()
            .execute("SELECT MIN(visible_at) AS t FROM webhook_queue")
            .fetchone()
        )
        return None if row["t"] is None else float(row["t"])
