"""``core.submission`` without HTTP: isolation of failures between URLs."""

from __future__ import annotations

from pathlib import Path

from tests.support.page_server import PageServer
from tests.unit.api.conftest import make_settings

from core.errors import StorageError
from core.models import Article
from core.pipeline import Change, Ingested
from core.services import Services
from core.submission import Submitter


class _FlakyPipeline:
    """Raises for chosen URLs, succeeds for the others."""

    def __init__(self, failures: dict[str, Exception]) -> None:
        self.failures = failures

    def refresh(
        self,
        url: str,
        *,
        deadline: float | None = None,
        max_age: int | None = None,
        force: bool = False,
        options: object = None,
    ) -> Ingested:
        if url in self.failures:
            raise self.failures[url]
        from core.ids import article_id

        article = Article(id=article_id(url), url=url, status="extracted", text="body")
        return Ingested(article, Change.NEW)


def test_exceptions_stay_with_their_url(tmp_path: Path, page_server: PageServer) -> None:
    services = Services(make_settings(tmp_path / "data", page_server))
    good, storage, boom = (page_server.url(f"{name}.html") for name in ("good", "storage", "boom"))
    services.__dict__["pipeline"] = _FlakyPipeline(
        {storage: StorageError("disk full"), boom: RuntimeError("bug")}
    )

    results = {r.url: r for r in Submitter(services).submit([good, storage, boom]).results}

    assert results[good].status == "extracted"
    assert results[storage].status == "failed"
    assert results[storage].error is not None
    assert (results[storage].error.code, results[storage].error.retryable) == (
        "storage_error",
        True,
    )
    assert results[boom].error is not None
    assert results[boom].error.code == "internal_error"
    assert "bug" not in results[boom].error.message  # no internals leak to callers
