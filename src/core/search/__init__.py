"""Keyword search: the query language, normalisation, matching, snippets and term weights.

Both backends parse queries with ``core.search.query`` and cut snippets with
``core.search.highlight``. The local backend ranks with SQLite FTS5; the DynamoDB backend
stores the per-article weighted terms of ``core.search.terms`` and ranks with
``core.search.ranking``. See ``docs/search.md``.
"""

from core.search.documents import SNIPPET_SOURCE_CHARS, Facets, IndexedDoc
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
    MAX_POSTINGS_PER_TERM,
    MAX_QUERY_TERMS,
    Posting,
    Ranked,
    SearchFilters,
    check_limit,
    idf,
    rank,
    to_hit,
)
from core.search.terms import TOP_K, WEIGHT_SCALE, WeightedTerm, article_terms, weighted_terms

__all__ = [
    "MAX_LIMIT",
    "MAX_POSTINGS_PER_TERM",
    "MAX_QUERY_TERMS",
    "SNIPPET_SOURCE_CHARS",
    "SUPPORTED_LANGUAGES",
    "TOP_K",
    "WEIGHT_SCALE",
    "Clause",
    "Facets",
    "IndexedDoc",
    "Posting",
    "Query",
    "Ranked",
    "SearchFilters",
    "WeightedTerm",
    "article_terms",
    "check_limit",
    "content_tokens",
    "fold",
    "idf",
    "iter_tokens",
    "parse_query",
    "query_terms",
    "rank",
    "snippet",
    "stop_words",
    "to_hit",
    "weighted_terms",
]
