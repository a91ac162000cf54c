"""The search index's items in the DynamoDB index table: keys and batched reads and writes.

``pk`` / ``sk`` → attributes (see ``docs/search.md``):

* ``DOC#<id>`` / ``DOC`` → ``url``, ``title``, facets ``lang`` ``host`` ``site`` ``date``
  ``type``, ``z`` (the text, zlib): display fields, filters, snippets and phrase checks;
* ``DOC#<id>`` / ``TERMS`` → ``gen`` (the article's current generation), ``digest`` (of its
  weighted terms), ``live`` (whether it is indexed);
* ``PEND#search`` / ``<id>#<gen>`` → ``z``: the terms of an article version not yet in blocks;
* ``BLK#<bucket>`` / ``<ms>#<writer>`` → ``z``: one posting block (``core.search.packed``);
* ``TOMB#search`` / ``<id>#<gen>`` → ``at``: a replaced or removed article version;
* ``STATS#search`` / ``DOCS#<shard>`` → ``n``: indexed articles counted on that shard;
* ``LOCK#search`` / ``COMPACT`` → ``owner``, ``until``: the compaction lease;
* ``LOCK#search`` / ``PURGE`` → ``started``, ``next``: the purge pass under way (``search_purge``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from core.adapters.aws.clients import AwsClients, translated
from core.backoff import backoff_delay
from core.errors import StorageError
from core.search import Facets

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PENDING_PK = "PEND#search"
TOMBSTONES_PK = "TOMB#search"
STATS_PK = "STATS#search"
LOCK_KEY = ("LOCK#search", "COMPACT")
BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
# Attempts for entries a batch call leaves unprocessed (throttling) and for cancelled counts.
ATTEMPTS = 5
BASE_DELAY_S = 0.05
_FACET_ATTRIBUTES = (
    ("lang", "language"),
    ("host", "hostname"),
    ("site", "sitename"),
    ("date", "date"),
    ("type", "page_type"),
)

Item = dict[str, Any]


def key(pk: str, sk: str) -> Item:
    """A DynamoDB key."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def doc_pk(article_id: str) -> str:
    """``pk`` of an article's ``DOC`` and ``TERMS`` items."""
    return f"DOC#{article_id}"


def block_pk(bucket: int) -> str:
    """``pk`` of a bucket's posting blocks."""
    return f"BLK#{bucket:04d}"


def version_sk(article_id: str, generation: int) -> str:
    """``sk`` of a pending item or tombstone: the article version."""
    return f"{article_id}#{generation:010d}"


def parse_version(sk: str) -> tuple[str, int]:
    """(article id, generation) of a ``version_sk``."""
    article_id, _, generation = sk.rpartition("#")
    return article_id, int(generation)


def facet_attributes(facets: Facets) -> Item:
    """The facets as item attributes (absent ones left out)."""
    return {
        attribute: {"S": value}
        for attribute, name in _FACET_ATTRIBUTES
        if (value := getattr(facets, name)) is not None
    }


def facets_of(item: Item) -> Facets:
    """The facets stored in ``item``."""
    return Facets(
        **{name: item[attribute]["S"] for attribute, name in _FACET_ATTRIBUTES if attribute in item}
    )


def chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``values`` in slices of ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def backoff(attempt: int) -> None:
    """Sleep a random, exponentially growing time (full jitter)."""
    time.sleep(backoff_delay(attempt, base_s=BASE_DELAY_S, cap_s=math.inf))


class SearchTable:
    """Reads and writes of search items on one table, with retries of unprocessed entries."""

    def __init__(self, table: str, clients: AwsClients) -> None:
        self.table = table
        self.clients = clients

    def db(self) -> DynamoDBClient:
        """The DynamoDB client (created lazily)."""
        return self.clients.dynamodb()

    def get(self, pk: str, sk: str) -> Item | None:
        """One item, strongly consistent."""
        with translated(f"get {pk}/{sk}"):
            response = self.db().get_item(
                TableName=self.table, Key=key(pk, sk), ConsistentRead=True
            )
        item: Item | None = response.get("Item")
        return item

    def query(self, pk: str, *, limit: int | None = None) -> Iterator[Item]:
        """Every item of partition ``pk`` in ``sk`` order (at most ``limit``)."""
        request: Any = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
        }
        if limit is not None:
            request["Limit"] = limit
        seen = 0
        while True:
            with translated(f"read {pk}"):
                response = self.db().query(**request)
            for item in response.get("Items", []):
                yield item
                seen += 1
            start = response.get("LastEvaluatedKey")
            if not start or (limit is not None and seen >= limit):
                return
            request["ExclusiveStartKey"] = start

    def count(self, pk: str, *, limit: int) -> int:
        """How many items partition ``pk`` holds, counting up to ``limit``."""
        with translated(f"count {pk}"):
            response = self.db().query(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
                Select="COUNT",
                Limit=limit,
            )
        return int(response.get("Count", 0))

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        """The items that exist among ``keys``, by (pk, sk)."""
        found: dict[tuple[str, str], Item] = {}
        for chunk in chunks(list(dict.fromkeys(keys)), BATCH_GET_MAX):
            request: Any = {self.table: {"Keys": [key(pk, sk) for pk, sk in chunk]}}
            for attempt in range(ATTEMPTS):
                with translated("read search items"):
                    response = self.db().batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    found[(item["pk"]["S"], item["sk"]["S"])] = item
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                backoff(attempt)
            else:
                raise StorageError("read search items: keys left unprocessed")
        return found

    def batch_write(self, requests: Sequence[Item], what: str) -> None:
        """Puts and deletes (``PutRequest`` / ``DeleteRequest``), 25 a call, retried."""
        for chunk in chunks(list(requests), BATCH_WRITE_MAX):
            pending: Any = chunk
            for attempt in range(ATTEMPTS):
                with translated(what):
                    response = self.db().batch_write_item(RequestItems={self.table: pending})
                pending = (response.get("UnprocessedItems") or {}).get(self.table, [])
                if not pending:
                    break
                backoff(attempt)
            else:
                raise StorageError(f"{what}: {len(pending)} writes unprocessed")
