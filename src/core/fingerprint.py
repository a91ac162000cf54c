"""64-bit SimHash fingerprints of article text, for near-duplicate detection.

Words are ``\\w+`` runs (as ``re`` defines them) compared case-insensitively; each feature
(three consecutive words) gets a 64-bit hash, and bit ``i`` of the fingerprint is set when
more than half of the features have bit ``i`` set. Everything is vectorised with numpy over the
text's code points, with no Python step per word: a word's hash is a polynomial hash of its
lower-case code points read off prefix sums, a shingle's hash a mix of its words' hashes. The
text is read in chunks with running per-bit counts, so memory stays bounded whatever the size.
Every step is fixed 64-bit arithmetic on explicit byte orders: the same text gives the same
fingerprint in every process and on every platform. The words are counted on the way, so the
caller need not split the text again.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_NOT_WORD = re.compile(r"\W")
# Three-word shingles: robust to small edits, sensitive to reordered paragraphs.
SHINGLE_SIZE = 3
BITS = 64
# Characters read at a time (cut before a non-word character, so no word is split). A chunk
# costs ~50 bytes a character in numpy arrays: ~6 MB here. Keeping every shingle of a 9.7 MB
# text in memory at once cost 230 MB of extra peak.
CHUNK_CHARS = 1 << 17
# The polynomial hash's base: odd (so invertible modulo 2**64), the 64-bit FNV prime.
_BASE = 0x100000001B3
# Odd multipliers (from SplitMix64 and the golden ratio) that place each word of a shingle
# differently, then SplitMix64's finaliser, so every bit of a shingle's hash depends on all
# bits of its three words' hashes.
_POSITION_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
_MIX_1, _MIX_2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_BMP = 0x10000


@dataclass(frozen=True)
class TextFingerprint:
    """A text's SimHash and its number of words (``core.extract.textstats.word_count``)."""

    simhash: str
    words: int


class _Tables:
    """Which code points of the Basic Multilingual Plane are word characters, and the powers
    of the hash base and of its inverse, built once (about a millisecond)."""

    def __init__(self) -> None:
        import numpy as np

        code_points = np.arange(_BMP, dtype=np.uint32)
        code_points[0xD800:0xE000] = 0  # surrogates, not characters
        self.is_word: NDArray[np.bool_] = np.char.isalnum(code_points.view("U1"))
        self.is_word[ord("_")] = True  # ``\w`` is alphanumeric or the underscore
        self.powers, self.inverse_powers = _powers(2 * CHUNK_CHARS + 2)
        # each byte value's eight bits, most significant first; where each byte column's
        # histogram starts in a shared one
        self.byte_bits: NDArray[np.int64] = np.unpackbits(
            np.arange(256, dtype=np.uint8)[:, None], axis=1
        ).astype(np.int64)
        self.byte_offsets: NDArray[np.intp] = np.arange(BITS // 8, dtype=np.intp) * 256


def _powers(count: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """``base**i`` and ``base**-i`` modulo 2**64 for ``i`` below ``count``."""
    import numpy as np

    inverse = _BASE
    for _ in range(6):  # Newton's iteration doubles the correct low bits: 3 -> 192
        inverse = inverse * (2 - _BASE * inverse) % (1 << 64)
    result = []
    for factor in (_BASE, inverse):
        powers = np.full(count, factor, dtype=np.uint64)
        powers[0] = 1
        result.append(np.cumprod(powers, out=powers))
    return result[0], result[1]


_TABLES_LOCK = threading.Lock()
_tables: _Tables | None = None


def _get_tables() -> _Tables:
    global _tables
    if _tables is None:
        with _TABLES_LOCK:
            if _tables is None:
                _tables = _Tables()
    return _tables


def _chunks(text: str) -> Iterator[str]:
    """``text`` in pieces of about ``CHUNK_CHARS`` characters, each cut before a non-word
    character (a whitespace in practice), so that no word is split."""
    start = 0
    while len(text) - start > CHUNK_CHARS:
        cut = _NOT_WORD.search(text, start + CHUNK_CHARS)
        if cut is None:
            break
        yield text[start : cut.start()]
        start = cut.start()
    yield text[start:]


def _code_points(text: str) -> NDArray[np.uint32]:
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _word_hashes(chunk: str, tables: _Tables) -> NDArray[np.uint64]:
    """One 64-bit hash per word of ``chunk``, in order, from its lower-case code points."""
    import numpy as np

    code_points = _code_points(chunk)
    is_word = tables.is_word.take(code_points, mode="clip")  # astral ones: the last entry
    astral = code_points >= _BMP
    if astral.any():  # e.g. CJK extensions (words) and emoji (not words)
        is_word[astral] = np.char.isalnum(code_points[astral].view("U1"))
    lower = chunk.lower()
    if len(lower) == len(chunk):
        folded = _code_points(lower)
    else:  # a few letters lower-case to two characters (İ): fold each code point alone
        folded = _code_points("".join(c.lower()[0] for c in chunk))
    bounded = np.zeros(len(is_word) + 2, dtype=bool)  # a non-word before and after
    bounded[1:-1] = is_word
    edges = np.flatnonzero(bounded[1:] != bounded[:-1])
    starts, ends = edges[0::2], edges[1::2]
    count = len(code_points)
    powers, inverse_powers = tables.powers, tables.inverse_powers
    if count + 1 > len(powers):  # a chunk with no non-word character for a long stretch
        powers, inverse_powers = _powers(count + 1)
    prefix = np.zeros(count + 1, dtype=np.uint64)
    np.cumsum(folded.astype(np.uint64) * powers[:count], out=prefix[1:])
    # sum of c_i * base**(i - start) over the word: position-independent
    return _mix((prefix[ends] - prefix[starts]) * inverse_powers[starts])


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
    """How many of ``features`` have each bit set, most significant bit first.

    A histogram of each byte column (one ``bincount`` over the eight, offset) times each byte
    value's bits: 40 µs for an average WCXB article, where summing the unpacked bits took 70.
    """
    import numpy as np

    tables = _get_tables()
    as_bytes = features.astype(">u8").view(np.uint8).reshape(-1, BITS // 8)
    histogram = np.bincount((as_bytes + tables.byte_offsets).ravel(), minlength=(BITS // 8) * 256)
    counts: Any = (histogram.reshape(BITS // 8, 256) @ tables.byte_bits).ravel()
    return counts  # type: ignore[no-any-return]


def fingerprint(text: str) -> TextFingerprint:
    """The SimHash of ``text``'s word 3-shingles (single words below three) and its word count."""
    import numpy as np  # deferred: numpy is most of the indexer's import time

    tables = _get_tables()
    counts = np.zeros(BITS, dtype=np.int64)
    features = words = 0
    carried = np.zeros(0, dtype=np.uint64)  # the last words of the previous chunk
    for chunk in _chunks(text):
        found = _word_hashes(chunk, tables)
        if not len(found):
            continue
        words += len(found)
        hashes = np.concatenate((carried, found))
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
