"""Normalisation per language: case, accents, stop words, elisions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.search import content_tokens, fold, iter_tokens, query_terms, stop_words
from core.search.normalize import _ELISIONS, _TOKEN, _fold_word


def terms(text: str, language: str | None) -> list[str]:
    return [token.term for token in content_tokens(text, language)]


def test_fold_lowers_and_strips_accents() -> None:
    assert fold("Élève") == "eleve"
    assert fold("Straße") == "strasse"
    assert fold("MAÑANA") == "manana"
    assert fold("ﬁn") == "fin"  # compatibility ligature


def test_english_stop_words_and_possessive() -> None:
    assert terms("The Mayor's plan is one of the best in the city", "en") == [
        "mayor",
        "plan",
        "one",
        "best",
        "city",
    ]


def test_french_elisions_accents_and_stop_words() -> None:
    text = "L'été dernier, l’économie d'Europe qu'on disait forte jusqu'à aujourd'hui"
    assert terms(text, "fr") == ["dernier", "economie", "europe", "disait", "forte", "aujourdhui"]


def test_german_umlauts_eszett_and_stop_words() -> None:
    assert terms("Die Größe der Brücke über den Fluß ist enorm", "de") == [
        "grosse",
        "brucke",
        "fluss",
        "enorm",
    ]


def test_spanish_accents_and_stop_words() -> None:
    assert terms("La economía española creció más de lo previsto en el año", "es") == [
        "economia",
        "espanola",
        "crecio",
        "previsto",
        "ano",
    ]


def test_stop_words_depend_on_the_language() -> None:
    # "die" is a German article but an English verb; "son" is French but English too.
    assert "die" in stop_words("de")
    assert "die" not in stop_words("en")
    assert terms("Heroes never die", "en") == ["heroes", "never", "die"]
    assert terms("Heroes never die", "de") == ["heroes", "never"]


def test_unknown_languages_use_every_list() -> None:
    assert stop_words("it") == stop_words(None)
    assert stop_words(None) >= stop_words("en") | stop_words("fr")
    assert terms("the history of la ville", None) == ["history", "ville"]


def test_single_letters_underscores_and_punctuation_are_not_terms() -> None:
    assert terms("a b c snake_case x-ray 3 42", "en") == ["snake", "case", "ray", "42"]


def test_tokens_point_into_the_text() -> None:
    text = "Où est l'Élysée ?"
    tokens = list(iter_tokens(text))
    assert [t.term for t in tokens] == ["ou", "est", "elysee"]
    assert text[tokens[2].start : tokens[2].end] == "l'Élysée"


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("The heat wave", "en", ["heat", "wave"]),
        ("la canicule", None, ["canicule"]),
        ("heat HEAT Heat", None, ["heat"]),
        ("the of and", None, ["the", "of", "and"]),  # only stop words: keep them
        ("", None, []),
    ],
)
def test_query_terms(query: str, language: str | None, expected: list[str]) -> None:
    assert query_terms(query, language) == expected


def test_query_terms_are_bounded() -> None:
    assert query_terms("one two three four five six seven eight nine ten", max_terms=8) == [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
    ]


def _fold_word_without_fast_path(word: str) -> str:
    """How every word was folded before the ASCII fast path: always through ``fold``."""
    word = fold(word.replace("’", "'"))
    if "'" in word:
        head, _, tail = word.partition("'")
        if head in _ELISIONS:
            word = tail
        elif word.endswith("'s"):
            word = word[:-2]
        word = word.replace("'", "")
    return word


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_fast_path_folds_like_fold(text: str) -> None:
    for match in _TOKEN.finditer(text):
        assert _fold_word(match.group()) == _fold_word_without_fast_path(match.group())


def test_ascii_fast_path_keeps_elisions_and_possessives() -> None:
    assert [t.term for t in iter_tokens("L'Hotel d'ETAT, John's QU'ON")] == [
        "hotel",
        "etat",
        "john",
        "on",
    ]
