"""IP address classification with explicit networks.

``ipaddress.is_global`` is not used: it calls multicast, NAT64 and some IPv6 forms global. Here an
address is public only when it is in no listed range and every IPv4 address it embeds (IPv4-mapped,
-compatible, -translated, NAT64, 6to4) is public too.
"""

from __future__ import annotations

import logging
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.fetch.policy import FetchPolicy
    from core.fetch.resolver import Resolver
    from core.fetch.urls import ParsedUrl

logger = logging.getLogger(__name__)

IPAddress = IPv4Address | IPv6Address

_V4_BLOCKED: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified ('this network')"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "shared address space (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata)"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "reserved (6to4 relay anycast)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_V6_BLOCKED: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo tunnel"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("fc00::/7", "unique local (private; includes fd00:ec2::254 metadata)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
)

_V6_GLOBAL_UNICAST = IPv6Network("2000::/3")

# IPv6 forms that embed an IPv4 address in their low 32 bits.
_V6_EMBEDDING: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), name)
    for net, name in (
        ("::ffff:0:0/96", "IPv4-mapped"),
        ("::ffff:0:0:0/96", "IPv4-translated"),
        ("64:ff9b::/96", "NAT64"),
        ("::/96", "IPv4-compatible"),
    )
)

# Under the development allowance only these are admitted (never link-local, metadata or ULA).
_DEV_ALLOWED: tuple[IPv4Network | IPv6Network, ...] = (
    IPv4Network("127.0.0.0/8"),
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv6Network("::1/128"),
)


def embedded_ipv4(ip: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 address carries (form name, address), if any."""
    for net, name in _V6_EMBEDDING:
        if ip in net:
            return name, IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    return None


def non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address, or None when it is public."""
    if isinstance(ip, IPv4Address):
        for net4, reason in _V4_BLOCKED:
            if ip in net4:
                return reason
        return None
    if ip.scope_id:
        return "scoped IPv6 address"
    embedded = embedded_ipv4(ip)
    if embedded is not None:
        form, v4 = embedded
        if form == "IPv4-compatible" and int(v4) in (0, 1):
            pass  # ::/128 and ::1/128 are reported by the table below
        else:
            inner = non_public_reason(v4)
            if inner:
                return f"{form} form of {v4}: {inner}"
            if form == "IPv4-compatible":
                return "IPv4-compatible form (deprecated, not routable)"
            return None
    for net6, reason in _V6_BLOCKED:
        if ip in net6:
            return reason
    if ip not in _V6_GLOBAL_UNICAST:
        return "reserved (outside global unicast 2000::/3)"
    return None


def blocked_reason(ip: IPAddress, *, allow_private_networks: bool) -> str | None:
    """Why connecting to ``ip`` is refused under the policy, or None when it is allowed.

    The development allowance admits loopback and RFC 1918 addresses only; link-local, metadata,
    CGNAT, unique-local and every embedded form stay refused.
    """
    reason = non_public_reason(ip)
    if reason is None:
        return None
    if allow_private_networks and any(ip in net for net in _DEV_ALLOWED):
        # type-mismatched membership is always False, so this is safe for both families.
        return None
    return reason


def vetted_addresses(
    url: ParsedUrl, resolver: Resolver, policy: FetchPolicy, timeout_s: float
) -> list[IPAddress]:
    """Every address of ``url``'s host, each checked; ``blocked_address`` when one is not
    admitted (a name that resolves to a private address is refused before any dial). Callers
    connect only to these addresses (no second lookup: no DNS rebinding)."""
    from core.fetch.outcomes import FetchFailure, FetchOutcome

    if url.ip is not None:
        return [url.ip]  # a literal, already checked by parse_url
    addresses = list(resolver.resolve(url.host, timeout_s))
    if not addresses:
        raise FetchFailure(FetchOutcome.DNS_ERROR, f"{url.host} has no addresses")
    for ip in addresses:
        reason = blocked_reason(ip, allow_private_networks=policy.allow_private_networks)
        if reason:
            raise FetchFailure(
                FetchOutcome.BLOCKED_ADDRESS, f"{url.host} resolves to {ip}, which is {reason}"
            )
    return addresses
