"""Per-article weighted terms: what the DynamoDB index stores for one article.

Every distinct term of the title and text is kept (no top-K): words as ``core.search.normalize``
folds them (stop words dropped) and, for Chinese, Japanese and Korean runs, their overlapping
character pairs (``core.search.cjk``). The weight of a term in an article is the BM25
term-frequency factor, BM25F-style over two fields (the title counts ``TITLE_BOOST`` times,
before saturation)::

    tf' = tf_text + TITLE_BOOST * tf_title
    w   = tf' * (K1 + 1) / (tf' + K1 * (1 - B + B * length / REFERENCE_LENGTH))

``length`` is the article's number of terms (title + text). BM25 normalises by the corpus'
average length; a fixed ``REFERENCE_LENGTH`` is used instead so a weight depends only on its own
article and never has to be recomputed as the corpus grows. The corpus-dependent part, idf, is
applied at query time (``core.search.ranking``). Weights are integers (``WEIGHT_SCALE`` units).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from core.models import Article
from core.search.cjk import CJK, bigrams
from core.search.normalize import iter_tokens, prepare_text, stop_words

K1 = 1.2
B = 0.75
TITLE_BOOST = 3
# Content tokens (stop words removed) of a ~550-word news article, e.g. the seed article.
REFERENCE_LENGTH = 300
WEIGHT_SCALE = 10_000
# w < K1 + 1 = 2.2, so a scaled weight always fits in five digits.
MAX_SCALED_WEIGHT = 99_999

_CJK_SPLIT = re.compile(f"({CJK.pattern})")


@dataclass(frozen=True)
class WeightedTerm:
    """One stored posting: a term and its scaled weight in the article."""

    term: str
    weight: int


def index_terms(text: str, language: str | None) -> list[str]:
    """The terms of ``text`` in order: folded words without stop words, and CJK pairs."""
    stops = stop_words(language)
    terms: list[str] = []
    for piece in _CJK_SPLIT.split(prepare_text(text)):
        if not piece:
            continue
        if CJK.fullmatch(piece):
            terms.extend(bigrams(piece))
        else:
            terms.extend(token.term for token in iter_tokens(piece) if token.term not in stops)
    return terms


def bm25_weight(tf: float, length: int) -> float:
    """The BM25 term-frequency factor for a (boosted) frequency in an article of ``length``."""
    norm = K1 * (1 - B + B * length / REFERENCE_LENGTH)
    return tf * (K1 + 1) / (tf + norm)


def scaled(weight: float) -> int:
    """A weight as the integer the index stores (at least 1, at most five digits)."""
    return min(MAX_SCALED_WEIGHT, max(1, round(weight * WEIGHT_SCALE)))


def weighted_terms(title: str | None, text: str | None, language: str | None) -> list[WeightedTerm]:
    """Every distinct term with its weight, heaviest first; ties go to the term seen first."""
    title_terms = index_terms(title or "", language)
    text_terms = index_terms(text or "", language)
    length = len(title_terms) + len(text_terms)
    if length == 0:
        return []
    frequency: Counter[str] = Counter()
    for term in title_terms:
        frequency[term] += TITLE_BOOST
    frequency.update(text_terms)  # Counter keeps first-seen order: title, then text
    order = {term: position for position, term in enumerate(frequency)}
    ranked = sorted(
        ((scaled(bm25_weight(tf, length)), term) for term, tf in frequency.items()),
        key=lambda pair: (-pair[0], order[pair[1]]),
    )
    return [WeightedTerm(term, weight) for weight, term in ranked]


def article_terms(article: Article) -> list[WeightedTerm]:
    """The weighted terms of an article; none when it has no text (it is not indexed)."""
    if not article.text or not article.text.strip():
        return []
    return weighted_terms(article.title, article.text, article.language)
