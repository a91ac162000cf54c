"""Backoff delays for retry loops: exponential, capped, optionally jittered (the one formula).

Every retry loop of the service waits ``backoff_delay(attempt, ...)``: the AWS adapters when a
batch API leaves entries unprocessed (full jitter), the intake when a fetch failed retryably (the
upper half jittered, so retries never bunch near zero), the local runtime between redeliveries
(no jitter, like Lambda's event source mappings).
"""

from __future__ import annotations

import random


def backoff_delay(
    attempt: int,
    *,
    base_s: float,
    cap_s: float,
    jitter: float = 1.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (counted from 0).

    The ceiling is ``base_s · 2^attempt``, at most ``cap_s``; ``jitter`` is the fraction of it
    drawn at random: 1 draws from ``[0, ceiling]`` ("full jitter"), 0.5 from its upper half,
    0 returns the ceiling itself.
    """
    if attempt < 0:
        raise ValueError(f"attempt must be 0 or more, not {attempt}")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError(f"jitter must lie in [0, 1], not {jitter}")
    ceiling = min(cap_s, base_s * 2.0**attempt)
    if jitter == 0.0:
        return ceiling
    return (rng or random).uniform(ceiling * (1.0 - jitter), ceiling)
