"""URL parsing, normalisation and validation (no network)."""

from __future__ import annotations

import pytest

from core.fetch import FetchOutcome, FetchPolicy, UrlRejected, validate_url
from core.fetch.urls import parse_ipv4, parse_url, resolve_redirect

POLICY = FetchPolicy()


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("http://example.com", "http://example.com/"),
        ("  https://Example.COM./a b?q=é#frag ", "https://example.com/a%20b?q=%C3%A9"),
        ("http://b\u00fccher.example/x", "http://xn--bcher-kva.example/x"),
        ("http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "http://example.com/"),
        ("http://example\u3002com/", "http://example.com/"),
        ("http://%65xample.com/", "http://example.com/"),
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/p", "https://example.com/p"),
        ("http://example.com:/", "http://example.com/"),
        ("http://example.com?x=1", "http://example.com/?x=1"),
        ("http://example.com/%7Euser/%zz", "http://example.com/%7Euser/%25zz"),
        ("http://example.com/a\\b", "http://example.com/a%5Cb"),
        ("http://\uff11.\uff11.\uff11.\uff11/", "http://1.1.1.1/"),
        ("http://[2606:4700:0::1111]/", "http://[2606:4700::1111]/"),
    ],
)
def test_normalisation(url: str, normalised: str) -> None:
    assert validate_url(url, POLICY) == normalised


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("0x.0x.0x.0x", "0.0.0.0"),
        ("3232235777", "192.168.1.1"),
        ("169.254.43518", "169.254.169.254"),
    ],
)
def test_numeric_hosts_are_the_address_they_denote(host: str, address: str) -> None:
    parsed = parse_ipv4(host)
    assert parsed is not None
    assert str(parsed) == address


@pytest.mark.parametrize("host", ["example.com", "1.example", "0x.example", "a1", "example.0a"])
def test_names_are_not_numbers(host: str) -> None:
    assert parse_ipv4(host) is None


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", FetchOutcome.INVALID_URL),
        ("example.com/page", FetchOutcome.INVALID_URL),
        ("HTTPX://example.com/", FetchOutcome.INVALID_URL),
        ("http:example.com", FetchOutcome.INVALID_URL),
        ("http://example.com\t.evil/", FetchOutcome.INVALID_URL),
        ("http://exa\nmple.com/", FetchOutcome.INVALID_URL),
        ("http://u@example.com/", FetchOutcome.INVALID_URL),
        ("http://example.com%40evil.com/", FetchOutcome.INVALID_URL),
        ("http://example.com\uff20evil.com/", FetchOutcome.INVALID_URL),
        ("http://example.com:99999/", FetchOutcome.INVALID_URL),
        ("http://example.com:0/", FetchOutcome.INVALID_URL),
        ("http://example.com:８０/", FetchOutcome.INVALID_URL),
        ("http://example.com:8080/", FetchOutcome.PORT_NOT_ALLOWED),
        ("http://::1/", FetchOutcome.INVALID_URL),
        ("http://[::1]x/", FetchOutcome.INVALID_URL),
        ("http://[not-v6]/", FetchOutcome.INVALID_URL),
        ("http://256.0.0.1/", FetchOutcome.INVALID_URL),
        ("http://1.2.3.4.5/", FetchOutcome.INVALID_URL),
        ("http://0x1g.0.0.1/", FetchOutcome.INVALID_URL),
        ("http://" + "a" * 64 + ".com/", FetchOutcome.INVALID_URL),
        ("http://example.com/" + "x" * 2040, FetchOutcome.INVALID_URL),
        ("http://exa*mple.com/", FetchOutcome.INVALID_URL),
        ("http://127.0.0.1/", FetchOutcome.BLOCKED_ADDRESS),
        ("http://localhost/", FetchOutcome.BLOCKED_ADDRESS),
        ("http://LOCALHOST./", FetchOutcome.BLOCKED_ADDRESS),
        ("http://[::ffff:a9fe:a9fe]/", FetchOutcome.BLOCKED_ADDRESS),
    ],
)
def test_rejections(url: str, code: FetchOutcome) -> None:
    with pytest.raises(UrlRejected) as caught:
        validate_url(url, POLICY)
    assert caught.value.code is code
    assert caught.value.message


def test_url_length_limit_is_2048_characters() -> None:
    base = "http://example.com/"
    assert validate_url(base + "a" * (2048 - len(base)), POLICY)
    with pytest.raises(UrlRejected):
        validate_url(base + "a" * (2049 - len(base)), POLICY)


def test_allowed_ports_are_configurable() -> None:
    policy = FetchPolicy(allowed_ports={8080})
    assert validate_url("http://example.com:8080/", policy) == "http://example.com:8080/"
    with pytest.raises(UrlRejected):
        validate_url("http://example.com/", policy)


def test_host_header_and_origin() -> None:
    parsed = parse_url("http://[2606:4700::1111]:8080/a?b", FetchPolicy(allowed_ports={8080}))
    assert parsed.host_header == "[2606:4700::1111]:8080"
    assert parsed.origin == "http://[2606:4700::1111]:8080"
    assert parsed.target == "/a?b"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/next", "https://example.com/next"),
        ("other", "https://example.com/dir/other"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("https://example.org/caf\u00e9", "https://example.org/caf%C3%A9"),
        ("https://example.org/caf\u00c3\u00a9", "https://example.org/caf%C3%A9"),  # raw UTF-8
    ],
)
def test_redirect_resolution(location: str, expected: str) -> None:
    base = parse_url("https://example.com/dir/page", POLICY)
    assert resolve_redirect(base, location, POLICY).url == expected


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "gopher://x/", "", "http://a:b@example.org/", "/a\r\nb"]
)
def test_bad_redirect_targets(location: str) -> None:
    base = parse_url("https://example.com/", POLICY)
    with pytest.raises(UrlRejected):
        resolve_redirect(base, location, POLICY)
