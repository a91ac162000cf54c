"""``Services`` is the one place that picks an adapter: what each backend gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StorageError
from core.services import Services
from core.settings import Settings


def aws_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "backend": "aws",
        "raw_bucket": "raw",
        "articles_table": "articles",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_locally_the_api_serves_raw_bytes_itself(tmp_path: Path) -> None:
    services = Services(Settings(data_dir=tmp_path))
    assert services.raw_links is None


def test_locally_idempotency_records_live_in_the_sqlite_database(tmp_path: Path) -> None:
    from core.adapters.local.idempotency import SqliteIdempotencyStore

    services = Services(Settings(data_dir=tmp_path))
    store = services.idempotency_store
    assert isinstance(store, SqliteIdempotencyStore)
    assert services.idempotency_store is store  # built once


def test_on_aws_raw_links_come_from_the_raw_store_itself() -> None:
    from core.adapters.aws.s3_raw_store import S3RawStore

    services = Services(aws_settings())
    assert isinstance(services.raw_store, S3RawStore)
    assert services.raw_links is services.raw_store  # one store, one set of clients


def test_on_aws_a_missing_idempotency_table_names_its_variable() -> None:
    services = Services(aws_settings(idempotency_table=None))
    with pytest.raises(StorageError, match="ARTICLE_INGEST_IDEMPOTENCY_TABLE is not set"):
        _ = services.idempotency_store
