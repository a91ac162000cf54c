"""The index stage on the SQLite adapters: completion, duplicates, conditional writes, events."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.fingerprints import SqliteFingerprintIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import StorageError
from core.fingerprint import hamming_distance, simhash
from core.indexing import BANDS, MAX_DISTANCE, Indexer, bands
from core.models import Article, ArticleError, ArticleStatus
from core.ports import SearchHit

VOCABULARY = (
    "river bridge council budget station market school housing transport plan traffic"
    " residents engineers survey spring phase critics supporters region visitors mayor"
)
WORDS = VOCABULARY.split()


def text(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


class RecordingIndex:
    def __init__(self) -> None:
        self.indexed: list[Article] = []

    def index(self, article: Article) -> None:
        self.indexed.append(article)

    def search(self, query: str, **_: object) -> list[SearchHit]:
        return []


class RecordingBus:
    def __init__(self, fail: int = 0) -> None:
        self.events: list[BaseModel] = []
        self.fail = fail

    def publish(self, events: Sequence[BaseModel]) -> None:
        if self.fail:
            self.fail -= 1
            raise StorageError("bus down")
        self.events.extend(events)

    def types(self) -> list[str]:
        return [str(getattr(e, "detail_type", "")) for e in self.events]


@pytest.fixture
def db(tmp_path: Path) -> SqliteDatabase:
    return SqliteDatabase(tmp_path / "db.sqlite3")


@pytest.fixture
def store(db: SqliteDatabase) -> SqliteArticleStore:
    return SqliteArticleStore(db)


def make_indexer(
    db: SqliteDatabase, store: SqliteArticleStore, bus: RecordingBus | None = None
) -> tuple[Indexer, RecordingIndex, RecordingBus]:
    search, bus = RecordingIndex(), bus or RecordingBus()
    return Indexer(store, search, SqliteFingerprintIndex(db), bus), search, bus


def extracted(store: SqliteArticleStore, n: int, body: str, **extra: object) -> Article:
    article = Article(
        id=f"{n:032x}",
        url=f"https://site{n}.example/a",
        status=ArticleStatus.EXTRACTED,
        text=body,
        fetched_at=datetime.now(UTC),
        **extra,  # type: ignore[arg-type]
    )
    return store.put(article)


def test_bands_split_64_bits_into_four_16_bit_values() -> None:
    assert bands("0123456789abcdef") == [0x0123, 0x4567, 0x89AB, 0xCDEF]
    assert len(bands(simhash("a b c d"))) == BANDS


def test_index_completes_the_article_and_marks_it_indexed(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, search, bus = make_indexer(db, store)
    body = "The city council met on Tuesday. " * 40
    article = extracted(store, 1, body)
    stored = indexer.handle(article)
    assert stored is not None
    assert stored.status is ArticleStatus.INDEXED
    assert stored.version == article.version + 1
    assert stored.language == "en"  # detected because it was missing
    assert stored.word_count == 240
    assert stored.reading_time_minutes == 2  # ceil(240 / 230)
    assert stored.fingerprint == simhash(body)
    assert search.indexed[0].id == article.id
    assert bus.types() == ["ArticleIngested"]
    assert store.get(article.id) == stored


def test_declared_language_is_kept(db: SqliteDatabase, store: SqliteArticleStore) -> None:
    indexer, _, _ = make_indexer(db, store)
    stored = indexer.handle(extracted(store, 1, "The city council met. " * 40, language="fr"))
    assert stored is not None
    assert stored.language == "fr"


def test_later_copy_at_another_url_points_at_the_earlier(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, _ = make_indexer(db, store)
    body = text(7, words=1000)
    first = indexer.handle(extracted(store, 1, body))
    words = body.split()
    words[150] = "lighthouse"  # a one-word edit: a near-duplicate, not an identical copy
    edited = " ".join(words)
    assert 0 < hamming_distance(simhash(body), simhash(edited)) <= MAX_DISTANCE
    second = indexer.handle(extracted(store, 2, edited))
    other = indexer.handle(extracted(store, 3, text(8)))
    assert first is not None
    assert second is not None
    assert other is not None
    assert first.duplicate_of is None
    assert second.duplicate_of == first.id
    assert other.duplicate_of is None


def test_a_duplicate_is_left_out_of_search(db: SqliteDatabase, store: SqliteArticleStore) -> None:
    indexer, search, _ = make_indexer(db, store)
    body = text(11, words=500)
    indexer.handle(extracted(store, 1, body))
    copy = indexer.handle(extracted(store, 2, body))
    assert copy is not None
    assert copy.duplicate_of == f"{1:032x}"
    assert copy.text == body  # the stored copy keeps its text
    assert [(a.id, a.text is not None) for a in search.indexed] == [
        (f"{1:032x}", True),
        (f"{2:032x}", False),  # entries removed: the search index drops text-less articles
    ]


def test_reindexing_the_original_does_not_make_it_a_duplicate(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, _ = make_indexer(db, store)
    body = text(7)
    first = indexer.handle(extracted(store, 1, body))
    indexer.handle(extracted(store, 2, body))
    assert first is not None
    again = store.put(first.model_copy(update={"status": ArticleStatus.EXTRACTED}))
    reindexed = indexer.handle(again)
    assert reindexed is not None
    assert reindexed.duplicate_of is None


def test_short_texts_are_never_duplicates(db: SqliteDatabase, store: SqliteArticleStore) -> None:
    indexer, _, _ = make_indexer(db, store)
    indexer.handle(extracted(store, 1, "Breaking news: more soon."))
    second = indexer.handle(extracted(store, 2, "Breaking news: more soon."))
    assert second is not None
    assert second.duplicate_of is None


def test_a_replayed_change_is_skipped_once_a_newer_version_exists(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, bus = make_indexer(db, store)
    article = extracted(store, 1, text(1))
    assert indexer.handle(article) is not None
    assert indexer.handle(article) is None  # replay of the same stream record
    assert store.get(article.id).version == article.version + 1  # type: ignore[union-attr]
    assert bus.types() == ["ArticleIngested", "ArticleIngested"]  # same id: consumers dedupe
    assert bus.events[0] == bus.events[1]


def test_a_failed_publish_leaves_the_article_unindexed_for_the_retry(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, _ = make_indexer(db, store, RecordingBus(fail=1))
    article = extracted(store, 1, text(1))
    with pytest.raises(StorageError):
        indexer.handle(article)
    assert store.get(article.id).status is ArticleStatus.EXTRACTED  # type: ignore[union-attr]
    assert indexer.handle(article) is not None


def test_indexed_and_failed_changes_publish_their_events(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, bus = make_indexer(db, store)
    body = text(3)
    original = indexer.handle(extracted(store, 1, body))
    copy = indexer.handle(extracted(store, 2, body))
    assert original is not None
    assert copy is not None
    indexer.handle(copy)
    failed = store.put(
        Article(
            id="f" * 32,
            url="https://example.com/gone",
            status=ArticleStatus.FAILED,
            error=ArticleError(code="http_error", message="HTTP 404", http_status=404),
        )
    )
    indexer.handle(failed)
    assert bus.types()[-3:] == ["ArticleDuplicateDetected", "ArticleIndexed", "ArticleFailed"]
    duplicate_event = bus.events[-3]
    assert duplicate_event.duplicate_of == original.id
    assert duplicate_event.distance == 0
    assert bus.events[-1].error.code == "http_error"


def test_fingerprint_registration_keeps_the_first_time(db: SqliteDatabase) -> None:
    index = SqliteFingerprintIndex(db)
    first = index.register("a" * 32, simhash(text(1)))
    assert index.register("a" * 32, simhash(text(1))) == first
    assert index.register("a" * 32, simhash(text(2))) == first  # text changed: same first-seen
    entries = index.candidates(simhash(text(2)), per_band=10)
    assert {e.fingerprint for e in entries} == {simhash(text(2))}
    stale = index.candidates(simhash(text(1)), per_band=10)
    assert all(e.fingerprint != simhash(text(1)) for e in stale)  # old buckets were replaced


def test_the_publishers_own_canonical_copy_becomes_the_original(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, search, bus = make_indexer(db, store)
    body = text(21, words=500)
    aggregator = indexer.handle(
        extracted(store, 1, body, canonical_url="https://site2.example/a", date="2024-05-02")
    )
    publisher = indexer.handle(
        extracted(
            store,
            2,
            body,
            canonical_url="https://site2.example/a",
            is_canonical=True,  # set at extraction, from the URL the page was fetched from
            date="2024-05-02",
        )
    )
    assert aggregator is not None
    assert publisher is not None
    assert publisher.duplicate_of is None  # arrived second, but it is its own canonical
    moved = store.get(aggregator.id)
    assert moved is not None
    assert moved.duplicate_of == publisher.id
    assert moved.version == aggregator.version + 1
    # The former original left search; the publisher's copy is searchable.
    assert [(a.id, a.text is not None) for a in search.indexed] == [
        (aggregator.id, True),
        (publisher.id, True),
        (aggregator.id, False),
    ]
    indexer.handle(moved)  # the stream delivers the re-pointed version: events say so
    detected = [
        e for e in bus.events if getattr(e, "detail_type", "") == "ArticleDuplicateDetected"
    ]
    assert [
        (getattr(e, "article_id", None), getattr(e, "duplicate_of", None)) for e in detected
    ] == [(aggregator.id, publisher.id)]
    # Re-indexing the former original keeps it a copy of the better one.
    again = indexer.handle(store.put(moved.model_copy(update={"status": ArticleStatus.EXTRACTED})))
    assert again is not None
    assert again.duplicate_of == publisher.id


def test_the_earliest_publication_date_wins_over_the_first_seen(
    db: SqliteDatabase, store: SqliteArticleStore
) -> None:
    indexer, _, _ = make_indexer(db, store)
    body = text(22, words=500)
    later = indexer.handle(extracted(store, 1, body, date="2024-06-10"))
    earlier = indexer.handle(extracted(store, 2, body, date="2024-06-01"))
    undated = indexer.handle(extracted(store, 3, body))
    assert later is not None
    assert earlier is not None
    assert undated is not None
    assert earlier.duplicate_of is None
    assert undated.duplicate_of == earlier.id
    moved = store.get(later.id)
    assert moved is not None
    assert moved.duplicate_of == earlier.id
