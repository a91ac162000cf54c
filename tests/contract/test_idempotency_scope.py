"""An ``Idempotency-Key`` is scoped to its caller unambiguously on both idempotency backends:
caller ``a|b`` with key ``c`` and caller ``a`` with key ``b|c`` are two requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from article_ingest.lambda_context import LocalContext
from core.adapters.aws import AwsClients
from core.adapters.local.idempotency import SqliteIdempotencyStore
from core.adapters.local.sqlite import SqliteDatabase
from handlers.idempotency import IdempotentCall, scope

COLLIDING = [(("a|b", "c"), ("a", "b|c")), (("x", "1:y|z"), ("1:x|y", "z")), (("", "|"), ("|", ""))]


@pytest.mark.parametrize(("first", "second"), COLLIDING)
def test_scopes_of_distinct_pairs_differ(first: tuple[str, str], second: tuple[str, str]) -> None:
    assert scope(*first) != scope(*second)


@pytest.fixture(params=["local", pytest.param("aws", marks=pytest.mark.aws)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BasePersistenceLayer:
    if request.param == "local":
        return SqliteIdempotencyStore(SqliteDatabase(tmp_path / "db.sqlite3"))
    settings = request.getfixturevalue("aws_settings")
    clients = request.getfixturevalue("aws_clients")
    assert isinstance(clients, AwsClients)
    return DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table, boto3_client=clients.dynamodb()
    )


@pytest.mark.parametrize(("first", "second"), COLLIDING)
def test_pairs_joined_alike_are_two_requests(
    store: BasePersistenceLayer, first: tuple[str, str], second: tuple[str, str]
) -> None:
    runs: list[dict[str, Any]] = []

    def work(body: dict[str, Any]) -> dict[str, Any]:
        runs.append(body)
        return {"run": len(runs)}

    call = IdempotentCall(store, work, name="scope-test")
    body = {"urls": ["https://example.org/a"]}
    (caller_1, key_1), (caller_2, key_2) = first, second
    assert call(key_1, caller_1, body, LocalContext()) == ({"run": 1}, False)
    assert call(key_2, caller_2, body, LocalContext()) == ({"run": 2}, False)
    # Each caller's own retry is still answered from its record.
    assert call(key_1, caller_1, body, LocalContext()) == ({"run": 1}, True)
    assert call(key_2, caller_2, body, LocalContext()) == ({"run": 2}, True)
    assert len(runs) == 2
