"""AWS-only: a filtered listing reads a bounded number of query pages per request, and its
cursor still walks every match once, in order, to an end (``dynamodb_listing``)."""

from __future__ import annotations

from typing import Any

import pytest

from core.adapters.aws import AwsClients, DynamoArticleStore
from core.adapters.aws import dynamodb_listing as listing
from core.models import PageType
from core.ports import ArticleQuery
from core.settings import Settings
from tests.contract.test_article_store_contract import article, expected

pytestmark = pytest.mark.aws


class CountingClient:
    """The DynamoDB client, counting ``Query`` calls."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.queries = 0

    def query(self, **request: Any) -> Any:
        self.queries += 1
        return self.client.query(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@pytest.fixture
def store(aws_settings: Settings, aws_clients: AwsClients) -> DynamoArticleStore:
    return DynamoArticleStore(aws_settings, aws_clients)


@pytest.mark.parametrize(
    "filters",
    [
        {"language": "fr"},  # a FilterExpression on the sharded by-date lanes
        {"page_type": "forum", "site": "rare.example"},  # the site filter on by-type lanes
    ],
)
def test_a_sparse_filter_pages_within_the_budget_and_walks_every_match(
    store: DynamoArticleStore, monkeypatch: pytest.MonkeyPatch, filters: dict[str, str]
) -> None:
    monkeypatch.setattr(listing, "MAX_PAGES_PER_LANE", 1)
    monkeypatch.setattr(listing, "FILTERED_PAGE_ITEMS", 1)
    items = []
    for n in range(40):
        rare = n % 9 == 4  # a few matches, spread over the dates
        items.append(
            article(
                f"budget-{n}",
                date=f"2024-01-{n % 28 + 1:02d}",
                language="fr" if rare else "en",
                hostname="rare.example" if rare else "common.example",
                page_type=PageType.FORUM,
            )
        )
    for item in items:
        store.put(item)
    counting = CountingClient(store.clients.dynamodb())
    monkeypatch.setattr(store.clients, "dynamodb", lambda: counting)

    query = ArticleQuery.model_validate({**filters, "limit": 2})
    want = expected(items, query)
    got: list[str] = []
    short_pages = 0
    for _ in range(200):  # a walk that never ends fails here instead of hanging
        counting.queries = 0
        page = store.list(query)
        lanes = len(listing.plan(query.model_copy(update={"cursor": None})))
        assert counting.queries <= lanes * listing.MAX_PAGES_PER_LANE
        got += [a.id for a in page.items]
        if page.next_cursor is None:
            break
        short_pages += len(page.items) < query.limit
        query = query.model_copy(update={"cursor": page.next_cursor})
    else:
        pytest.fail("the cursor walk did not end")
    assert len(want) == 4
    assert got == want
    assert short_pages > 0  # the budget did cut requests short


def test_a_cursor_issued_before_the_page_type_filter_still_resumes() -> None:
    """Cursors carry a digest of the filters; one made before ``page_type`` existed (its digest
    without that key) resumes the same listing, and is refused with a page type."""
    import hashlib
    import json

    from core.cursor import encode_cursor
    from core.errors import InvalidCursor

    query = ArticleQuery(site="a.example", language="en", limit=5)
    before = query.model_dump(mode="json", exclude={"cursor", "limit", "page_type"})
    digest = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:16]
    cursor = encode_cursor({"f": digest, "p": {"by-host|a.example": ["2024-01-01#x", "x"]}})
    lanes = listing.plan(query.model_copy(update={"cursor": cursor}))
    assert [(lane.name, lane.after) for lane in lanes] == [
        ("by-host|a.example", ("2024-01-01#x", "x"))
    ]
    with pytest.raises(InvalidCursor):
        listing.plan(query.model_copy(update={"cursor": cursor, "page_type": PageType.FORUM}))
