"""Keyword search: normalisation, per-article weighted terms, ranking and snippets.

Backends (``core.adapters.local.search_index``, ``core.adapters.aws.dynamodb_search_index``)
only store and read; every number that decides the order is computed here, so both return
the same hits for the same corpus. See ``docs/search.md``.
"""

from core.search.documents import SNIPPET_SOURCE_CHARS, Facets, IndexedDoc
from core.search.normalize import (
    SUPPORTED_LANGUAGES,
    content_tokens,
    fold,
    iter_tokens,
    query_terms,
    stop_words,
)
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
from core.search.snippet import snippet
from core.search.terms import TOP_K, WEIGHT_SCALE, WeightedTerm, article_terms, weighted_terms

__all__ = [
    "MAX_LIMIT",
    "MAX_POSTINGS_PER_TERM",
    "MAX_QUERY_TERMS",
    "SNIPPET_SOURCE_CHARS",
    "SUPPORTED_LANGUAGES",
    "TOP_K",
    "WEIGHT_SCALE",
    "Facets",
    "IndexedDoc",
    "Posting",
    "Ranked",
    "SearchFilters",
    "WeightedTerm",
    "article_terms",
    "check_limit",
    "content_tokens",
    "fold",
    "idf",
    "iter_tokens",
    "query_terms",
    "rank",
    "snippet",
    "stop_words",
    "to_hit",
    "weighted_terms",
]
