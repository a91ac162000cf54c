"""DynamoDB read units of search queries, measured on a moto server.

The WCXB ground-truth articles (``title`` + ``main_content``) are indexed through
``DynamoSearchIndex``; then two-word queries (one common word with one rarer word, and two
common words) run with every botocore call counted (``bench.cost.Tally``). A ``COUNT`` query
returns no items but is billed for the postings it reads, so its units are computed from the
sizes of the postings it counted, read again outside the tally.

Run: ``python -m bench.search_reads [--articles N] [--queries N]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import statistics
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from bench.cost import OUT, Tally, counting, item_size
from bench.dataset import locate
from core.extract.language import detect_language
from core.models import Article
from core.search.terms import article_terms

logger = logging.getLogger(__name__)


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


def _count_units(client: Any, table: str, term: str) -> float:
    """Eventually consistent read units of a COUNT query over ``term``'s postings."""
    size, start = 0, None
    while True:
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"TERM#{term}"}},
        }
        if start:
            request["ExclusiveStartKey"] = start
        response = client.query(**request)
        size += sum(item_size(item) for item in response["Items"])
        start = response.get("LastEvaluatedKey")
        if not start:
            return max(1, math.ceil(size / 4096)) / 2


# The corpus size the extrapolation is for.
TARGET = 10_000
COUNT_SHARD_KEYS = 17
HIT_UNITS = 1.0  # a DOC item of <= 8 KB, eventually consistent
LIMIT = 10


def _model_units(
    query: str, df: Counter[str], corpus: int, target: int, posting_bytes: float
) -> float:
    """Read units of ``query`` on ``target`` articles with ``df`` scaled from ``corpus``."""
    units = COUNT_SHARD_KEYS * 0.5 + LIMIT * HIT_UNITS
    for term in query.split():
        postings = df[term] * target / corpus
        units += max(1, math.ceil(min(postings, 200) * posting_bytes / 4096)) / 2
        if postings >= 200:  # the COUNT query reads every posting
            units += max(1, math.ceil(postings * posting_bytes / 4096)) / 2
    return units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=800)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, moto_server, session

    from core.adapters.aws import AwsClients
    from core.adapters.aws.dynamodb_search_index import MAX_POSTINGS_PER_TERM, DynamoSearchIndex

    os.environ.update(CREDENTIALS)
    os.environ["AWS_DEFAULT_REGION"] = REGION
    every = _articles(10**6)
    full_df: Counter[str] = Counter()  # over every WCXB article, for the extrapolation
    for article in every:
        full_df.update(t.term for t in article_terms(article))
    articles = every[: args.articles]
    df: Counter[str] = Counter()
    for article in articles:
        df.update(t.term for t in article_terms(article))
    rng = random.Random(15)
    common = [t for t, n in df.most_common(200)]
    middle = [t for t, n in df.items() if 3 <= n <= 20]
    with moto_server() as endpoint:
        settings = create_resources(endpoint, prefix="reads")
        clients = AwsClients(settings, session=session())
        index = DynamoSearchIndex(settings, clients)
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
        assert settings.index_table
        posting_bytes = statistics.mean(
            item_size(item)
            for term in common[:5]
            for item in clients.dynamodb().query(
                TableName=settings.index_table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"TERM#{term}"}},
            )["Items"]
        )
        results: dict[str, Any] = {}
        for kind, queries in kinds.items():
            units = []
            for query in queries:
                tally = Tally()
                with counting(tally):
                    index.search(query)
                counted = [t for t in query.split() if df[t] >= MAX_POSTINGS_PER_TERM]
                db = clients.dynamodb()
                # The tally booked each COUNT query as an empty read (0.5): replace it.
                extra = sum(_count_units(db, settings.index_table, t) - 0.5 for t in counted)
                units.append(tally.read_units + extra)
            results[kind] = {
                "mean_read_units": round(statistics.mean(units), 1),
                "max_read_units": round(max(units), 1),
                "extrapolated_10k_mean_read_units": round(
                    statistics.mean(
                        _model_units(q, full_df, len(every), TARGET, posting_bytes) for q in queries
                    ),
                    1,
                ),
            }
    result = {
        "posting_bytes": round(posting_bytes, 1),
        "articles": len(articles),
        "terms_with_200_or_more_postings": sum(n >= MAX_POSTINGS_PER_TERM for n in df.values()),
        "most_common_term_postings": df.most_common(1)[0][1],
        "queries": results,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "search_reads.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
