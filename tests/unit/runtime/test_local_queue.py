"""The SQLite intake queue behaves like SQS: visibility, receive counts, delays, dead letters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.adapters.local.queue import SqliteIngestQueue
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidInput
from core.ports import IngestRequest


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def request(n: int) -> IngestRequest:
    return IngestRequest(
        url=f"https://example.com/{n}", id=f"{n:032x}", requested_at=datetime.now(UTC)
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(tmp_path: Path, clock: Clock) -> SqliteIngestQueue:
    return SqliteIngestQueue(SqliteDatabase(tmp_path / "q.sqlite3"), clock=clock, max_receives=3)


def test_a_received_message_is_hidden_until_its_visibility_ends(
    queue: SqliteIngestQueue, clock: Clock
) -> None:
    queue.send([request(1)])
    (message,) = queue.receive(visibility_timeout_s=30)
    assert message.receive_count == 1
    assert IngestRequest.model_validate_json(message.body).url == "https://example.com/1"
    assert queue.receive() == []
    clock.now += 31
    (again,) = queue.receive()
    assert again.message_id == message.message_id
    assert again.receive_count == 2
    assert again.receipt != message.receipt
    assert not queue.delete(message.receipt)  # a stale receipt deletes nothing
    assert queue.delete(again.receipt)
    assert queue.pending() == 0


def test_delay_and_change_visibility(queue: SqliteIngestQueue, clock: Clock) -> None:
    queue.send([request(1)], delay_s=60)
    assert queue.receive() == []
    assert queue.next_visible_at() == clock.now + 60
    clock.now += 60
    (message,) = queue.receive(visibility_timeout_s=300)
    assert queue.change_visibility(message.receipt, 5)
    clock.now += 5
    assert len(queue.receive()) == 1


def test_after_max_receives_a_message_moves_to_the_dead_letters(
    queue: SqliteIngestQueue, clock: Clock
) -> None:
    queue.send([request(1), request(2)])
    for _ in range(3):
        received = queue.receive(visibility_timeout_s=1)
        assert len(received) == 2
        clock.now += 2
    assert queue.receive() == []
    assert queue.pending() == 0
    assert len(queue.dead_letters()) == 2
    assert queue.redrive() == 2
    assert len(queue.receive()) == 2


def test_receive_returns_at_most_ten(queue: SqliteIngestQueue) -> None:
    queue.send([request(n) for n in range(25)])
    assert len(queue.receive(max_messages=50)) == 10
    assert queue.pending() == 25


def test_delays_beyond_sqs_limits_are_refused(queue: SqliteIngestQueue) -> None:
    with pytest.raises(InvalidInput):
        queue.send([request(1)], delay_s=901)
