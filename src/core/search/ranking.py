"""Query planning and scoring on a term index (the DynamoDB backend), plus shared helpers.

A parsed query (``core.search.query``) becomes one ``Lookup`` per clause: the index terms an
article must hold for the clause to match, or a prefix its terms must start with, and whether
the clause must still be confirmed on the article's text (phrases, CJK runs of 3+ characters:
the index holds words, not positions). Given every looked-up term's live postings
(``{term: {article id: weight}}``) and the number of indexed articles, an article's score is::

    score   = sum over the clauses it matches of clause(article)
    word    : idf(t) * w(t, article)
    phrase  : sum over its terms of idf(t) * w(t, article)       (every term held)
    prefix  : max over the terms it expands to of idf(t) * w(t, article)
    idf(t)  = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))          df(t) = articles holding t

(BM25 with the per-article weights of ``core.search.terms``). Scores are summed in clause
order and rounded to ``SCORE_DIGITS`` decimals; ties go to the smaller article id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.errors import InvalidInput
from core.models import PageType
from core.ports import SearchHit
from core.search.cjk import bigrams
from core.search.documents import Facets, IndexedDoc
from core.search.highlight import snippet
from core.search.normalize import iter_tokens, prepare_text, stop_words
from core.search.packed import KEY_CHARS
from core.search.query import Clause, Query
from core.search.terms import WEIGHT_SCALE

MAX_LIMIT = 100
SCORE_DIGITS = 6
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Postings = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class SearchFilters:
    """Language (exact code), site (hostname or site name), publication date range and page
    type."""

    language: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None
    page_type: PageType | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise InvalidInput(f"{name} must be a date YYYY-MM-DD, got {value!r}")

    def __bool__(self) -> bool:
        return any((self.language, self.site, self.since, self.until, self.page_type))

    def admits(self, facets: Facets) -> bool:
        """Whether an article with ``facets`` passes every filter."""
        if self.language and facets.language != self.language.lower():
            return False
        if self.site and self.site not in (facets.hostname, facets.sitename):
            return False
        if self.page_type and facets.page_type != self.page_type.value:
            return False
        date = (facets.date or "")[:10]
        if self.since and (not date or date < self.since):
            return False
        return not (self.until and (not date or date > self.until))


@dataclass(frozen=True)
class Lookup:
    """What one clause reads from the index and how it matches."""

    clause: Clause
    terms: tuple[str, ...] = ()  # every one must be held (AND)
    prefix: str | None = None  # or: any term starting with this
    verify: bool = False  # confirmed on the text (word order, CJK runs)

    @property
    def keys(self) -> tuple[str, ...]:
        """The terms (or the prefix) whose buckets hold this clause's postings."""
        return (self.prefix,) if self.prefix is not None else self.terms

    def holds(self, term: str) -> bool:
        """Whether ``term``'s postings belong to this clause."""
        return term.startswith(self.prefix) if self.prefix is not None else term in self.terms


@dataclass(frozen=True)
class Ranked:
    """An article's place in the results, with its score per clause."""

    article_id: str
    score: float
    parts: tuple[float, ...]


def _word_terms(clause: Clause, language: str | None) -> list[str]:
    """The index terms of a word, prefix or phrase clause.

    ``parse_query`` already dropped bare stop words (unless the query has nothing else); a
    phrase keeps them for its text check, but they have no postings to require.
    """
    terms = [token.term for token in iter_tokens(prepare_text(" ".join(clause.words)))]
    stops = stop_words(language)
    return [term for term in terms if term not in stops] if clause.phrase else terms


def plan(query: Query, language: str | None) -> list[Lookup]:
    """One lookup per clause that can match anything (clauses of only stop words cannot)."""
    lookups: list[Lookup] = []
    for clause in query.clauses:
        if clause.cjk:
            run = clause.words[0]
            pairs = tuple(dict.fromkeys(bigrams(run)))
            if len(run) == 1:
                lookups.append(Lookup(clause, prefix=run))
            else:
                lookups.append(Lookup(clause, terms=pairs, verify=len(run) > 2))
            continue
        terms = _word_terms(clause, language)
        if not terms:
            continue
        if clause.prefix and len(terms[0]) >= KEY_CHARS:
            lookups.append(Lookup(clause, prefix=terms[0]))
        elif clause.phrase:
            lookups.append(Lookup(clause, terms=tuple(dict.fromkeys(terms)), verify=True))
        else:
            lookups.append(Lookup(clause, terms=(terms[0],)))
    return lookups


def idf(document_frequency: int, document_count: int) -> float:
    """BM25 idf, never negative."""
    df = max(document_frequency, 0)
    n = max(document_count, df)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _clause_scores(lookup: Lookup, postings: Postings, count: int) -> dict[str, float]:
    def gains(term: str) -> dict[str, float]:
        held = postings.get(term, {})
        weight_idf = idf(len(held), count)
        return {doc: weight_idf * weight / WEIGHT_SCALE for doc, weight in held.items()}

    if lookup.prefix is not None:
        best: dict[str, float] = {}
        for term in sorted(t for t in postings if lookup.holds(t)):
            for doc, gain in gains(term).items():
                best[doc] = max(best.get(doc, 0.0), gain)
        return best
    per_term = [gains(term) for term in lookup.terms]
    common = set(per_term[0]).intersection(*per_term[1:]) if per_term else set()
    return {doc: sum(g[doc] for g in per_term) for doc in common}


def score(lookups: Sequence[Lookup], postings: Postings, document_count: int) -> list[Ranked]:
    """Every article matching a clause (before text checks), best first, ties by id."""
    parts: dict[str, list[float]] = {}
    for position, lookup in enumerate(lookups):
        for doc, gain in _clause_scores(lookup, postings, document_count).items():
            parts.setdefault(doc, [0.0] * len(lookups))[position] = gain
    ranked = [Ranked(doc, round(sum(p), SCORE_DIGITS), tuple(p)) for doc, p in parts.items()]
    return sorted(ranked, key=lambda r: (-r.score, r.article_id))


def confirmed(ranked: Ranked, lookups: Sequence[Lookup], held: Sequence[bool]) -> Ranked | None:
    """``ranked`` keeping the clauses confirmed on the text (``held``, per clause); None if none."""
    parts = tuple(
        part if not lookup.verify or ok else 0.0
        for part, lookup, ok in zip(ranked.parts, lookups, held, strict=True)
    )
    if not any(parts):
        return None
    return Ranked(ranked.article_id, round(sum(parts), SCORE_DIGITS), parts)


def check_limit(limit: int) -> int:
    """``limit`` if it is between 1 and ``MAX_LIMIT``; ``InvalidInput`` otherwise."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


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
