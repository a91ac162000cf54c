"""Splitting entries into API batches bounded by count and by total size."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from core.errors import InvalidInput

T = TypeVar("T")


def batches(
    entries: Sequence[T], *, max_count: int, max_bytes: int, size: Callable[[T], int]
) -> Iterator[list[T]]:
    """Consecutive batches of at most ``max_count`` entries and ``max_bytes`` in total."""
    batch: list[T] = []
    total = 0
    for entry in entries:
        n = size(entry)
        if n > max_bytes:
            raise InvalidInput(f"one entry is {n} bytes, over the {max_bytes}-byte limit")
        if batch and (len(batch) == max_count or total + n > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(entry)
        total += n
    if batch:
        yield batch
