"""``core.listing.iter_articles``: every matching article once, one page read at a time."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.sqlite import SqliteDatabase
from core.listing import iter_articles
from core.models import Article, ArticleStatus
from core.ports import ArticlePage, ArticleQuery


class CountingStore(SqliteArticleStore):
    """The SQLite store, counting the pages asked of it."""

    pages = 0

    def list(self, query: ArticleQuery) -> ArticlePage:
        self.pages += 1
        return super().list(query)


def seeded(tmp_path: Path, size: int) -> CountingStore:
    store = CountingStore(SqliteDatabase(tmp_path / "db.sqlite3"))
    for n in range(size):
        store.put(
            Article(
                id=f"{n:032x}",
                url=f"https://example.org/{n}",
                date=f"2024-01-{1 + n % 28:02d}" if n % 5 else None,
                status=ArticleStatus.FAILED if n % 3 == 0 else ArticleStatus.INDEXED,
            )
        )
    return store


def test_every_article_once_in_listing_order(tmp_path: Path) -> None:
    store = seeded(tmp_path, 23)
    walked = [a.id for a in iter_articles(store, ArticleQuery(limit=5))]
    assert len(walked) == len(set(walked)) == 23
    stored = [store.get(i) for i in walked]
    keys = [((a.date or ""), a.id) for a in stored if a is not None]
    assert keys == sorted(keys, reverse=True)  # newest first, undated last
    assert store.pages == 5


def test_the_filters_hold_on_every_page(tmp_path: Path) -> None:
    store = seeded(tmp_path, 23)
    failed = list(iter_articles(store, ArticleQuery(status=ArticleStatus.FAILED, limit=2)))
    assert len(failed) == 8
    assert {a.status for a in failed} == {ArticleStatus.FAILED}


def test_the_next_page_is_read_only_when_needed(tmp_path: Path) -> None:
    store = seeded(tmp_path, 23)
    walk = iter_articles(store, ArticleQuery(limit=10))
    assert store.pages == 0
    assert len(list(islice(walk, 10))) == 10
    assert store.pages == 1
    next(walk)
    assert store.pages == 2


def test_an_empty_listing_is_one_page(tmp_path: Path) -> None:
    store = seeded(tmp_path, 0)
    assert list(iter_articles(store, ArticleQuery())) == []
    assert store.pages == 1
