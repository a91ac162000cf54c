"""The local change stream: DynamoDB-stream-shaped records whose images are the local rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.adapters.local.stream import SqliteChangeStream, stream_record
from core.errors import InvalidInput
from core.models import Article, ArticleStatus
from core.services import Services
from core.settings import Settings
from handlers.indexer import STREAM_FILTER_PATTERN


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return Services(Settings(data_dir=tmp_path))


def test_records_carry_the_stored_versions_and_pass_the_stream_filter(
    services: Services,
) -> None:
    queued = services.articles.put(
        Article(id="a" * 32, url="https://example.com/a", status=ArticleStatus.QUEUED)
    )
    extracted = services.articles.put(
        queued.model_copy(update={"status": ArticleStatus.EXTRACTED, "text": "Ein Text."})
    )
    stream = SqliteChangeStream(services.db)
    insert, modify = (stream_record(row) for row in stream.claim(10))

    assert insert["eventName"] == "INSERT"
    assert "OldImage" not in insert["dynamodb"]
    assert modify["eventName"] == "MODIFY"
    assert modify["dynamodb"]["Keys"] == {"id": {"S": "a" * 32}}
    new, old = modify["dynamodb"]["NewImage"], modify["dynamodb"]["OldImage"]
    assert services.articles.article_from_image(new) == extracted
    assert services.articles.article_from_image(old) == queued
    # The event source mapping's filter reads the local image as it reads the AWS item.
    allowed = STREAM_FILTER_PATTERN["dynamodb"]["NewImage"]["status"]["S"]
    assert new["status"]["S"] in allowed
    assert insert["dynamodb"]["NewImage"]["status"]["S"] not in allowed
    assert new["version"] == {"N": "2"}


def test_an_image_of_another_layout_is_refused(services: Services) -> None:
    aws_item = {"id": {"S": "a" * 32}, "status": {"S": "extracted"}, "url": {"S": "https://x/"}}
    with pytest.raises(InvalidInput, match="not a stream image"):
        services.articles.article_from_image(aws_item)
