"""FetchPolicy: every limit the fetcher enforces, built from ``core.settings.Settings``."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.settings import DEFAULT_USER_AGENT

if TYPE_CHECKING:
    from core.settings import Settings


def _ports(ports: Iterable[int]) -> frozenset[int]:
    return frozenset(int(p) for p in ports)


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and switches for ``SafeFetcher``; the defaults are the production values.

    ``allow_private_networks`` is for local development and tests only: it admits loopback and
    RFC 1918 addresses, never link-local or metadata addresses. ``allowed_ports`` accepts any
    collection and is stored as a frozenset. Certificate verification has no
    switch; ``extra_ca_certs`` can only add trusted roots (a PEM file), e.g. a test CA.
    ``max_crawl_delay_s`` caps a robots.txt ``Crawl-delay`` so a hostile site cannot stall a
    worker (see ``host_delay``).
    """

    allow_private_networks: bool = False
    allowed_ports: Collection[int] = field(default_factory=lambda: frozenset({80, 443}))
    user_agent: str = DEFAULT_USER_AGENT
    deadline_s: float = 20.0
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    max_body_bytes: int = 10_000_000
    max_redirects: int = 5
    respect_robots: bool = True
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    max_crawl_delay_s: float = 10.0
    max_url_length: int = 2048
    max_content_encodings: int = 2
    max_robots_bytes: int = 512_000
    robots_cache_ttl_s: float = 3600.0
    extra_ca_certs: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_ports", _ports(self.allowed_ports))
        if not all(0 < p < 65536 for p in self.allowed_ports):
            raise ValueError("allowed_ports must be TCP ports (1-65535)")
        if min(self.deadline_s, self.connect_timeout_s, self.read_timeout_s) <= 0:
            raise ValueError("deadline and timeouts must be positive")
        if self.max_body_bytes <= 0 or self.per_host_concurrency < 1 or self.max_redirects < 0:
            raise ValueError("max_body_bytes, per_host_concurrency and max_redirects out of range")
        if self.per_host_delay_s < 0 or self.max_crawl_delay_s < 0:
            raise ValueError("per_host_delay_s and max_crawl_delay_s must not be negative")

    def host_delay(self, crawl_delay_s: float | None) -> float:
        """The gap between two request starts to a host whose robots.txt asks for
        ``crawl_delay_s``: the larger of ours and the site's, the site's capped at
        ``max_crawl_delay_s``."""
        if crawl_delay_s is None:
            return self.per_host_delay_s
        return max(self.per_host_delay_s, min(crawl_delay_s, self.max_crawl_delay_s))

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The policy every entry point uses, from the shared settings."""
        return cls(
            allow_private_networks=settings.allow_private_networks,
            allowed_ports=_ports(settings.allowed_ports),
            user_agent=settings.user_agent,
            deadline_s=settings.fetch_deadline_s,
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            max_body_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
            respect_robots=settings.respect_robots,
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay_s=settings.per_host_delay_s,
            max_crawl_delay_s=settings.max_crawl_delay_s,
        )
