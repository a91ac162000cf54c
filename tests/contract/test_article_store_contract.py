"""ArticleStore contract: the same tests for the SQLite and the DynamoDB store."""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import UTC, datetime

import pytest

from core.errors import InvalidCursor, InvalidInput, VersionConflict
from core.models import Article, ArticleError, ArticleStatus, PageType
from core.ports import ArticleQuery
from tests.contract.conftest import Family


def make_id(n: int | str) -> str:
    return hashlib.sha256(f"https://example.org/{n}".encode()).hexdigest()


def article(n: int | str, **fields: object) -> Article:
    base: dict[str, object] = {
        "id": make_id(n),
        "url": f"https://example.org/{n}",
        "hostname": "example.org",
        "sitename": "Example",
        "language": "en",
    }
    base.update(fields)
    return Article.model_validate(base)


def test_get_of_an_unknown_id_is_none(family: Family) -> None:
    assert family.articles.get(make_id("nobody")) is None


def test_first_put_stores_version_one(family: Family) -> None:
    stored = family.articles.put(article(1, title="One"))
    assert stored.version == 1
    assert stored.updated_at is not None
    assert family.articles.get(stored.id) == stored


def test_every_field_round_trips(family: Family) -> None:
    full = article(
        "full",
        final_url="https://example.org/full?x=1",
        canonical_url="https://example.org/full",
        status=ArticleStatus.FAILED,
        title="Ünïcode — “quotes” 🚀",
        author="A. Writer",
        date="2024-02-29",
        description="d",
        categories=["news", "world"],
        tags=[],
        image="https://example.org/i.png",
        text="line one\nline two ✓",
        word_count=6,
        reading_time_minutes=1,
        content_sha256="0" * 64,
        fingerprint="00ff00ff00ff00ff",
        duplicate_of=make_id("other"),
        raw_html_uri=None,
        http_status=503,
        content_type="text/html",
        charset="utf-8",
        page_type=PageType.PRODUCT,
        fetched_at=datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC),
        error=ArticleError(
            code="timeout", message="slow", retryable=True, http_status=503, retry_after_s=2.5
        ),
        content_version=3,
        checked_at=datetime(2024, 3, 2, 8, 0, 1, 5, tzinfo=UTC),
        changed_at=datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC),
        etag='W/"5f-abc"',
        last_modified="Fri, 01 Mar 2024 12:00:00 GMT",
    )
    stored = family.articles.put(full)
    assert family.articles.get(full.id) == stored
    assert stored.model_dump(exclude={"version", "updated_at"}) == full.model_dump(
        exclude={"version", "updated_at"}
    )


def test_text_longer_than_a_dynamodb_item_round_trips(family: Family) -> None:
    text = "\n".join(f"Paragraph {i}: " + "é" * 200 for i in range(2500))  # ~1 MB of UTF-8
    stored = family.articles.put(article("long", text=text, date="2024-01-01"))
    assert family.articles.get(stored.id) == stored
    listed = family.articles.list(ArticleQuery(limit=5)).items
    assert [a.text for a in listed] == [text]


def test_options_and_the_largest_links_and_images_lists_round_trip(family: Family) -> None:
    """The bounds of ``core.extract.links`` keep an Article with full lists one item."""
    from core.extract.links import MAX_IMAGES, MAX_LINKS, MAX_TEXT_CHARS, MAX_URL_CHARS
    from core.extraction_options import ExtractionOptions
    from core.models import ArticleImage, ArticleLink

    def url(i: int) -> str:
        head = f"https://example.org/{i}/"
        return head + "a" * (MAX_URL_CHARS - len(head))

    full = article(
        "linked",
        text="body " * 20_000,
        options=ExtractionOptions(include_links=True, include_images=True, favor="recall"),
        links=[ArticleLink(url=url(i), text="t" * MAX_TEXT_CHARS) for i in range(MAX_LINKS)],
        images=[ArticleImage(url=url(i), alt="t" * MAX_TEXT_CHARS) for i in range(MAX_IMAGES)],
    )
    stored = family.articles.put(full)
    assert family.articles.get(full.id) == stored
    assert (stored.options, stored.links, stored.images) == (full.options, full.links, full.images)


