"""SimHash band buckets in SQLite, for bounded near-duplicate lookups (see ``core.indexing``)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.adapters.local.sqlite import SqliteDatabase
from core.indexing import bands
from core.ports import FingerprintEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS simhash_bands (
    band INTEGER NOT NULL,
    value INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    article_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (band, value, registered_at, article_id)
);
CREATE INDEX IF NOT EXISTS simhash_bands_by_article ON simhash_bands (article_id)
"""


class SqliteFingerprintIndex:
    """``FingerprintIndex`` on the local SQLite database: 4 rows per article."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("simhash_bands", SCHEMA)

    def register(self, article_id: str, fingerprint: str) -> datetime:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT registered_at, fingerprint FROM simhash_bands WHERE article_id = ? LIMIT 1",
                (article_id,),
            ).fetchone()
            if row and row["fingerprint"] == fingerprint:
                return datetime.fromisoformat(row["registered_at"])
            # First registration, or the text changed: keep the first-seen time.
            registered_at = row["registered_at"] if row else datetime.now(UTC).isoformat()
            conn.execute("DELETE FROM simhash_bands WHERE article_id = ?", (article_id,))
            conn.executemany(
                "INSERT INTO simhash_bands (band, value, registered_at, article_id, fingerprint)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (band, value, registered_at, article_id, fingerprint)
                    for band, value in enumerate(bands(fingerprint))
                ],
            )
        return datetime.fromisoformat(registered_at)

    def candidates(self, fingerprint: str, *, per_band: int) -> list[FingerprintEntry]:
        conn = self.db.connection()
        found: list[FingerprintEntry] = []
        for band, value in enumerate(bands(fingerprint)):
            rows = conn.execute(
                "SELECT registered_at, article_id, fingerprint FROM simhash_bands"
                " WHERE band = ? AND value = ? ORDER BY registered_at, article_id LIMIT ?",
                (band, value, per_band),
            ).fetchall()
            found += [
                FingerprintEntry(
                    row["article_id"],
                    row["fingerprint"],
                    datetime.fromisoformat(row["registered_at"]),
                )
                for row in rows
            ]
        return found
