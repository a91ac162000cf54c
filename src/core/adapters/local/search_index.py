"""``SearchIndex`` in the local SQLite database.

Three tables: ``search_docs`` (one row per indexed article: display fields, facets, the head of
its text for snippets), ``search_terms`` (its ``TOP_K`` weighted terms) and ``search_df`` (how
many articles hold each term). Re-indexing an article replaces its rows and adjusts the
frequencies in one transaction. Scoring is ``core.search.ranking``, as on DynamoDB.
"""

from __future__ import annotations

import logging
import sqlite3

from core.adapters.local.sqlite import SqliteDatabase
from core.models import Article
from core.ports import SearchHit
from core.search import (
    MAX_POSTINGS_PER_TERM,
    MAX_QUERY_TERMS,
    Facets,
    IndexedDoc,
    Posting,
    SearchFilters,
    article_terms,
    check_limit,
    query_terms,
    rank,
    to_hit,
)

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_docs (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    title TEXT,
    sitename TEXT,
    hostname TEXT,
    language TEXT,
    date TEXT,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS search_terms (
    term TEXT NOT NULL,
    article_id TEXT NOT NULL,
    weight INTEGER NOT NULL,
    PRIMARY KEY (term, article_id)
);
CREATE INDEX IF NOT EXISTS search_terms_by_weight ON search_terms (term, weight DESC, article_id);
CREATE INDEX IF NOT EXISTS search_terms_by_article ON search_terms (article_id);
CREATE TABLE IF NOT EXISTS search_df (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL
)
"""


class SqliteSearchIndex:
    """``SearchIndex`` on the local SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("search", SCHEMA)

    def index(self, article: Article) -> None:
        terms = {t.term: t.weight for t in article_terms(article)}
        doc = IndexedDoc.of(article)
        with self.db.transaction() as conn:
            old = {
                row["term"]
                for row in conn.execute(
                    "SELECT term FROM search_terms WHERE article_id = ?", (article.id,)
                )
            }
            conn.execute("DELETE FROM search_terms WHERE article_id = ?", (article.id,))
            conn.executemany(
                "INSERT INTO search_terms (term, article_id, weight) VALUES (?, ?, ?)",
                [(term, article.id, weight) for term, weight in terms.items()],
            )
            self._adjust_df(conn, sorted(terms.keys() - old), +1)
            self._adjust_df(conn, sorted(old - terms.keys()), -1)
            if terms:
                conn.execute(
                    "INSERT OR REPLACE INTO search_docs"
                    " (id, url, title, sitename, hostname, language, date, text)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc.id,
                        doc.url,
                        doc.title,
                        doc.facets.sitename,
                        doc.facets.hostname,
                        doc.facets.language,
                        doc.facets.date,
                        doc.text,
                    ),
                )
            else:
                conn.execute("DELETE FROM search_docs WHERE id = ?", (article.id,))
        logger.debug("indexed %s: %d terms (%d before)", article.id, len(terms), len(old))

    @staticmethod
    def _adjust_df(conn: sqlite3.Connection, terms: list[str], delta: int) -> None:
        conn.executemany(
            "INSERT INTO search_df (term, df) VALUES (?, ?)"
            " ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
            [(term, delta) for term in terms],
        )
        if delta < 0:
            conn.executemany(
                "DELETE FROM search_df WHERE term = ? AND df <= 0", [(term,) for term in terms]
            )

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        filters = SearchFilters(language=language, site=site, since=since, until=until)
        check_limit(limit)
        terms = query_terms(query, language, max_terms=MAX_QUERY_TERMS)
        if not terms:
            return []
        conn = self.db.connection()
        conn.execute("BEGIN")  # one read snapshot for counts, postings and docs
        try:
            count = conn.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0]
            df = {
                row["term"]: row["df"]
                for row in conn.execute(
                    f"SELECT term, df FROM search_df WHERE term IN ({_marks(terms)})",  # noqa: S608
                    terms,
                )
            }
            postings = {term: self._postings(conn, term) for term in terms}
            ranked = rank(terms, postings, df, count, filters, limit)
            docs = self._docs(conn, [r.article_id for r in ranked])
        finally:
            conn.execute("COMMIT")
        return [to_hit(r, docs[r.article_id], terms) for r in ranked if r.article_id in docs]

    @staticmethod
    def _postings(conn: sqlite3.Connection, term: str) -> list[Posting]:
        rows = conn.execute(
            "SELECT t.article_id, t.weight, d.language, d.hostname, d.sitename, d.date"
            " FROM search_terms t JOIN search_docs d ON d.id = t.article_id"
            " WHERE t.term = ? ORDER BY t.weight DESC, t.article_id ASC LIMIT ?",
            (term, MAX_POSTINGS_PER_TERM),
        )
        return [
            Posting(
                row["article_id"],
                row["weight"],
                Facets(row["language"], row["hostname"], row["sitename"], row["date"]),
            )
            for row in rows
        ]

    @staticmethod
    def _docs(conn: sqlite3.Connection, ids: list[str]) -> dict[str, IndexedDoc]:
        if not ids:
            return {}
        rows = conn.execute(
            f"SELECT * FROM search_docs WHERE id IN ({_marks(ids)})",  # noqa: S608
            ids,
        )
        return {
            row["id"]: IndexedDoc(
                row["id"],
                row["url"],
                row["title"],
                Facets(row["language"], row["hostname"], row["sitename"], row["date"]),
                row["text"],
            )
            for row in rows
        }


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)
