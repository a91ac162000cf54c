"""Per-article weighted terms: what the index stores for one article.

The weight of a term in an article is the BM25 term-frequency factor, BM25F-style over two
fields (the title counts ``TITLE_BOOST`` times, before saturation)::

    tf' = tf_text + TITLE_BOOST * tf_title
    w   = tf' * (K1 + 1) / (tf' + K1 * (1 - B + B * length / REFERENCE_LENGTH))

``length`` is the article's number of content tokens (title + text). BM25 normalises by the
corpus' average length; a fixed ``REFERENCE_LENGTH`` is used instead so a weight depends only
on its own article and never has to be recomputed as the corpus grows. The corpus-dependent
part, idf, is applied at query time (``core.search.ranking``).

Only the ``TOP_K`` heaviest terms of each article are kept: this bounds the writes per article
on DynamoDB. Weights are stored as integers (``WEIGHT_SCALE`` units) so both backends hold
exactly the same numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from core.models import Article
from core.search.normalize import content_tokens

K1 = 1.2
B = 0.75
TITLE_BOOST = 3
# Content tokens (stop words removed) of a ~550-word news article, e.g. the seed article.
REFERENCE_LENGTH = 300
# K, calibrated on the 537-word seed article (tests/fixtures/pages/presstv-fr-gaza.html): 303
# content tokens, 217 distinct terms, 49 of them occurring at least twice. The repeated terms
# and the title terms (boosted) are what BM25 separates from single mentions; K = 64 keeps all
# of them plus the earliest single mentions (ties go to the term seen first, i.e. the lede),
# and costs 64 posting writes per new article (see docs/search.md). Shorter articles keep
# every term.
TOP_K = 64
WEIGHT_SCALE = 10_000
# w < K1 + 1 = 2.2, so a scaled weight always fits in five digits.
MAX_SCALED_WEIGHT = 99_999


@dataclass(frozen=True)
class WeightedTerm:
    """One stored posting: a term and its scaled weight in the article."""

    term: str
    weight: int


def bm25_weight(tf: float, length: int) -> float:
    """The BM25 term-frequency factor for a (boosted) frequency in an article of ``length``."""
    norm = K1 * (1 - B + B * length / REFERENCE_LENGTH)
    return tf * (K1 + 1) / (tf + norm)


def scaled(weight: float) -> int:
    """A weight as the integer both backends store (at least 1, at most five digits)."""
    return min(MAX_SCALED_WEIGHT, max(1, round(weight * WEIGHT_SCALE)))


def weighted_terms(
    title: str | None, text: str | None, language: str | None, *, top_k: int = TOP_K
) -> list[WeightedTerm]:
    """The ``top_k`` heaviest terms, heaviest first; ties go to the term that appears first."""
    title_tokens = content_tokens(title or "", language)
    text_tokens = content_tokens(text or "", language)
    length = len(title_tokens) + len(text_tokens)
    if length == 0:
        return []
    frequency: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for position, token in enumerate(title_tokens):
        frequency[token.term] += TITLE_BOOST
        first_seen.setdefault(token.term, position)
    for position, token in enumerate(text_tokens, start=len(title_tokens)):
        frequency[token.term] += 1
        first_seen.setdefault(token.term, position)
    ranked = sorted(
        ((scaled(bm25_weight(tf, length)), term) for term, tf in frequency.items()),
        key=lambda pair: (-pair[0], first_seen[pair[1]], pair[1]),
    )
    return [WeightedTerm(term, weight) for weight, term in ranked[:top_k]]


def article_terms(article: Article, *, top_k: int = TOP_K) -> list[WeightedTerm]:
    """The weighted terms of an article; none when it has no text (it is not indexed)."""
    if not article.text or not article.text.strip():
        return []
    return weighted_terms(article.title, article.text, article.language, top_k=top_k)
