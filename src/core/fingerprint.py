"""64-bit SimHash fingerprints of article text, for near-duplicate detection."""

from __future__ import annotations

import hashlib
import re

_WORD = re.compile(r"\w+", re.UNICODE)
# Three-word shingles: robust to small edits, sensitive to reordered paragraphs.
SHINGLE_SIZE = 3
BITS = 64


def _features(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_SIZE:
        return words
    return [" ".join(words[i : i + SHINGLE_SIZE]) for i in range(len(words) - SHINGLE_SIZE + 1)]


def simhash(text: str) -> str:
    """The SimHash of ``text`` as 16 hex digits."""
    import numpy as np  # deferred: numpy is most of the indexer's import time

    features = _features(text)
    if not features:
        return "0" * (BITS // 4)
    digests = b"".join(hashlib.blake2b(f.encode(), digest_size=8).digest() for f in features)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, BITS // 8), axis=1)
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > len(features)
    return bytes(np.packbits(majority)).hex()


def hamming_distance(left: str, right: str) -> int:
    """Number of differing bits between two hex fingerprints."""
    return (int(left, 16) ^ int(right, 16)).bit_count()
