"""The benchmark's scoring functions: word F1, snippets, exact matches, percentiles."""

from __future__ import annotations

import pytest
from bench.scoring import fold, iso_date, score_page, snippets_found, summarize, word_f1
from bench.speed import percentile


def test_word_f1_counts_shared_tokens_as_multisets() -> None:
    precision, recall, f1 = word_f1("the cat the hat", "The cat sat")
    assert precision == pytest.approx(2 / 4)
    assert recall == pytest.approx(2 / 3)
    assert f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


@pytest.mark.parametrize(("predicted", "reference"), [(None, "a b"), ("", "a b"), ("x y", "a b")])
def test_word_f1_is_zero_without_shared_tokens(predicted: str | None, reference: str) -> None:
    assert word_f1(predicted, reference) == (0.0, 0.0, 0.0)


def test_identical_texts_score_one_regardless_of_case_and_punctuation() -> None:
    assert word_f1("Hello, World!", "hello world")[2] == pytest.approx(1.0)


def test_snippets_match_whole_token_runs_only() -> None:
    text = "Welcome homeowners. Order now, before Friday."
    assert snippets_found(text, ["Home", "Order Now", "before friday", "now before"]) == (3, 4)
    assert snippets_found(text, ["", "!!"]) == (0, 0)


def test_fold_and_iso_date() -> None:
    assert fold("  A  Title\n") == "a title"
    assert fold(None) == ""
    assert iso_date("2023-10-28T09:12:00+03:30") == "2023-10-28"
    assert iso_date("yesterday") == ""


def test_score_page_and_summary() -> None:
    truth: dict[str, object] = {
        "main_content": "one two three four",
        "title": "The Title",
        "author": None,
        "publish_date": "2024-01-02",
        "with": ["two three"],
        "without": ["menu"],
    }
    good = score_page("one two three four", "the  title", None, "2024-01-02T10:00", truth)
    bad = score_page("menu one", "Other", "Someone", None, truth)
    assert (good.f1, good.title_match, good.author_match, good.date_match) == (
        1.0,
        True,
        True,
        True,
    )
    assert (bad.without_kept, bad.title_match, bad.author_match, bad.date_match) == (
        1,
        False,
        False,
        False,
    )
    summary = summarize([good, bad])
    assert summary["with_found"] == pytest.approx(0.5)
    assert summary["without_kept"] == pytest.approx(0.5)
    assert summary["title_exact"] == pytest.approx(0.5)
    assert summary["date_exact_when_known"] == pytest.approx(0.5)
    assert summary["author_exact_when_known"] == 0.0
    assert summary["date_correct_when_given"] == pytest.approx(1.0)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([], 0.95) == 0.0
