"""The SQS intake queue and the EventBridge bus, over HTTP to the moto server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from core.adapters.aws import AwsClients, EventBridgeBus, SqsIngestQueue
from core.adapters.aws.retry import send_with_retries
from core.errors import InvalidInput, StorageError
from core.events import IntakeMessage
from core.ids import article_id
from core.intake import to_request
from core.ports import IngestRequest
from core.settings import Settings

pytestmark = pytest.mark.aws


class IngestRequested(BaseModel):
    """Shaped like a ``core.events`` model: routing fields on the class, the model as detail."""

    detail_type: ClassVar[str] = "IngestRequested"
    source: ClassVar[str] = "article-ingest"

    url: str
    id: str


def receive_all(clients: AwsClients, queue_url: str, expected: int) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    for _ in range(expected + 5):  # bounded: moto delivers immediately
        response = clients.sqs().receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        )
        bodies += [json.loads(m["Body"]) for m in response.get("Messages", [])]
        if len(bodies) >= expected:
            break
    return bodies


def requests(n: int) -> list[IngestRequest]:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        IngestRequest(url=f"https://example.org/{i}", id=f"{i:064x}", requested_at=now)
        for i in range(n)
    ]


def test_queue_sends_every_request_in_batches(
    aws_settings: Settings, aws_clients: AwsClients
) -> None:
    queue = SqsIngestQueue(aws_settings, aws_clients)
    sent = requests(23)
    queue.send(sent)
    assert aws_settings.queue_url is not None
    bodies = receive_all(aws_clients, aws_settings.queue_url, 23)
    assert sorted(IngestRequest.model_validate(b).id for b in bodies) == sorted(r.id for r in sent)


def test_queue_carries_the_freshness_of_a_request(
    aws_settings: Settings, aws_clients: AwsClients
) -> None:
    queue = SqsIngestQueue(aws_settings, aws_clients)
    url = "https://example.org/fresh"
    now = datetime(2024, 1, 1, tzinfo=UTC)
    request = IngestRequest(url=url, id=article_id(url), requested_at=now, max_age=600, force=True)
    queue.send([request])
    assert aws_settings.queue_url is not None
    (body,) = receive_all(aws_clients, aws_settings.queue_url, 1)
    received = to_request(IntakeMessage.model_validate(body))
    assert (received.max_age, received.force) == (600, True)


def test_queue_refuses_an_impossible_delay(aws_settings: Settings, aws_clients: AwsClients) -> None:
    with pytest.raises(InvalidInput):
        SqsIngestQueue(aws_settings, aws_clients).send(requests(1), delay_s=901)


def test_queue_failure_is_a_storage_error(aws_settings: Settings, aws_clients: AwsClients) -> None:
    assert aws_settings.queue_url is not None
    gone = aws_settings.queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    with pytest.raises(StorageError):
        SqsIngestQueue(aws_settings.model_copy(update={"queue_url": gone}), aws_clients).send(
            requests(1)
        )


def test_bus_routes_ingest_requested_to_the_intake_queue(
    aws_settings: Settings, aws_clients: AwsClients
) -> None:
    bus = EventBridgeBus(aws_settings, aws_clients)
    events = [IngestRequested(url=f"https://example.org/{i}", id=str(i)) for i in range(12)]
    bus.publish(events)
    assert aws_settings.queue_url is not None
    delivered = receive_all(aws_clients, aws_settings.queue_url, 12)
    assert sorted(delivered, key=lambda d: int(d["id"])) == [e.model_dump() for e in events]


def test_bus_refuses_a_model_without_routing_fields(
    aws_settings: Settings, aws_clients: AwsClients
) -> None:
    class Plain(BaseModel):
        x: int

    with pytest.raises(InvalidInput):
        EventBridgeBus(aws_settings, aws_clients).publish([Plain(x=1)])


def test_bus_on_a_missing_bus_is_a_storage_error(
    aws_settings: Settings, aws_clients: AwsClients
) -> None:
    settings = aws_settings.model_copy(update={"event_bus_name": "no-such-bus"})
    with pytest.raises(StorageError):
        EventBridgeBus(settings, aws_clients).publish([IngestRequested(url="u", id="1")])


class FlakySender:
    """Rejects the entries listed per attempt; records what each attempt was sent."""

    def __init__(self, rejections: list[set[str]]) -> None:
        self.rejections = rejections
        self.calls: list[list[str]] = []

    def __call__(self, entries: Sequence[str]) -> dict[int, str]:
        self.calls.append(list(entries))
        reject = (
            self.rejections[len(self.calls) - 1]
            if len(self.calls) <= len(self.rejections)
            else set()
        )
        return {i: "ThrottlingException" for i, e in enumerate(entries) if e in reject}


def test_only_rejected_entries_are_resent() -> None:
    sender = FlakySender([{"b", "d"}, {"d"}])
    send_with_retries(["a", "b", "c", "d"], sender, what="test", sleep=lambda _: None)
    assert sender.calls == [["a", "b", "c", "d"], ["b", "d"], ["d"]]


def test_entries_still_rejected_after_the_last_attempt_raise() -> None:
    sender = FlakySender([{"b"}] * 10)
    with pytest.raises(StorageError, match="1 entries still rejected"):
        send_with_retries(["a", "b"], sender, what="test", attempts=3, sleep=lambda _: None)
    assert len(sender.calls) == 3


class FakeEvents:
    """An EventBridge client whose first PutEvents rejects the second entry."""

    def __init__(self) -> None:
        self.sent: list[list[str]] = []

    def put_events(self, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.sent.append([json.loads(e["Detail"])["id"] for e in Entries])
        if len(self.sent) == 1:
            results: list[dict[str, str]] = [{"EventId": "1"}, {"ErrorCode": "InternalFailure"}]
            return {"FailedEntryCount": 1, "Entries": [*results, {"EventId": "3"}]}
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"} for _ in Entries]}


def test_bus_resends_the_entries_eventbridge_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEvents()
    settings = Settings(event_bus_name="bus")
    clients = AwsClients(settings)
    monkeypatch.setattr(clients, "events", lambda: fake)
    monkeypatch.setattr("core.adapters.aws.retry.time.sleep", lambda _: None)
    EventBridgeBus(settings, clients).publish(
        [IngestRequested(url="u", id=str(i)) for i in range(1, 4)]
    )
    assert fake.sent == [["1", "2", "3"], ["2"]]
