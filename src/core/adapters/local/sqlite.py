"""One SQLite database shared by the local adapters, safe across threads and processes.

The file is switched to WAL journaling when first opened (the mode is stored in the file):
readers then work on a snapshot and never block the writer, nor the writer them. With WAL,
``synchronous = NORMAL`` keeps the database consistent after a crash or power loss (the last
commits may be lost on power loss, never half-applied); where WAL is unavailable (a file
system without shared memory) the rollback journal stays with ``synchronous = FULL``. Every
write transaction starts with ``BEGIN IMMEDIATE`` so two CLI processes on one data directory
serialise instead of failing half-way; ``busy_timeout`` makes the loser wait rather than error.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Long enough for another process's batch commit; short enough to surface a stuck writer.
BUSY_TIMEOUT_MS = 30_000


class SqliteDatabase:
    """Per-thread connections to one database file, with schema set-up hooks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._schema_lock = threading.Lock()
        self._schemas: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.journal_mode = self._enable_wal()

    def _enable_wal(self) -> str:
        """Switch the file to WAL and return the journal mode now in force (``wal`` unless the
        file system cannot share memory between processes).

        The mode is persistent, so later connections (of any process) inherit it. Changing it
        needs an exclusive lock, and SQLite does not wait on the busy handler for it: retry
        briefly while another process holds the database.
        """
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
            while True:
                try:
                    return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
                except sqlite3.OperationalError as error:
                    busy = error.sqlite_errorcode & 0xFF in (
                        sqlite3.SQLITE_BUSY,
                        sqlite3.SQLITE_LOCKED,
                    )
                    if not busy or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            conn.close()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (created on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # NORMAL is crash-safe only with WAL; the rollback journal needs FULL.
            synchronous = "NORMAL" if self.journal_mode == "wal" else "FULL"
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
        return conn

    def ensure_schema(self, name: str, ddl: str) -> None:
        """Run ``ddl`` (idempotent ``CREATE ... IF NOT EXISTS``) once per process."""
        with self._schema_lock:
            if name in self._schemas:
                return
            with self.transaction() as conn:
                for statement in filter(None, (s.strip() for s in ddl.split(";"))):
                    conn.execute(statement)
            self._schemas.add(name)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
