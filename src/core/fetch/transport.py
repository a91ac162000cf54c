"""Pinned HTTP(S) exchanges: connect to a checked IP, bound every wait, bound every byte.

The socket dials the checked address; the hostname is used only for SNI, certificate
verification and the ``Host`` header. No proxy is ever used (urllib3 connections are created
directly and never read proxy variables), and certificate verification cannot be turned off.
A watchdog thread shuts the socket down when the total deadline passes, so a server that drips
one byte at a time fails on time even inside a header line.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.response import BaseHTTPResponse
from urllib3.util.ssl_ import create_urllib3_context
from urllib3.util.ssl_match_hostname import CertificateError

from core.fetch.addresses import IPAddress
from core.fetch.content_encoding import BoundedDecoder, parse_encodings
from core.fetch.outcomes import FetchFailure, FetchOutcome
from core.fetch.urls import ParsedUrl

logger = logging.getLogger(__name__)

CHUNK = 65536


def failure_reason(exc: BaseException) -> str:
    """A short reason for a socket or protocol failure, without the wrappers' text: the
    innermost ``OSError``'s own words (``Connection refused``), else the first message."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in reversed(chain):
        if isinstance(error, OSError) and error.strerror:
            return str(error.strerror)
    for error in chain:
        if isinstance(error, TimeoutError) or "timed out" in str(error):
            return "timed out"
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return first or type(exc).__name__


class Deadline:
    """A total time budget measured on the monotonic clock."""

    def __init__(self, seconds: float, *, hard_at: float | None = None) -> None:
        self.hard_at = hard_at
        self.at = self._capped(time.monotonic() + seconds)

    def _capped(self, when: float) -> float:
        return when if self.hard_at is None else min(when, self.hard_at)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def extend(self, seconds: float) -> None:
        """Push the deadline back (time spent queueing for a politeness slot), never past
        ``hard_at`` (the caller's overall time budget)."""
        self.at = self._capped(self.at + seconds)

    def cap(self, timeout: float) -> float:
        """``timeout`` limited to what is left; raises ``timeout`` when nothing is left."""
        left = self.remaining()
        if left <= 0:
            raise FetchFailure(FetchOutcome.TIMEOUT, "total deadline exceeded")
        return min(timeout, left)


@dataclass(order=True)
class _Watch:
    when: float
    seq: int
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)
    fired: bool = field(default=False, compare=False)


