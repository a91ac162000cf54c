"""Keyword search: the query language, normalisation, matching, snippets and term weights.

Both backends parse queries with ``core.search.query`` and cut snippets with
``core.search.highlight``. The local backend ranks with SQLite FTS5; the DynamoDB backend
stores every article's weighted terms (``core.search.terms``) in packed posting blocks
(``core.search.packed``) and plans and ranks queries with ``core.search.ranking``. See
``docs/search.md``.
"""

from core.search.documents import Facets, IndexedDoc
from core.search.highlight import snippet
from core.search.normalize import (
    SUPPORTED_LANGUAGES,
    content_tokens,
    fold,
    iter_tokens,
    query_terms,
    stop_words,
)
from core.search.query import Clause, Query, parse_query
from core.search.ranking import (
    MAX_LIMIT,
    Lookup,
    Ranked,
    SearchFilters,
    check_limit,
    confirmed,
    idf,
    plan,
    score,
    to_hit,
)
from core.search.terms import WEIGHT_SCALE, WeightedTerm, article_terms, weighted_terms

__all__ = [
    "MAX_LIMIT",
    "SUPPORTED_LANGUAGES",
    "WEIGHT_SCALE",
    "Clause",
    "Facets",
    "IndexedDoc",
    "Lookup",
    "Query",
    "Ranked",
    "SearchFilters",
    "WeightedTerm",
    "article_terms",
    "check_limit",
    "confirmed",
    "content_tokens",
    "fold",
    "idf",
    "iter_tokens",
    "parse_query",
    "plan",
    "query_terms",
    "score",
    "snippet",
    "stop_words",
    "to_hit",
    "weighted_terms",
]
