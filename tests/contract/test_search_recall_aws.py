"""Recall goals the DynamoDB index meets on the WCXB articles (see tests/integration).

Titles are found in the top 3 on both backends. Single mentions are not a goal the DynamoDB
index meets (it keeps each article's 64 heaviest terms; docs/search.md), so they are tested
on the local backend only.
"""

from __future__ import annotations

import pytest

from core.adapters.aws import AwsClients
from core.adapters.aws.dynamodb_search_index import DynamoSearchIndex
from tests.contract.moto_env import create_resources, session
from tests.integration.test_search_recall import (
    CJK_ARTICLES,
    GOAL,
    GROUND_TRUTH,
    MIN_PAGES,
    recall_articles,
    title_queries,
)


@pytest.mark.aws
@pytest.mark.skipif(not GROUND_TRUTH.is_dir(), reason="benchmark pages not present")
def test_a_title_finds_its_article_in_the_top_3_on_dynamodb(moto_endpoint: str) -> None:
    settings = create_resources(moto_endpoint, prefix="recall")
    index = DynamoSearchIndex(settings, AwsClients(settings, session=session()))
    articles = recall_articles()
    for key, article in articles.items():
        if key not in CJK_ARTICLES:
            index.index(article)
    queries = title_queries(articles)
    assert len(queries) >= MIN_PAGES
    found = [key in [h.id for h in index.search(title, limit=3)] for title, key in queries.items()]
    assert sum(found) / len(found) >= GOAL, f"{sum(found)} of {len(found)}"
