"""How an extraction is scored against the WCXB ground truth (see the data set's README).

Word F1 over lowercased ``\\w+`` token multisets; ``with``/``without`` snippets matched as
contiguous token runs (so ``Home`` does not match inside ``homeowner``); title and author
compared after case and whitespace folding, dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def tokens(text: str | None) -> list[str]:
    """Lowercased ``\\w+`` tokens of ``text`` (none for None)."""
    return _TOKEN.findall(text.lower()) if text else []


def word_f1(predicted: str | None, reference: str | None) -> tuple[float, float, float]:
    """(precision, recall, F1) of the shared token multiset; an empty prediction scores 0."""
    pred, ref = Counter(tokens(predicted)), Counter(tokens(reference))
    if not pred or not ref:
        return (0.0, 0.0, 0.0)
    shared = sum((pred & ref).values())
    if shared == 0:
        return (0.0, 0.0, 0.0)
    precision = shared / sum(pred.values())
    recall = shared / sum(ref.values())
    return (precision, recall, 2 * precision * recall / (precision + recall))


def _contains_run(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    if not needle:
        return False
    first, size = needle[0], len(needle)
    return any(
        haystack[i] == first and list(haystack[i : i + size]) == list(needle)
        for i in range(len(haystack) - size + 1)
    )


def snippets_found(text: str | None, snippets: Iterable[str]) -> tuple[int, int]:
    """(snippets whose tokens appear as a contiguous run in ``text``, snippets with tokens)."""
    words = tokens(text)
    found = total = 0
    for snippet in snippets:
        needle = tokens(snippet)
        if not needle:
            continue
        total += 1
        found += _contains_run(words, needle)
    return found, total


def fold(value: str | None) -> str:
    """Case- and whitespace-folded text; None and blanks become ``""``."""
    return _SPACES.sub(" ", value or "").strip().casefold()


def iso_date(value: str | None) -> str:
    """The first ``YYYY-MM-DD`` in ``value``, or ``""``."""
    match = _DATE.search(value or "")
    return match.group(0) if match else ""


@dataclass(frozen=True)
class PageScore:
    """The scores of one extraction of one page."""

    precision: float
    recall: float
    f1: float
    with_found: int
    with_total: int
    without_kept: int
    without_total: int
    title_match: bool
    author_match: bool
    date_match: bool
    has_author: bool
    has_date: bool
    gave_date: bool = False


def score_page(
    text: str | None,
    title: str | None,
    author: str | None,
    date: str | None,
    truth: dict[str, object],
) -> PageScore:
    """Score one extraction against one page's ``ground_truth`` mapping."""
    reference = str(truth.get("main_content") or "")
    precision, recall, f1 = word_f1(text, reference)
    with_snippets = [str(s) for s in truth.get("with") or []]  # type: ignore[attr-defined]
    without_snippets = [str(s) for s in truth.get("without") or []]  # type: ignore[attr-defined]
    with_found, with_total = snippets_found(text, with_snippets)
    without_kept, without_total = snippets_found(text, without_snippets)
    true_author = fold(str(truth.get("author") or ""))
    true_date = iso_date(str(truth.get("publish_date") or ""))
    return PageScore(
        precision=precision,
        recall=recall,
        f1=f1,
        with_found=with_found,
        with_total=with_total,
        without_kept=without_kept,
        without_total=without_total,
        title_match=fold(title) == fold(str(truth.get("title") or "")),
        author_match=fold(author) == true_author,
        date_match=iso_date(date) == true_date,
        has_author=bool(true_author),
        has_date=bool(true_date),
        gave_date=bool(iso_date(date)),
    )


def summarize(scores: Sequence[PageScore]) -> dict[str, float]:
    """Mean F1/precision/recall, snippet rates and exact-match rates over ``scores``."""
    count = len(scores) or 1
    with_total = sum(s.with_total for s in scores) or 1
    without_total = sum(s.without_total for s in scores) or 1
    authored = [s for s in scores if s.has_author]
    dated = [s for s in scores if s.has_date]
    given = [s for s in scores if s.gave_date]
    return {
        "pages": float(len(scores)),
        "f1": sum(s.f1 for s in scores) / count,
        "precision": sum(s.precision for s in scores) / count,
        "recall": sum(s.recall for s in scores) / count,
        "with_found": sum(s.with_found for s in scores) / with_total,
        "without_kept": sum(s.without_kept for s in scores) / without_total,
        "title_exact": sum(s.title_match for s in scores) / count,
        "author_exact": sum(s.author_match for s in scores) / count,
        "author_exact_when_known": sum(s.author_match for s in authored) / (len(authored) or 1),
        "date_exact": sum(s.date_match for s in scores) / count,
        "date_exact_when_known": sum(s.date_match for s in dated) / (len(dated) or 1),
        "date_correct_when_given": sum(s.date_match for s in given) / (len(given) or 1),
    }
