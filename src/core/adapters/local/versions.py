"""The version log in SQLite: one row per (article, content version), written once."""

from __future__ import annotations

from core.adapters.local.sqlite import SqliteDatabase
from core.versions import ArticleVersion

SCHEMA = """
CREATE TABLE IF NOT EXISTS article_versions (
    article_id TEXT NOT NULL,
    content_version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (article_id, content_version)
)
"""


class SqliteVersionLog:
    """``VersionLog`` on the local SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("article_versions", SCHEMA)

    def record(self, version: ArticleVersion) -> None:
        kept = version.model_copy(update={"current": False})
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO article_versions (article_id, content_version, body)"
                " VALUES (?, ?, ?)",
                (kept.article_id, kept.content_version, kept.model_dump_json()),
            )

    def list(self, article_id: str, *, before: int | None, limit: int) -> list[ArticleVersion]:
        rows = (
            self.db.connection()
            .execute(
                "SELECT body FROM article_versions WHERE article_id = ? AND content_version < ?"
                " ORDER BY content_version DESC LIMIT ?",
                (article_id, before if before is not None else 2**62, max(0, limit)),
            )
            .fetchall()
        )
        return [ArticleVersion.model_validate_json(row["body"]) for row in rows]
