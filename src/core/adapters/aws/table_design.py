"""The articles table's key design, shared by the adapter, the tests and ``template.yaml``.

* Table key: ``id`` (hash only). Ids are hex digests of normalised URLs, so writes spread
  uniformly over partitions — no hot partition.
* Every list index sorts by ``date_sk`` = ``<publication date or ''>#<id>``: newest first, articles
  without a date last, ties broken by id (the same order as the SQLite store).
* ``by-host`` (``host_pk`` = hostname) and ``by-site`` (``site_pk`` = site name) list one site.
  Writes per site are bounded by the fetcher's per-host politeness (``per_host_delay_s``), far
  below one partition's 1,000 writes/s.
* ``by-status`` (``status_pk`` = ``<status>#<shard>``) and ``by-date`` (``date_pk`` =
  ``all#<shard>``) would each put a whole status (or the whole table) in one partition, so they
  are sharded ``SHARDS`` ways by a hash of the id; a listing queries every shard and merges.
* ``by-type`` (``type_pk`` = ``<page type>#<shard>``) lists one page type, sharded like
  ``by-status``; an article not yet extracted has no page type and is in no type partition.
* Indexes project only the attributes the list filters read (``INCLUDE``); a page's items are then
  read with one ``BatchGetItem``, so long texts are never copied into an index.

Changing ``SHARDS`` needs a backfill of ``status_pk``/``date_pk``/``type_pk``; the template does
not depend on it. An item written before ``by-type`` existed gets its ``type_pk`` on its next
write.
"""

from __future__ import annotations

import zlib
from typing import Any

from core.models import Article

SHARDS = 4
TABLE_KEY = "id"
SORT_KEY = "date_sk"
HOST_INDEX, SITE_INDEX, STATUS_INDEX, DATE_INDEX = "by-host", "by-site", "by-status", "by-date"
TYPE_INDEX = "by-type"
INDEX_PARTITION_KEYS = {
    HOST_INDEX: "host_pk",
    SITE_INDEX: "site_pk",
    STATUS_INDEX: "status_pk",
    DATE_INDEX: "date_pk",
    TYPE_INDEX: "type_pk",
}
PROJECTED = ["status", "language", "hostname", "sitename"]
# Attributes the adapter adds to an item; never part of the Article itself.
TEXT_URI = "text_uri"
INTERNAL_ATTRIBUTES = frozenset({SORT_KEY, TEXT_URI, *INDEX_PARTITION_KEYS.values()})


def shard(article_id: str) -> int:
    """The shard of an article in the sharded indexes (stable across processes)."""
    return zlib.crc32(article_id.encode()) % SHARDS


def sort_key(date: str | None, article_id: str) -> str:
    """``date_sk`` of an article."""
    return f"{date or ''}#{article_id}"


def index_attributes(article: Article) -> dict[str, str]:
    """The index key attributes of one article (absent keys keep it out of that index)."""
    n = shard(article.id)
    keys = {
        SORT_KEY: sort_key(article.date, article.id),
        "status_pk": f"{article.status.value}#{n}",
        "date_pk": f"all#{n}",
    }
    if article.hostname:
        keys["host_pk"] = article.hostname
    if article.sitename:
        keys["site_pk"] = article.sitename
    if article.page_type:
        keys["type_pk"] = f"{article.page_type.value}#{n}"
    return keys


def table_definition() -> dict[str, Any]:
    """KeySchema, AttributeDefinitions and GlobalSecondaryIndexes (as in ``template.yaml``)."""
    return {
        "KeySchema": [{"AttributeName": TABLE_KEY, "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in [TABLE_KEY, SORT_KEY, *INDEX_PARTITION_KEYS.values()]
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": partition, "KeyType": "HASH"},
                    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": PROJECTED},
            }
            for index, partition in INDEX_PARTITION_KEYS.items()
        ],
    }
