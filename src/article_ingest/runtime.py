"""The local runtime: the SQLite queue and change stream driving the same Lambda handlers.

On AWS, SQS invokes ``handlers.worker`` and the DynamoDB stream invokes ``handlers.indexer``.
Locally, ``LocalRuntime.drain`` does both jobs with the same event shapes:

* due queue messages become an SQS event (``ApproximateReceiveCount`` and all); records the
  worker reports in ``batchItemFailures`` (or a whole failed invocation) become visible again
  after a backoff of 1, 2, 4… s; deleted otherwise. ``max_receives`` deliveries → dead letters.
* rows of the ``stream`` outbox table become a DynamoDB stream event with ``NewImage`` and
  ``OldImage`` in the AWS item layout. Like a Lambda stream mapping, processing resumes at the
  first failed record after a backoff; after ``stream_max_retries`` that record goes to the
  ``stream_dead_letters`` table (the on-failure destination). The cursor lives in SQLite, so
  a restart resumes where the last run stopped; a lease keeps two processes from reading
  the stream at once. The lease names its holder (``core.adapters.local.liveness``): a holder on
  this machine that has died (``kill -9``, a crash) is seen as such and its lease taken at
  once; a live holder, or one elsewhere, keeps it until it releases it or ``LEASE_S`` runs out.

``drain`` returns when the queue is empty and the stream caught up, or at ``timeout_s``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from core.adapters.local import liveness
from core.adapters.local.queue import QueueMessage, SqliteIngestQueue
from core.models import Article
from core.services import Services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = logging.getLogger(__name__)

STREAM = "articles"
STREAM_ARN = "arn:aws:dynamodb:local:000000000000:table/articles/stream/local"
QUEUE_ARN = "arn:aws:sqs:local:000000000000:article-ingest-intake"
# As the AWS event source mappings (template.yaml).
WORKER_BATCH = 10
STREAM_BATCH = 25
STREAM_MAX_RETRIES = 10
VISIBILITY_TIMEOUT_S = 120.0
LEASE_S = 60.0
LEASE_POLL_S = 1.0
MAX_BACKOFF_S = 30.0
# The local outbox keeps processed rows as long as a DynamoDB stream keeps records.
STREAM_RETENTION = timedelta(hours=24)

CURSOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL DEFAULT 0,
    failed_seq INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    retry_at REAL NOT NULL DEFAULT 0,
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS stream_dead_letters (
    seq INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    dead_at REAL NOT NULL
)
"""


def backoff(attempts: int) -> float:
    """Seconds before retry number ``attempts`` (1, 2, 4, … capped)."""
    return float(min(MAX_BACKOFF_S, 2 ** max(0, attempts - 1)))


@dataclass
class LambdaContextStub:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def _context(function_name: str) -> LambdaContext:
    return cast("LambdaContext", LambdaContextStub(function_name))


@dataclass
class DrainReport:
    """What one ``drain`` did."""

    worker_invocations: int = 0
    indexer_invocations: int = 0
    messages: int = 0
    message_failures: int = 0
    records: int = 0
    record_failures: int = 0
    finished: bool = False


