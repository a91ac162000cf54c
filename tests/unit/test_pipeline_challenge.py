"""A bot challenge that declares a description is still a challenge: the pipeline fails it
``blocked_by_site`` instead of storing the site's description as the article."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.test_pipeline_versions import URL, ok

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.raw_store import FilesystemRawStore
from core.adapters.local.sqlite import SqliteDatabase
from core.extractors import InProcessExtractor
from core.fetch import FetchResult, Validators
from core.models import ArticleStatus
from core.pipeline import IngestPipeline

DESCRIPTION = (
    "Our newsroom covers the harbour, the ferries and the people who work on the water,"
    " with daily reports, long reads and photographs from the whole coast."
)
HEAD = f'<head><title>{{title}}</title><meta name="description" content="{DESCRIPTION}"></head>'
CHALLENGE = (
    "<!DOCTYPE html><html>" + HEAD.format(title="Just a moment...") + "<body>"
    "<div id='cf-challenge'>Enable JavaScript and cookies to continue</div>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)
SCRIPT_DRAWN = (
    "<!DOCTYPE html><html>" + HEAD.format(title="Harbour news") + "<body>"
    "<div id='app'>Loading…</div><script src='/app.js'></script></body></html>"
)


class Site:
    """A fetcher answering one page."""

    def __init__(self, body: str) -> None:
        self.body = body

    def fetch(
        self, url: str, *, deadline: float | None = None, validators: Validators | None = None
    ) -> FetchResult:
        return ok(self.body)


def pipeline(tmp_path: Path, body: str) -> IngestPipeline:
    db = SqliteDatabase(tmp_path / "db.sqlite")
    return IngestPipeline(
        Site(body), FilesystemRawStore(tmp_path), SqliteArticleStore(db), InProcessExtractor()
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (CHALLENGE, ArticleStatus.FAILED, "blocked_by_site"),
        (SCRIPT_DRAWN, ArticleStatus.EXTRACTED, None),
    ],
)
def test_a_page_read_as_its_declared_description(
    tmp_path: Path, body: str, status: ArticleStatus, code: str | None
) -> None:
    article = pipeline(tmp_path, body).refresh(URL).article
    assert article.status is status
    assert (article.error.code if article.error else None) == code
    if status is ArticleStatus.EXTRACTED:
        assert article.text == DESCRIPTION
