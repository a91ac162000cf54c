"""Query scoring, shared by every backend so they return identical results.

A backend supplies, for each query term, its document frequency and its ``MAX_POSTINGS_PER_TERM``
heaviest postings (weight descending, article id ascending), plus the number of indexed
documents. The score of an article is::

    score = sum over query terms t it holds of idf(t) * weight(t, article)
    idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

(the non-negative BM25 idf). Terms are summed in query order and the score rounded to
``SCORE_DIGITS`` decimals, so the same integers give the same float on any backend. Filters
apply to the candidates read, ties are broken by article id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.errors import InvalidInput
from core.ports import SearchHit
from core.search.documents import Facets, IndexedDoc
from core.search.highlight import snippet
from core.search.query import Query
from core.search.terms import WEIGHT_SCALE

# N: postings read per query term. A term held by more articles contributes only its N
# heaviest; at ~120 bytes a posting that is one ~24 KB Query per term (see docs/search.md).
MAX_POSTINGS_PER_TERM = 200
# Query terms beyond the first eight are ignored: this bounds the reads of one query.
MAX_QUERY_TERMS = 8
MAX_LIMIT = 100
SCORE_DIGITS = 6
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Posting:
    """One article holding a term, with its scaled weight and the facets filters look at."""

    article_id: str
    weight: int
    facets: Facets


@dataclass(frozen=True)
class SearchFilters:
    """Language (exact code), site (hostname or site name) and publication date range."""

    language: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise InvalidInput(f"{name} must be a date YYYY-MM-DD, got {value!r}")

    def admits(self, facets: Facets) -> bool:
        """Whether an article with ``facets`` passes every filter."""
        if self.language and facets.language != self.language.lower():
            return False
        if self.site and self.site not in (facets.hostname, facets.sitename):
            return False
        date = (facets.date or "")[:10]
        if self.since and (not date or date < self.since):
            return False
        return not (self.until and (not date or date > self.until))


@dataclass(frozen=True)
class Ranked:
    """An article's place in the results."""

    article_id: str
    score: float


def check_limit(limit: int) -> int:
    """``limit`` if it is between 1 and ``MAX_LIMIT``; ``InvalidInput`` otherwise."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def idf(document_frequency: int, document_count: int) -> float:
    """BM25 idf, never negative."""
    df = max(document_frequency, 0)
    n = max(document_count, df)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def rank(
    terms: Sequence[str],
    postings: Mapping[str, Sequence[Posting]],
    document_frequency: Mapping[str, int],
    document_count: int,
    filters: SearchFilters,
    limit: int,
) -> list[Ranked]:
    """The ``limit`` best articles among the postings read, best first, ties by id."""
    scores: dict[str, float] = {}
    for term in terms:
        read = postings.get(term, ())
        # A counter can lag the postings it counts (an update in progress): never below them.
        weight_idf = idf(max(document_frequency.get(term, 0), len(read)), document_count)
        for posting in read:
            if filters.admits(posting.facets):
                gain = weight_idf * posting.weight / WEIGHT_SCALE
                scores[posting.article_id] = scores.get(posting.article_id, 0.0) + gain
    ranked = sorted(
        (Ranked(article_id, round(score, SCORE_DIGITS)) for article_id, score in scores.items()),
        key=lambda r: (-r.score, r.article_id),
    )
    return ranked[:limit]


def to_hit(ranked: Ranked, doc: IndexedDoc, query: Query) -> SearchHit:
    """The public search hit for a ranked article."""
    return SearchHit(
        id=ranked.article_id,
        score=ranked.score,
        title=doc.title,
        url=doc.url,
        sitename=doc.facets.sitename,
        hostname=doc.facets.hostname,
        language=doc.facets.language,
        date=doc.facets.date,
        snippet=snippet(doc.text, query),
    )
