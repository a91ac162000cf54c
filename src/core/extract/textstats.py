"""Words, folded white space, word count and reading time of a text: light enough for the
indexer to import cheaply; the extraction modules compare lines and words through these."""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)
# Average adult silent-reading speed for non-fiction (words per minute). Not fitted on our
# data: Brysbaert's 2019 meta-analysis of reading rates gives 238, so estimates err slightly long.
READING_WORDS_PER_MINUTE = 230
# Fewer words than this is navigation or a banner, not an article. Calibrated on the WCXB
# development set: the shortest annotated article body has 53 words, while nav-only and
# cookie-wall pages extract to under 20.
MIN_ARTICLE_WORDS = 20


def folded(text: str) -> str:
    """``text`` with its white space folded: each run one space, none at either end."""
    return " ".join(text.split())


def lower_words(text: str) -> list[str]:
    """``text``'s lower-cased words (Unicode ``\\w+`` runs), in order."""
    return _WORD.findall(text.lower())


def word_count(text: str) -> int:
    """Number of words (Unicode ``\\w+`` runs)."""
    return len(_WORD.findall(text))


@lru_cache(maxsize=16)
def _words_pattern(count: int) -> re.Pattern[str]:
    # possessive: each ``\w++`` takes a whole run (the ``\W*+`` before it took every
    # non-word character), so a run is never split into two words when the match fails
    return re.compile(rf"\W*+(?:\w++\W*+){{{count}}}")


def at_least_words(text: str, count: int) -> bool:
    """Whether ``word_count(text) >= count``, reading ``text`` only up to its ``count``-th word
    (on a long text a third of the time of counting them all) and building no list of words."""
    return count <= 0 or _words_pattern(count).match(text) is not None


def reading_time_minutes(words: int) -> int:
    """Minutes to read ``words`` words, rounded up."""
    return math.ceil(words / READING_WORDS_PER_MINUTE)
