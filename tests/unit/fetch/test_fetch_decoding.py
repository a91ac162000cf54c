"""Bounded content decoding."""

from __future__ import annotations

import gzip
import zlib

import pytest

from core.fetch.content_encoding import BoundedDecoder, parse_encodings
from core.fetch.outcomes import FetchFailure, FetchOutcome

TEXT = b"<html><body>" + b"<p>hello world</p>" * 500 + b"</body></html>"


def decode(body: bytes, encodings: list[str], limit: int, chunk: int = 1000) -> bytes:
    decoder = BoundedDecoder(encodings, limit)
    out = b"".join(decoder.feed(body[i : i + chunk]) for i in range(0, len(body), chunk))
    return out + decoder.finish()


def test_gzip_and_two_layers() -> None:
    assert decode(gzip.compress(TEXT), ["gzip"], 1_000_000) == TEXT
    assert decode(gzip.compress(gzip.compress(TEXT)), ["gzip", "gzip"], 1_000_000) == TEXT


def test_deflate_zlib_and_raw() -> None:
    assert decode(zlib.compress(TEXT), ["deflate"], 1_000_000) == TEXT
    raw = zlib.compressobj(wbits=-15)
    assert decode(raw.compress(TEXT) + raw.flush(), ["deflate"], 1_000_000) == TEXT


def test_multi_member_gzip() -> None:
    assert decode(gzip.compress(TEXT) + gzip.compress(TEXT), ["gzip"], 1_000_000) == TEXT * 2


def test_exact_limit_is_allowed_and_one_more_byte_is_not() -> None:
    body = gzip.compress(TEXT)
    assert decode(body, ["gzip"], len(TEXT)) == TEXT
    with pytest.raises(FetchFailure) as caught:
        decode(body, ["gzip"], len(TEXT) - 1)
    assert caught.value.outcome is FetchOutcome.TOO_LARGE


def test_bomb_is_stopped_in_one_chunk() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    with pytest.raises(FetchFailure) as caught:
        BoundedDecoder(["gzip"], 1_000_000).feed(bomb)  # one feed: must not inflate 50 MB
    assert caught.value.outcome is FetchOutcome.TOO_LARGE


def test_nested_bomb() -> None:
    nested = gzip.compress(gzip.compress(b"\0" * 20_000_000))
    with pytest.raises(FetchFailure) as caught:
        decode(nested, ["gzip", "gzip"], 1_000_000)
    assert caught.value.outcome is FetchOutcome.TOO_LARGE


def test_corrupt_stream() -> None:
    with pytest.raises(FetchFailure) as caught:
        decode(b"\x1f\x8b\x08\x00not deflate at all", ["gzip"], 1000)
    assert caught.value.outcome is FetchOutcome.HTTP_ERROR


@pytest.mark.parametrize(
    ("header", "layers"),
    [
        (None, []),
        ("", []),
        ("identity", []),
        ("GZIP", ["gzip"]),
        ("x-gzip", ["x-gzip"]),
        ("gzip, deflate", ["gzip", "deflate"]),
        ("gzip, identity, gzip", ["gzip", "gzip"]),
    ],
)
def test_parse_encodings(header: str | None, layers: list[str]) -> None:
    assert parse_encodings(header, 2) == layers


@pytest.mark.parametrize(
    ("header", "outcome"),
    [("gzip, gzip, gzip", FetchOutcome.TOO_LARGE), ("br", FetchOutcome.NOT_HTML)],
)
def test_refused_encodings(header: str, outcome: FetchOutcome) -> None:
    with pytest.raises(FetchFailure) as caught:
        parse_encodings(header, 2)
    assert caught.value.outcome is outcome
