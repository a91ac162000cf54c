"""Name resolution behind a small Protocol, so tests can stub it.

The fetcher resolves each host once per fetch, checks every address, and connects only to
addresses it checked: ``connect_target`` maps a checked address to the socket address actually
dialled. In production that is the identity; a test resolver may map a stubbed public address to
a local test server.
"""

from __future__ import annotations

import logging
import socket
import threading
from ipaddress import ip_address
from typing import Protocol

from core.fetch.addresses import IPAddress
from core.fetch.outcomes import FetchFailure, FetchOutcome

logger = logging.getLogger(__name__)

_PERMANENT_GAI_ERRORS = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


class Resolver(Protocol):
    """Resolves a host name to addresses; raises ``FetchFailure`` (``dns_error``/``timeout``)."""

    def resolve(self, host: str, timeout_s: float) -> list[IPAddress]:
        """Every address of ``host``, in the order they should be tried."""
        ...

    def connect_target(self, ip: IPAddress, port: int) -> tuple[str, int]:
        """The socket address to dial for a checked address (the identity in production)."""
        ...


class SystemResolver:
    """``getaddrinfo`` with a timeout; the lookup runs in a daemon thread so a hung resolver
    cannot hold a fetch past its deadline."""

    def resolve(self, host: str, timeout_s: float) -> list[IPAddress]:
        """Addresses of ``host`` from the system resolver, duplicates removed."""
        box: dict[str, object] = {}

        def lookup() -> None:
            try:
                box["infos"] = socket.getaddrinfo(
                    host, None, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
                )
            except (OSError, UnicodeError) as exc:
                box["error"] = exc

        thread = threading.Thread(target=lookup, name=f"resolve-{host}", daemon=True)
        thread.start()
        thread.join(timeout_s)
        if thread.is_alive():
            raise FetchFailure(FetchOutcome.TIMEOUT, f"DNS lookup of {host} timed out")
        error = box.get("error")
        if error is not None:
            permanent = isinstance(error, socket.gaierror) and error.errno in _PERMANENT_GAI_ERRORS
            raise FetchFailure(
                FetchOutcome.DNS_ERROR, f"cannot resolve {host}: {error}", retryable=not permanent
            )
        addresses: list[IPAddress] = []
        infos = box.get("infos")
        assert isinstance(infos, list)
        for _family, _type, _proto, _canon, sockaddr in infos:
            addr = ip_address(str(sockaddr[0]).split("%", 1)[0])
            if len(sockaddr) == 4 and sockaddr[3]:
                addr = ip_address(f"{addr}%{sockaddr[3]}")  # keep the scope so it is refused
            if addr not in addresses:
                addresses.append(addr)
        if not addresses:
            raise FetchFailure(FetchOutcome.DNS_ERROR, f"{host} has no addresses")
        return addresses

    def connect_target(self, ip: IPAddress, port: int) -> tuple[str, int]:
        """Dial exactly the checked address."""
        return str(ip), port
