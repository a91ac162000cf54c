"""A parsed ``Query`` as an SQLite FTS5 match expression.

Every word goes inside an FTS5 string (``"…"``), where no character but ``"`` is special, and
words are letters and digits only: what a user types can never become FTS5 syntax (``AND``,
``NEAR``, ``col:``, brackets). Words match the ``title`` and ``body`` columns, CJK runs the
bigram columns (``core.search.cjk``).
"""

from __future__ import annotations

from core.search.cjk import bigrams
from core.search.query import Clause, Query

WORD_COLUMNS = "{title body}"
GRAM_COLUMNS = "{title_grams body_grams}"


def _string(words: list[str] | tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _clause(clause: Clause) -> str:
    if clause.cjk:
        run = clause.words[0]
        if len(run) == 1:
            return f"{GRAM_COLUMNS} : {_string([run])} *"
        return f"{GRAM_COLUMNS} : {_string(bigrams(run))}"
    return f"{WORD_COLUMNS} : {_string(clause.words)}{' *' if clause.prefix else ''}"


def fts_expression(query: Query) -> str:
    """The FTS5 ``MATCH`` expression for ``query`` (its clauses joined by ``OR``)."""
    return " OR ".join(f"({_clause(clause)})" for clause in query.clauses)
