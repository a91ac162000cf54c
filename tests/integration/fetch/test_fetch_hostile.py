"""Hostile inputs: each must end with the exact outcome and never reach the canary server."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from fetch_testnet import CountingServer, StubResolver

from core.fetch import FetchOutcome, SafeFetcher

Out = FetchOutcome

# (id, URL template, expected outcome). {c} = canary port, {s} = site port, {t} = TLS site port.
# "site:" is short for http://public.test:{s}; "redirect:X" asks the site to redirect to X.
HOSTILE: list[tuple[str, str, FetchOutcome]] = [
    # Schemes and syntax.
    ("file-environ", "file:///proc/self/environ", Out.INVALID_URL),
    ("file-host", "file://127.0.0.1/etc/passwd", Out.INVALID_URL),
    ("gopher", "gopher://127.0.0.1:{c}/_GET%20/", Out.INVALID_URL),
    ("ftp", "ftp://public.test/", Out.INVALID_URL),
    ("dict", "dict://127.0.0.1:{c}/info", Out.INVALID_URL),
    ("javascript", "javascript:alert(1)", Out.INVALID_URL),
    ("data", "data:text/html,<b>x</b>", Out.INVALID_URL),
    ("no-scheme", "127.0.0.1:{c}/", Out.INVALID_URL),
    ("userinfo", "http://user:pass@public.test:{s}/article", Out.INVALID_URL),
    ("userinfo-at-private", "http://public.test@127.0.0.1:{c}/", Out.INVALID_URL),
    ("backslash-at", "http://127.0.0.1:{c}\\@public.test/", Out.INVALID_URL),
    ("port-not-allowed", "http://public.test:22/", Out.PORT_NOT_ALLOWED),
    (
        "lambda-runtime-api",
        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        Out.PORT_NOT_ALLOWED,
    ),
    ("too-long", "http://public.test:{s}/" + "a" * 2100, Out.INVALID_URL),
    ("empty-host", "http:///{c}", Out.INVALID_URL),
    ("unterminated-v6", "http://[::1:{c}/", Out.INVALID_URL),
    ("space-in-host", "http://pub lic.test:{s}/", Out.INVALID_URL),
    ("nul-in-host", "http://public.test%00.example:{s}/", Out.INVALID_URL),
    ("five-part-number", "http://1.2.3.4.5:{c}/", Out.INVALID_URL),
    ("zone-id", "http://[fe80::1%25eth0]:{c}/", Out.INVALID_URL),
    # Numeric host forms are the address they really are.
    ("loopback", "http://127.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("short-127.1", "http://127.1:{c}/", Out.BLOCKED_ADDRESS),
    ("zero", "http://0:{c}/", Out.BLOCKED_ADDRESS),
    ("hex-int", "http://0x7f000001:{c}/", Out.BLOCKED_ADDRESS),
    ("decimal-int", "http://2130706433:{c}/", Out.BLOCKED_ADDRESS),
    ("octal-int", "http://017700000001:{c}/", Out.BLOCKED_ADDRESS),
    ("octal-dotted", "http://0177.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("hex-dotted", "http://0x7f.0x0.0x0.0x1:{c}/", Out.BLOCKED_ADDRESS),
    (
        "fullwidth",
        "http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11:{c}/",
        Out.BLOCKED_ADDRESS,
    ),
    ("percent-encoded", "http://%31%32%37.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("trailing-dot", "http://127.0.0.1.:{c}/", Out.BLOCKED_ADDRESS),
    ("fragment-at", "http://127.0.0.1:{c}#@public.test/", Out.BLOCKED_ADDRESS),
    ("unspecified", "http://0.0.0.0:{c}/", Out.BLOCKED_ADDRESS),
    ("aws-metadata", "http://169.254.169.254:{c}/latest/meta-data/iam/", Out.BLOCKED_ADDRESS),
    ("ecs-metadata", "http://169.254.170.2:{c}/v2/credentials", Out.BLOCKED_ADDRESS),
    ("alibaba-metadata-cgnat", "http://100.100.100.200:{c}/", Out.BLOCKED_ADDRESS),
    ("oracle-metadata", "http://192.0.0.192:{c}/", Out.BLOCKED_ADDRESS),
    ("rfc1918-10", "http://10.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("rfc1918-172", "http://172.16.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("rfc1918-192", "http://192.168.1.1:{c}/", Out.BLOCKED_ADDRESS),
    ("multicast", "http://224.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("broadcast", "http://255.255.255.255:{c}/", Out.BLOCKED_ADDRESS),
    ("benchmarking", "http://198.18.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("documentation", "http://192.0.2.1:{c}/", Out.BLOCKED_ADDRESS),
    ("reserved-240", "http://240.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    # IPv6 and every form that embeds IPv4.
    ("v6-loopback", "http://[::1]:{c}/", Out.BLOCKED_ADDRESS),
    ("v6-unspecified", "http://[::]:{c}/", Out.BLOCKED_ADDRESS),
    ("v4-mapped", "http://[::ffff:127.0.0.1]:{c}/", Out.BLOCKED_ADDRESS),
    ("v4-mapped-hex", "http://[::ffff:7f00:1]:{c}/", Out.BLOCKED_ADDRESS),
    ("v4-mapped-metadata", "http://[::ffff:169.254.169.254]:{c}/", Out.BLOCKED_ADDRESS),
    ("v4-compatible", "http://[::127.0.0.1]:{c}/", Out.BLOCKED_ADDRESS),
    ("nat64-loopback", "http://[64:ff9b::7f00:1]:{c}/", Out.BLOCKED_ADDRESS),
    ("nat64-metadata", "http://[64:ff9b::a9fe:a9fe]:{c}/", Out.BLOCKED_ADDRESS),
    ("6to4-loopback", "http://[2002:7f00:1::1]:{c}/", Out.BLOCKED_ADDRESS),
    ("teredo", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{c}/", Out.BLOCKED_ADDRESS),
    ("v6-aws-metadata", "http://[fd00:ec2::254]:{c}/latest/meta-data/", Out.BLOCKED_ADDRESS),
    ("v6-link-local", "http://[fe80::1]:{c}/", Out.BLOCKED_ADDRESS),
    ("v6-multicast", "http://[ff02::1]:{c}/", Out.BLOCKED_ADDRESS),
    ("v6-documentation", "http://[2001:db8::1]:{c}/", Out.BLOCKED_ADDRESS),
    # Names that resolve (stub) to addresses that are not public.
    ("localhost", "http://localhost:{c}/", Out.BLOCKED_ADDRESS),
    ("localhost-subdomain", "http://api.localhost:{c}/", Out.BLOCKED_ADDRESS),
    ("enclosed-localhost", "http://\u24dbocalhost:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-loopback", "http://internal.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-loopback-caps-dot", "http://INTERNAL.Test.:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-metadata", "http://metadata.test:{c}/latest/meta-data/", Out.BLOCKED_ADDRESS),
    ("name-to-ecs", "http://ecs.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-any-private", "http://mixed.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-v6-metadata", "http://v6meta.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-v4-mapped", "http://mapped.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-nat64", "http://nat64.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-cgnat", "http://cgnat.test:{c}/", Out.BLOCKED_ADDRESS),
    ("name-to-rfc1918", "http://private.test:{c}/", Out.BLOCKED_ADDRESS),
    ("nxdomain", "http://nowhere.test:{c}/", Out.DNS_ERROR),
    # Redirects: every hop is re-checked.
    ("redirect-loopback", "redirect:http://127.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("redirect-short-form", "redirect:http://127.1:{c}/", Out.BLOCKED_ADDRESS),
    ("redirect-name-private", "redirect:http://internal.test:{c}/", Out.BLOCKED_ADDRESS),
    (
        "redirect-metadata",
        "redirect:http://169.254.169.254:{c}/latest/meta-data/",
        Out.BLOCKED_ADDRESS,
    ),
    ("redirect-v4-mapped", "redirect:http://[::ffff:127.0.0.1]:{c}/", Out.BLOCKED_ADDRESS),
    ("redirect-scheme-relative", "redirect://127.0.0.1:{c}/", Out.BLOCKED_ADDRESS),
    ("redirect-file", "redirect:file:///etc/passwd", Out.INVALID_URL),
    ("redirect-gopher", "redirect:gopher://127.0.0.1:{c}/_x", Out.INVALID_URL),
    ("redirect-userinfo", "redirect:http://a:b@public.test:{s}/article", Out.INVALID_URL),
    ("redirect-other-port", "redirect:http://public.test:25/", Out.PORT_NOT_ALLOWED),
    ("redirect-loop", "site:/loop-a", Out.TOO_MANY_REDIRECTS),
    ("redirect-six-hops", "site:/chain?n=6", Out.TOO_MANY_REDIRECTS),
    (
        "https-downgrade",
        "https://secure.test:{t}/redirect?to=http://public.test:{s}/article",
        Out.INVALID_URL,
    ),
    # TLS: verification is never off.
    ("tls-wrong-name", "https://wrongname.test:{t}/article", Out.CONNECT_ERROR),
    # Sizes, encodings, speed.
    ("declared-too-large", "site:/big", Out.TOO_LARGE),
    ("streamed-too-large", "site:/big-stream", Out.TOO_LARGE),
    ("gzip-bomb", "site:/bomb", Out.TOO_LARGE),
    ("three-encodings", "site:/layers3", Out.TOO_LARGE),
    ("unsupported-encoding", "site:/brotli", Out.NOT_HTML),
    ("corrupt-gzip", "site:/corrupt-gzip", Out.HTTP_ERROR),
    ("slow-drip-body", "site:/drip", Out.TIMEOUT),
    ("slow-drip-headers", "site:/drip-headers", Out.TIMEOUT),
    # Content and status.
    ("pdf", "site:/pdf", Out.NOT_HTML),
    ("png", "site:/png", Out.NOT_HTML),
    ("binary-without-type", "site:/notype", Out.NOT_HTML),
    ("empty-200", "site:/empty", Out.EMPTY_EXTRACTION),
    ("wrong-charset", "site:/latin1", Out.OK),
    ("utf7-charset", "site:/utf7", Out.OK),
    ("forbidden", "site:/status?code=403", Out.BLOCKED_BY_SITE),
    ("unauthorized", "site:/status?code=401", Out.BLOCKED_BY_SITE),
    ("rate-limited", "site:/status?code=429&retry_after=120", Out.BLOCKED_BY_SITE),
    ("challenge-503", "site:/challenge", Out.BLOCKED_BY_SITE),
    ("unavailable-503", "site:/status?code=503&retry_after=30", Out.HTTP_ERROR),
    ("not-found", "site:/status?code=404", Out.HTTP_ERROR),
    ("robots-disallow", "http://robots.test:{s}/private/page", Out.ROBOTS_DISALLOWED),
    ("robots-5xx", "http://robots5xx.test:{s}/article", Out.ROBOTS_DISALLOWED),
    ("connection-refused", "http://closed.test:{s}/article", Out.CONNECT_ERROR),
]


def expand(template: str, canary: int, site: int, tls: int) -> str:
    template = template.replace("{c}", str(canary)).replace("{s}", str(site))
    template = template.replace("{t}", str(tls))
    if template.startswith("site:"):
        return f"http://public.test:{site}{template[5:]}"
    if template.startswith("redirect:"):
        return f"http://public.test:{site}/redirect?to={quote(template[9:], safe='')}"
    return template


def test_there_are_at_least_fifty_hostile_cases() -> None:
    assert len(HOSTILE) >= 50
    assert len({case_id for case_id, _, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(
    ("template", "expected"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_input(
    template: str,
    expected: FetchOutcome,
    make_fetcher: Callable[..., SafeFetcher],
    canary: CountingServer,
    site: CountingServer,
    tls_site: CountingServer,
) -> None:
    url = expand(template, canary.port, site.port, tls_site.port)
    fetcher = make_fetcher(deadline_s=1.0)
    before = canary.connections
    result = fetcher.fetch(url)
    assert result.outcome is expected, result.message
    assert canary.connections == before, "a connection reached the canary (private address)"
    assert result.url == url
    if expected is not FetchOutcome.OK:
        assert result.message
        assert result.body == b""


POSITIVE = [
    ("plain", "http://public.test:{s}/article"),
    ("caps-and-trailing-dot", "HTTP://PUBLIC.Test.:{s}/article"),
    ("idna", "http://b\u00fccher.test:{s}/article"),
    ("ipv6-resolution", "http://v6.public.test:{s}/article"),
    ("public-ip-literal-routed", "http://93.184.216.34:{s}/article"),
    ("five-redirects", "http://public.test:{s}/chain?n=5"),
    (
        "cross-host-redirect",
        "http://public.test:{s}/redirect?to=http://www.public.test:{s}/article",
    ),
    ("gzip", "http://public.test:{s}/gzip"),
    ("raw-deflate", "http://public.test:{s}/deflate-raw"),
    ("two-gzip-layers", "http://public.test:{s}/layers2"),
    ("html-without-type", "http://public.test:{s}/notype-html"),
    ("robots-allows-other-paths", "http://robots.test:{s}/article"),
    ("https-verified-on-pinned-ip", "https://secure.test:{t}/article"),
    (
        "https-upgrade-redirect",
        "http://public.test:{s}/redirect?to=https://secure.test:{t}/article",
    ),
]


@pytest.mark.parametrize("template", [p[1] for p in POSITIVE], ids=[p[0] for p in POSITIVE])
def test_well_formed_public_urls_are_allowed(
    template: str,
    make_fetcher: Callable[..., SafeFetcher],
    canary: CountingServer,
    site: CountingServer,
    tls_site: CountingServer,
) -> None:
    url = expand(template, canary.port, site.port, tls_site.port)
    before = canary.connections
    result = make_fetcher().fetch(url)
    assert result.outcome is FetchOutcome.OK, result.message
    assert b"Plain words of a real article." in result.body
    assert result.content_type == "text/html"
    assert result.fetched_at is not None
    assert canary.connections == before


def test_rebinding_resolver_is_asked_once(
    make_fetcher: Callable[..., SafeFetcher],
    resolver: StubResolver,
    canary: CountingServer,
    site: CountingServer,
) -> None:
    """First answer public, second answer loopback: the fetcher must never ask twice."""
    before = canary.connections
    result = make_fetcher().fetch(f"http://rebind.test:{site.port}/article")
    assert result.outcome is FetchOutcome.OK, result.message
    assert resolver.calls.count("rebind.test") == 1  # robots.txt and page share one lookup
    assert canary.connections == before
