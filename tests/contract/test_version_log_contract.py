"""The ``VersionLog`` contract, on SQLite and on S3 (moto): versions are kept once, listed
newest first, paged with ``before``, and kept apart per article."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.adapters.aws.s3_versions import S3VersionLog
from core.adapters.local.sqlite import SqliteDatabase
from core.adapters.local.versions import SqliteVersionLog
from core.ports import VersionLog
from core.settings import Settings
from core.versions import ArticleVersion
from tests.contract.moto_env import CREDENTIALS, REGION

A = "a" * 32
B = "b" * 32


@pytest.fixture(params=["local", "aws"])
def log(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[VersionLog]:
    if request.param == "local":
        yield SqliteVersionLog(SqliteDatabase(tmp_path / "db.sqlite"))
        return
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    settings: Settings = request.getfixturevalue("aws_settings")
    yield S3VersionLog(settings)


def version(article_id: str, n: int, title: str = "t") -> ArticleVersion:
    return ArticleVersion(
        article_id=article_id,
        content_version=n,
        changed_at=datetime(2024, 1, n, tzinfo=UTC),
        title=f"{title} {n}",
        content_sha256=f"{n:064x}",
        text_sha256=f"{n + 100:064x}",
        raw_html_uri=f"file:///raw/{article_id}/{n}.html.gz",
    )


def test_versions_are_listed_newest_first_and_paged(log: VersionLog) -> None:
    for n in (1, 3, 2, 12):
        log.record(version(A, n))
    log.record(version(B, 1))
    assert [v.content_version for v in log.list(A, before=None, limit=10)] == [12, 3, 2, 1]
    assert [v.content_version for v in log.list(A, before=12, limit=2)] == [3, 2]
    assert [v.content_version for v in log.list(A, before=2, limit=2)] == [1]
    assert log.list(A, before=1, limit=5) == []
    assert [v.article_id for v in log.list(B, before=None, limit=5)] == [B]
    assert log.list("c" * 32, before=None, limit=5) == []


def test_a_kept_version_is_never_replaced(log: VersionLog) -> None:
    log.record(version(A, 1, title="first"))
    log.record(version(A, 1, title="second"))
    (kept,) = log.list(A, before=None, limit=5)
    assert kept == version(A, 1, title="first")
    assert kept.current is False


def test_the_current_flag_is_not_kept(log: VersionLog) -> None:
    log.record(version(A, 4).model_copy(update={"current": True}))
    assert [v.current for v in log.list(A, before=None, limit=5)] == [False]
