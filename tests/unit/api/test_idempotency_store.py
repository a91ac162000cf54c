"""The SQLite idempotency layer follows the DynamoDB layer's conditions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from core.adapters.local.idempotency import SqliteIdempotencyStore
from core.adapters.local.sqlite import SqliteDatabase


@pytest.fixture
def store(tmp_path: Path) -> SqliteIdempotencyStore:
    return SqliteIdempotencyStore(SqliteDatabase(tmp_path / "db.sqlite3"))


def _record(status: str, *, expires_in: int = 60, in_progress_ms: int | None = None) -> DataRecord:
    now = time.time()
    return DataRecord(
        idempotency_key="key#1",
        status=status,
        expiry_timestamp=int(now) + expires_in,
        in_progress_expiry_timestamp=None
        if in_progress_ms is None
        else int(now * 1000) + in_progress_ms,
        payload_hash="hash-a",
    )


def test_put_get_update_delete(store: SqliteIdempotencyStore) -> None:
    store._put_record(_record("INPROGRESS"))
    assert store._get_record("key#1").status == "INPROGRESS"
    done = _record("COMPLETED")
    done.response_data = '{"ok": true}'
    store._update_record(done)
    stored = store._get_record("key#1")
    assert (stored.status, stored.response_json_as_dict()) == ("COMPLETED", {"ok": True})
    store._delete_record(done)
    with pytest.raises(IdempotencyItemNotFoundError):
        store._get_record("key#1")


def test_a_live_record_cannot_be_overwritten(store: SqliteIdempotencyStore) -> None:
    store._put_record(_record("INPROGRESS", in_progress_ms=60_000))
    with pytest.raises(IdempotencyItemAlreadyExistsError) as raised:
        store._put_record(_record("INPROGRESS"))
    assert raised.value.old_data_record is not None
    assert raised.value.old_data_record.status == "INPROGRESS"


def test_expired_or_abandoned_records_are_replaced(store: SqliteIdempotencyStore) -> None:
    store._put_record(_record("COMPLETED", expires_in=-1))
    store._put_record(_record("INPROGRESS", in_progress_ms=-1))  # replaced the expired one
    store._put_record(_record("INPROGRESS", in_progress_ms=60_000))  # replaced the abandoned one
    assert store._get_record("key#1").in_progress_expiry_timestamp is not None


def test_a_different_payload_under_a_live_key_is_refused(store: SqliteIdempotencyStore) -> None:
    store.payload_validation_enabled = True
    store._put_record(_record("COMPLETED"))
    other = _record("INPROGRESS")
    other.payload_hash = "hash-b"
    with pytest.raises(IdempotencyValidationError):
        store._put_record(other)


def test_a_retry_while_the_first_call_runs_is_refused_as_in_progress(
    store: SqliteIdempotencyStore,
) -> None:
    from article_ingest.lambda_context import invocation
    from handlers import problems
    from handlers.idempotency import IdempotentCall, RequestInProgress

    seen: list[BaseException] = []
    context = invocation("test", 30)  # as the API passes its own: Powertools reads the time left

    def work(body: dict[str, object]) -> dict[str, object]:
        try:  # the same key again while this call still holds its record
            call("k", "caller", body, context)
        except RequestInProgress as error:
            seen.append(error)
        return {"ok": True}

    call = IdempotentCall(store, work, name="test")
    assert call("k", "caller", {"a": 1}, context) == ({"ok": True}, False)
    assert [e.code for e in seen] == ["request_in_progress"]
    assert problems.STATUS_BY_CODE["request_in_progress"] == 409
    assert problems.RETRY_AFTER_BY_CODE["request_in_progress"] == "1"
