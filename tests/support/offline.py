"""A resolver for tests that must never touch the network: no name resolves, no address is
dialled (IP literals included), so a fetch ends as ``dns_error`` or ``connect_error``."""

from __future__ import annotations

from core.fetch import FetchPolicy, SafeFetcher
from core.fetch.addresses import IPAddress
from core.fetch.outcomes import FetchFailure, FetchOutcome


class NoNetwork:
    """``core.fetch.Resolver`` that refuses every lookup and every connection."""

    def resolve(self, host: str, timeout_s: float) -> list[IPAddress]:
        raise FetchFailure(FetchOutcome.DNS_ERROR, f"{host}: no such name (offline test)")

    def connect_target(self, ip: IPAddress, port: int) -> tuple[str, int]:
        raise FetchFailure(FetchOutcome.CONNECT_ERROR, f"{ip}: not dialled (offline test)")


def offline_fetcher(policy: FetchPolicy | None = None) -> SafeFetcher:
    """A safe fetcher that never leaves the machine."""
    return SafeFetcher(policy or FetchPolicy(), resolver=NoNetwork())
