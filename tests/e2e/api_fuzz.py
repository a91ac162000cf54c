"""``make api-fuzz``: schemathesis, every check and every phase, against ``serve``.

Starts the API server of ``article-ingest serve`` in this process on a free loopback port over
a fresh data directory, then runs the schemathesis CLI (``tests/e2e/schemathesis.toml``)
against its ``/openapi.json``. The server never fetches anything: every submission is queued
(``sync_batch_limit=0``) and the queue is never drained. Exits with schemathesis' status.

    .venv/bin/python -m tests.e2e.api_fuzz [extra schemathesis options, e.g. --seed 7]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from article_ingest.serve import make_server
from core.settings import Settings

CONFIG = Path(__file__).with_name("schemathesis.toml")


def command(url: str, extra: list[str]) -> list[str]:
    """The schemathesis command line for the server at ``url``."""
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/openapi.json",
        *extra,
        "--checks",
        "all",
    ]


def main(extra: list[str]) -> int:
    """Fuzz a fresh server; the schemathesis exit status."""
    with tempfile.TemporaryDirectory(prefix="api-fuzz-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", sync_batch_limit=0)
        server = make_server("127.0.0.1", 0, settings, drain=False)
        thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
        thread.start()
        try:
            return subprocess.run(command(server.url, extra), check=False).returncode
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
