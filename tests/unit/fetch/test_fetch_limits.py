"""Politeness limiter, robots cache and policy construction."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from core.fetch import FetchPolicy
from core.fetch.politeness import HostLimiter
from core.fetch.robots import RobotsCache, RobotsRules
from core.settings import Settings


def test_limiter_caps_concurrency_per_host() -> None:
    limiter = HostLimiter(concurrency=3, min_delay_s=0)
    lock = threading.Lock()
    peak = {"a.example": 0, "b.example": 0}
    current = dict.fromkeys(peak, 0)
    gate = threading.Event()

    def work(host: str) -> None:
        with limiter.slot(host):
            with lock:
                current[host] += 1
                peak[host] = max(peak[host], current[host])
            gate.wait(0.05)
            with lock:
                current[host] -= 1

    threads = [threading.Thread(target=work, args=(h,)) for h in peak for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= peak["a.example"] <= 3
    assert 1 <= peak["b.example"] <= 3
    assert limiter.in_flight("a.example") == 0


def test_limiter_spaces_request_starts() -> None:
    limiter = HostLimiter(concurrency=4, min_delay_s=0.05)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        with limiter.slot("a.example"), lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.049 for gap in gaps), gaps


def test_robots_rules() -> None:
    rules = RobotsRules.from_text(
        "User-agent: *\nDisallow: /private\n\nUser-agent: badbot\nDisallow: /\n"
    )
    assert rules.can_fetch("article-ingest/0.1", "https://x.example/public")
    assert not rules.can_fetch("article-ingest/0.1", "https://x.example/private/page")
    assert not rules.can_fetch("BadBot/2.0", "https://x.example/public")
    assert RobotsRules(allow_all=True).can_fetch("a", "https://x.example/private")
    assert not RobotsRules(allow_all=False).can_fetch("a", "https://x.example/")


def test_robots_cache_loads_once_per_origin_even_concurrently() -> None:
    cache = RobotsCache(ttl_s=60)
    calls: list[str] = []
    lock = threading.Lock()

    def load() -> RobotsRules:
        with lock:
            calls.append("load")
        time.sleep(0.02)
        return RobotsRules(allow_all=True)

    threads = [
        threading.Thread(target=cache.rules, args=("https://a.example", load)) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["load"]
    cache.rules("https://b.example", load)
    assert len(calls) == 2


def test_robots_cache_expires() -> None:
    cache = RobotsCache(ttl_s=0.01)
    loads = []
    cache.rules("https://a.example", lambda: loads.append(1) or RobotsRules(allow_all=True))
    time.sleep(0.02)
    cache.rules("https://a.example", lambda: loads.append(1) or RobotsRules(allow_all=True))
    assert len(loads) == 2


def test_policy_from_settings() -> None:
    settings = Settings(
        allowed_ports=[80, 443, 8080],
        user_agent="ua/1",
        fetch_deadline_s=7,
        max_body_bytes=1234,
        respect_robots=False,
        per_host_concurrency=8,
        per_host_delay_s=0,
    )
    policy = FetchPolicy.from_settings(settings)
    assert policy.allowed_ports == frozenset({80, 443, 8080})
    assert (policy.user_agent, policy.deadline_s, policy.max_body_bytes) == ("ua/1", 7, 1234)
    assert (policy.respect_robots, policy.per_host_concurrency, policy.per_host_delay_s) == (
        False,
        8,
        0,
    )
    assert policy.max_redirects == 5
    assert policy.allow_private_networks is False


@pytest.mark.parametrize(
    "overrides",
    [{"allowed_ports": {0}}, {"deadline_s": 0}, {"max_body_bytes": 0}, {"per_host_delay_s": -1}],
)
def test_policy_rejects_nonsense(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|range"):
        FetchPolicy(**overrides)  # type: ignore[arg-type]
