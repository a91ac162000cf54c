"""Safe outbound POSTs (webhooks): the fetcher's SSRF rules, applied to a request we send.

The URL passes ``parse_url`` (schemes, ports, literal and ``localhost`` hosts), every resolved
address passes ``vetted_addresses`` before any connection, the socket dials only a vetted
address (no second lookup, so no DNS rebinding), no proxy is used and no redirect is followed:
a 3xx is a failed delivery. The whole exchange has one deadline and the answer's body is read
at most ``MAX_ANSWER_BYTES`` (then dropped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.fetch.addresses import vetted_addresses
from core.fetch.outcomes import FetchFailure, FetchOutcome, UrlRejected
from core.fetch.policy import FetchPolicy
from core.fetch.resolver import Resolver, SystemResolver
from core.fetch.transport import Deadline, Limits, make_ssl_context, open_exchange
from core.fetch.urls import parse_url

MAX_ANSWER_BYTES = 65536


@dataclass(frozen=True)
class PostOutcome:
    """How a POST ended: the HTTP status, or why there was none (``refused``: never sent,
    the URL or its addresses are not admitted)."""

    status: int | None
    error: str | None = None
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class SafePoster:
    """POSTs bodies to untrusted URLs under a ``FetchPolicy`` (thread-safe)."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver | None = None) -> None:
        self.policy = policy
        self.resolver: Resolver = resolver if resolver is not None else SystemResolver()
        self._ssl = make_ssl_context(policy.extra_ca_certs)
        self._limits = Limits(
            connect_timeout_s=policy.connect_timeout_s,
            read_timeout_s=policy.read_timeout_s,
            max_body_bytes=MAX_ANSWER_BYTES,
            max_content_encodings=policy.max_content_encodings,
        )

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, timeout_s: float
    ) -> PostOutcome:
        """POST ``body`` to ``url``; never raises for what the target did."""
        deadline = Deadline(timeout_s)
        try:
            parsed = parse_url(url, self.policy)
            addresses = vetted_addresses(
                parsed, self.resolver, self.policy, deadline.cap(self.policy.connect_timeout_s)
            )
        except UrlRejected as rejected:
            return PostOutcome(None, f"{rejected.code.value}: {rejected.message}", refused=True)
        except FetchFailure as failure:
            refused = failure.outcome is FetchOutcome.BLOCKED_ADDRESS
            return PostOutcome(None, f"{failure.outcome.value}: {failure}", refused=refused)
        all_headers = {
            "User-Agent": self.policy.user_agent,
            "Content-Length": str(len(body)),
            "Connection": "close",
            **headers,
        }
        try:
            with open_exchange(
                parsed,
                addresses,
                self.resolver.connect_target,
                all_headers,
                deadline,
                self._limits,
                self._ssl,
                method="POST",
                body=body,
            ) as exchange:
                status = exchange.status
                exchange.read_body(truncate=True)
        except FetchFailure as failure:
            return PostOutcome(None, f"{failure.outcome.value}: {failure}")
        if 300 <= status < 400:
            return PostOutcome(status, f"HTTP {status}: redirects are not followed")
        return PostOutcome(status, None if 200 <= status < 300 else f"HTTP {status}")
