"""64-bit SimHash fingerprints of article text, for near-duplicate detection.

Words are ``\\w+`` runs compared case-insensitively; each feature (three consecutive words)
gets a 64-bit hash, and bit ``i`` of the fingerprint is set when more than half of the
features have bit ``i`` set. The text is read in chunks with running per-bit counts, so memory
stays bounded whatever the text's size. A shingle's hash is made from its words' hashes with
integer arithmetic in numpy, each distinct word of a chunk hashed once (CRC-32 of its UTF-8
lower case), so the cost is one dictionary look-up per word instead of one BLAKE2b call per
shingle. Every step is fixed arithmetic on explicit byte orders: the same text gives the same
fingerprint in every process and on every platform. The words are counted on the way, so the
caller need not split the text again.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s")
# Three-word shingles: robust to small edits, sensitive to reordered paragraphs.
SHINGLE_SIZE = 3
BITS = 64
# Characters read at a time (cut at a space). Peak memory is a few times this: ~0.5 MB of
# text is ~90k words, i.e. ~6 MB of per-bit arrays; a 9.7 MB text took 230 MB of extra peak
# with all shingles in memory at once. Larger chunks bring no measurable speed-up (numpy's
# per-call cost is already small next to the per-word look-ups at this size).
CHUNK_CHARS = 1 << 19
# Odd multipliers (from SplitMix64 and the golden ratio) that place each word of a shingle
# differently, then SplitMix64's finaliser, so every bit of a shingle's hash depends on all
# bits of its three words' hashes.
_POSITION_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
_MIX_1, _MIX_2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _chunks(text: str) -> Iterator[str]:
    """``text`` in pieces of about ``CHUNK_CHARS`` characters, each cut at a whitespace."""
    start = 0
    while len(text) - start > CHUNK_CHARS:
        space = _SPACE.search(text, start + CHUNK_CHARS)
        if space is None:
            break
        yield text[start : space.start()]
        start = space.start()
    yield text[start:]


def _word_hashes(words: list[str]) -> NDArray[np.uint64]:
    """The CRC-32 of each word's lower case, each distinct word hashed once.

    32 bits are plenty for a word (two of a text's ~600 distinct words share a hash with odds
    of 1 in 20,000, and a shared hash only merges two features); the shingle's arithmetic and
    SplitMix64's finaliser spread them over 64 bits. It costs a fifth of a BLAKE2b call.
    """
    import numpy as np

    index: dict[str, int] = {}
    positions = [index.setdefault(word, len(index)) for word in words]
    distinct = np.fromiter(
        (zlib.crc32(word.lower().encode("utf-8", "surrogatepass")) for word in index),
        dtype=np.uint64,
        count=len(index),
    )
    return distinct[np.asarray(positions, dtype=np.intp)]


def _mix(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser, in place (wrapping 64-bit arithmetic)."""
    import numpy as np

    values ^= values >> np.uint64(30)
    values *= np.uint64(_MIX_1)
    values ^= values >> np.uint64(27)
    values *= np.uint64(_MIX_2)
    values ^= values >> np.uint64(31)
    return values


def _shingle_hashes(hashes: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """One hash per run of ``SHINGLE_SIZE`` consecutive word hashes."""
    import numpy as np

    count = len(hashes) - SHINGLE_SIZE + 1
    combined = np.zeros(count, dtype=np.uint64)
    for position, multiplier in enumerate(_POSITION_MULTIPLIERS[:SHINGLE_SIZE]):
        combined += hashes[position : position + count] * np.uint64(multiplier)
    return _mix(combined)


def _bit_counts(features: NDArray[np.uint64]) -> NDArray[np.int64]:
    """How many of ``features`` have each bit set, most significant bit first."""
    import numpy as np

    as_bytes = features.astype(">u8").view(np.uint8).reshape(-1, BITS // 8)
    return np.unpackbits(as_bytes, axis=1).sum(axis=0, dtype=np.int64)


@dataclass(frozen=True)
class TextFingerprint:
    """A text's SimHash and its number of words (``core.textstats.word_count``)."""

    simhash: str
    words: int


def fingerprint(text: str) -> TextFingerprint:
    """The SimHash of ``text``'s word 3-shingles (single words below three) and its word count."""
    import numpy as np  # deferred: numpy is most of the indexer's import time

    counts = np.zeros(BITS, dtype=np.int64)
    features = words = 0
    carried = np.zeros(0, dtype=np.uint64)  # the last words of the previous chunk
    for chunk in _chunks(text):
        found = _WORD.findall(chunk)
        if not found:
            continue
        words += len(found)
        hashes = np.concatenate((carried, _word_hashes(found)))
        if len(hashes) >= SHINGLE_SIZE:
            shingles = _shingle_hashes(hashes)
            counts += _bit_counts(shingles)
            features += len(shingles)
            carried = hashes[len(hashes) - SHINGLE_SIZE + 1 :]
        else:
            carried = hashes
    if not features:  # fewer than three words: each word is a feature
        if not len(carried):
            return TextFingerprint("0" * (BITS // 4), 0)
        counts, features = _bit_counts(_mix(carried.copy())), len(carried)
    majority = counts * 2 > features
    return TextFingerprint(bytes(np.packbits(majority)).hex(), words)


def simhash(text: str) -> str:
    """The SimHash of ``text`` as 16 hex digits."""
    return fingerprint(text).simhash


def hamming_distance(left: str, right: str) -> int:
    """Number of differing bits between two hex fingerprints."""
    return (int(left, 16) ^ int(right, 16)).bit_count()
