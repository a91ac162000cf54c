"""Four indexers on overlapping terms at once, against the DynamoDB (moto) index."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from core.adapters.aws import search_compaction
from core.adapters.aws.dynamodb_search_index import DynamoSearchIndex
from core.adapters.aws.search_table import PENDING_PK
from core.indexing import Indexer
from core.models import Article, ArticleStatus
from core.services import Services
from tests.contract.moto_env import CREDENTIALS, REGION, create_resources

INDEXERS = 4
PER_INDEXER = 8
# Every article holds these terms, so every indexer writes postings under the same keys.
SHARED = "harbour council budget vote tram"


def _article(n: int) -> Article:
    return Article(
        id=f"{n:032x}",
        url=f"https://news.example.com/story/{n}",
        status=ArticleStatus.EXTRACTED,
        title=f"Harbour council story {n}",
        text=f"The {SHARED} debate continued. Marker word uniqueword{n} closes the item.",
        language="en",
        hostname="news.example.com",
    )


@pytest.mark.aws
@pytest.mark.parametrize("compact_at", [search_compaction.COMPACT_AT, 3])
def test_concurrent_indexers_leave_every_article_searchable(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, compact_at: int
) -> None:
    # With 3, the indexers compact while the others write: the lease and the pending items
    # are contended, and postings end up in blocks, pending items, or (briefly) both.
    monkeypatch.setattr(search_compaction, "COMPACT_AT", compact_at)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    settings = create_resources(moto_endpoint, prefix="conc")
    articles = [_article(n) for n in range(INDEXERS * PER_INDEXER)]
    stored = [Services(settings).articles.put(a) for a in articles]

    def run(share: list[Article]) -> int:
        services = Services(settings)  # each indexer its own clients
        indexer = Indexer(
            services.articles, services.search_index, services.fingerprints, services.event_bus
        )
        return sum(indexer.handle(article) is not None for article in share)

    shares = [stored[i::INDEXERS] for i in range(INDEXERS)]
    with ThreadPoolExecutor(INDEXERS) as pool:
        done = list(pool.map(run, shares))
    assert done == [PER_INDEXER] * INDEXERS

    search = Services(settings).search_index
    for article in articles:
        number = int(article.id, 16)
        assert [hit.id for hit in search.search(f"uniqueword{number}")] == [article.id]
    every = {hit.id for hit in search.search("harbour tram", limit=100)}
    assert every == {article.id for article in articles}
    # The document count saw each article once: a rare word's idf is the same on any article.
    scores = {
        hit.score for a in articles[:4] for hit in search.search(f"uniqueword{int(a.id, 16)}")
    }
    assert len(scores) == 1
    if compact_at < PER_INDEXER:  # the postings were really read from blocks
        assert isinstance(search, DynamoSearchIndex)
        assert search.table.count(PENDING_PK, limit=100) < len(articles) // 2