def sqs_record(message: QueueMessage) -> dict[str, Any]:
    """An SQS Lambda event record for a received message."""
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt,
        "body": message.body,
        "attributes": {
            "ApproximateReceiveCount": str(message.receive_count),
            "SentTimestamp": str(int(message.sent_at * 1000)),
            "SenderId": "local",
            "ApproximateFirstReceiveTimestamp": str(int(message.first_received_at * 1000)),
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(message.body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "local",
    }


def image(body: str) -> dict[str, Any]:
    """A stored article JSON as a stream image: DynamoDB JSON of the AWS item layout."""
    from core.adapters.aws.dynamodb_items import article_document, to_item

    return to_item(article_document(Article.model_validate_json(body), text_uri=None))


def stream_record(row: sqlite3.Row) -> dict[str, Any]:
    """A DynamoDB stream Lambda event record for one outbox row."""
    new_image = image(row["new_image"])
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": datetime.fromisoformat(row["created_at"]).timestamp(),
        "Keys": {"id": {"S": row["article_id"]}},
        "NewImage": new_image,
        "SequenceNumber": str(row["seq"]).zfill(21),
        "SizeBytes": len(row["new_image"]) + len(row["old_image"] or ""),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if row["old_image"]:
        dynamodb["OldImage"] = image(row["old_image"])
    return {
        "eventID": str(row["seq"]),
        "eventName": row["event_name"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "local",
        "dynamodb": dynamodb,
        "eventSourceARN": STREAM_ARN,
    }


def _failed_ids(response: dict[str, Any]) -> set[str]:
    return {str(item["itemIdentifier"]) for item in response.get("batchItemFailures", [])}


class LocalRuntime:
    """Drives ``handlers.worker`` and ``handlers.indexer`` from the local queue and outbox."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        worker_batch: int = WORKER_BATCH,
        stream_batch: int = STREAM_BATCH,
        stream_max_retries: int = STREAM_MAX_RETRIES,
        visibility_timeout_s: float = VISIBILITY_TIMEOUT_S,
    ) -> None:
        self.services = services
        self.clock = clock
        self.sleep = sleep
        self.worker_batch = worker_batch
        self.stream_batch = stream_batch
        self.stream_max_retries = stream_max_retries
        self.visibility_timeout_s = visibility_timeout_s
        self.owner = liveness.owner_token()
        self.db = services.db
        self.db.ensure_schema("stream_cursors", CURSOR_SCHEMA)
        # The article store creates the outbox table; make sure it exists before reading it.
        _ = services.articles
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO stream_cursors (name) VALUES (?)", (STREAM,))

    @property
    def queue(self) -> SqliteIngestQueue:
        queue = self.services.queue
        assert isinstance(queue, SqliteIngestQueue), "the local runtime needs the SQLite queue"
        return queue

    # -- the loop ------------------------------------------------------------------------------

    def drain(self, timeout_s: float | None = None) -> DrainReport:
        """Run both handlers until there is nothing left to do (or ``timeout_s`` passes)."""
        report = DrainReport()
        deadline = None if timeout_s is None else self.clock() + timeout_s
        while True:
            worked = self.run_worker_once(report)
            worked = self.run_indexer_once(report) or worked
            if worked:
                continue
            waits = [
                t for t in (self.queue.next_visible_at(), self._stream_wait()) if t is not None
            ]
            if not waits:
                report.finished = True
                self._release_lease()
                return report
            wake = min(waits)
            if deadline is not None and wake > deadline:
                logger.info("drain timed out with work pending")
                self._release_lease()
                return report
            self.sleep(max(0.0, wake - self.clock()))

    def run_worker_once(self, report: DrainReport | None = None) -> bool:
        """Deliver one batch of due messages to the worker; False when none was due."""
        from handlers import worker

        messages = self.queue.receive(
            max_messages=self.worker_batch, visibility_timeout_s=self.visibility_timeout_s
        )
        if not messages:
            return False
        event = {"Records": [sqs_record(m) for m in messages]}
        try:
            response = worker.handle(event, _context("worker"), self.services)
            failed = _failed_ids(response)
        except Exception:
            logger.exception("worker invocation failed")
            failed = {m.message_id for m in messages}
        for message in messages:
            if message.message_id in failed:
                self.queue.change_visibility(message.receipt, backoff(message.receive_count))
            else:
                self.queue.delete(message.receipt)
        if report is not None:
            report.worker_invocations += 1
            report.messages += len(messages)
            report.message_failures += len(failed)
        return True

    def run_indexer_once(self, report: DrainReport | None = None) -> bool:
        """Deliver one batch of stream records to the indexer; False when none was due."""
        from handlers import indexer

        rows = self._claim_stream()
        if not rows:
            return False
        event = {"Records": [stream_record(row) for row in rows]}
        try:
            response = indexer.handle(event, _context("indexer"), self.services)
            failed = sorted(int(seq) for seq in _failed_ids(response))
        except Exception:
            logger.exception("indexer invocation failed")
            failed = [rows[0]["seq"]]
        self._advance(rows, failed[0] if failed else None)
        if report is not None:
            report.indexer_invocations += 1
            report.records += len(rows)
            report.record_failures += len(failed)
        return True

    # -- the stream cursor ---------------------------------------------------------------------

    def _cursor(self, conn: sqlite3.Connection) -> sqlite3.Row:
        row: sqlite3.Row = conn.execute(
            "SELECT * FROM stream_cursors WHERE name = ?", (STREAM,)
        ).fetchone()
        return row

    def _leased_to_another(self, cursor: sqlite3.Row, now: float) -> bool:
        """Whether another live runtime holds the stream lease."""
        owner = cursor["owner"]
        if owner in (None, self.owner) or cursor["lease_until"] <= now:
            return False
        if liveness.is_dead(owner):
            logger.warning("the stream lease holder %s has died; taking the lease over", owner)
            return False
        return True

    def _claim_stream(self) -> list[sqlite3.Row]:
        """The next due records, taking (or renewing) the stream lease; [] if none."""
        now = self.clock()
        with self.db.transaction() as conn:
            cursor = self._cursor(conn)
            if self._leased_to_another(cursor, now) or cursor["retry_at"] > now:
                return []
            rows = conn.execute(
                "SELECT * FROM stream WHERE seq > ? ORDER BY seq LIMIT ?",
                (cursor["seq"], self.stream_batch),
            ).fetchall()
            if rows:
                conn.execute(
                    "UPDATE stream_cursors SET owner = ?, lease_until = ? WHERE name = ?",
                    (self.owner, now + LEASE_S, STREAM),
                )
        return rows

    def _advance(self, rows: list[sqlite3.Row], failed_seq: int | None) -> None:
        now = self.clock()
        with self.db.transaction() as conn:
            cursor = self._cursor(conn)
            if failed_seq is None:
                conn.execute(
                    "UPDATE stream_cursors SET seq = ?, failed_seq = NULL, attempts = 0,"
                    " retry_at = 0 WHERE name = ?",
                    (rows[-1]["seq"], STREAM),
                )
                self._trim(conn, rows[-1]["seq"])
                return
            attempts = cursor["attempts"] + 1 if cursor["failed_seq"] == failed_seq else 1
            if attempts > self.stream_max_retries:
                row = next(r for r in rows if r["seq"] == failed_seq)
                logger.error(
                    "stream record %d failed %d times: dead-lettered", failed_seq, attempts
                )
                conn.execute(
                    "INSERT OR REPLACE INTO stream_dead_letters"
                    " (seq, article_id, event_name, attempts, dead_at) VALUES (?, ?, ?, ?, ?)",
                    (failed_seq, row["article_id"], row["event_name"], attempts, now),
                )
                conn.execute(
                    "UPDATE stream_cursors SET seq = ?, failed_seq = NULL, attempts = 0,"
                    " retry_at = 0 WHERE name = ?",
                    (failed_seq, STREAM),
                )
                return
            conn.execute(
                "UPDATE stream_cursors SET seq = ?, failed_seq = ?, attempts = ?, retry_at = ?"
                " WHERE name = ?",
                (failed_seq - 1, failed_seq, attempts, now + backoff(attempts), STREAM),
            )

    def _release_lease(self) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE stream_cursors SET owner = NULL, lease_until = 0"
                " WHERE name = ? AND owner = ?",
                (STREAM, self.owner),
            )

    def _trim(self, conn: sqlite3.Connection, upto_seq: int) -> None:
        horizon = (datetime.now(UTC) - STREAM_RETENTION).isoformat()
        conn.execute("DELETE FROM stream WHERE seq <= ? AND created_at < ?", (upto_seq, horizon))

    def _stream_wait(self) -> float | None:
        """When the stream has work again: None if caught up, else the retry/lease time."""
        conn = self.db.connection()
        cursor = self._cursor(conn)
        pending = conn.execute(
            "SELECT 1 FROM stream WHERE seq > ? LIMIT 1", (cursor["seq"],)
        ).fetchone()
        if pending is None:
            return None
        now = self.clock()
        wait = float(cursor["retry_at"])
        if self._leased_to_another(cursor, now):
            # Another process is indexing: poll, since it may finish well before its lease ends.
            wait = max(wait, min(float(cursor["lease_until"]), now + LEASE_POLL_S))
        return max(wait, now)

    # -- inspection ----------------------------------------------------------------------------

    def stream_dead_letters(self) -> list[dict[str, Any]]:
        """Records the indexer gave up on (the on-failure destination)."""
        rows = self.db.connection().execute("SELECT * FROM stream_dead_letters ORDER BY seq")
        return [dict(row) for row in rows.fetchall()]

    def stream_lag(self) -> int:
        """Outbox records not yet processed."""
        conn = self.db.connection()
        row = conn.execute(
            "SELECT COUNT(*) AS n FROM stream WHERE seq > ?", (self._cursor(conn)["seq"],)
        ).fetchone()
        return int(row["n"])


def describe(report: DrainReport) -> str:
    """One line for logs and the CLI."""
    return json.dumps(report.__dict__, sort_keys=True)
