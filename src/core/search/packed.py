"""Packed postings: term buckets, posting blocks and compressed payloads (the DynamoDB index).

A term lives in one of ``BUCKETS`` buckets, chosen by a hash of its first ``KEY_CHARS``
characters (of its first character for a CJK pair), so every term starting with the same four
letters — every word a prefix ``erupt*`` can mean — is in the bucket of ``erup``. A *block* is
one bucket's postings of a group of articles, as zlib-compressed JSON::

    {"d": [[article id, generation], ...], "t": {term: [doc index, weight, doc index, weight, ...]}}

The *generation* numbers an article's successive indexed versions; a posting counts only while
its (article, generation) is not tombstoned. Payloads are compressed once, decompressed once per
read; decoding skips the terms a query does not ask for.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from core.search.cjk import CJK

BUCKETS = 1024
KEY_CHARS = 4
_LEVEL = 6


def bucket_key(term: str) -> str:
    """The characters of ``term`` that choose its bucket."""
    return term[:1] if CJK.match(term) else term[:KEY_CHARS]


def bucket_of(term: str) -> int:
    """The bucket holding ``term`` (a prefix of at least ``KEY_CHARS`` letters: its words)."""
    digest = hashlib.sha256(bucket_key(term).encode()).digest()
    return int.from_bytes(digest[:4], "big") % BUCKETS


@dataclass(frozen=True)
class Entry:
    """One posting as stored: an article version holding a term with a weight."""

    term: str
    article_id: str
    generation: int
    weight: int


def _pack(value: object) -> bytes:
    return zlib.compress(
        json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), _LEVEL
    )


def _unpack(data: bytes) -> object:
    return json.loads(zlib.decompress(data))


def encode_block(entries: Iterable[Entry]) -> bytes:
    """One block holding ``entries`` (any order; stored sorted, so equal input = equal bytes)."""
    docs: dict[tuple[str, int], int] = {}
    terms: dict[str, list[int]] = {}
    for entry in sorted(entries, key=lambda e: (e.term, e.article_id, e.generation)):
        doc = docs.setdefault((entry.article_id, entry.generation), len(docs))
        terms.setdefault(entry.term, []).extend((doc, entry.weight))
    return _pack({"d": [list(doc) for doc in docs], "t": terms})


def decode_block(data: bytes, wanted: Callable[[str], bool]) -> Iterator[Entry]:
    """The entries of a block whose term is ``wanted``."""
    block = _unpack(data)
    assert isinstance(block, dict)
    docs = block["d"]
    for term, pairs in block["t"].items():
        if wanted(term):
            for i in range(0, len(pairs), 2):
                article_id, generation = docs[pairs[i]]
                yield Entry(term, article_id, generation, pairs[i + 1])


def encode_terms(terms: Mapping[str, int]) -> bytes:
    """An article's {term: weight}, compressed (a pending item's payload)."""
    return _pack(dict(terms))


def decode_terms(data: bytes) -> dict[str, int]:
    """The {term: weight} of ``encode_terms``."""
    terms = _unpack(data)
    assert isinstance(terms, dict)
    return {str(term): int(weight) for term, weight in terms.items()}


def compress_text(text: str) -> bytes:
    """A text as the index stores it for snippets and phrase checks."""
    return zlib.compress(text.encode(), _LEVEL)


def decompress_text(data: bytes) -> str:
    """The text of ``compress_text``."""
    return zlib.decompress(data).decode()
