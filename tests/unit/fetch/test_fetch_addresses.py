"""Address classification uses explicit networks, not ``ipaddress.is_global``."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from core.fetch.addresses import blocked_reason, embedded_ipv4, non_public_reason

NOT_PUBLIC = [
    "0.0.0.0",
    "0.1.2.3",
    "10.1.2.3",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "169.254.170.2",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.192",
    "192.0.2.5",
    "192.88.99.1",
    "192.168.0.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.251",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:0:a00:1",
    "::127.0.0.1",
    "::8.8.8.8",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1",
    "100::1",
    "2001::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:2::1",
    "2001:db8::1",
    "2002:7f00:1::1",
    "2002:a9fe:a9fe::1",
    "3fff::1",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "ff0e::1",  # global-scope multicast: ipaddress calls it global
    "4000::1",
]

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.0",
    "172.32.0.1",
    "2606:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_not_public(address: str) -> None:
    assert non_public_reason(ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public(address: str) -> None:
    assert non_public_reason(ip_address(address)) is None


def test_stdlib_is_global_would_have_been_wrong() -> None:
    """The reason this module exists: these are "global" to ipaddress but must be refused."""
    wrong = [a for a in ("ff0e::1", "64:ff9b::7f00:1") if ip_address(a).is_global]
    assert wrong
    assert all(non_public_reason(ip_address(a)) for a in wrong)


@pytest.mark.parametrize(
    ("address", "form", "inner"),
    [
        ("::ffff:127.0.0.1", "IPv4-mapped", "127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "NAT64", "169.254.169.254"),
        ("2002:c0a8:101::1", "6to4", "192.168.1.1"),
        ("::10.0.0.1", "IPv4-compatible", "10.0.0.1"),
    ],
)
def test_embedded_ipv4(address: str, form: str, inner: str) -> None:
    embedded = embedded_ipv4(ip_address(address))  # type: ignore[arg-type]
    assert embedded is not None
    assert embedded == (form, ip_address(inner))


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "127.8.9.10", "10.0.0.1", "172.20.1.1", "192.168.5.5", "::1"]
)
def test_development_allowance_admits_loopback_and_rfc1918(address: str) -> None:
    ip = ip_address(address)
    assert blocked_reason(ip, allow_private_networks=False)
    assert blocked_reason(ip, allow_private_networks=True) is None


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "fe80::1",
        "100.100.100.200",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "224.0.0.1",
    ],
)
def test_development_allowance_never_admits_metadata_or_link_local(address: str) -> None:
    assert blocked_reason(ip_address(address), allow_private_networks=True)
