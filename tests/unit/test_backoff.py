"""The one backoff formula every retry loop uses."""

from __future__ import annotations

import random

import pytest

from core.backoff import backoff_delay


def test_without_jitter_the_delay_doubles_up_to_the_cap() -> None:
    delays = [backoff_delay(n, base_s=1, cap_s=30, jitter=0) for n in range(7)]
    assert delays == [1, 2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize("attempt", range(8))
def test_full_jitter_draws_between_zero_and_the_capped_ceiling(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(2.0, 0.1 * 2**attempt)
    draws = [backoff_delay(attempt, base_s=0.1, cap_s=2.0, rng=rng) for _ in range(200)]
    assert all(0 <= d <= ceiling for d in draws)
    assert min(draws) < ceiling / 4  # the whole range is used, not only its top


def test_half_jitter_never_waits_less_than_half_the_ceiling() -> None:
    rng = random.Random(7)
    draws = [backoff_delay(3, base_s=30, cap_s=900, jitter=0.5, rng=rng) for _ in range(200)]
    assert all(120 <= d <= 240 for d in draws)


def test_the_same_rng_seed_gives_the_same_delays() -> None:
    def run() -> list[float]:
        rng = random.Random(42)
        return [backoff_delay(n, base_s=0.05, cap_s=1.0, rng=rng) for n in range(5)]

    assert run() == run()


@pytest.mark.parametrize(("attempt", "jitter"), [(-1, 1.0), (0, 1.5), (0, -0.1)])
def test_nonsense_arguments_are_refused(attempt: int, jitter: float) -> None:
    with pytest.raises(ValueError, match="must"):
        backoff_delay(attempt, base_s=1, cap_s=2, jitter=jitter)
