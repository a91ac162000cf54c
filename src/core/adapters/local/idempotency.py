"""Powertools idempotency records in the local SQLite database (the embedded default).

The same conditions as Powertools' DynamoDB layer: a record may be (re)written only when
none exists, when it has expired, or when it is in progress past its in-progress expiry (the
request that wrote it died). Imported only by ``handlers.idempotency``, on demand: Powertools'
idempotency package pulls in boto3.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import (
    STATUS_CONSTANTS,
    DataRecord,
)

from core.adapters.local.sqlite import SqliteDatabase

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    expiration INTEGER NOT NULL,
    in_progress_expiration INTEGER,
    data TEXT,
    validation TEXT
)
"""


class SqliteIdempotencyStore(BasePersistenceLayer):
    """``BasePersistenceLayer`` on the local SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.db = db
        db.ensure_schema("idempotency", SCHEMA)

    @staticmethod
    def _record(row: sqlite3.Row | None) -> DataRecord:
        if row is None:
            raise IdempotencyItemNotFoundError
        return DataRecord(
            idempotency_key=row["id"],
            status=row["status"],
            expiry_timestamp=row["expiration"],
            in_progress_expiry_timestamp=row["in_progress_expiration"],
            response_data=row["data"] or "",
            payload_hash=row["validation"] or "",
        )

    def _get_record(self, idempotency_key: str) -> DataRecord:
        row = (
            self.db.connection()
            .execute("SELECT * FROM idempotency WHERE id = ?", (idempotency_key,))
            .fetchone()
        )
        return self._record(row)

    def _put_record(self, data_record: DataRecord) -> None:
        now = time.time()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM idempotency WHERE id = ?", (data_record.idempotency_key,)
            ).fetchone()
            if row is not None:
                expired = row["expiration"] < int(now)
                abandoned = (
                    row["status"] == STATUS_CONSTANTS["INPROGRESS"]
                    and row["in_progress_expiration"] is not None
                    and row["in_progress_expiration"] < int(now * 1000)
                )
                if not (expired or abandoned):
                    old = self._record(row)
                    # Same as the DynamoDB layer: a different payload under the same key is
                    # refused (IdempotencyValidationError) rather than answered from the record.
                    self._validate_payload(data_payload=data_record, stored_data_record=old)
                    raise IdempotencyItemAlreadyExistsError(old_data_record=old)
            conn.execute(
                "INSERT OR REPLACE INTO idempotency"
                " (id, status, expiration, in_progress_expiration, data, validation)"
                " VALUES (?, ?, ?, ?, NULL, ?)",
                (
                    data_record.idempotency_key,
                    data_record.status,
                    data_record.expiry_timestamp,
                    data_record.in_progress_expiry_timestamp,
                    data_record.payload_hash or None,
                ),
            )

    def _update_record(self, data_record: DataRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE idempotency SET status = ?, expiration = ?, data = ?, validation = ?"
                " WHERE id = ?",
                (
                    data_record.status,
                    data_record.expiry_timestamp,
                    data_record.response_data,
                    data_record.payload_hash or None,
                    data_record.idempotency_key,
                ),
            )

    def _delete_record(self, data_record: DataRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM idempotency WHERE id = ?", (data_record.idempotency_key,))
