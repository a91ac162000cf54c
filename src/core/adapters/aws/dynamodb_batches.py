"""Batches in their own DynamoDB table (``pk``/``sk``, on demand, items expire by TTL).

* ``B#<batch>`` / ``#``: the batch: ``total``, one counter per item state (``n_queued``…),
  ``n_done`` (items in a final state), ``webhook``, ``finished_at``, ``deliveries``.
* ``B#<batch>`` / ``I#<index, 6 digits>``: one item (URL, article id, state, error); a page
  of items is one ``Query`` in submission order.
* ``A#<article>`` / ``B#<batch>``: the article's membership, so the indexer finds the items
  to advance with one ``Query`` per change.

An item moves forward in one ``TransactWriteItems``: the item's update, conditioned on the
state read, and the batch's counters (``ADD``). A change seen twice fails the condition, or
finds the item already there: it never counts twice. Every record carries ``expires_at``
(``core.batches.models.BATCH_RETENTION`` after the batch's creation) for the table's TTL;
TTL deletes up to a few days late, so a read treats an expired batch as gone already.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from core.adapters.aws.clients import AwsClients, error_code, required, translated
from core.adapters.aws.retry import send_with_retries
from core.batches.models import (
    STATUSES,
    TERMINAL,
    Batch,
    BatchCounts,
    BatchItem,
    BatchMembership,
    DeliveryAttempt,
    ItemStatus,
    cursor_index,
    expires_at,
    items_cursor,
    rank,
)
from core.errors import StorageError
from core.models import ArticleError
from core.settings import Settings

logger = logging.getLogger(__name__)

HEADER_SK = "#"
WRITE_BATCH = 25
ADVANCE_ATTEMPTS = 4


def _expired(record: dict[str, Any]) -> bool:
    """Whether TTL has yet to delete this record (it deletes up to a few days late)."""
    expires = record.get("expires_at", {}).get("N")
    return expires is not None and float(expires) <= time.time()


def _batch_pk(batch_id: str) -> dict[str, str]:
    return {"S": f"B#{batch_id}"}


def _item_sk(index: int) -> dict[str, str]:
    return {"S": f"I#{index:06d}"}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def table_definition() -> dict[str, Any]:
    """KeySchema and AttributeDefinitions of the batches table (as in ``template.yaml``)."""
    return {
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    }


class DynamoBatchStore:
    """``BatchStore`` on the batches table."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.table = required(settings.batches_table, "batches_table")
        self.clients = clients or AwsClients(settings)

    # -- writes -------------------------------------------------------------------------------

    def create(self, batch: Batch, items: Sequence[BatchItem]) -> None:
        expires = _n(int(expires_at(batch.created_at).timestamp()))
        created = _s(batch.created_at.isoformat())
        counts = BatchCounts.of(list(items))
        header: dict[str, Any] = {
            "pk": _batch_pk(batch.id),
            "sk": _s(HEADER_SK),
            "created_at": created,
            "total": _n(len(items)),
            "n_done": _n(counts.done),
            "deliveries": _s("[]"),
            "expires_at": expires,
            **{f"n_{status}": _n(getattr(counts, status)) for status in STATUSES},
        }
        if batch.webhook:
            header["webhook"] = _s(batch.webhook)
        records: list[dict[str, Any]] = [header]
        for item in items:
            record: dict[str, Any] = {
                "pk": _batch_pk(batch.id),
                "sk": _item_sk(item.index),
                "url": _s(item.url),
                "status": _s(item.status),
                "updated_at": _s((item.updated_at or batch.created_at).isoformat()),
                "expires_at": expires,
            }
            if item.id:
                record["article_id"] = _s(item.id)
                records.append(
                    {
                        "pk": _s(f"A#{item.id}"),
                        "sk": _s(f"B#{batch.id}"),
                        "idx": _n(item.index),
                        "created_at": created,
                        "expires_at": expires,
                    }
                )
            if item.error:
                record["error"] = _s(item.error.model_dump_json())
            records.append(record)
        for start in range(0, len(records), WRITE_BATCH):
            chunk = records[start : start + WRITE_BATCH]
            send_with_retries(chunk, self._write_chunk, what="DynamoDB BatchWriteItem (batch)")

    def _write_chunk(self, records: Sequence[dict[str, Any]]) -> dict[int, str]:
        with translated("write batch records"):
            response = self.clients.dynamodb().batch_write_item(
                RequestItems={self.table: [{"PutRequest": {"Item": r}} for r in records]}
            )
        unprocessed = response.get("UnprocessedItems", {}).get(self.table, [])
        keys = [(r["pk"]["S"], r["sk"]["S"]) for r in records]
        failed: dict[int, str] = {}
        for request in unprocessed:
            item = request.get("PutRequest", {}).get("Item", {})
            key = (item.get("pk", {}).get("S"), item.get("sk", {}).get("S"))
            if key in keys:
                failed[keys.index(key)] = "unprocessed"
        return failed

    def advance(
        self, batch_id: str, index: int, status: ItemStatus, error: ArticleError | None = None
    ) -> bool:
        for _ in range(ADVANCE_ATTEMPTS):
            with translated(f"read item {index} of batch {batch_id}"):
                found = self.clients.dynamodb().get_item(
                    TableName=self.table,
                    Key={"pk": _batch_pk(batch_id), "sk": _item_sk(index)},
                    ConsistentRead=True,
                    ProjectionExpression="#s",
                    ExpressionAttributeNames={"#s": "status"},
                )
            current = found.get("Item", {}).get("status", {}).get("S")
            if current is None or current in TERMINAL or rank(current) >= rank(status):
                return False
            if self._move(batch_id, index, current, status, error):
                return True
        raise StorageError(f"item {index} of batch {batch_id} kept changing; retry later")

    def _move(
        self,
        batch_id: str,
        index: int,
        current: str,
        status: ItemStatus,
        error: ArticleError | None,
    ) -> bool:
        """The conditional item update and the counters in one transaction; False when the
        item changed since it was read."""
        from botocore.exceptions import ClientError

        values: dict[str, Any] = {
            ":new": _s(status),
            ":old": _s(current),
            ":now": _s(datetime.now(UTC).isoformat()),
        }
        update = "SET #s = :new, updated_at = :now"
        if error is not None:
            values[":error"] = _s(error.model_dump_json())
            update += ", #e = :error"
        done = 1 if status in TERMINAL else 0
        try:
            self.clients.dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": {"pk": _batch_pk(batch_id), "sk": _item_sk(index)},
                            "UpdateExpression": update,
                            "ConditionExpression": "#s = :old",
                            "ExpressionAttributeNames": {"#s": "status"}
                            | ({"#e": "error"} if error is not None else {}),
                            "ExpressionAttributeValues": values,
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": {"pk": _batch_pk(batch_id), "sk": _s(HEADER_SK)},
                            "UpdateExpression": "ADD #new :one, #old :minus, n_done :done",
                            "ExpressionAttributeNames": {
                                "#new": f"n_{status}",
                                "#old": f"n_{current}",
                            },
                            "ExpressionAttributeValues": {
                                ":one": _n(1),
                                ":minus": _n(-1),
                                ":done": _n(done),
                            },
                        }
                    },
                ]
            )
        except ClientError as failure:
            if error_code(failure) == "TransactionCanceledException":
                return False
            raise StorageError(f"advance item {index} of batch {batch_id}: {failure}") from failure
        return True

    def mark_finished(self, batch_id: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.clients.dynamodb().update_item(
                TableName=self.table,
                Key={"pk": _batch_pk(batch_id), "sk": _s(HEADER_SK)},
                UpdateExpression="SET finished_at = :now",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(finished_at)"
                " AND n_done >= #total",
                ExpressionAttributeNames={"#total": "total"},
                ExpressionAttributeValues={":now": _s(datetime.now(UTC).isoformat())},
            )
        except ClientError as failure:
            if error_code(failure) == "ConditionalCheckFailedException":
                return False
            raise StorageError(f"finish batch {batch_id}: {failure}") from failure
        return True

    def record_delivery(self, batch_id: str, attempt: DeliveryAttempt) -> None:
        # A read-modify-write of one attribute: one delivery runs at a time per batch.
        batch = self.get(batch_id)
        if batch is None:
            return
        deliveries = [d.model_dump(mode="json") for d in batch.deliveries]
        deliveries.append(attempt.model_dump(mode="json"))
        with translated(f"record a delivery of batch {batch_id}"):
            self.clients.dynamodb().update_item(
                TableName=self.table,
                Key={"pk": _batch_pk(batch_id), "sk": _s(HEADER_SK)},
                UpdateExpression="SET deliveries = :d",
                ExpressionAttributeValues={":d": _s(json.dumps(deliveries))},
            )

    # -- reads --------------------------------------------------------------------------------

    def get(self, batch_id: str) -> Batch | None:
        with translated(f"get batch {batch_id}"):
            found = self.clients.dynamodb().get_item(
                TableName=self.table,
                Key={"pk": _batch_pk(batch_id), "sk": _s(HEADER_SK)},
                ConsistentRead=True,
            )
        item = found.get("Item")
        if not item or _expired(item):
            return None
        counts = BatchCounts(
            **{status: int(item.get(f"n_{status}", {}).get("N", "0")) for status in STATUSES}
        )
        finished_at = item.get("finished_at", {}).get("S")
        return Batch(
            id=batch_id,
            created_at=datetime.fromisoformat(item["created_at"]["S"]),
            total=int(item["total"]["N"]),
            counts=counts,
            finished=finished_at is not None,
            finished_at=datetime.fromisoformat(finished_at) if finished_at else None,
            webhook=item.get("webhook", {}).get("S"),
            deliveries=[
                DeliveryAttempt.model_validate(d)
                for d in json.loads(item.get("deliveries", {}).get("S", "[]"))
            ],
        )

    def items(
        self, batch_id: str, *, limit: int, cursor: str | None = None
    ) -> tuple[list[BatchItem], str | None]:
        after = cursor_index(batch_id, cursor)
        with translated(f"list items of batch {batch_id}"):
            response = self.clients.dynamodb().query(
                TableName=self.table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
                ExpressionAttributeValues={
                    ":pk": _batch_pk(batch_id),
                    ":from": _item_sk(after + 1),
                    ":to": _s("I#999999"),
                },
                Limit=limit + 1,
                ConsistentRead=True,
            )
        records = response.get("Items", [])
        items = [
            BatchItem(
                index=int(r["sk"]["S"][2:]),
                url=r["url"]["S"],
                id=r.get("article_id", {}).get("S"),
                status=r["status"]["S"],
                error=ArticleError.model_validate_json(r["error"]["S"]) if "error" in r else None,
                updated_at=datetime.fromisoformat(r["updated_at"]["S"]),
            )
            for r in records[:limit]
        ]
        more = len(records) > limit
        return items, items_cursor(batch_id, items[-1].index) if more and items else None

    def memberships(self, article_id: str) -> list[BatchMembership]:
        with translated(f"batches of article {article_id}"):
            response = self.clients.dynamodb().query(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(f"A#{article_id}")},
                ConsistentRead=True,
            )
        return [
            BatchMembership(
                batch_id=r["sk"]["S"][2:],
                index=int(r["idx"]["N"]),
                created_at=datetime.fromisoformat(r["created_at"]["S"]),
            )
            for r in response.get("Items", [])
        ]
