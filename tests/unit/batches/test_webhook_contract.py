"""The batch webhook contract: the delivery queue's sample message and a delivered body match
their schemas in ``events/schemas``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from core.batches.delivery import payload
from core.batches.models import Batch, BatchCounts, WebhookDelivery

EVENTS = Path(__file__).resolve().parents[3] / "events"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


def test_the_sqs_sample_body_is_a_webhook_delivery() -> None:
    record = load("sqs_webhook_event.json")["Records"][0]
    body = json.loads(record["body"])
    jsonschema.validate(body, load("schemas/WebhookDelivery.json"))
    assert WebhookDelivery.model_validate(body).attempt == 0


def test_a_delivered_body_matches_its_schema() -> None:
    now = datetime.now(UTC)
    batch = Batch(
        id="b_" + "a" * 24,
        created_at=now,
        total=3,
        counts=BatchCounts(indexed=2, rejected=1),
        finished=True,
        finished_at=now,
        webhook="https://hooks.example.org/in",
    )
    body = json.loads(payload(batch).model_dump_json())
    jsonschema.validate(body, load("schemas/BatchFinished.json"))
    assert body["id"] == f"{batch.id}.finished"
    assert body["type"] == "batch.finished"
    assert body["location"] == f"/batches/{batch.id}"
    assert body["counts"] == {
        "queued": 0,
        "fetched": 0,
        "extracted": 0,
        "indexed": 2,
        "failed": 0,
        "rejected": 1,
    }
