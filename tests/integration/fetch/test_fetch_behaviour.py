"""Fetcher behaviour against local servers: TLS, proxies, cookies, retry advice, charset,
politeness and the development allowance."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from fetch_testnet import LATIN1_PAGE, CanaryHandler, CountingServer, StubResolver

from core.fetch import (
    FetchOutcome,
    FetchPolicy,
    SafeFetcher,
    looks_like_challenge,
)


def test_unknown_certificate_authority_is_refused(
    resolver: StubResolver, tls_site: CountingServer, canary: CountingServer
) -> None:
    """Without the test CA among the trusted roots the TLS site cannot be fetched."""
    policy = FetchPolicy(allowed_ports={tls_site.port}, per_host_delay_s=0, deadline_s=3)
    result = SafeFetcher(policy, resolver=resolver).fetch(f"https://secure.test:{tls_site.port}/")
    assert result.outcome is FetchOutcome.CONNECT_ERROR
    assert not result.retryable
    assert "certificate" in result.message.lower()


def test_proxy_variables_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
    make_fetcher: Callable[..., SafeFetcher],
    canary: CountingServer,
    site: CountingServer,
) -> None:
    proxy = f"http://127.0.0.1:{canary.port}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.setenv("NO_PROXY", "")
    before = canary.connections
    result = make_fetcher().fetch(f"http://public.test:{site.port}/article")
    assert result.outcome is FetchOutcome.OK
    assert canary.connections == before


def test_request_headers_identify_us_and_carry_no_credentials(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    fetcher = make_fetcher(user_agent="test-agent/9 (+https://example.org/bot)")
    result = fetcher.fetch(
        f"http://public.test:{site.port}/redirect?cookie=1&to=http://www.public.test:{site.port}/echo"
    )
    assert result.outcome is FetchOutcome.OK
    assert result.redirects == (f"http://www.public.test:{site.port}/echo",)
    echoed = result.body.decode().lower()
    assert "user-agent: test-agent/9 (+https://example.org/bot)" in echoed
    assert f"host: www.public.test:{site.port}" in echoed
    assert "cookie" not in echoed
    assert "authorization" not in echoed


@pytest.mark.parametrize(
    ("path", "outcome", "retryable", "status", "retry_after"),
    [
        ("/status?code=429&retry_after=120", FetchOutcome.BLOCKED_BY_SITE, True, 429, 120.0),
        ("/status?code=503&retry_after=30", FetchOutcome.HTTP_ERROR, True, 503, 30.0),
        ("/challenge", FetchOutcome.BLOCKED_BY_SITE, False, 503, None),
        ("/status?code=403", FetchOutcome.BLOCKED_BY_SITE, False, 403, None),
        ("/status?code=404", FetchOutcome.HTTP_ERROR, False, 404, None),
        ("/status?code=500", FetchOutcome.HTTP_ERROR, True, 500, None),
        ("/drip", FetchOutcome.TIMEOUT, True, 200, None),
        ("/bomb", FetchOutcome.TOO_LARGE, False, 200, None),
    ],
)
def test_retry_advice(
    path: str,
    outcome: FetchOutcome,
    retryable: bool,
    status: int,
    retry_after: float | None,
    make_fetcher: Callable[..., SafeFetcher],
    site: CountingServer,
) -> None:
    result = make_fetcher(deadline_s=1.0).fetch(f"http://public.test:{site.port}{path}")
    assert result.outcome is outcome
    assert result.retryable is retryable
    assert result.http_status == status
    assert result.retry_after_s == retry_after
    error = result.to_error()
    assert (error.code, error.retryable, error.http_status) == (outcome.value, retryable, status)


def test_robots_unavailable_is_retryable(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch(f"http://robots5xx.test:{site.port}/article")
    assert result.outcome is FetchOutcome.ROBOTS_DISALLOWED
    assert result.retryable


def test_robots_can_be_switched_off(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher(respect_robots=False).fetch(f"http://robots.test:{site.port}/private")
    assert result.outcome is FetchOutcome.OK


def test_robots_txt_is_fetched_once_per_host(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    def robots_requests() -> int:
        with site.lock:
            return sum(
                1
                for path, headers in site.requests
                if path == "/robots.txt" and headers["Host"] == f"robots.test:{site.port}"
            )

    before = robots_requests()
    fetcher = make_fetcher()
    for _ in range(3):
        assert fetcher.fetch(f"http://robots.test:{site.port}/article").ok
    assert robots_requests() - before == 1


def _page_arrivals(site: CountingServer, host: str, since: float) -> list[float]:
    """When the site received each non-robots request for ``host`` after ``since``."""
    with site.lock:
        return sorted(
            at
            for name, path, at in site.arrivals
            if name == f"{host}:{site.port}" and path != "/robots.txt" and at >= since
        )


def test_robots_wildcards_and_longest_match(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    """robots.txt: ``Disallow: /*.pdf$``, ``Disallow: /art``, ``Allow: /article``."""
    fetcher = make_fetcher()
    since = time.monotonic()
    assert fetcher.fetch(f"http://rfc9309.test:{site.port}/article").ok  # longest match
    refused = fetcher.fetch(f"http://rfc9309.test:{site.port}/reports/2024.pdf")
    assert refused.outcome is FetchOutcome.ROBOTS_DISALLOWED
    assert not refused.retryable
    assert "/reports/2024.pdf" in refused.message
    assert fetcher.fetch(f"http://rfc9309.test:{site.port}/artwork").outcome is (
        FetchOutcome.ROBOTS_DISALLOWED
    )
    assert len(_page_arrivals(site, "rfc9309.test", since)) == 1  # only /article was asked


def test_crawl_delay_spaces_requests_to_the_host(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    """``Crawl-delay: 0.5`` with our delay at 0: the third page starts >= 1 s after the first
    fetch began (a lower bound only, true on any machine)."""
    fetcher = make_fetcher(max_crawl_delay_s=5.0)
    since = time.monotonic()
    for _ in range(3):
        assert fetcher.fetch(f"http://slowrobots.test:{site.port}/article").ok
    arrivals = _page_arrivals(site, "slowrobots.test", since)
    assert len(arrivals) == 3
    assert arrivals[-1] - since >= 1.0


def test_a_hostile_crawl_delay_is_capped(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    """``Crawl-delay: 86400`` under a 0.2 s cap: the second page is fetched, not left waiting a
    day (uncapped, its 20 s deadline would end it as ``timeout``), and still after the cap."""
    fetcher = make_fetcher(max_crawl_delay_s=0.2)
    since = time.monotonic()
    for _ in range(2):
        result = fetcher.fetch(
            f"http://hostilerobots.test:{site.port}/article", deadline=time.monotonic() + 20
        )
        assert result.outcome is FetchOutcome.OK, result.message
    arrivals = _page_arrivals(site, "hostilerobots.test", since)
    assert len(arrivals) == 2
    assert arrivals[-1] - since >= 0.2


_WRAPPER_TEXT = ("HTTPConnection", "Failed to establish", "Errno", "object at 0x", "urllib3")


def test_connect_error_names_the_host_once_without_library_internals(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch(f"http://closed.test:{site.port}/article")
    assert result.outcome is FetchOutcome.CONNECT_ERROR
    assert result.message.count("closed.test") == 1
    assert result.message.count("104.16.0.2") == 1  # the checked address it dialled
    assert "127.0.0.1" not in result.message  # the stub network's real target stays hidden
    assert result.message.endswith(": Connection refused"), result.message
    assert not any(text in result.message for text in _WRAPPER_TEXT), result.message


def test_connect_error_to_an_address_names_it_once() -> None:
    """Dials 127.0.0.1 itself (no stub network: it would route loopback to the canary)."""
    closed = CountingServer(CanaryHandler)  # bind, then close: nobody listens on the port
    port = closed.port
    closed.server_close()
    policy = FetchPolicy(allow_private_networks=True, allowed_ports={port}, per_host_delay_s=0)
    result = SafeFetcher(policy).fetch(f"http://127.0.0.1:{port}/")
    assert result.outcome is FetchOutcome.CONNECT_ERROR
    assert result.message == f"cannot connect to 127.0.0.1 port {port}: Connection refused"


def test_a_refused_port_has_its_own_code(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch("http://public.test:8000/article")
    assert (result.outcome, result.retryable) == (FetchOutcome.PORT_NOT_ALLOWED, False)
    assert result.to_error().code == "port_not_allowed"
    assert result.message.startswith("port 8000 is not allowed (allowed: 80, 443, ")


def test_wrong_charset_is_reported_and_bytes_are_kept(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    """The header claims UTF-8 for Latin-1 bytes: the fetch succeeds, the bytes are untouched
    and the claimed charset is reported for the decoder to weigh against ``<meta>``."""
    result = make_fetcher().fetch(f"http://public.test:{site.port}/latin1")
    assert result.outcome is FetchOutcome.OK
    assert result.charset == "utf-8"
    assert result.body == LATIN1_PAGE.encode("latin-1")


def test_utf7_page_is_fetched_unchanged(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch(f"http://public.test:{site.port}/utf7")
    assert result.outcome is FetchOutcome.OK
    assert result.charset == "utf-7"
    assert result.body.startswith(b"<html><body><p>+ADw-script")


def test_challenge_page_with_200_is_recognised(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    page = make_fetcher().fetch(f"http://public.test:{site.port}/challenge200")
    article = make_fetcher().fetch(f"http://public.test:{site.port}/article")
    assert page.outcome is FetchOutcome.OK
    assert article.outcome is FetchOutcome.OK
    assert looks_like_challenge(page)
    assert not looks_like_challenge(article)


def test_per_host_concurrency_is_never_exceeded(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    fetcher = make_fetcher(per_host_concurrency=2, respect_robots=False)
    with site.lock:
        site.max_in_flight = 0
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                fetcher.fetch(f"http://public.test:{site.port}/slow?s=0.1")
            )
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.outcome for r in results] == [FetchOutcome.OK] * 8
    assert 1 <= site.max_in_flight <= 2


class TestDevelopmentAllowance:
    """``allow_private_networks`` admits loopback and RFC 1918, never metadata or link-local."""

    def test_loopback_admitted(
        self, make_fetcher: Callable[..., SafeFetcher], site: CountingServer
    ) -> None:
        fetcher = make_fetcher(allow_private_networks=True)
        assert fetcher.fetch(f"http://127.0.0.1:{site.port}/article").ok
        assert fetcher.fetch(f"http://localhost:{site.port}/article").outcome in (
            FetchOutcome.OK,
            FetchOutcome.DNS_ERROR,  # the stub resolver does not know localhost
        )

    @pytest.mark.parametrize(
        "template",
        [
            "http://169.254.169.254:{c}/latest/meta-data/",
            "http://[fd00:ec2::254]:{c}/",
            "http://[fe80::1]:{c}/",
            "http://100.100.100.200:{c}/",
            "http://[::ffff:127.0.0.1]:{c}/",
            "http://metadata.test:{c}/",
            "http://v6meta.test:{c}/",
            "http://cgnat.test:{c}/",
        ],
    )
    def test_metadata_and_link_local_still_refused(
        self,
        template: str,
        make_fetcher: Callable[..., SafeFetcher],
        canary: CountingServer,
    ) -> None:
        before = canary.connections
        result = make_fetcher(allow_private_networks=True).fetch(
            template.replace("{c}", str(canary.port))
        )
        assert result.outcome is FetchOutcome.BLOCKED_ADDRESS
        assert canary.connections == before

    def test_off_by_default(self) -> None:
        from core.settings import Settings

        assert FetchPolicy().allow_private_networks is False
        assert FetchPolicy.from_settings(Settings()).allow_private_networks is False

    def test_env_variable_turns_it_on(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from core.settings import Settings

        monkeypatch.setenv("ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS", "1")
        assert FetchPolicy.from_settings(Settings()).allow_private_networks is True
