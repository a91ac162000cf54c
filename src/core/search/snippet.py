"""A short extract of the text around the first place a query term occurs."""

from __future__ import annotations

from collections.abc import Collection

from core.search.normalize import iter_tokens

SNIPPET_CHARS = 200
# How much of the window comes before the match.
LEAD_CHARS = 60
ELLIPSIS = "…"


def snippet(text: str, terms: Collection[str], *, width: int = SNIPPET_CHARS) -> str | None:
    """About ``width`` characters of ``text`` around the first token that is one of ``terms``.

    ``text`` must be in NFC (as stored by the index). Without a match the snippet is the
    beginning of the text; whitespace runs (paragraph breaks included) become single spaces.
    """
    if not text.strip():
        return None
    wanted = set(terms)
    anchor = next((t.start for t in iter_tokens(text) if t.term in wanted), 0)
    start = max(0, anchor - min(LEAD_CHARS, width // 3))
    if start > 0:
        space = text.find(" ", start, anchor)
        start = space + 1 if space >= 0 else anchor
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", anchor, end)
        end = space if space > anchor else end
    body = " ".join(text[start:end].split())
    return f"{ELLIPSIS if start > 0 else ''}{body}{ELLIPSIS if end < len(text) else ''}"
