"""A data directory made before page types: opening it adds the ``page_type`` columns, filled
from the stored articles, so the listing and search filters find what was stored earlier."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.search_index import SqliteSearchIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.models import Article, PageType
from core.ports import ArticleQuery

# The articles table as it was before the page-type column.
OLD_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL, hostname TEXT,
    sitename TEXT, language TEXT, date TEXT, updated_at TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX articles_by_date ON articles (date DESC, id DESC);
"""


def stored(n: int, page_type: PageType | None) -> Article:
    url = f"https://example.org/{n}"
    return Article(
        id=hashlib.sha256(url.encode()).hexdigest()[:32],
        url=url,
        date=f"2024-01-0{n}",
        page_type=page_type,
        version=1,
    )


def test_an_older_database_gets_its_page_types_on_open(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    articles = [stored(1, PageType.FORUM), stored(2, PageType.PRODUCT), stored(3, None)]
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.executemany(
            "INSERT INTO articles (id, version, status, date, updated_at, body)"
            " VALUES (?, 1, 'indexed', ?, '', ?)",
            [(a.id, a.date, a.model_dump_json()) for a in articles],
        )
    conn.close()

    store = SqliteArticleStore(SqliteDatabase(path))
    forums = store.list(ArticleQuery(page_type=PageType.FORUM)).items
    assert [a.id for a in forums] == [articles[0].id]
    assert len(store.list(ArticleQuery()).items) == 3

    again = SqliteArticleStore(SqliteDatabase(path))  # a second open changes nothing
    assert [a.id for a in again.list(ArticleQuery(page_type=PageType.PRODUCT)).items] == [
        articles[1].id
    ]


def test_an_older_search_index_gets_the_page_types_of_the_stored_articles(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = SqliteDatabase(path)
    store, index = SqliteArticleStore(db), SqliteSearchIndex(db)
    forum = stored(1, PageType.FORUM).model_copy(
        update={"version": 0, "title": "Bike lanes", "text": "Riders talk about bike lanes."}
    )
    index.index(store.put(forum))
    with db.transaction() as conn:  # the index as it was before page types
        conn.execute("ALTER TABLE search_articles DROP COLUMN page_type")
    db.close()

    reopened = SqliteSearchIndex(SqliteDatabase(path))
    assert [h.id for h in reopened.search("bike", page_type=PageType.FORUM)] == [forum.id]
    assert reopened.search("bike", page_type=PageType.PRODUCT) == []
