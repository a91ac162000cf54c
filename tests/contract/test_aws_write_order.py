"""AWS-only guarantees: objects at rest, the orphan tags, and never an item pointing at nothing."""

from __future__ import annotations

import hashlib
import json

import pytest

from core.adapters.aws import AwsClients, DynamoArticleStore, S3RawStore
from core.adapters.aws.dynamodb_items import MAX_ITEM_BYTES
from core.adapters.aws.s3_raw_store import LINKED, PENDING, STATE_TAG
from core.errors import NotFound, StorageError
from core.models import Article
from core.ports import RawPage
from core.settings import Settings

pytestmark = pytest.mark.aws

ARTICLE_ID = hashlib.sha256(b"https://example.org/a").hexdigest()
BODY = b"<html><p>bonjour</p></html>"


@pytest.fixture
def raw(aws_settings: Settings, aws_clients: AwsClients) -> S3RawStore:
    return S3RawStore(aws_settings, aws_clients)


@pytest.fixture
def store(aws_settings: Settings, aws_clients: AwsClients) -> DynamoArticleStore:
    return DynamoArticleStore(aws_settings, aws_clients)


def put_page(raw: S3RawStore) -> str:
    return raw.put(
        RawPage(
            article_id=ARTICLE_ID,
            content_sha256=hashlib.sha256(BODY).hexdigest(),
            body=BODY,
            content_type="text/html; charset=utf-8",
            charset="utf-8",
        )
    )


def state_tag(raw: S3RawStore, uri: str) -> str:
    key = uri.removeprefix(f"s3://{raw.bucket}/")
    tags = raw.clients.s3().get_object_tagging(Bucket=raw.bucket, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in tags}[STATE_TAG]


def test_raw_object_records_type_encoding_hash_and_encryption(raw: S3RawStore) -> None:
    uri = put_page(raw)
    key = uri.removeprefix(f"s3://{raw.bucket}/")
    head = raw.clients.s3().head_object(Bucket=raw.bucket, Key=key)
    assert key == f"raw/{ARTICLE_ID[:2]}/{ARTICLE_ID}/{hashlib.sha256(BODY).hexdigest()}.html.gz"
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["ContentEncoding"] == "gzip"
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"] == {
        "article-id": ARTICLE_ID,
        "content-sha256": hashlib.sha256(BODY).hexdigest(),
        "charset": "utf-8",
    }


def test_new_object_is_pending_until_an_item_references_it(
    raw: S3RawStore, store: DynamoArticleStore
) -> None:
    uri = put_page(raw)
    assert state_tag(raw, uri) == PENDING
    store.put(Article(id=ARTICLE_ID, url="https://example.org/a", raw_html_uri=uri))
    assert state_tag(raw, uri) == LINKED
    put_page(raw)  # re-storing the same bytes must not make a linked object pending again
    assert state_tag(raw, uri) == LINKED


def test_no_item_is_written_when_its_raw_object_is_missing(
    raw: S3RawStore, store: DynamoArticleStore
) -> None:
    missing = raw.uri(f"raw/{ARTICLE_ID[:2]}/{ARTICLE_ID}/{'0' * 64}.html.gz")
    with pytest.raises(NotFound):
        store.put(Article(id=ARTICLE_ID, url="https://example.org/a", raw_html_uri=missing))
    assert store.get(ARTICLE_ID) is None


def test_uri_of_another_store_is_neither_linked_nor_required(store: DynamoArticleStore) -> None:
    stored = store.put(
        Article(id=ARTICLE_ID, url="https://example.org/a", raw_html_uri="file:///tmp/x.html.gz")
    )
    assert store.get(ARTICLE_ID) == stored


def test_long_text_lives_in_s3_and_the_item_stays_small(
    raw: S3RawStore, store: DynamoArticleStore
) -> None:
    text = "x" * (MAX_ITEM_BYTES + 50_000)
    stored = store.put(Article(id=ARTICLE_ID, url="https://example.org/a", text=text))
    item = store.clients.dynamodb().get_item(TableName=store.table, Key={"id": {"S": ARTICLE_ID}})[
        "Item"
    ]
    assert "text" not in item
    text_uri = item["text_uri"]["S"]
    assert text_uri.startswith(f"s3://{raw.bucket}/raw/{ARTICLE_ID[:2]}/{ARTICLE_ID}/text-")
    assert state_tag(raw, text_uri) == LINKED
    assert len(json.dumps(item)) < 10_000
    assert store.article_from_item(item) == stored


def test_short_text_stays_inline(store: DynamoArticleStore) -> None:
    store.put(Article(id=ARTICLE_ID, url="https://example.org/a", text="short"))
    item = store.clients.dynamodb().get_item(TableName=store.table, Key={"id": {"S": ARTICLE_ID}})[
        "Item"
    ]
    assert item["text"] == {"S": "short"}
    assert "text_uri" not in item


def test_item_keys_follow_the_documented_design(store: DynamoArticleStore) -> None:
    store.put(
        Article(
            id=ARTICLE_ID,
            url="https://example.org/a",
            hostname="example.org",
            sitename="Example",
            date="2024-05-01",
        )
    )
    item = store.clients.dynamodb().get_item(TableName=store.table, Key={"id": {"S": ARTICLE_ID}})[
        "Item"
    ]
    shard = item["date_pk"]["S"].removeprefix("all#")
    assert item["status_pk"] == {"S": f"queued#{shard}"}
    assert 0 <= int(shard) < 4
    assert item["host_pk"] == {"S": "example.org"}
    assert item["site_pk"] == {"S": "Example"}
    assert item["date_sk"] == {"S": f"2024-05-01#{ARTICLE_ID}"}


def test_missing_table_is_a_storage_error(aws_settings: Settings, aws_clients: AwsClients) -> None:
    settings = aws_settings.model_copy(update={"articles_table": "no-such-table"})
    with pytest.raises(StorageError):
        DynamoArticleStore(settings, aws_clients).get(ARTICLE_ID)


def test_missing_setting_names_the_variable() -> None:
    with pytest.raises(StorageError, match="ARTICLE_INGEST_ARTICLES_TABLE"):
        DynamoArticleStore(Settings(backend="aws", raw_bucket="b"))
