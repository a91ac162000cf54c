"""The indexer and content versions: a check announces nothing, a new content version is
indexed and announced once with ``ArticleUpdated``, an ``extracted`` article touched by a check
before its indexing is still indexed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.unit.indexing.test_indexer import db, make_indexer, store, text

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.sqlite import SqliteDatabase
from core.models import Article, ArticleStatus

__all__ = ["db", "store"]  # the fixtures, shared with test_indexer

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def first_version(store: SqliteArticleStore, body: str) -> Article:
    return store.put(
        Article(
            id="f" * 32,
            url="https://site.example/a",
            status=ArticleStatus.EXTRACTED,
            title="A story",
            text=body,
            content_version=1,
            fetched_at=T0,
            checked_at=T0,
            changed_at=T0,
        )
    )


def test_a_check_announces_nothing(db: SqliteDatabase, store: SqliteArticleStore) -> None:
    indexer, _, bus = make_indexer(db, store)
    indexed = indexer.handle(first_version(store, text(1)))
    assert indexed is not None
    previous = indexer.articles.get(indexed.id)
    assert previous is not None
    indexer.handle(previous, None)  # the indexed record itself
    assert bus.types() == ["ArticleIngested", "ArticleIndexed"]

    checked = store.put(previous.model_copy(update={"checked_at": T0 + timedelta(hours=1)}))
    assert indexer.handle(checked, previous) is None
    assert bus.types() == ["ArticleIngested", "ArticleIndexed"]


def test_a_new_content_version_is_announced_once(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, bus = make_indexer(db, store)
    v1 = indexer.handle(first_version(store, text(1)))
    assert v1 is not None
    later = T0 + timedelta(days=1)
    changed = store.put(
        v1.model_copy(
            update={
                "status": ArticleStatus.EXTRACTED,
                "text": text(2),
                "content_version": 2,
                "fetched_at": later,
                "checked_at": later,
                "changed_at": later,
            }
        )
    )
    v2 = indexer.handle(changed, v1)
    assert v2 is not None
    indexer.handle(v2, changed)
    assert bus.types()[-3:] == ["ArticleIngested", "ArticleIndexed", "ArticleUpdated"]
    update = bus.events[-1]
    assert getattr(update, "content_version", None) == 2
    assert getattr(update, "event_id", "") == f"{v2.id}-v{v2.version}-ArticleUpdated"

    # A later indexed write of the same version (re-pointing a duplicate) is no update.
    moved = store.put(v2.model_copy(update={"duplicate_of": "e" * 32}))
    indexer.handle(moved, v2)
    assert bus.types().count("ArticleUpdated") == 1


def test_an_extracted_article_checked_before_indexing_is_still_indexed(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, bus = make_indexer(db, store)
    v1 = first_version(store, text(3))
    touched = store.put(v1.model_copy(update={"checked_at": T0 + timedelta(minutes=5)}))
    assert indexer.handle(v1) is None  # lost to the check's write: skipped
    indexed = indexer.handle(touched, v1)
    assert indexed is not None
    assert indexed.status is ArticleStatus.INDEXED
    assert bus.types() == ["ArticleIngested"]
