"""The DynamoDB search index's purge pass (moto): tombstones and the postings they hide go,
every bucket ends as one block, and every query answers as on an index built afresh."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from core.adapters.aws import AwsClients, search_compaction, search_purge
from core.adapters.aws.dynamodb_search_index import DynamoSearchIndex
from core.adapters.aws.search_compaction import tombstones
from core.adapters.aws.search_purge import STATE_KEY, split_blocks
from core.search.packed import Entry, decode_block
from tests.contract.moto_env import create_resources, session
from tests.contract.search_corpus import BY_KEY, CORPUS
from tests.contract.test_search_contract import _aws, _filled, _results


def _blocks_per_bucket(index: DynamoSearchIndex) -> Counter[str]:
    counts: Counter[str] = Counter()
    request: Any = {"TableName": index.table.table}
    while True:
        page = index.table.db().scan(**request)
        counts.update(i["pk"]["S"] for i in page["Items"] if i["pk"]["S"].startswith("BLK#"))
        if "LastEvaluatedKey" not in page:
            return counts
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.mark.aws
def test_a_purge_pass_leaves_no_tombstone_one_block_per_bucket_and_the_same_answers(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_compaction, "COMPACT_AT", 2)  # many blocks per bucket
    # No pass before the tombstones are a second old: a pass that started in the second the
    # last tombstone was written would keep it (a pass drops only those older than its start),
    # and the one left would be too few to start another.
    monkeypatch.setattr(search_purge, "PURGE_AT", 10**9)
    monkeypatch.setattr(search_purge, "BUCKETS_PER_RUN", 400)  # a pass is 3 runs
    settings = create_resources(moto_endpoint, prefix="search")
    index = DynamoSearchIndex(settings, AwsClients(settings, session=session()))
    changed = BY_KEY["fr-eco"].model_copy(
        update={"text": "Les hôtels de Paris affichent complet et le tourisme dépasse son niveau."}
    )
    emptied = BY_KEY["en-bike"].model_copy(update={"text": ""})
    for article in CORPUS:
        index.index(article)
    index.index(changed)
    index.index(emptied)
    index.compact()
    assert len(tombstones(index.table)) >= 2
    assert max(_blocks_per_bucket(index).values()) > 1
    before = _results(index)
    time.sleep(1.1)  # tombstones are dated in whole seconds: these are now older than a pass
    monkeypatch.setattr(search_purge, "PURGE_AT", 2)
    for _run in range(12):
        index.compact()
        if not tombstones(index.table) and index.table.get(*STATE_KEY) is None:
            break
    assert tombstones(index.table) == set()
    assert index.table.get(*STATE_KEY) is None
    assert set(_blocks_per_bucket(index).values()) == {1}
    assert _results(index) == before
    final = [changed if a.id == changed.id else a for a in CORPUS if a.id != emptied.id]
    assert _results(index) == _results(_filled(_aws(moto_endpoint), final))


def test_a_large_bucket_is_split_into_blocks_under_the_item_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_purge, "MAX_BLOCK_BYTES", 2_000)
    entries = [
        Entry(f"term{t}-{a * 7919 % 1000}", f"{a:032x}", 1 + a % 3, a + t)
        for a in range(200)
        for t in range(5)
    ]
    blocks = list(split_blocks(entries))
    assert len(blocks) > 1
    assert all(len(block) <= 2_000 for block in blocks)
    decoded = [e for block in blocks for e in decode_block(block, lambda _term: True)]
    assert sorted(decoded, key=repr) == sorted(entries, key=repr)
