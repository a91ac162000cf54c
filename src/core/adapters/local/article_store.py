"""Articles in SQLite with conditional, versioned writes and a change stream.

Every write also appends the old and new rows to the ``stream`` table in the same
transaction — the local stand-in for the DynamoDB stream that feeds the indexer
(``core.adapters.local.stream``). A stream image is the row itself (``row_image``), typed as
DynamoDB attribute values so the stream filter reads it as on AWS; ``article_from_image`` reads
it back.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core import cursor as cursors
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidCursor, InvalidInput, VersionConflict
from core.models import Article
from core.ports import ArticlePage, ArticleQuery

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    hostname TEXT,
    sitename TEXT,
    language TEXT,
    page_type TEXT,
    date TEXT,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_date ON articles (date DESC, id DESC);
CREATE INDEX IF NOT EXISTS articles_by_host ON articles (hostname, date DESC);
CREATE INDEX IF NOT EXISTS articles_by_status ON articles (status, date DESC);
CREATE TABLE IF NOT EXISTS stream (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    old_image TEXT,
    new_image TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""
# Created once the ``page_type`` column exists (``_add_page_type`` adds it to older files).
TYPE_INDEX = (
    "CREATE INDEX IF NOT EXISTS articles_by_type ON articles (page_type, date DESC, id DESC)"
)


def encode_cursor(date: str, article_id: str) -> str:
    """Opaque cursor for the row after which the next page starts."""
    return base64.urlsafe_b64encode(json.dumps([date, article_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """Inverse of ``encode_cursor``; raises ``InvalidCursor`` for a cursor we did not issue."""
    state = cursors.decode_cursor(cursor)
    if not (isinstance(state, list) and len(state) == 2 and all(isinstance(s, str) for s in state)):
        raise InvalidCursor("invalid cursor: pass the next_cursor of the previous page")
    return state[0], state[1]


def row_image(body: str) -> dict[str, Any]:
    """A stored row as a stream image: the key, the fields the stream filter reads, and the
    stored Article JSON as ``body``."""
    fields = json.loads(body)
    return {
        "id": {"S": str(fields["id"])},
        "version": {"N": str(fields["version"])},
        "status": {"S": str(fields["status"])},
        "body": {"S": body},
    }


class SqliteArticleStore:
    """``ArticleStore`` on the local SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("articles", SCHEMA)
        self._add_page_type()

    def _add_page_type(self) -> None:
        """Give a database made before page types its ``page_type`` column, filled from the
        stored Article JSON, and the index the listing filter reads (once; idempotent)."""
        if self._has_type_index(self.db.connection()):
            return
        with self.db.transaction() as conn:  # another process may have migrated meanwhile
            if self._has_type_index(conn):
                return
            columns = {row["name"] for row in conn.execute("PRAGMA table_info(articles)")}
            if "page_type" not in columns:
                conn.execute("ALTER TABLE articles ADD COLUMN page_type TEXT")
                conn.execute("UPDATE articles SET page_type = json_extract(body, '$.page_type')")
            conn.execute(TYPE_INDEX)

    @staticmethod
    def _has_type_index(conn: sqlite3.Connection) -> bool:
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'articles_by_type'"
        ).fetchone()
        return row is not None

    def get(self, article_id: str) -> Article | None:
        row = (
            self.db.connection()
            .execute("SELECT body FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        return Article.model_validate_json(row["body"]) if row else None

    def article_from_image(self, image: Mapping[str, Any]) -> Article:
        """The Article in a ``row_image``; ``InvalidInput`` for an image of another layout."""
        body = image.get("body")
        if not isinstance(body, Mapping) or not isinstance(body.get("S"), str):
            raise InvalidInput("not a stream image of the local articles table (no body)")
        return Article.model_validate_json(body["S"])

    def put(self, article: Article) -> Article:
        stored = article.model_copy(
            update={"version": article.version + 1, "updated_at": datetime.now(UTC)}
        )
        body = stored.model_dump_json()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT version, body FROM articles WHERE id = ?", (article.id,)
            ).fetchone()
            current = row["version"] if row else 0
            if current != article.version:
                raise VersionConflict(
                    f"article {article.id} is at version {current}, not {article.version}"
                )
            conn.execute(
                "INSERT INTO articles (id, version, status, hostname, sitename, language,"
                " page_type, date, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
                " status = excluded.status, hostname = excluded.hostname,"
                " sitename = excluded.sitename, language = excluded.language,"
                " page_type = excluded.page_type, date = excluded.date,"
                " updated_at = excluded.updated_at, body = excluded.body",
                (
                    stored.id,
                    stored.version,
                    stored.status.value,
                    stored.hostname,
                    stored.sitename,
                    stored.language,
                    stored.page_type.value if stored.page_type else None,
                    stored.date or "",
                    stored.updated_at.isoformat() if stored.updated_at else "",
                    body,
                ),
            )
            conn.execute(
                "INSERT INTO stream (article_id, event_name, old_image, new_image, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    stored.id,
                    "MODIFY" if row else "INSERT",
                    row["body"] if row else None,
                    body,
                    datetime.now(UTC).isoformat(),
                ),
            )
        return stored

    def list(self, query: ArticleQuery) -> ArticlePage:
        clauses: list[str] = []
        params: list[object] = []
        if query.site:
            clauses.append("(hostname = ? OR sitename = ?)")
            params += [query.site, query.site]
        if query.language:
            clauses.append("language = ?")
            params.append(query.language)
        if query.status:
            clauses.append("status = ?")
            params.append(query.status.value)
        if query.page_type:
            clauses.append("page_type = ?")
            params.append(query.page_type.value)
        if query.since:
            clauses.append("date >= ?")
            params.append(query.since)
        if query.until:  # an undated article (stored as "") has no place in a date range
            clauses.append("date > '' AND date <= ?")
            params.append(query.until + "\uffff")
        if query.cursor:
            clauses.append("(date, id) < (?, ?)")
            params += list(decode_cursor(query.cursor))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = (
            self.db.connection()
            .execute(
                f"SELECT id, date, body FROM articles {where}"  # noqa: S608 - clauses are constants
                " ORDER BY date DESC, id DESC LIMIT ?",
                (*params, query.limit + 1),
            )
            .fetchall()
        )
        items = [Article.model_validate_json(row["body"]) for row in rows[: query.limit]]
        next_cursor = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            next_cursor = encode_cursor(last["date"], last["id"])
        return ArticlePage(items=items, next_cursor=next_cursor)
