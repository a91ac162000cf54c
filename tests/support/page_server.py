"""A tiny static web server on 127.0.0.1 for the demo and the end-to-end tests.

It serves a directory of sample pages with explicit ``Content-Type`` headers (a file named
``*-cp1252-header.html`` is served with ``charset=windows-1252``; ``*-undeclared.html`` with no
charset) and an optional per-response latency, and answers 404 for anything else, including
``robots.txt`` (which means "everything allowed").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args: object, root: Path, latency_s: float, **kwargs: object) -> None:
        self.root = root
        self.latency_s = latency_s
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:
        """Keep the demo and test output quiet."""

    def do_GET(self) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)
        name = self.path.split("?", 1)[0].lstrip("/")
        path = (self.root / name).resolve()
        if not name or not path.is_file() or not path.is_relative_to(self.root):
            self.send_error(404, "Not Found")
            return
        body = path.read_bytes()
        content_type = "text/html; charset=utf-8"
        if name.endswith("-cp1252-header.html"):
            content_type = "text/html; charset=windows-1252"
        elif name.endswith("-undeclared.html"):
            content_type = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class BackgroundServer:
    """An HTTP server on a free port of ``host``, served from a daemon thread inside ``with``."""

    def __init__(self, handler: Callable[..., BaseHTTPRequestHandler], host: str = "127.0.0.1"):
        self.host = host
        self._server = ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """The URL of ``path`` on this server (a leading slash is optional)."""
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class PageServer(BackgroundServer):
    """Serve the files of ``root`` (see the module docstring), with an optional latency."""

    def __init__(self, root: Path, host: str = "127.0.0.1", latency_s: float = 0.0) -> None:
        super().__init__(partial(_Handler, root=root.resolve(), latency_s=latency_s), host)
