"""Chinese, Japanese and Korean text: runs of characters written without spaces, as bigrams.

A word tokenizer sees a whole CJK sentence as one token, so a word inside it cannot be found.
Each run is indexed instead as its overlapping character pairs (``東京都`` → ``東京 京都``); a
run of one character is kept as is. A query run of two or more characters is then the phrase
of its pairs, which matches exactly where the run occurs; a one-character query is a prefix of
the pairs. Pairs (not trigrams) are needed because most Chinese words are two characters long.
"""

from __future__ import annotations

import re

CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0002fa1f]+"
)


def bigrams(run: str) -> list[str]:
    """The overlapping character pairs of ``run``; the run itself when it is one character."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def cjk_grams(text: str) -> str:
    """The bigrams of every CJK run in ``text``, space-separated, in order (empty if none)."""
    return " ".join(gram for run in CJK.findall(text) for gram in bigrams(run))
