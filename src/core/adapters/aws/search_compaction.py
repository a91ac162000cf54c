"""Compaction: pending article versions become posting blocks, one item per touched bucket.

Indexing an article writes one pending item (its terms, compressed). When ``COMPACT_AT``
pending items have gathered, the indexer that sees it takes the compaction lease (a
conditional put; a busy lease means someone else compacts, so it just returns), reads up to
``MAX_PER_RUN`` pending items and the tombstones, and writes, for every bucket those articles
touch, one new block holding their postings in that bucket; then it deletes the pending items
it consumed; then advances the purge pass, if one is due (``search_purge``); then releases the
lease.

Everything is idempotent: a compactor that dies after writing blocks leaves the pending items,
which the next run writes again; queries drop the duplicate postings (same article version).
A lease that expires under a slow compactor lets a second one run: again only duplicates. No
item is updated by two writers, so concurrent indexers never cancel each other's writes.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping

from core.adapters.aws.clients import translated
from core.adapters.aws.search_purge import Purger, dead_versions
from core.adapters.aws.search_table import (
    LOCK_KEY,
    PENDING_PK,
    TOMBSTONES_PK,
    Item,
    SearchTable,
    block_pk,
    key,
    parse_version,
)
from core.errors import VersionConflict
from core.search.packed import Entry, bucket_of, decode_terms, encode_block

logger = logging.getLogger(__name__)

# Pending article versions that trigger a compaction, and the most one run consumes.
COMPACT_AT = 32
MAX_PER_RUN = 512
# The lease outlives any run (a run writes at most BUCKETS blocks, about 41 batch calls).
LEASE_S = 120
_LOST = ("ConditionalCheckFailedException",)


def tombstones(table: SearchTable) -> set[tuple[str, int]]:
    """Every tombstoned (article id, generation)."""
    return {parse_version(item["sk"]["S"]) for item in table.query(TOMBSTONES_PK)}


class Compactor:
    """Turns pending items into blocks under a lease."""

    def __init__(self, table: SearchTable) -> None:
        self.table = table
        self.purger = Purger(table)

    def due(self) -> bool:
        """Whether enough pending items have gathered to compact."""
        return self.table.count(PENDING_PK, limit=COMPACT_AT) >= COMPACT_AT

    def run(self) -> int:
        """Compact once if the lease is free; returns the pending items consumed."""
        owner = uuid.uuid4().hex[:12]
        if not self._acquire(owner):
            logger.debug("compaction lease busy")
            return 0
        try:
            read_at = int(time.time())  # whole seconds, as tombstones are dated: taken first
            dead = dead_versions(self.table)
            consumed = self._compact(owner, dead)
            self.purger.step(dead, read_at, owner)
            return consumed
        finally:
            self._release(owner)

    def _compact(self, owner: str, dead: Mapping[tuple[str, int], int]) -> int:
        pending = list(self.table.query(PENDING_PK, limit=MAX_PER_RUN))
        by_bucket: dict[int, list[Entry]] = defaultdict(list)
        for item in pending:
            article_id, generation = parse_version(item["sk"]["S"])
            if (article_id, generation) in dead:
                continue
            for term, weight in decode_terms(item["z"]["B"]).items():
                by_bucket[bucket_of(term)].append(Entry(term, article_id, generation, weight))
        sk = f"{time.time_ns() // 1_000_000:013d}#{owner}"
        puts: list[Item] = [
            {"PutRequest": {"Item": {**key(block_pk(b), sk), "z": {"B": encode_block(entries)}}}}
            for b, entries in sorted(by_bucket.items())
        ]
        self.table.batch_write(puts, "write posting blocks")
        deletes = [{"DeleteRequest": {"Key": key(PENDING_PK, item["sk"]["S"])}} for item in pending]
        self.table.batch_write(deletes, "delete compacted pending items")
        logger.info("compacted %d article versions into %d blocks", len(pending), len(puts))
        return len(pending)

    def _acquire(self, owner: str) -> bool:
        now = int(time.time())
        try:
            with translated("take the compaction lease", conflict=_LOST):
                self.table.db().put_item(
                    TableName=self.table.table,
                    Item={
                        **key(*LOCK_KEY),
                        "owner": {"S": owner},
                        "until": {"N": str(now + LEASE_S)},
                    },
                    ConditionExpression="attribute_not_exists(pk) OR #until < :now",
                    ExpressionAttributeNames={"#until": "until"},
                    ExpressionAttributeValues={":now": {"N": str(now)}},
                )
        except VersionConflict:
            return False
        return True

    def _release(self, owner: str) -> None:
        try:
            with translated("release the compaction lease", conflict=_LOST):
                self.table.db().delete_item(
                    TableName=self.table.table,
                    Key=key(*LOCK_KEY),
                    ConditionExpression="#owner = :owner",
                    ExpressionAttributeNames={"#owner": "owner"},
                    ExpressionAttributeValues={":owner": {"S": owner}},
                )
        except VersionConflict:  # expired and taken by another run: theirs now
            pass
