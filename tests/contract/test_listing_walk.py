"""``core.listing.iter_articles`` on both article stores: walking every page of a listing
yields the reference listing, each article once, whatever the page size."""

from __future__ import annotations

import pytest

from core.listing import iter_articles
from core.ports import ArticleQuery
from tests.contract.conftest import Family
from tests.contract.test_article_store_contract import QUERIES, dataset, expected


@pytest.mark.parametrize("page_size", [4, 100])
def test_every_page_walked_is_the_reference_listing(family: Family, page_size: int) -> None:
    items = dataset(seed=page_size + 40, size=30)
    for item in items:
        family.articles.put(item)
    for filters in QUERIES:
        query = ArticleQuery.model_validate({**filters, "limit": page_size})
        assert [a.id for a in iter_articles(family.articles, query)] == expected(items, query)
