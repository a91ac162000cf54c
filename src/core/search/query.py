"""The query language of the search box, parsed once for every backend.

A query is a list of clauses, any of which may match (OR; articles matching more clauses and
rarer words rank higher):

* ``word``      an exact word (case and accents do not matter: ``Économie`` = ``economie``);
* ``word*``     any word starting with ``word`` (at least ``MIN_PREFIX_CHARS`` characters);
* ``"a b c"``   the words in this order, next to each other. An unclosed quote runs to the end.

A run of Chinese, Japanese or Korean characters matches where that exact sequence occurs.
Everything else is text: ``AND``, ``OR``, ``NEAR``, ``col:``, brackets and stray quotes are
searched as words or dropped as punctuation, never interpreted. Stop words are dropped from
bare-word clauses unless nothing would be left. At most ``MAX_CLAUSES`` clauses are used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.search.cjk import CJK
from core.search.normalize import fold, stop_words

MAX_CLAUSES = 8
MAX_WORDS_PER_PHRASE = 16
MIN_PREFIX_CHARS = 2

# A word: letters and digits (no underscore), as SQLite's unicode61 tokenizer splits text.
WORD = re.compile(r"[^\W_]+")
# A quoted phrase (closed or running to the end), or a bare word with an optional '*'.
_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')


@dataclass(frozen=True)
class Clause:
    """One alternative of a query: a word, a prefix, a phrase or a CJK sequence.

    ``words`` are as typed (NFC); ``cjk`` is True when they are one run of CJK characters.
    """

    words: tuple[str, ...]
    prefix: bool = False
    cjk: bool = False

    @property
    def phrase(self) -> bool:
        """Whether the clause is several words that must follow each other."""
        return len(self.words) > 1

    @property
    def folded(self) -> tuple[str, ...]:
        """The words case- and accent-folded, the form matches are compared in."""
        return tuple(fold(word) for word in self.words)


@dataclass(frozen=True)
class Query:
    """A parsed query: its clauses in the order typed, duplicates removed."""

    clauses: tuple[Clause, ...]

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def words(self) -> list[str]:
        """Every word of every clause, in order (what a term index looks up)."""
        return [word for clause in self.clauses for word in clause.words]


def _split(text: str) -> list[Clause]:
    """Word and CJK clauses of a run of text, in order."""
    clauses: list[Clause] = []
    for match in WORD.finditer(text):
        word = match.group()
        position = 0
        for run in CJK.finditer(word):
            if run.start() > position:
                clauses.append(Clause((word[position : run.start()],)))
            clauses.append(Clause((run.group(),), cjk=True))
            position = run.end()
        if position < len(word):
            clauses.append(Clause((word[position:],)))
    return clauses


def parse_query(text: str, language: str | None = None) -> Query:
    """The clauses of ``text``; an empty ``Query`` when it holds no word at all."""
    text = unicodedata.normalize("NFC", text)
    clauses: list[Clause] = []
    for match in _PART.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            parts = _split(quoted)
            if any(part.cjk for part in parts) or len(parts) <= 1:
                clauses.extend(parts)  # a CJK run is already a sequence; one word is a word
            else:
                words = tuple(word for part in parts for word in part.words)
                clauses.append(Clause(words[:MAX_WORDS_PER_PHRASE]))
            continue
        parts = _split(bare)
        starred = bare.endswith("*") and WORD.fullmatch(bare[-2:-1]) is not None
        if starred and not parts[-1].cjk and len(parts[-1].words[0]) >= MIN_PREFIX_CHARS:
            parts[-1] = Clause(parts[-1].words, prefix=True)
        clauses.extend(parts)
    stops = stop_words(language)
    kept = [c for c in clauses if c.phrase or c.prefix or c.cjk or c.folded[0] not in stops]
    unique = list(dict.fromkeys(kept or clauses))
    return Query(tuple(unique[:MAX_CLAUSES]))