class Watchdog:
    """One daemon thread that runs actions at monotonic times unless they are cancelled."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[_Watch] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, when: float, action: Callable[[], None]) -> _Watch:
        item = _Watch(when, next(self._seq), action)
        with self._cond:
            heapq.heappush(self._heap, item)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return item

    def cancel(self, item: _Watch) -> None:
        with self._cond:
            item.cancelled = True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0].cancelled:
                    if self._heap:
                        heapq.heappop(self._heap)
                    else:
                        self._cond.wait()
                item = self._heap[0]
                delay = item.when - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                item.fired = True
            try:
                item.action()
            except OSError:
                logger.debug("watchdog action failed", exc_info=True)


WATCHDOG = Watchdog()


def make_ssl_context(extra_ca_certs: str | None = None) -> ssl.SSLContext:
    """A verifying TLS context: system/certifi roots plus optional extra roots."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    try:
        import certifi

        context.load_verify_locations(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi ships with the runtime lock
        context.load_default_certs()
    if extra_ca_certs:
        context.load_verify_locations(cafile=extra_ca_certs)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _shutdown(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: only the file descriptor is shut down.
    socket.socket.shutdown(sock, socket.SHUT_RDWR)


@dataclass
class Limits:
    connect_timeout_s: float
    read_timeout_s: float
    max_body_bytes: int
    max_content_encodings: int


class Exchange:
    """One request/response on a pinned connection; a context manager that closes it."""

    def __init__(
        self,
        conn: HTTPConnection,
        response: BaseHTTPResponse,
        sock: socket.socket,
        watch: _Watch,
        deadline: Deadline,
        limits: Limits,
    ) -> None:
        self._conn = conn
        self.response = response
        self._sock = sock
        self._watch = watch
        self._deadline = deadline
        self._limits = limits

    @property
    def status(self) -> int:
        return self.response.status

    def header(self, name: str) -> str | None:
        value = self.response.headers.get(name)
        return None if value is None else str(value)

    def __enter__(self) -> Exchange:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        WATCHDOG.cancel(self._watch)
        try:
            self.response.close()
        finally:
            self._conn.close()

    def _read_chunk(self) -> bytes:
        timeout = self._deadline.cap(self._limits.read_timeout_s)
        # http.client closes the socket once a body of known length is read; then read1 is b"".
        with contextlib.suppress(OSError):
            self._sock.settimeout(timeout)
        try:
            data = self.response.read1(CHUNK, decode_content=False)
        except (ReadTimeoutError, TimeoutError):
            raise self._timeout_or(FetchOutcome.TIMEOUT, "read timed out") from None
        except (ProtocolError, Urllib3Error, OSError) as exc:
            raise self._timeout_or(
                FetchOutcome.CONNECT_ERROR,
                f"connection broken while reading: {failure_reason(exc)}",
            ) from None
        if self._watch.fired:
            raise FetchFailure(FetchOutcome.TIMEOUT, "total deadline exceeded while reading")
        return data

    def _timeout_or(self, outcome: FetchOutcome, message: str) -> FetchFailure:
        if self._watch.fired or self._deadline.remaining() <= 0:
            return FetchFailure(FetchOutcome.TIMEOUT, "total deadline exceeded while reading")
        return FetchFailure(outcome, message)

    def read_body(self, limit: int | None = None, *, truncate: bool = False) -> bytes:
        """The content-decoded body, at most ``limit`` bytes on the wire and after decoding.

        Raises ``too_large`` past the limit, unless ``truncate`` (then the prefix is returned).
        """
        limit = self._limits.max_body_bytes if limit is None else limit
        length = self.header("Content-Length")
        if not truncate and length and length.strip().isdigit() and int(length) > limit:
            raise FetchFailure(
                FetchOutcome.TOO_LARGE, f"Content-Length {int(length)} exceeds {limit} bytes"
            )
        encodings = parse_encodings(
            self.header("Content-Encoding"), self._limits.max_content_encodings
        )
        decoder = BoundedDecoder(encodings, limit)
        out = bytearray()
        wire = 0
        try:
            while True:
                data = self._read_chunk()
                if not data:
                    out += decoder.finish()
                    break
                wire += len(data)
                if wire > limit:
                    raise FetchFailure(FetchOutcome.TOO_LARGE, f"body exceeds {limit} bytes")
                out += decoder.feed(data)
        except FetchFailure as failure:
            if truncate and failure.outcome is FetchOutcome.TOO_LARGE:
                return bytes(out[:limit])
            raise
        return bytes(out)


def open_exchange(
    url: ParsedUrl,
    addresses: list[IPAddress],
    connect_target: Callable[[IPAddress, int], tuple[str, int]],
    headers: Mapping[str, str],
    deadline: Deadline,
    limits: Limits,
    ssl_context: ssl.SSLContext,
    *,
    method: str = "GET",
    body: bytes | None = None,
) -> Exchange:
    """Connect to the first reachable checked address, send the request (a GET unless
    ``method`` and ``body`` say otherwise), read the status and headers."""
    conn = _connect(url, addresses, connect_target, deadline, limits, ssl_context)
    sock = conn.sock
    assert sock is not None
    watch = WATCHDOG.watch(deadline.at, lambda: _shutdown(sock))
    try:
        conn.timeout = deadline.cap(limits.read_timeout_s)
        conn.request(
            method,
            url.target,
            body=body,
            headers={"Host": url.host_header, **headers},
            preload_content=False,
            decode_content=False,
        )
        response = conn.getresponse()
    except FetchFailure:
        WATCHDOG.cancel(watch)
        conn.close()
        raise
    except Exception as exc:  # http.client, urllib3 and socket errors alike
        WATCHDOG.cancel(watch)
        conn.close()
        if watch.fired or deadline.remaining() <= 0:
            raise FetchFailure(FetchOutcome.TIMEOUT, "total deadline exceeded") from None
        if isinstance(exc, TimeoutError):
            raise FetchFailure(FetchOutcome.TIMEOUT, "timed out waiting for the response") from None
        raise FetchFailure(
            FetchOutcome.CONNECT_ERROR, f"bad or broken response: {failure_reason(exc)}"
        ) from None
    return Exchange(conn, response, sock, watch, deadline, limits)


def _connect(
    url: ParsedUrl,
    addresses: list[IPAddress],
    connect_target: Callable[[IPAddress, int], tuple[str, int]],
    deadline: Deadline,
    limits: Limits,
    ssl_context: ssl.SSLContext,
) -> HTTPConnection:
    last: FetchFailure | None = None
    for ip in addresses:
        where = url.host if url.ip is not None else f"{url.host} ({ip})"
        dial_host, dial_port = connect_target(ip, url.port)
        timeout = deadline.cap(limits.connect_timeout_s)
        conn: HTTPConnection
        if url.scheme == "https":
            conn = HTTPSConnection(
                dial_host,
                dial_port,
                timeout=timeout,
                server_hostname=url.host,
                assert_hostname=url.host,
                ssl_context=ssl_context,
                cert_reqs="CERT_REQUIRED",
            )
        else:
            conn = HTTPConnection(dial_host, dial_port, timeout=timeout)
        try:
            conn.connect()
            return conn
        except (ssl.SSLCertVerificationError, CertificateError) as exc:
            conn.close()
            reason = getattr(exc, "verify_message", None) or failure_reason(exc)
            raise FetchFailure(
                FetchOutcome.CONNECT_ERROR,
                f"TLS certificate of {url.host} not valid: {reason}",
                retryable=False,
            ) from None
        except (TimeoutError, Urllib3Error, OSError) as exc:
            conn.close()
            reason = failure_reason(exc)
            timed_out = isinstance(exc, TimeoutError) or reason == "timed out"
            last = FetchFailure(
                FetchOutcome.TIMEOUT if timed_out else FetchOutcome.CONNECT_ERROR,
                f"cannot connect to {where} port {url.port}: {reason}",
            )
            logger.debug("connect to %s failed: %s", ip, exc)
    assert last is not None
    raise last
