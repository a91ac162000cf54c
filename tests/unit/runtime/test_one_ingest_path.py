"""One ingest path: failures never replace a good article, a crashing extraction ends the URL
once, failed articles carry their host, and the CLI answers like the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.support.page_server import PageServer

from article_ingest import cli
from article_ingest.runtime import LocalRuntime, sqs_record
from core.adapters.local.queue import SqliteIngestQueue
from core.fetch.outcomes import FetchOutcome, FetchResult
from core.ids import article_id
from core.models import Article, ArticleStatus
from core.ports import ArticleQuery, ArticleStore, IngestRequest, PageInput
from core.services import Services
from core.settings import Settings
from handlers import worker

FERRY = "harbour-solar-ferry-en.html"


def settings_for(tmp_path: Path, page_server: PageServer) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        allow_private_networks=True,
        allowed_ports=[page_server.port],
        respect_robots=False,
        per_host_delay_s=0,
    )


class CountingFetcher:
    """The real fetcher, counting its calls."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls = 0

    def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
        self.calls += 1
        result: FetchResult = self.inner.fetch(url, deadline=deadline)  # type: ignore[attr-defined]
        return result


class RaisingExtractor:
    """An extractor with a bug: every page raises."""

    def assemble(self, page: PageInput) -> Article | None:
        raise RuntimeError("boom in extraction")


class RacingStore:
    """An article store where another writer stores a good article just before our next
    write of a failed one (so that write loses the version race)."""

    def __init__(self, inner: ArticleStore, winner: Article) -> None:
        self.inner = inner
        self.winner = winner
        self.armed = True

    def get(self, the_id: str) -> Article | None:
        return self.inner.get(the_id)

    def put(self, article: Article) -> Article:
        if self.armed and article.status is ArticleStatus.FAILED:
            self.armed = False
            current = self.inner.get(article.id)
            self.inner.put(
                self.winner.model_copy(update={"version": current.version if current else 0})
            )
        return self.inner.put(article)

    def list(self, query: ArticleQuery) -> object:
        return self.inner.list(query)


class NotFoundFetcher:
    def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
        return FetchResult(url, FetchOutcome.HTTP_ERROR, "HTTP 404", False, http_status=404)


def test_a_failure_that_loses_a_version_race_keeps_the_good_article(tmp_path: Path) -> None:
    url = "https://news.example/story"
    services = Services(Settings(data_dir=tmp_path / "data"))
    good = Article(
        id=article_id(url),
        url=url,
        status=ArticleStatus.EXTRACTED,
        text="The story, extracted by another worker.",
        word_count=6,
    )
    racing = RacingStore(services.articles, good)
    services.__dict__["fetcher"] = NotFoundFetcher()
    services.__dict__["articles"] = racing

    answer = services.pipeline.ingest(url)

    assert answer.status is ArticleStatus.FAILED  # this attempt failed ...
    stored = racing.inner.get(article_id(url))
    assert stored is not None
    assert stored.status is ArticleStatus.EXTRACTED  # ... and the stored article survived
    assert stored.text == good.text


def test_a_crashing_extraction_is_fetched_once_and_ends_failed(
    tmp_path: Path, page_server: PageServer
) -> None:
    services = Services(settings_for(tmp_path, page_server))
    fetcher = CountingFetcher(services.fetcher)
    services.__dict__["fetcher"] = fetcher
    services.__dict__["extractor"] = RaisingExtractor()
    url = page_server.url(FERRY)
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    queue.send([IngestRequest(url=url, id=article_id(url), requested_at=datetime.now(UTC))])
    messages = queue.receive(max_messages=10, visibility_timeout_s=60)

    response = worker.handle({"Records": [sqs_record(m) for m in messages]}, None, services)

    assert response == {"batchItemFailures": []}
    stored = services.articles.get(article_id(url))
    assert stored is not None
    assert stored.status is ArticleStatus.FAILED
    assert stored.error is not None
    assert (stored.error.code, stored.error.retryable) == ("extraction_error", False)
    assert "boom" not in stored.error.message
    assert stored.raw_html_uri  # the bytes are kept for a later look
    for message in messages:
        queue.delete(message.receipt)
    report = LocalRuntime(services).drain(timeout_s=60)
    assert report.finished
    assert report.messages == 0  # no retry was scheduled: nothing more to fetch
    assert fetcher.calls == 1


def test_failed_articles_carry_their_host_and_are_listed_by_site(
    tmp_path: Path, page_server: PageServer
) -> None:
    services = Services(settings_for(tmp_path, page_server))
    failed = services.pipeline.ingest(page_server.url("missing.html"))
    assert failed.status is ArticleStatus.FAILED
    assert failed.hostname == "127.0.0.1"
    listed = services.articles.list(ArticleQuery(site="127.0.0.1", status=ArticleStatus.FAILED))
    assert [a.id for a in listed.items] == [failed.id]


@pytest.fixture
def cli_env(tmp_path: Path, page_server: PageServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("ARTICLE_INGEST_ALLOWED_PORTS", json.dumps([page_server.port]))
    monkeypatch.setenv("ARTICLE_INGEST_RESPECT_ROBOTS", "0")
    monkeypatch.setenv("ARTICLE_INGEST_PER_HOST_DELAY_S", "0")
    return tmp_path / "data"


def test_cli_ingest_rejects_like_the_api_and_collapses_duplicates_by_id(
    cli_env: Path, page_server: PageServer, capsys: pytest.CaptureFixture[str]
) -> None:
    good = page_server.url(FERRY)
    urls = [good, good + "#comments", "ftp://example.org/x", page_server.url("missing.html")]

    code = cli.main(["ingest", "--data-dir", str(cli_env), *urls])

    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert len(out) == 3  # the fragment is the same article: one line
    assert out[0].startswith("INDEXED ")
    assert out[1].startswith("REJECTED  ftp://example.org/x  invalid_url: ")
    assert out[2].startswith(f"FAILED  {page_server.url('missing.html')}  http_error: ")
    # A rejected URL never reaches the store; the failed one does, with its host.
    stored = Services(Settings(data_dir=cli_env)).articles.list(ArticleQuery(limit=10)).items
    assert sorted(a.status.value for a in stored) == ["failed", "indexed"]


def test_cli_ingest_json_reports_rejected_urls_without_an_article(
    cli_env: Path, page_server: PageServer, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = f"http://169.254.169.254:{page_server.port}/latest/"
    code = cli.main(["ingest", "--json", "--data-dir", str(cli_env), metadata])
    (line,) = capsys.readouterr().out.splitlines()
    rejected = json.loads(line)
    assert code == 1
    assert (rejected["status"], rejected["id"]) == ("rejected", None)
    assert rejected["error"]["code"] == "blocked_address"


def test_cli_ingest_exits_zero_when_every_url_is_stored(
    cli_env: Path, page_server: PageServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", "--data-dir", str(cli_env), page_server.url(FERRY)]) == 0
    assert "1 ok, 0 failed, 0 rejected" in capsys.readouterr().err
