"""``SearchIndex`` in the local SQLite database, on the FTS5 full-text engine.

``search_fts`` (FTS5, ``unicode61 remove_diacritics 2``) holds every word of each article's
title and text, plus the CJK bigrams of both (``core.search.cjk``); ``search_articles`` holds
the display fields and facets, under the same rowid. Ranking is FTS5's BM25 with the title
columns weighted ``TITLE_WEIGHT`` times the text. Filters are SQL conditions on the facets.
An index from before FTS5 (tables ``search_docs``/``search_terms``/``search_df``) is dropped
and rebuilt from the stored articles on first open.
"""

from __future__ import annotations

import logging
import sqlite3

from core.adapters.local.fts_query import fts_expression
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidInput
from core.models import Article, ArticleStatus, PageType
from core.ports import SearchHit
from core.search.cjk import cjk_grams
from core.search.highlight import ELLIPSIS, MARK_CLOSE, MARK_OPEN, snippet
from core.search.normalize import prepare_text
from core.search.query import parse_query
from core.search.ranking import SCORE_DIGITS, SearchFilters, check_limit

logger = logging.getLogger(__name__)

# BM25 weight of the title columns relative to the text columns.
TITLE_WEIGHT = 5.0
# The ranking function, set per query so FTS5 returns rows best first and stops at the limit.
_RANK = f"bm25({TITLE_WEIGHT}, 1.0, {TITLE_WEIGHT}, 1.0)"
# About 32 words of the text around the best cluster of matches, marked as in highlight.py.
SNIPPET_TOKENS = 32
_SNIPPET = f"snippet(search_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}', '{ELLIPSIS}', {SNIPPET_TOKENS})"

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    title TEXT,
    sitename TEXT,
    hostname TEXT,
    language TEXT,
    date TEXT,
    page_type TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, body, title_grams, body_grams, tokenize = 'unicode61 remove_diacritics 2'
)
"""
# The posting tables of the index before FTS5.
LEGACY_TABLES = ("search_terms", "search_df", "search_docs")


class SqliteSearchIndex:
    """``SearchIndex`` on the local SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("search", SCHEMA)
        self._migrate()
        self._add_page_type()

    def _add_page_type(self) -> None:
        """Give an index made before page types its ``page_type`` column, filled from the
        stored articles (once; idempotent)."""
        if _has_column(self.db.connection(), "search_articles", "page_type"):
            return
        with self.db.transaction() as conn:
            if _has_column(conn, "search_articles", "page_type"):
                return  # another process migrated meanwhile
            conn.execute("ALTER TABLE search_articles ADD COLUMN page_type TEXT")
            if _has_table(conn, "articles"):
                conn.execute(
                    "UPDATE search_articles SET page_type = (SELECT json_extract(body,"
                    " '$.page_type') FROM articles WHERE articles.id = search_articles.id)"
                )

    def _migrate(self) -> None:
        """Drop the pre-FTS5 tables, re-indexing every searchable stored article, once."""
        conn = self.db.connection()
        if not _has_table(conn, "search_terms"):
            return
        with self.db.transaction() as conn:
            if not _has_table(conn, "search_terms"):
                return  # another process migrated meanwhile
            for table in LEGACY_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            count = 0
            if _has_table(conn, "articles"):
                for row in conn.execute("SELECT body FROM articles").fetchall():
                    article = Article.model_validate_json(row["body"])
                    if article.status is ArticleStatus.INDEXED and not article.duplicate_of:
                        count += self._write(conn, article)
        logger.info("search index moved to FTS5: %d articles re-indexed", count)

    def index(self, article: Article) -> None:
        with self.db.transaction() as conn:
            written = self._write(conn, article)
        logger.debug("indexed %s (%s)", article.id, "searchable" if written else "removed")

    @staticmethod
    def _write(conn: sqlite3.Connection, article: Article) -> bool:
        """Replace the entries of ``article``; False when it has no text (it is removed)."""
        row = conn.execute(
            "SELECT rowid FROM search_articles WHERE id = ?", (article.id,)
        ).fetchone()
        if row is not None:
            conn.execute("DELETE FROM search_fts WHERE rowid = ?", (row[0],))
        text = prepare_text(article.text or "")
        if not text.strip():
            conn.execute("DELETE FROM search_articles WHERE id = ?", (article.id,))
            return False
        title = prepare_text(article.title or "")
        rowid = conn.execute(
            "INSERT INTO search_articles (id, url, title, sitename, hostname, language, date,"
            " page_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " url = excluded.url, title = excluded.title, sitename = excluded.sitename,"
            " hostname = excluded.hostname, language = excluded.language, date = excluded.date,"
            " page_type = excluded.page_type RETURNING rowid",
            (
                article.id,
                article.final_url or article.url,
                article.title,
                article.sitename,
                article.hostname,
                article.language.lower() if article.language else None,
                article.date,
                article.page_type.value if article.page_type else None,
            ),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO search_fts (rowid, title, body, title_grams, body_grams)"
            " VALUES (?, ?, ?, ?, ?)",
            (rowid, title, text, cjk_grams(title), cjk_grams(text)),
        )
        return True

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 10,
        page_type: PageType | None = None,
    ) -> list[SearchHit]:
        filters = SearchFilters(language, site, since, until, page_type)
        check_limit(limit)
        parsed = parse_query(query, language)
        if not parsed:
            return []
        where, params = _filter_sql(filters)
        # CJK matches sit in the bigram columns, which FTS5's snippet() cannot show as text.
        cjk = any(clause.cjk for clause in parsed.clauses)
        conn = self.db.connection()
        try:
            rows = conn.execute(
                f"SELECT a.*, search_fts.rank AS rank, {_SNIPPET} AS cut"  # noqa: S608
                f"{', search_fts.body AS body' if cjk else ''}"
                " FROM search_fts JOIN search_articles a ON a.rowid = search_fts.rowid"
                f" WHERE search_fts MATCH ? AND search_fts.rank MATCH ?{where}"
                " ORDER BY search_fts.rank LIMIT ?",
                [fts_expression(parsed), _RANK, *params, limit],
            ).fetchall()
        except sqlite3.OperationalError as error:  # a query the parser let through
            raise InvalidInput(f"the search engine cannot read this query: {error}") from error
        hits = [
            SearchHit(
                id=row["id"],
                score=round(-row["rank"], SCORE_DIGITS),
                title=row["title"],
                url=row["url"],
                sitename=row["sitename"],
                hostname=row["hostname"],
                language=row["language"],
                date=row["date"],
                snippet=snippet(row["body"], parsed) if cjk else _clean(row["cut"]),
            )
            for row in rows
        ]
        return sorted(hits, key=lambda hit: (-hit.score, hit.id))


def _clean(cut: str | None) -> str | None:
    """FTS5's snippet with whitespace runs (paragraph breaks) as single spaces."""
    return " ".join(cut.split()) or None if cut else None


def _filter_sql(filters: SearchFilters) -> tuple[str, list[str]]:
    """SQL conditions (each starting with `` AND``) and their parameters for ``filters``."""
    where, params = "", []
    if filters.language:
        where += " AND a.language = ?"
        params.append(filters.language.lower())
    if filters.site:
        where += " AND (a.hostname = ? OR a.sitename = ?)"
        params += [filters.site, filters.site]
    if filters.page_type:
        where += " AND a.page_type = ?"
        params.append(filters.page_type.value)
    if filters.since:
        where += " AND substr(a.date, 1, 10) >= ?"
        params.append(filters.since)
    if filters.until:
        where += " AND substr(a.date, 1, 10) <= ?"
        params.append(filters.until)
    return where, params


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )
