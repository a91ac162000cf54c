"""A webhook receiver on 127.0.0.1 for tests: records every POST and answers the statuses
it is told to, in turn (then 204)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler

from tests.support.page_server import BackgroundServer


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args: object, receiver: WebhookReceiver, **kwargs: object) -> None:
        self.receiver = receiver
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status = self.receiver.next_status()
        self.receiver.record(Received(self.path, dict(self.headers.items()), body, status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class WebhookReceiver(BackgroundServer):
    """Answers POSTs with ``statuses`` in turn, then 204; ``received`` lists them all."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self._statuses = list(statuses or [])
        self._lock = threading.Lock()
        self.received: list[Received] = []
        super().__init__(partial(_Handler, receiver=self))

    def next_status(self) -> int:
        with self._lock:
            return self._statuses.pop(0) if self._statuses else 204

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)
