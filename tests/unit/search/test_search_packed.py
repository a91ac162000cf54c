"""Packed postings: bucket choice, blocks and payloads round-trip (``core.search.packed``)."""

from __future__ import annotations

from core.search.packed import (
    BUCKETS,
    Entry,
    bucket_of,
    compress_text,
    decode_block,
    decode_terms,
    decompress_text,
    encode_block,
    encode_terms,
)


def test_words_sharing_four_letters_share_a_bucket_so_a_prefix_reads_one() -> None:
    assert bucket_of("eruption") == bucket_of("erupted") == bucket_of("erup")
    assert bucket_of("桜が") == bucket_of("桜")  # CJK pairs: by their first character
    buckets = {bucket_of(f"{a}{b}{c}x") for a in "abcdefgh" for b in "abcdefgh" for c in "abcd"}
    assert len(buckets) > 200  # 256 keys spread over many of the 1,024 buckets
    assert all(0 <= b < BUCKETS for b in buckets)


def test_a_block_round_trips_and_decodes_only_the_wanted_terms() -> None:
    entries = [
        Entry("eruption", "a" * 32, 1, 12_345),
        Entry("eruption", "b" * 32, 3, 99_999),
        Entry("erupted", "a" * 32, 1, 1),
        Entry("地铁", "zh-metro", 2, 500),
    ]
    block = encode_block(entries)
    assert encode_block(reversed(entries)) == block  # order does not matter
    assert sorted(decode_block(block, lambda t: True), key=repr) == sorted(entries, key=repr)
    assert [e.term for e in decode_block(block, lambda t: t.startswith("erupti"))] == [
        "eruption",
        "eruption",
    ]


def test_payloads_round_trip_and_shrink() -> None:
    terms = {f"term{i}": i + 1 for i in range(500)} | {"économie": 7, "東京": 3}
    assert decode_terms(encode_terms(terms)) == terms
    text = "Le métro de Paris. 東京都に住む人。\n" * 200
    blob = compress_text(text)
    assert decompress_text(blob) == text
    assert len(blob) < len(text.encode()) / 10
