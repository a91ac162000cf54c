"""Language-aware normalisation: the one tokeniser both the index and the queries use.

A token is a run of letters and digits, optionally joined by apostrophes. Each token is
folded: Unicode NFKD, combining marks dropped (``é`` → ``e``), case-folded (``ß`` → ``ss``).
French elisions (``l'``, ``d'``, ``qu'``…) and the English possessive ``'s`` are cut off, other
apostrophes are removed (``aujourd'hui`` → ``aujourdhui``). Stop words of the text's language
are dropped (en, fr, de, es; for any other or unknown language, the union of the four).
There is no stemming: ``cats`` and ``cat`` are different terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from core.search.stopwords import RAW_STOP_WORDS

SUPPORTED_LANGUAGES = frozenset(RAW_STOP_WORDS)
# Single letters carry no meaning on their own; very long runs are URLs, hashes or junk.
MIN_TERM_CHARS = 2
MAX_TERM_CHARS = 40

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)


@dataclass(frozen=True)
class Token:
    """One normalised term and where it sits in the (NFC) text it came from."""

    term: str
    start: int
    end: int


def fold(word: str) -> str:
    """Lower case without accents: NFKD, combining marks dropped, case-folded."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def _fold_word(word: str) -> str:
    # ASCII has nothing to decompose or strip, and its casefold() is lower(): the fast path.
    word = word.lower() if word.isascii() else fold(word.replace("’", "'"))
    if "'" in word:
        head, _, tail = word.partition("'")
        if head in _ELISIONS:
            word = tail
        elif word.endswith("'s"):
            word = word[:-2]
        word = word.replace("'", "")
    return word


def iter_tokens(text: str) -> Iterator[Token]:
    """Every folded token of ``text`` (expected in NFC, see ``prepare_text``), stop words kept."""
    for match in _TOKEN.finditer(text):
        term = _fold_word(match.group())
        if MIN_TERM_CHARS <= len(term) <= MAX_TERM_CHARS and term.isalnum():
            yield Token(term, match.start(), match.end())


def prepare_text(text: str) -> str:
    """NFC form of ``text``, the form token offsets refer to."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=8)
def stop_words(language: str | None) -> frozenset[str]:
    """Folded stop words of ``language``; the union of all lists when it is not supported."""
    code = (language or "").lower()
    sources = [RAW_STOP_WORDS[code]] if code in RAW_STOP_WORDS else list(RAW_STOP_WORDS.values())
    return frozenset(fold(word) for source in sources for word in source.split())


def content_tokens(text: str, language: str | None) -> list[Token]:
    """The tokens of ``text`` that are not stop words of ``language``."""
    stops = stop_words(language)
    return [token for token in iter_tokens(prepare_text(text)) if token.term not in stops]


def query_terms(query: str, language: str | None = None, *, max_terms: int = 8) -> list[str]:
    """Distinct folded query terms in query order, stop words dropped unless nothing is left."""
    tokens = [token.term for token in iter_tokens(prepare_text(query))]
    stops = stop_words(language)
    kept = [term for term in tokens if term not in stops] or tokens
    return list(dict.fromkeys(kept))[:max_terms]
