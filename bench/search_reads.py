"""DynamoDB read units of search queries (measured on moto), and the bucket-count trade-off.

The WCXB ground-truth articles (``title`` + ``main_content``) are indexed through
``DynamoSearchIndex`` on a moto server (compacted into posting blocks as in production); then
two-word queries (a common word with a rarer word, and two common words) run with every
botocore call counted (``bench.cost.Tally``: item sizes turned into read units).

A query reads the count shards, the tombstones, the pending items (fewer than ``COMPACT_AT``
articles), every block of the buckets its terms live in, and the hits' ``DOC`` items. Only the
buckets grow with the corpus, linearly; so the cost on ``TARGET`` articles is the measured cost
with each bucket read scaled by ``TARGET / articles`` (from the bytes actually read per bucket).

``--buckets`` compares bucket counts offline: the same articles packed as the compactor packs
them (``COMPACT_AT`` per run), giving write units per article and the mean bucket read on
``TARGET`` articles.

Run: ``python -m bench.search_reads [--articles N] [--queries N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import random
import statistics
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

from bench.cost import OUT, Tally, counting, item_size
from bench.dataset import locate
from core.extract.language import detect_language
from core.models import Article
from core.search import packed
from core.search.packed import Entry, encode_block
from core.search.terms import article_terms

logger = logging.getLogger(__name__)

# The corpus size the extrapolation is for.
TARGET = 10_000
BUCKET_CHOICES = (256, 1024, 4096)


def _articles(limit: int) -> list[Article]:
    articles = []
    for page in locate().pages():
        text = str(page.truth.get("main_content") or "")
        if text.strip():
            articles.append(
                Article(
                    id=f"{len(articles):032x}",
                    url=page.url or f"https://wcxb.example/{page.file_id}",
                    title=str(page.truth.get("title") or "") or None,
                    text=text,
                    hostname=urlsplit(page.url).hostname,
                    date=str(page.truth.get("publish_date") or "")[:10] or None,
                    language=detect_language(text),
                )
            )
        if len(articles) >= limit:
            break
    return articles


def _units(size: int) -> float:
    """Eventually consistent read units of one Query page of ``size`` bytes."""
    return max(1, math.ceil(size / 4096)) / 2


class BucketBytes:
    """Records the bytes each ``BLK#`` Query returned (to scale them to a larger corpus)."""

    def __init__(self) -> None:
        self.reads: list[int] = []

    def record(self, params: dict[str, Any], result: dict[str, Any]) -> None:
        pk = params.get("ExpressionAttributeValues", {}).get(":pk", {}).get("S", "")
        if pk.startswith("BLK#"):
            self.reads.append(sum(item_size(item) for item in result.get("Items", [])))


def bucket_tradeoff(articles: list[Article], compact_at: int) -> list[dict[str, Any]]:
    """Write units per article and mean bucket read on ``TARGET`` articles, per bucket count."""
    terms = [(a.id, article_terms(a)) for a in articles]
    rows = []
    for buckets in BUCKET_CHOICES:
        write_units = 0
        stored = 0
        for start in range(0, len(terms), compact_at):
            by_bucket: dict[int, list[Entry]] = defaultdict(list)
            for article_id, weighted in terms[start : start + compact_at]:
                for t in weighted:
                    bucket = _bucket(t.term, buckets)
                    by_bucket[bucket].append(Entry(t.term, article_id, 1, t.weight))
            for entries in by_bucket.values():
                size = len(encode_block(entries)) + 40  # + keys and attribute name
                write_units += math.ceil(size / 1024)
                stored += size
        bucket_bytes = stored / buckets * TARGET / len(terms)
        rows.append(
            {
                "buckets": buckets,
                "compaction_write_units_per_article": round(write_units / len(terms), 1),
                "mean_bucket_read_units_at_target": round(_units(int(bucket_bytes)), 1),
            }
        )
    return rows


def _bucket(term: str, buckets: int) -> int:
    """``packed.bucket_of`` with another bucket count."""
    digest = hashlib.sha256(packed.bucket_key(term).encode()).digest()
    return int.from_bytes(digest[:4], "big") % buckets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=800)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, moto_server, session

    from core.adapters.aws import AwsClients
    from core.adapters.aws.dynamodb_search_index import DynamoSearchIndex
    from core.adapters.aws.search_compaction import COMPACT_AT

    os.environ.update(CREDENTIALS)
    os.environ["AWS_DEFAULT_REGION"] = REGION
    articles = _articles(args.articles)
    df: Counter[str] = Counter()
    for article in articles:
        df.update(t.term for t in article_terms(article))
    rng = random.Random(15)
    common = [t for t, n in df.most_common(200)]
    middle = [t for t, n in df.items() if 3 <= n <= 20]
    scale = TARGET / len(articles)
    with moto_server() as endpoint:
        settings = create_resources(endpoint, prefix="reads")
        index = DynamoSearchIndex(settings, AwsClients(settings, session=session()))
        for article in articles:
            index.index(article)
        kinds = {
            "common + rarer word": [
                f"{rng.choice(common)} {rng.choice(middle)}" for _ in range(args.queries)
            ],
            "two common words": [
                f"{rng.choice(common)} {rng.choice(common)}" for _ in range(args.queries)
            ],
        }
        results: dict[str, Any] = {}
        for kind, queries in kinds.items():
            measured, extrapolated = [], []
            for query in queries:
                tally, buckets = Tally(), BucketBytes()
                with counting(tally, observe=buckets.record):
                    index.search(query)
                measured.append(tally.read_units)
                bucket_units = sum(_units(size) for size in buckets.reads)
                scaled = sum(_units(int(size * scale)) for size in buckets.reads)
                extrapolated.append(tally.read_units - bucket_units + scaled)
            results[kind] = {
                "mean_read_units": round(statistics.mean(measured), 1),
                "max_read_units": round(max(measured), 1),
                "extrapolated_mean_read_units": round(statistics.mean(extrapolated), 1),
                "extrapolated_max_read_units": round(max(extrapolated), 1),
            }
    result = {
        "articles": len(articles),
        "target_articles": TARGET,
        "buckets": packed.BUCKETS,
        "compact_at": COMPACT_AT,
        "queries": results,
        "bucket_tradeoff": bucket_tradeoff(articles, COMPACT_AT),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "search_reads.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
