"""``textstats.at_least_words``: the same answer as counting every word."""

from __future__ import annotations

import random

from core.extract.textstats import at_least_words, word_count


def test_at_least_words_agrees_with_word_count() -> None:
    """Random texts of word and non-word characters (underscores, digits, accents, CJK, emoji,
    a combining mark) and every count around theirs: the answer of ``word_count``."""
    rng = random.Random(7)
    alphabet = "ab_1 .-\n\tİéß中😀\u0307"
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for count in range(-1, 14):
            assert at_least_words(text, count) == (word_count(text) >= count), (text, count)


def test_a_word_is_never_split_to_reach_the_count() -> None:
    """A run of word characters is one word, even where splitting it would reach the count."""
    assert not at_least_words("abcdef", 2)
    assert not at_least_words("  one_long_word, two  ", 3)
    assert at_least_words("  one_long_word, two  ", 2)


def test_long_texts_are_answered_without_counting_them() -> None:
    text = "word " * 100_000
    assert at_least_words(text, 1_000)
    assert not at_least_words("." * 100_000 + " word" * 999, 1_000)
