"""The event contract: schemas in ``events/schemas`` match the models; samples match both."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from core.adapters.aws import DynamoArticleStore
from core.events import (
    EVENT_TYPES,
    ArticleFailed,
    ArticleIndexed,
    ArticleUpdated,
    IngestRequested,
    IntakeMessage,
    event_id,
    parse_event,
    render_schema,
    schemas,
)
from core.intake import to_request
from core.models import Article, ArticleError, ArticleStatus
from core.settings import Settings

EVENTS = Path(__file__).resolve().parents[3] / "events"


def article_from_image(image: dict[str, Any]) -> Article:
    """The AWS store reads the images of its stream (the sample's text is inline: no S3 call)."""
    settings = Settings(backend="aws", articles_table="articles", raw_bucket="raw")
    return DynamoArticleStore(settings).article_from_image(image)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


@pytest.mark.parametrize("name", sorted(schemas()))
def test_schema_file_matches_the_model(name: str) -> None:
    path = EVENTS / "schemas" / name
    assert path.exists(), f"run: python -m core.events events/schemas ({name} is missing)"
    assert path.read_text() == render_schema(schemas()[name]), (
        f"{name} drifted from core.events; regenerate with: python -m core.events events/schemas"
    )


def test_no_stale_schema_files() -> None:
    assert {p.name for p in (EVENTS / "schemas").glob("*.json")} == set(schemas())


@pytest.mark.parametrize("detail_type", sorted(EVENT_TYPES))
def test_sample_event_validates(detail_type: str) -> None:
    sample = load(f"{detail_type}.json")
    assert sample["detail-type"] == detail_type
    jsonschema.validate(sample["detail"], load(f"schemas/{detail_type}.json"))
    event = parse_event(detail_type, sample["detail"])
    assert event.model_dump(mode="json") == sample["detail"]


def test_ingest_requested_detail_is_an_intake_message() -> None:
    detail = load("IngestRequested.json")["detail"]
    jsonschema.validate(detail, load("schemas/IntakeMessage.json"))
    request = to_request(IntakeMessage.model_validate(detail))
    assert request.url == detail["url"]
    assert request.attempt == 0


def test_sqs_sample_body_is_an_intake_message() -> None:
    record = load("sqs_worker_event.json")["Records"][0]
    body = json.loads(record["body"])
    jsonschema.validate(body, load("schemas/IntakeMessage.json"))
    assert to_request(IntakeMessage.model_validate(body)).id == body["id"]


def test_stream_sample_image_is_an_article() -> None:
    record = load("dynamodb_stream_event.json")["Records"][0]
    article = article_from_image(record["dynamodb"]["NewImage"])
    assert article.status is ArticleStatus.EXTRACTED
    assert article.id == record["dynamodb"]["Keys"]["id"]["S"]
    assert article_from_image(record["dynamodb"]["OldImage"]).status is ArticleStatus.QUEUED


def test_event_ids_are_deterministic() -> None:
    article = Article(
        id="a" * 32,
        url="https://example.com/x",
        status=ArticleStatus.FAILED,
        version=4,
        updated_at=datetime(2024, 6, 11, 8, 0, tzinfo=UTC),
        error=ArticleError(code="timeout", message="slow", retryable=True),
    )
    first, again = ArticleFailed.of(article), ArticleFailed.of(article)
    assert (
        first.event_id == event_id("ArticleFailed", "a" * 32, 4) == "a" * 32 + "-v4-ArticleFailed"
    )
    assert first.model_dump_json() == again.model_dump_json()
    assert ArticleIndexed.of(article).event_id != first.event_id


def test_intake_message_rejects_an_id_that_is_not_the_urls() -> None:
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        to_request(IntakeMessage(url="https://example.com/a", id="0" * 32))


def test_ingest_requested_carries_freshness_to_the_intake() -> None:
    event = IngestRequested.of("https://news.example/a", max_age=60, force=True)
    detail = event.model_dump(mode="json")
    jsonschema.validate(detail, load("schemas/IntakeMessage.json"))
    request = to_request(IntakeMessage.model_validate(detail))
    assert (request.max_age, request.force) == (60, True)


def test_article_updated_needs_an_earlier_content_version() -> None:
    article = Article(
        id="a" * 32,
        url="https://news.example/a",
        status=ArticleStatus.INDEXED,
        version=7,
        content_version=1,
        updated_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(ValueError, match="no earlier content version"):
        ArticleUpdated.of(article)
    event = ArticleUpdated.of(article.model_copy(update={"content_version": 3}))
    assert event.event_id == f"{'a' * 32}-v7-ArticleUpdated"
    assert (event.content_version, event.previous_content_version) == (3, 2)
