"""The embedded database really runs in WAL mode: the mode is read back from the file by a
fresh connection, and an open reader does not block a writer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.sqlite import SqliteDatabase
from core.models import Article, ArticleStatus
from core.services import Services
from core.settings import Settings


def _fresh(path: Path) -> sqlite3.Connection:
    # timeout=0: a lock held by anyone else fails at once instead of waiting.
    return sqlite3.connect(path, timeout=0, isolation_level=None)


def test_the_database_file_is_in_wal_mode(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "ingest.db")
    assert db.journal_mode == "wal"
    conn = _fresh(db.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_the_services_database_is_in_wal_mode(tmp_path: Path) -> None:
    services = Services(Settings(data_dir=tmp_path / "data"))
    assert services.articles.get("0" * 32) is None  # opens the database
    path = Settings(data_dir=tmp_path / "data").db_path
    conn = _fresh(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_synchronous_normal_only_with_wal(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "ingest.db")
    assert db.connection().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_without_wal_synchronous_is_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SqliteDatabase, "_enable_wal", lambda self: "delete")
    db = SqliteDatabase(tmp_path / "ingest.db")
    assert db.connection().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def _article(n: int) -> Article:
    return Article(
        id=f"{n:032x}",
        url=f"https://example.org/{n}",
        status=ArticleStatus.EXTRACTED,
        title=f"Article {n}",
    )


def test_an_open_reader_does_not_block_a_writer(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "ingest.db")
    store = SqliteArticleStore(db)
    store.put(_article(1))

    reader = _fresh(db.path)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
        # Another connection writes while the read transaction is open; with a rollback
        # journal its commit would need the reader gone ("database is locked" at timeout 0).
        writer = _fresh(db.path)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute(
                "UPDATE articles SET updated_at = ? WHERE id = ?", ("now", _article(1).id)
            )
            writer.execute("COMMIT")
        finally:
            writer.close()
        store.put(_article(2))  # the adapters' own write path too
        # The reader still sees its snapshot, then the new rows once it ends its transaction.
        assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
        reader.execute("COMMIT")
        assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 2
    finally:
        reader.close()


OPEN_AND_WRITE = """
import sys
from pathlib import Path
from core.adapters.local.sqlite import SqliteDatabase
db = SqliteDatabase(Path(sys.argv[1]))
db.ensure_schema("t", "CREATE TABLE IF NOT EXISTS t (n INTEGER)")
with db.transaction() as conn:
    conn.execute("INSERT INTO t VALUES (1)")
print(db.journal_mode)
"""


def test_processes_opening_a_new_database_together_all_get_wal(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "shared.db"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_WRITE, str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0].strip() for p in processes]
    assert [p.returncode for p in processes] == [0] * 4
    assert outputs == ["wal"] * 4
    conn = _fresh(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 4
    finally:
        conn.close()
