"""Where a parsed query matches a text, and the snippet that shows it with the matches marked.

Matching follows the query language (``core.search.query``): words compare case- and
accent-folded, a prefix matches the start of a word, a phrase matches consecutive words, a CJK
run matches where the same characters occur. In the snippet each match is wrapped in
``MARK_OPEN`` / ``MARK_CLOSE`` (``**…**``, as Markdown bold).
"""

from __future__ import annotations

from core.search.normalize import fold
from core.search.query import WORD, Clause, Query

SNIPPET_CHARS = 200
# How much of the window comes before the first match.
LEAD_CHARS = 60
ELLIPSIS = "…"
MARK_OPEN = "**"
MARK_CLOSE = "**"

Span = tuple[int, int]


def fold_token(word: str) -> str:
    """A word folded as matches compare it (ASCII fast path)."""
    return word.lower() if word.isascii() else fold(word)


def _clause_spans(clause: Clause, text: str, tokens: list[tuple[str, int, int]]) -> list[Span]:
    if clause.cjk:
        run, spans, at = clause.words[0], [], text.find(clause.words[0])
        while at >= 0:
            spans.append((at, at + len(run)))
            at = text.find(run, at + len(run))
        return spans
    wanted = clause.folded
    if clause.prefix:
        return [(s, e) for word, s, e in tokens if word.startswith(wanted[0])]
    n = len(wanted)
    return [
        (tokens[i][1], tokens[i + n - 1][2])
        for i in range(len(tokens) - n + 1)
        if tokens[i][0] == wanted[0] and tuple(t[0] for t in tokens[i : i + n]) == wanted
    ]


def match_spans(text: str, query: Query) -> list[Span]:
    """The non-overlapping places ``query`` matches ``text`` (NFC), in text order."""
    tokens = [(fold_token(m.group()), m.start(), m.end()) for m in WORD.finditer(text)]
    spans = sorted(span for clause in query.clauses for span in _clause_spans(clause, text, tokens))
    merged: list[Span] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def matches(text: str, query: Query) -> bool:
    """Whether any clause of ``query`` occurs in ``text``."""
    return bool(match_spans(text, query))


def snippet(text: str, query: Query, *, width: int = SNIPPET_CHARS) -> str | None:
    """About ``width`` characters of ``text`` around the first match, matches marked.

    Without a match the snippet is the beginning of the text; whitespace runs (paragraph breaks
    included) become single spaces; ``…`` marks a cut.
    """
    if not text.strip():
        return None
    spans = match_spans(text, query)
    anchor = spans[0][0] if spans else 0
    start = max(0, anchor - min(LEAD_CHARS, width // 3))
    if start > 0:
        space = text.find(" ", start, anchor)
        start = space + 1 if space >= 0 else anchor
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", anchor, end)
        end = space if space > anchor else end
    pieces: list[str] = []
    position = start
    for s, e in spans:
        if s >= end:
            break
        if e <= start:
            continue
        s, e = max(s, start), min(e, end)
        pieces += [text[position:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        position = e
    pieces.append(text[position:end])
    body = " ".join("".join(pieces).split())
    return f"{ELLIPSIS if start > 0 else ''}{body}{ELLIPSIS if end < len(text) else ''}"
