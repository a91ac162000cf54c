"""Purge: rewrite every bucket's posting blocks without tombstoned postings, then drop the
tombstones.

Every query reads all tombstones (≈ 50 bytes each), and the postings they hide stay in the
blocks. Once ``PURGE_AT`` tombstones have gathered, a purge *pass* starts. The compactor, which
holds the compaction lease, advances it after each compaction by up to ``BUCKETS_PER_RUN``
buckets (within ``STEP_BUDGET_S``). Each bucket's blocks become one block (or a few, under the
item size limit) with every posting of a tombstoned version and every duplicate posting left
out. Only then are the old blocks deleted, so a query in between reads duplicates, which it
drops, and never misses a posting. Once the pass has visited every bucket, the tombstones
written before it started are deleted, except those whose pending item still exists.

Why deleting those tombstones is safe: a tombstone ``(id, g)`` is written as ``g + 1`` is
indexed, and ``g``'s pending item is deleted in the same call. So ``g``'s postings are either
in blocks written by a compaction that held the lease before the pass took it (the pass
rewrote them without ``g``), or still in that pending item (kept, with its tombstone, for the
next pass), since a compaction drops the pending items of dead versions instead of writing them.

The pass's progress (``started``, ``next`` bucket) is one item, written only by the lease
holder. A pass interrupted anywhere resumes at its next bucket; a bucket rewritten twice only
loses its duplicates again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

from core.adapters.aws.search_table import (
    PENDING_PK,
    TOMBSTONES_PK,
    Item,
    SearchTable,
    block_pk,
    key,
    parse_version,
    version_sk,
)
from core.search.packed import BUCKETS, Entry, decode_block, encode_block

logger = logging.getLogger(__name__)

#: Tombstones that start a pass. 2,000 tombstones are ≈ 100 KB, ≈ 12 read units on every query;
#: a pass rewrites the whole index once (≈ 7 KB per article: docs/search.md).
PURGE_AT = 2_000
#: Buckets one compaction run rewrites at most: a pass ends after 16 runs (512 articles indexed).
BUCKETS_PER_RUN = 64
#: A run stops rewriting after this long: several compactions may run in one indexer invocation
#: (60 s timeout), and each must leave it time; the lease (120 s) is far.
STEP_BUDGET_S = 5.0
#: A rewritten block is split below this (DynamoDB items are at most 400 KB).
MAX_BLOCK_BYTES = 300_000
STATE_KEY = ("LOCK#search", "PURGE")


def dead_versions(table: SearchTable) -> dict[tuple[str, int], int]:
    """Every tombstoned (article id, generation), with the second it was tombstoned."""
    return {
        parse_version(item["sk"]["S"]): int(item.get("at", {}).get("N", "0"))
        for item in table.query(TOMBSTONES_PK)
    }


def split_blocks(entries: list[Entry]) -> Iterator[bytes]:
    """``entries`` encoded as blocks of at most ``MAX_BLOCK_BYTES`` (halved until they fit;
    the entries of one article version stay together)."""
    block = encode_block(entries)
    versions = sorted({(e.article_id, e.generation) for e in entries})
    if len(block) <= MAX_BLOCK_BYTES or len(versions) < 2:
        yield block
        return
    first = set(versions[: len(versions) // 2])
    yield from split_blocks([e for e in entries if (e.article_id, e.generation) in first])
    yield from split_blocks([e for e in entries if (e.article_id, e.generation) not in first])


def live_entries(
    blocks: Iterable[Item], dead: dict[tuple[str, int], int]
) -> tuple[list[Entry], int]:
    """The postings of ``blocks`` whose version is not tombstoned, each once; and how many
    postings the blocks hold."""
    kept: dict[tuple[str, str, int], Entry] = {}
    stored = 0
    for item in blocks:
        for entry in decode_block(item["z"]["B"], lambda _term: True):
            stored += 1
            if (entry.article_id, entry.generation) not in dead:
                kept.setdefault((entry.term, entry.article_id, entry.generation), entry)
    return list(kept.values()), stored


class Purger:
    """Advances the purge pass, one slice of buckets per compaction run (under its lease)."""

    def __init__(self, table: SearchTable) -> None:
        self.table = table

    def step(self, dead: dict[tuple[str, int], int], read_at: int, owner: str) -> int:
        """Rewrite the pass's next buckets (starting a pass when enough tombstones gathered);
        returns the buckets rewritten. ``dead`` are the tombstones read at second ``read_at``
        (before the read began), by the holder of the compaction lease, ``owner``.

        A pass starts at ``read_at``: every tombstone older than that is in ``dead`` here and
        in every later step's, so every bucket is rewritten without its postings."""
        state = self.table.get(*STATE_KEY)
        if state is None:
            if len(dead) < PURGE_AT:
                return 0
            started, bucket = read_at, 0
            logger.info("search purge pass started: %d tombstones", len(dead))
        else:
            started, bucket = int(state["started"]["N"]), int(state["next"]["N"])
        stop = time.monotonic() + STEP_BUDGET_S
        rewritten = 0
        while bucket < BUCKETS and rewritten < BUCKETS_PER_RUN and time.monotonic() < stop:
            self.rewrite(bucket, dead, owner)
            bucket += 1
            rewritten += 1
        if bucket < BUCKETS:
            self.table.batch_write(
                [
                    {
                        "PutRequest": {
                            "Item": {
                                **key(*STATE_KEY),
                                "started": {"N": str(started)},
                                "next": {"N": str(bucket)},
                            }
                        }
                    }
                ],
                "record the purge pass",
            )
        else:
            self._finish(started, dead)
        return rewritten

    def rewrite(self, bucket: int, dead: dict[tuple[str, int], int], owner: str) -> bool:
        """Bucket ``bucket``'s blocks as one (or a few) without dead or duplicate postings;
        False when there was nothing to leave out or merge."""
        blocks = list(self.table.query(block_pk(bucket)))
        entries, stored = live_entries(blocks, dead)
        if len(blocks) <= 1 and len(entries) == stored:
            return False
        sk = f"{time.time_ns() // 1_000_000:013d}#{owner}"
        puts: list[Item] = [
            {"PutRequest": {"Item": {**key(block_pk(bucket), f"{sk}#{n}"), "z": {"B": block}}}}
            for n, block in enumerate(split_blocks(entries) if entries else ())
        ]
        self.table.batch_write(puts, f"write purged blocks of bucket {bucket}")
        old = [{"DeleteRequest": {"Key": key(block_pk(bucket), b["sk"]["S"])}} for b in blocks]
        self.table.batch_write(old, f"delete old blocks of bucket {bucket}")
        return True

    def _finish(self, started: int, dead: dict[tuple[str, int], int]) -> None:
        """Drop the tombstones older than the pass (not those whose pending item is left),
        then the pass's state."""
        pending = {parse_version(item["sk"]["S"]) for item in self.table.query(PENDING_PK)}
        purged = [
            version for version, at in dead.items() if at < started and version not in pending
        ]
        self.table.batch_write(
            [
                {"DeleteRequest": {"Key": key(TOMBSTONES_PK, version_sk(article, generation))}}
                for article, generation in purged
            ]
            + [{"DeleteRequest": {"Key": key(*STATE_KEY)}}],
            "delete purged tombstones",
        )
        logger.info("search purge pass done: %d tombstones deleted", len(purged))