def test_second_first_write_conflicts(family: Family) -> None:
    family.articles.put(article(1, title="first"))
    with pytest.raises(VersionConflict):
        family.articles.put(article(1, title="second"))
    stored = family.articles.get(make_id(1))
    assert stored is not None
    assert stored.title == "first"


def test_versioned_update_increments_the_version(family: Family) -> None:
    v1 = family.articles.put(article(1))
    v2 = family.articles.put(v1.model_copy(update={"status": ArticleStatus.FETCHED}))
    assert v2.version == 2
    assert family.articles.get(v1.id) == v2


def test_an_older_writer_never_overwrites_newer_data(family: Family) -> None:
    v1 = family.articles.put(article(1))
    worker_a = v1.model_copy(update={"title": "from A"})
    worker_b = v1.model_copy(update={"title": "from B"})
    family.articles.put(worker_a)
    with pytest.raises(VersionConflict):
        family.articles.put(worker_b)
    stored = family.articles.get(v1.id)
    assert stored is not None
    assert (stored.version, stored.title) == (2, "from A")


def test_a_version_from_the_future_conflicts(family: Family) -> None:
    v1 = family.articles.put(article(1))
    with pytest.raises(VersionConflict):
        family.articles.put(v1.model_copy(update={"version": 5}))


def test_list_is_newest_date_first_undated_last(family: Family) -> None:
    for n, date in [(1, "2024-01-02"), (2, None), (3, "2024-03-01"), (4, "2024-01-02")]:
        family.articles.put(article(n, date=date))
    ids = [a.id for a in family.articles.list(ArticleQuery()).items]
    tied = sorted([make_id(1), make_id(4)], reverse=True)
    assert ids == [make_id(3), *tied, make_id(2)]


def test_status_change_moves_the_article_between_status_listings(family: Family) -> None:
    v1 = family.articles.put(article(1, date="2024-01-01"))
    family.articles.put(v1.model_copy(update={"status": ArticleStatus.INDEXED}))
    queued = family.articles.list(ArticleQuery(status=ArticleStatus.QUEUED)).items
    indexed = family.articles.list(ArticleQuery(status=ArticleStatus.INDEXED)).items
    assert queued == []
    assert [a.id for a in indexed] == [v1.id]


def test_a_foreign_cursor_is_invalid_input(family: Family) -> None:
    with pytest.raises(InvalidInput):
        family.articles.list(ArticleQuery(cursor="not-a-cursor"))


@pytest.mark.parametrize(
    "raw", [b"[" * 1500, b'{"f":' * 1500, b"9" * 1530, b"[]", b'{"f": null, "p": [1]}']
)
def test_a_hostile_cursor_is_invalid_cursor(family: Family, raw: bytes) -> None:
    """Nested 1,500 deep or holding a 1,530-digit number, a cursor is refused cleanly."""
    with pytest.raises(InvalidCursor):
        family.articles.list(ArticleQuery(cursor=base64.urlsafe_b64encode(raw).decode()))


STATUSES = list(ArticleStatus)
HOSTS = ["a.example", "b.example", "c.example"]
PAGE_TYPES = [None, PageType.ARTICLE, PageType.FORUM, PageType.PRODUCT]
DATES = [None, "2023-12-31", "2024-01-01", "2024-01-15", "2024-02-01", "2024-02-01T08:00"]


def dataset(seed: int, size: int) -> list[Article]:
    rng = random.Random(seed)
    items = []
    for n in range(size):
        host = rng.choice(HOSTS)
        items.append(
            article(
                f"{seed}-{n}",
                hostname=host,
                sitename=rng.choice([None, "Shared Name", host.split(".")[0].upper()]),
                language=rng.choice([None, "en", "fr"]),
                status=rng.choice(STATUSES),
                date=rng.choice(DATES),
                page_type=rng.choice(PAGE_TYPES),
            )
        )
    return items


