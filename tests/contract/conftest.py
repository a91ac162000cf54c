"""Fixtures of the contract suite: one moto server per session, and the adapter families.

``family`` is parametrised: every test that takes it runs once on the local adapters
(filesystem + SQLite) and once on the AWS adapters talking HTTP to a moto server on 127.0.0.1.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.adapters.aws import AwsClients, DynamoArticleStore, S3RawStore
from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.raw_store import FilesystemRawStore
from core.adapters.local.sqlite import SqliteDatabase
from core.adapters.local.stream import SqliteChangeStream, stream_record
from core.ports import ArticleStore, RawHtmlStore
from core.settings import Settings
from tests.contract.moto_env import create_resources, moto_server, session


@dataclass
class Family:
    """One adapter family under test, plus a peek at how bytes are kept at rest and at the
    article store's change stream (the ``NewImage`` of every record so far, in order)."""

    name: str
    raw: RawHtmlStore
    articles: ArticleStore
    stored_bytes: Callable[[str], bytes]
    stream_images: Callable[[], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a moto server started for this test session."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def aws_settings(moto_endpoint: str) -> Settings:
    """Settings naming fresh resources (bucket, tables, queue, bus) on the moto server."""
    return create_resources(moto_endpoint)


@pytest.fixture
def aws_clients(aws_settings: Settings) -> AwsClients:
    return AwsClients(aws_settings, session=session())


def _local_family(tmp_path: Path) -> Family:
    raw = FilesystemRawStore(tmp_path / "raw")

    def stored_bytes(uri: str) -> bytes:
        return Path(uri.removeprefix("file://")).read_bytes()

    db = SqliteDatabase(tmp_path / "db.sqlite3")
    articles = SqliteArticleStore(db)

    def stream_images() -> list[dict[str, Any]]:
        rows = SqliteChangeStream(db).claim(1000)
        return [stream_record(row)["dynamodb"]["NewImage"] for row in rows]

    return Family("local", raw, articles, stored_bytes, stream_images)


def _aws_family(settings: Settings, clients: AwsClients) -> Family:
    raw = S3RawStore(settings, clients)

    def stored_bytes(uri: str) -> bytes:
        key = uri.removeprefix(f"s3://{raw.bucket}/")
        body: bytes = clients.s3().get_object(Bucket=raw.bucket, Key=key)["Body"].read()
        return body

    articles = DynamoArticleStore(settings, clients, raw_store=raw)

    def stream_images() -> list[dict[str, Any]]:
        table = clients.dynamodb().describe_table(TableName=articles.table)["Table"]
        streams = session().client("dynamodbstreams", endpoint_url=settings.aws_endpoint_url)
        arn = table["LatestStreamArn"]
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        images: list[dict[str, Any]] = []
        for shard in shards:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
            images += [r["dynamodb"]["NewImage"] for r in records if "NewImage" in r["dynamodb"]]
        return images

    return Family("aws", raw, articles, stored_bytes, stream_images)


@pytest.fixture(params=["local", pytest.param("aws", marks=pytest.mark.aws)])
def family(request: pytest.FixtureRequest, tmp_path: Path) -> Family:
    """The local or the AWS adapters, fresh and empty."""
    if request.param == "local":
        return _local_family(tmp_path)
    clients: AwsClients = request.getfixturevalue("aws_clients")
    return _aws_family(request.getfixturevalue("aws_settings"), clients)


def gunzip(data: bytes) -> bytes:
    """Decompress, failing the test if ``data`` is not gzip."""
    assert data[:2] == b"\x1f\x8b", "not gzip at rest"
    return gzip.decompress(data)
