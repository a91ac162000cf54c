"""Every article of a listing query, read page after page through the store's cursor.

``GET /articles`` answers one page (``ArticleStore.list``); a caller that wants all of them (the
CLI's ``list --all`` and ``export``) walks the ``next_cursor`` chain with the same query, so
memory holds one page at a time however many articles match.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.models import Article
from core.ports import ArticleQuery, ArticleStore

#: The largest page ``ArticleQuery`` (and the API) allows.
MAX_PAGE = 100


def iter_articles(store: ArticleStore, query: ArticleQuery) -> Iterator[Article]:
    """Each article matching ``query``'s filters, in the listing's order (newest publication
    date first), starting at its cursor; the next page is read only when this one is used up.
    ``query.limit`` is the page size, not a total."""
    while True:
        page = store.list(query)
        yield from page.items
        if page.next_cursor is None:
            return
        query = query.model_copy(update={"cursor": page.next_cursor})
