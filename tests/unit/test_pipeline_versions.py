"""The pipeline's refetch rules on the SQLite and filesystem adapters: a failed refetch never
replaces a good version (nor makes one), a 304 moves only ``checked_at``, new bytes with the
same text make no version and keep no raw object, a changed text keeps the earlier version in
the log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.raw_store import FilesystemRawStore
from core.adapters.local.sqlite import SqliteDatabase
from core.adapters.local.versions import SqliteVersionLog
from core.fetch import FetchOutcome, FetchResult, Validators
from core.formats import OutputFormat
from core.ids import article_id
from core.models import Article, ArticleStatus
from core.pipeline import Change, IngestPipeline
from core.ports import PageInput

URL = "https://news.example/story"


class Site:
    """A fetcher answering what the test sets, and remembering the validators it was sent."""

    def __init__(self) -> None:
        self.next: FetchResult | None = None
        self.sent: list[Validators | None] = []

    def fetch(
        self, url: str, *, deadline: float | None = None, validators: Validators | None = None
    ) -> FetchResult:
        self.sent.append(validators)
        assert self.next is not None
        return self.next


class TitleExtractor:
    """'title|text' pages: enough to tell texts apart."""

    def assemble(self, page: PageInput) -> Article | None:
        title, _, text = page.body.decode().partition("|")
        text = text.split("<!--")[0]
        if not text:
            return None  # no article text, as trafilatura says
        return Article(
            id=page.article_id,
            url=page.url,
            status=ArticleStatus.EXTRACTED,
            title=title,
            text=text,
            content_sha256=page.content_sha256,
        )

    def render(self, html: str, url: str | None, output_format: OutputFormat) -> str | None:
        return html


def ok(body: str, etag: str = '"e1"') -> FetchResult:
    return FetchResult(
        URL,
        FetchOutcome.OK,
        "",
        False,
        final_url=URL,
        http_status=200,
        content_type="text/html",
        body=body.encode(),
        fetched_at=datetime.now(UTC),
        etag=etag,
    )


def failed(outcome: FetchOutcome, status: int | None = None) -> FetchResult:
    return FetchResult(URL, outcome, "no", False, http_status=status, fetched_at=datetime.now(UTC))


@pytest.fixture
def env(tmp_path: Path) -> tuple[IngestPipeline, Site, SqliteVersionLog, Path]:
    db = SqliteDatabase(tmp_path / "db.sqlite")
    site, log = Site(), SqliteVersionLog(db)
    raw = FilesystemRawStore(tmp_path)
    pipeline = IngestPipeline(site, raw, SqliteArticleStore(db), TitleExtractor(), versions=log)
    return pipeline, site, log, tmp_path / "raw"


def raw_count(raw_dir: Path) -> int:
    return len(list(raw_dir.rglob("*.html.gz")))


def test_refetch_rules(env: tuple[IngestPipeline, Site, SqliteVersionLog, Path]) -> None:
    pipeline, site, log, raw_dir = env
    site.next = ok("Story|first text")
    first = pipeline.refresh(URL)
    assert (first.change, first.article.content_version) == (Change.NEW, 1)
    assert site.sent == [None]

    # Failures never replace the good version, nor make one.
    for result in (failed(FetchOutcome.HTTP_ERROR, 404), ok("|"), failed(FetchOutcome.TIMEOUT)):
        site.next = result
        outcome = pipeline.refresh(URL)
        assert outcome.change is None
        assert outcome.article.status is ArticleStatus.FAILED
        kept = pipeline.articles.get(article_id(URL))
        assert kept == first.article
    assert site.sent[-1] == Validators(etag='"e1"')

    # A 304: only checked_at.
    site.next = failed(FetchOutcome.NOT_MODIFIED, 304)
    checked = pipeline.refresh(URL)
    assert checked.change is Change.NOT_MODIFIED
    moved = {"version", "updated_at", "checked_at"}
    assert checked.article.model_dump(exclude=moved) == first.article.model_dump(exclude=moved)
    objects = raw_count(raw_dir)

    # New bytes, same text: no version, no raw object; the new ETag is kept.
    site.next = ok("Story|first text<!-- ad 42 -->", etag='"e2"')
    same = pipeline.refresh(URL)
    assert (same.change, same.article.content_version) == (Change.UNCHANGED, 1)
    assert same.article.etag == '"e2"'
    assert same.article.raw_html_uri == first.article.raw_html_uri
    assert raw_count(raw_dir) == objects
    assert log.list(first.article.id, before=None, limit=5) == []

    # A new text: version 2; version 1 goes to the log with its raw bytes kept.
    site.next = ok("Story|second text", etag='"e3"')
    second = pipeline.refresh(URL, force=True)
    assert site.sent[-1] is None
    assert (second.change, second.article.content_version) == (Change.CHANGED, 2)
    (earlier,) = log.list(first.article.id, before=None, limit=5)
    assert earlier.content_version == 1
    assert earlier.raw_html_uri == first.article.raw_html_uri
    assert pipeline.raw_store.exists(earlier.raw_html_uri)
    assert raw_count(raw_dir) == objects + 1


def test_a_304_without_a_stored_copy_is_a_failure(
    env: tuple[IngestPipeline, Site, SqliteVersionLog, Path],
) -> None:
    pipeline, site, _, _ = env
    site.next = failed(FetchOutcome.NOT_MODIFIED, 304)
    outcome = pipeline.refresh(URL)
    assert outcome.change is None
    assert outcome.article.status is ArticleStatus.FAILED
    assert outcome.article.error is not None
    assert outcome.article.error.http_status == 304
