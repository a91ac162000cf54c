"""SimHash fingerprints: stable values, word counts, chunking, near-duplicate distances."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from core import fingerprint
from core.extract.textstats import word_count
from core.fingerprint import hamming_distance, simhash

SRC = Path(fingerprint.__file__).resolve().parent.parent
VOCABULARY = [f"w{i}" for i in range(3000)] + ["café", "Straße", "naïve", "İstanbul", "日本語"]


def _text(seed: int, words: int = 800) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def test_values_are_fixed_and_the_same_in_another_process() -> None:
    # Pinned: stored fingerprints must keep their meaning across processes and releases.
    assert simhash("") == "0000000000000000"
    assert simhash("one") == "42e1870f14b486f2"
    assert simhash("The quick brown fox jumps over the lazy dog") == "db312710fa20df14"
    text = _text(1)
    script = "import sys; from core.fingerprint import simhash; print(simhash(sys.stdin.read()))"
    other = subprocess.run(
        [sys.executable, "-c", script],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PYTHONHASHSEED": "123"},
    )
    assert other.stdout.strip() == simhash(text)


def test_words_are_counted_like_textstats() -> None:
    samples = (
        "",
        "one",
        "Ünïcode wörds, and_under_scores 42!",
        "a\u00a0b\tc\nd\x00e",
        "𠀀𠀁 (a word outside the BMP) 😀 (not a word) İstanbul ΟΔΟΣ. Ⅻ ²",
        _text(2),
    )
    for text in samples:
        assert fingerprint.fingerprint(text).words == word_count(text)


def test_chunked_reading_gives_the_same_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(_text(seed, 400) for seed in range(5))
    whole = fingerprint.fingerprint(text)
    monkeypatch.setattr(fingerprint, "CHUNK_CHARS", 50)
    assert fingerprint.fingerprint(text) == whole
    monkeypatch.setattr(fingerprint, "CHUNK_CHARS", 3)  # chunks of one or two words
    assert fingerprint.fingerprint(text) == whole


def test_case_and_punctuation_do_not_matter_but_word_order_does() -> None:
    text = _text(3)
    assert simhash(text.upper()) == simhash(text)
    assert simhash(text.replace(" ", ", ")) == simhash(text)
    words = text.split()
    assert hamming_distance(simhash(" ".join(reversed(words))), simhash(text)) > 3


def test_near_duplicates_are_close_and_other_texts_far() -> None:
    text = _text(4)
    words = text.split()
    edited = " ".join([*words[:400], "inserted", "words", *words[400:-5]])
    assert hamming_distance(simhash(text), simhash(edited)) <= 3
    distances = [hamming_distance(simhash(_text(seed)), simhash(text)) for seed in range(5, 25)]
    assert min(distances) > 10  # unrelated texts differ in about half of the 64 bits


def test_texts_of_one_or_two_words_use_the_words() -> None:
    assert simhash("one two") != simhash("one")
    assert simhash("Two, one") == simhash("one two")  # each word is a feature, in any order


def test_letters_that_lower_case_to_two_characters() -> None:
    # "İ".lower() is "i" + a combining dot: the text no longer lines up, each letter is folded alone
    assert simhash("İSTANBUL is big") == simhash("istanbul IS BIG")
    assert fingerprint.fingerprint("İSTANBUL is big").words == 3


def test_a_word_longer_than_a_chunk() -> None:
    text = "x" * (2 * fingerprint.CHUNK_CHARS + 10) + " y z"
    assert fingerprint.fingerprint(text).words == 3
    assert simhash(text) != simhash("x y z")