def expected(items: list[Article], query: ArticleQuery) -> list[str]:
    """The reference semantics of ``list``, in plain Python."""

    def keep(a: Article) -> bool:
        date = a.date or ""
        return (
            (not query.site or query.site in (a.hostname, a.sitename))
            and (not query.language or a.language == query.language)
            and (not query.status or a.status == query.status)
            and (not query.page_type or a.page_type == query.page_type)
            and (not query.since or date >= query.since)
            and (not query.until or "" < date <= query.until + "\uffff")
        )

    kept = sorted((a for a in items if keep(a)), key=lambda a: (a.date or "", a.id), reverse=True)
    return [a.id for a in kept]


QUERIES = [
    {},
    {"site": "a.example"},
    {"site": "Shared Name"},
    {"site": "B"},
    {"status": "queued"},
    {"status": "failed", "language": "fr"},
    {"site": "c.example", "status": "indexed"},
    {"language": "en", "since": "2024-01-01"},
    {"until": "2024-01-15"},
    {"since": "2024-01-01", "until": "2024-02-01", "status": "extracted"},
    {"site": "Shared Name", "since": "2024-01-15", "language": "en"},
    {"page_type": "forum"},
    {"page_type": "article", "status": "indexed"},
    {"page_type": "product", "site": "Shared Name", "language": "fr"},
    {"page_type": "forum", "since": "2024-01-01", "until": "2024-02-01"},
    {"page_type": "service"},
]


@pytest.mark.parametrize("limit", [1, 3, 7, 100])
def test_pages_match_the_reference_listing(family: Family, limit: int) -> None:
    items = dataset(seed=limit, size=36)
    for a in items:
        family.articles.put(a)
    for filters in QUERIES:
        query = ArticleQuery.model_validate({**filters, "limit": limit})
        want = expected(items, query)
        got: list[str] = []
        pages = 0
        while True:
            page = family.articles.list(query)
            pages += 1
            assert len(page.items) <= limit
            got += [a.id for a in page.items]
            if page.next_cursor is None:
                break
            assert len(page.items) == limit, f"short page before the end for {filters}"
            query = query.model_copy(update={"cursor": page.next_cursor})
        assert got == want, filters
        assert pages == max(1, -(-len(want) // limit)), f"page count for {filters}"


def test_the_page_type_filter_follows_a_changed_page_type(family: Family) -> None:
    """A refetch classified differently moves the article from one type's listing to the
    other's; an article not yet extracted (no page type) is in none."""
    v1 = family.articles.put(article(1, date="2024-01-01", page_type=PageType.LISTING))
    family.articles.put(article(2, date="2024-01-02"))
    family.articles.put(v1.model_copy(update={"page_type": PageType.FORUM}))
    listings = family.articles.list(ArticleQuery(page_type=PageType.LISTING)).items
    forums = family.articles.list(ArticleQuery(page_type=PageType.FORUM)).items
    assert listings == []
    assert [a.id for a in forums] == [v1.id]
    assert len(family.articles.list(ArticleQuery()).items) == 2


def test_a_cursor_only_resumes_the_query_it_came_from(family: Family) -> None:
    for n in range(3):
        family.articles.put(article(n, date=f"2024-01-0{n + 1}", hostname="a.example"))
    page = family.articles.list(ArticleQuery(site="a.example", limit=1))
    assert page.next_cursor is not None
    follow = family.articles.list(ArticleQuery(site="a.example", limit=1, cursor=page.next_cursor))
    assert [a.id for a in follow.items] == [make_id(1)]


def test_the_store_reads_the_images_of_its_own_change_stream(family: Family) -> None:
    """The indexer gets each write as a stream image in the layout of the store that wrote it;
    the store turns it back into the stored article (on AWS a long text from S3 as well)."""
    long_text = "word " * 20_000  # over the AWS store's inline limit: the image points at S3
    first = family.articles.put(article("streamed", title="Streamed"))
    second = family.articles.put(
        first.model_copy(update={"status": ArticleStatus.EXTRACTED, "text": long_text})
    )
    images = family.stream_images()
    assert [family.articles.article_from_image(image) for image in images] == [first, second]
