"""robots.txt as RFC 9309 reads it (wildcards, longest match, groups), Crawl-delay, its cap."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from core.fetch import FetchPolicy
from core.fetch.politeness import HostLimiter
from core.fetch.robots import RobotsRules, product_token
from core.settings import DEFAULT_USER_AGENT, Settings

UA = DEFAULT_USER_AGENT  # "article-ingest/0.1 (+https://github.com/article-ingest/...)"


def allowed(robots: str, path: str, user_agent: str = UA) -> bool:
    return RobotsRules.from_text(robots).can_fetch(user_agent, f"https://x.example{path}")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/doc.pdf", False),  # `$` anchors the end, `*` spans any characters
        ("/files/annual/report.pdf", False),
        ("/doc.pdf?download=1", True),  # the path no longer ends in .pdf
        ("/doc.pdfx", True),
        ("/doc.html", True),
    ],
)
def test_wildcard_and_end_anchor(path: str, expected: bool) -> None:
    assert allowed("User-agent: *\nDisallow: /*.pdf$\n", path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a/b", True),  # Allow: /a/b is longer than Disallow: /a, though listed after it
        ("/a/b/c", True),
        ("/a/c", False),
        ("/a", False),
        ("/ab", False),
        ("/", True),
    ],
)
def test_longest_match_wins_not_the_first(path: str, expected: bool) -> None:
    assert allowed("User-agent: *\nDisallow: /a\nAllow: /a/b\n", path) is expected


def test_allow_wins_a_tie_of_equal_length() -> None:
    assert allowed("User-agent: *\nDisallow: /page\nAllow: /page\n", "/page")


def test_the_group_is_chosen_by_our_product_token_only() -> None:
    # Our User-Agent mentions github.com in its contact URL; a group for "github" is not ours.
    robots = "User-agent: github\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n"
    assert allowed(robots, "/story")
    assert not allowed(robots, "/private/x")
    ours = "User-agent: Article-Ingest\nDisallow: /mine\n\nUser-agent: *\nDisallow: /\n"
    assert allowed(ours, "/story")  # case-insensitive; our group replaces `*`
    assert not allowed(ours, "/mine/x")


def test_product_token() -> None:
    assert product_token(UA) == "article-ingest"
    assert product_token("BadBot/2.0") == "BadBot"
    assert product_token("  plain ") == "plain"
    assert product_token("") == ""


def test_crawl_delay_of_our_group() -> None:
    rules = RobotsRules.from_text(
        "User-agent: *\nCrawl-delay: 2.5\n\nUser-agent: article-ingest\nCrawl-delay: 4\n"
    )
    assert rules.crawl_delay(UA) == 4.0
    assert rules.crawl_delay("other/1") == 2.5
    assert RobotsRules.from_text("User-agent: *\nDisallow: /x\n").crawl_delay(UA) is None
    assert RobotsRules.from_text("User-agent: *\nCrawl-delay: soon\n").crawl_delay(UA) is None
    assert RobotsRules(allow_all=True).crawl_delay(UA) is None


def test_host_delay_is_the_larger_one_and_the_site_is_capped() -> None:
    policy = FetchPolicy(per_host_delay_s=1.0, max_crawl_delay_s=10.0)
    assert policy.host_delay(None) == 1.0
    assert policy.host_delay(0.2) == 1.0  # never faster than our own delay
    assert policy.host_delay(4.0) == 4.0
    assert policy.host_delay(86_400.0) == 10.0  # a hostile Crawl-delay cannot stall a worker
    assert FetchPolicy(per_host_delay_s=30, max_crawl_delay_s=10).host_delay(86_400.0) == 30


def test_crawl_delay_cap_comes_from_settings() -> None:
    assert FetchPolicy.from_settings(Settings(max_crawl_delay_s=3)).max_crawl_delay_s == 3
    assert FetchPolicy.from_settings(Settings()).max_crawl_delay_s == 10.0
    with pytest.raises(ValueError, match="must not be negative"):
        FetchPolicy(max_crawl_delay_s=-1)


def test_limiter_leaves_a_requested_longer_gap() -> None:
    limiter = HostLimiter(concurrency=4, min_delay_s=0.0)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        with limiter.slot("a.example", delay_s=0.1), lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.099 for gap in gaps), gaps


def test_rules_answer_from_many_threads() -> None:
    rules = RobotsRules.from_text("User-agent: *\nDisallow: /*.pdf$\nAllow: /a/b\nDisallow: /a\n")
    answers: list[tuple[bool, bool]] = []

    def ask() -> None:
        for _ in range(200):
            pair = (
                rules.can_fetch(UA, "https://x.example/a/b"),
                rules.can_fetch(UA, "https://x.example/x.pdf"),
            )
            answers.append(pair)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(answers) == {(True, False)}
